/**
 * The bad-design catalogue: malformed designs a newcomer might write, each with the error class and
 * message it must produce. The line the error must point at carries a `// @bad <name>` marker; the
 * test finds the marker and checks the error's file:line against it, so the location is checked
 * exactly without hard-coding numbers.
 */
import {
  DriverError, HdlError, In, LoopError, NameError, Out, ParamError, WidthError, module, mux, s, sint, u, uint,
  type ModuleDef, type PortRecord,
} from '../../dsl/index.ts';

export interface BadDesign {
  name: string;
  error: typeof HdlError;
  message: RegExp;
  design: () => ModuleDef<PortRecord>;
}

const leaf = module('bad_leaf', { a: In(uint(8)), y: Out(uint(8)) }, (io) => io.y.set(io.a));

export const catalogue: BadDesign[] = [
  {
    name: 'mixed-signedness', error: WidthError, message: /add mixes sint\(8\) and uint\(8\).*toSigned/,
    design: () => module('m1', { a: In(sint(8)), b: In(uint(8)), y: Out(sint(9)) }, (io) => {
      io.y.set(io.a.add(io.b)); // @bad mixed-signedness
    }),
  },
  {
    name: 'assign-width', error: WidthError, message: /cannot assign uint\(9\) to 'y' of type uint\(8\).*trunc/,
    design: () => module('m2', { a: In(uint(8)), y: Out(uint(8)) }, (io) => {
      io.y.set(io.a.add(1)); // @bad assign-width
    }),
  },
  {
    name: 'bitwise-widths', error: WidthError, message: /and needs operands of equal width, got uint\(8\) and uint\(4\)/,
    design: () => module('m3', { a: In(uint(8)), b: In(uint(4)), y: Out(uint(8)) }, (io) => {
      io.y.set(io.a.and(io.b)); // @bad bitwise-widths
    }),
  },
  {
    name: 'mux-branches', error: WidthError, message: /mux branches differ: uint\(8\) vs uint\(4\)/,
    design: () => module('m4', { c: In(uint(1)), a: In(uint(8)), b: In(uint(4)), y: Out(uint(8)) }, (io) => {
      io.y.set(mux(io.c, io.a, io.b)); // @bad mux-branches
    }),
  },
  {
    name: 'mux-condition', error: WidthError, message: /mux condition must be 1 bit wide, got uint\(2\)/,
    design: () => module('m5', { c: In(uint(2)), a: In(uint(8)), y: Out(uint(8)) }, (io) => {
      io.y.set(mux(io.c, io.a, io.a)); // @bad mux-condition
    }),
  },
  {
    name: 'constant-range', error: WidthError, message: /constant 20 does not fit uint\(4\) \(range 0\.\.15\)/,
    design: () => module('m6', { y: Out(uint(4)) }, (io) => {
      io.y.set(u(4, 20)); // @bad constant-range
    }),
  },
  {
    name: 'negative-into-unsigned', error: WidthError, message: /constant -1 does not fit uint\(8\)/,
    design: () => module('m6b', { a: In(uint(8)), y: Out(uint(9)) }, (io) => {
      io.y.set(io.a.add(-1)); // @bad negative-into-unsigned
    }),
  },
  {
    name: 'slice-range', error: WidthError, message: /slice\(8, 0\) is out of range for uint\(8\) \(bits 7\.\.0\)/,
    design: () => module('m7', { a: In(uint(8)), y: Out(uint(9)) }, (io) => {
      io.y.set(io.a.slice(8, 0)); // @bad slice-range
    }),
  },
  {
    name: 'trunc-widens', error: WidthError, message: /trunc\(16\) would widen uint\(8\); use extend/,
    design: () => module('m8', { a: In(uint(8)), y: Out(uint(16)) }, (io) => {
      io.y.set(io.a.trunc(16)); // @bad trunc-widens
    }),
  },
  {
    name: 'extend-narrows', error: WidthError, message: /extend\(4\) would narrow sint\(8\); use trunc, resize or sat/,
    design: () => module('m9', { a: In(sint(8)), y: Out(sint(4)) }, (io) => {
      io.y.set(io.a.extend(4)); // @bad extend-narrows
    }),
  },
  {
    name: 'zero-width', error: ParamError, message: /width must be an integer from 1 to 4096, got 0/,
    design: () => module('m10', { a: In(uint(0)) }, () => {}), // @bad zero-width
  },
  {
    name: 'absurd-width', error: ParamError, message: /width must be an integer from 1 to 4096, got 100000/,
    design: () => module('m11', { a: In(sint(100000)) }, () => {}), // @bad absurd-width
  },
  {
    name: 'undriven-output', error: DriverError, message: /output port 'y' of module 'm12' is never driven/,
    design: () => module('m12', {
      a: In(uint(8)),
      y: Out(uint(8)), // @bad undriven-output
    }, () => {}),
  },
  {
    name: 'undriven-wire', error: DriverError, message: /wire 'w' of module 'm13' is never driven/,
    design: () => module('m13', { y: Out(uint(8)) }, (io, m) => {
      const w = m.wire('w', uint(8)); // @bad undriven-wire
      io.y.set(w);
    }),
  },
  {
    name: 'two-drivers', error: DriverError, message: /'y' is driven twice: here and at tests\/bad-designs\/catalogue\.ts:\d+/,
    design: () => module('m14', { a: In(uint(8)), b: In(uint(8)), y: Out(uint(8)) }, (io) => {
      io.y.set(io.a);
      io.y.set(io.b); // @bad two-drivers
    }),
  },
  {
    name: 'register-default-last', error: DriverError, message: /'r' is driven twice: here and at tests\/bad-designs\/catalogue\.ts:\d+; an unconditional assignment must come first/,
    design: () => module('m14r', { en: In(uint(1)), a: In(uint(8)), y: Out(uint(8)) }, (io, m) => {
      const r = m.reg('r', uint(8), { reset: 0 });
      m.when(io.en, () => r.set(io.a));
      r.set(0); // @bad register-default-last
      io.y.set(r);
    }),
  },
  {
    name: 'latch', error: DriverError, message: /wire 'w' is not driven on every path \(it would be a latch\)/,
    design: () => module('m15', { c: In(uint(1)), a: In(uint(8)), y: Out(uint(8)) }, (io, m) => {
      const w = m.wire('w', uint(8));
      m.when(io.c, () => w.set(io.a)); // @bad latch
      io.y.set(w);
    }),
  },
  {
    name: 'comb-loop', error: LoopError,
    message: /combinational loop in module 'm16': p -> q -> p, closed by p\.set\(\.\.\.\) reads q at tests\/bad-designs\/catalogue\.ts:(\d+); q\.set\(\.\.\.\) reads p at tests\/bad-designs\/catalogue\.ts:(?!\1)\d+ \(declared: p at .*catalogue\.ts:\d+, q at .*\); break it with a register/,
    design: () => module('m16', { y: Out(uint(8)) }, (io, m) => {
      const p = m.wire('p', uint(8));
      const q = m.wire('q', uint(8));
      p.set(q.add(1).trunc(8)); // @bad comb-loop
      q.set(p);
      io.y.set(q);
    }),
  },
  {
    name: 'loop-through-condition', error: LoopError,
    message: /combinational loop in module 'm16c': go -> done -> go, closed by go\.set\(\.\.\.\) reads done at .*; the when condition over done\.set\(\.\.\.\) reads go at tests\/bad-designs\/catalogue\.ts:\d+/,
    design: () => module('m16c', { a: In(uint(1)), y: Out(uint(1)) }, (io, m) => {
      const go = m.wire('go', uint(1));
      const done = m.wire('done', uint(1));
      go.set(io.a.and(done.not())); // @bad loop-through-condition
      done.set(0);
      m.when(go, () => done.set(1));
      io.y.set(done);
    }),
  },
  {
    name: 'loop-through-instance', error: LoopError,
    message: /combinational loop in module 'm16i': w -> u0_y -> w, closed by w\.set\(\.\.\.\) reads u0_y at .*; u0\.a \(instance input; output y follows it\) reads w at tests\/bad-designs\/catalogue\.ts:\d+/,
    design: () => module('m16i', { y: Out(uint(8)) }, (io, m) => {
      const w = m.wire('w', uint(8));
      const o = m.instance('u0', leaf, { a: w });
      w.set(o.y.add(1).trunc(8)); // @bad loop-through-instance
      io.y.set(w);
    }),
  },
  {
    name: 'never-assigned-register', error: DriverError,
    message: /register 'never_set' of module 'm16r' is never assigned: it would hold its reset value forever; use a constant, lit\(uint\(8\), 5\), if that is what you mean, or assign it with \.set\(\.\.\.\)/,
    design: () => module('m16r', { a: In(uint(8)), y: Out(uint(8)) }, (io, m) => {
      const r = m.reg('never_set', uint(8), { reset: 5 }); // @bad never-assigned-register
      io.y.set(io.a.xor(r));
    }),
  },
  {
    name: 'unassigned-register-no-reset', error: DriverError,
    message: /register 'k' of module 'm16n' is never assigned: it would hold an undefined value forever; use a constant if that is what you mean/,
    design: () => module('m16n', { a: In(sint(8)), y: Out(sint(8)) }, (io, m) => {
      const k = m.reg('k', sint(8)); // @bad unassigned-register-no-reset
      io.y.set(io.a.add(k).trunc(8));
    }),
  },
  {
    name: 'drive-input', error: DriverError, message: /input port 'a' cannot be driven inside its own module/,
    design: () => module('m17', { a: In(uint(8)), y: Out(uint(8)) }, (io) => {
      io.a.set(0); // @bad drive-input
      io.y.set(io.a);
    }),
  },
  {
    name: 'keyword-name', error: NameError, message: /port name 'reg' is a Verilog\/SystemVerilog keyword/,
    design: () => module('m18', {
      reg: In(uint(8)), // @bad keyword-name
    }, () => {}),
  },
  {
    name: 'illegal-name', error: NameError, message: /wire name 'my-sig' is not a legal identifier/,
    design: () => module('m19', {}, (_io, m) => {
      m.wire('my-sig', uint(1)); // @bad illegal-name
    }),
  },
  {
    name: 'name-collision', error: NameError, message: /'x' is already declared in module 'm20' at tests\/bad-designs\/catalogue\.ts:\d+/,
    design: () => module('m20', { y: Out(uint(1)) }, (io, m) => {
      const x = m.wire('x', uint(1));
      m.reg('x', uint(1)); // @bad name-collision
      x.set(0);
      io.y.set(x);
    }),
  },
  {
    name: 'reserved-clock', error: NameError, message: /'clk' is the implicit clock port; choose another port name/,
    design: () => module('m21', {
      clk: In(uint(1)), // @bad reserved-clock
    }, () => {}),
  },
  {
    name: 'instance-unconnected', error: DriverError, message: /input 'a' of instance 'u0' \(module 'bad_leaf'\) is not connected/,
    design: () => module('m22', { y: Out(uint(8)) }, (io, m) => {
      const o = m.instance('u0', leaf, {}); // @bad instance-unconnected
      io.y.set(o.y!);
    }),
  },
  {
    name: 'instance-unknown-port', error: NameError, message: /module 'bad_leaf' has no port 'b'; its ports are a, y/,
    design: () => module('m23', { a: In(uint(8)), y: Out(uint(8)) }, (io, m) => {
      const o = m.instance('u0', leaf, { a: io.a, b: io.a } as never); // @bad instance-unknown-port
      io.y.set(o.y!);
    }),
  },
  {
    name: 'instance-width', error: WidthError, message: /input 'a' of instance 'u0' is uint\(8\) but is connected to uint\(4\)/,
    design: () => module('m24', { a: In(uint(4)), y: Out(uint(8)) }, (io, m) => {
      const o = m.instance('u0', leaf, { a: io.a }); // @bad instance-width
      io.y.set(o.y!);
    }),
  },
  {
    name: 'memory-address', error: WidthError, message: /memory 'ram' \(depth 16\) needs a uint\(4\) address, got uint\(8\)/,
    design: () => module('m25', { addr: In(uint(8)), y: Out(uint(8)) }, (io, m) => {
      const ram = m.mem('ram', { type: uint(8), depth: 16 });
      io.y.set(ram.readAsync(io.addr)); // @bad memory-address
    }),
  },
  {
    name: 'memory-depth', error: ParamError, message: /memory 'ram' depth must be an integer from 1 to 16777216, got 0/,
    design: () => module('m26', {}, (_io, m) => {
      m.mem('ram', { type: uint(8), depth: 0 }); // @bad memory-depth
    }),
  },
  {
    name: 'rom-value', error: WidthError, message: /memory 'table' word 2 = 300 does not fit uint\(8\)/,
    design: () => module('m27', {}, (_io, m) => {
      m.rom('table', uint(8), [1, 2, 300]); // @bad rom-value
    }),
  },
  {
    name: 'reset-value', error: WidthError, message: /reset value -200 of register 'r' does not fit sint\(8\)/,
    design: () => module('m28', {}, (_io, m) => {
      m.reg('r', sint(8), { reset: -200 }); // @bad reset-value
    }),
  },
  {
    name: 'when-condition', error: WidthError, message: /a when condition must be 1 bit wide, got uint\(8\)/,
    design: () => module('m29', { a: In(uint(8)), y: Out(uint(8)) }, (io, m) => {
      io.y.set(0);
      m.when(io.a, () => io.y.set(io.a)); // @bad when-condition
    }),
  },
  {
    name: 'signed-shift-amount', error: WidthError, message: /a shift amount must be unsigned/,
    design: () => module('m30', { a: In(uint(8)), n: In(sint(3)), y: Out(uint(8)) }, (io) => {
      io.y.set(io.a.shlBy(io.n)); // @bad signed-shift-amount
    }),
  },
  {
    name: 'neg-unsigned', error: WidthError, message: /neg needs a signed value, got uint\(8\); use \.toSigned\(\)\.neg\(\)/,
    design: () => module('m31', { a: In(uint(8)), y: Out(sint(9)) }, (io) => {
      io.y.set(io.a.neg()); // @bad neg-unsigned
    }),
  },
  {
    name: 'cross-module-value', error: WidthError, message: /a value of module 'm32_outer' is used in module 'm32_inner'; connect it through a port/,
    design: () => module('m32_outer', { a: In(uint(8)), y: Out(uint(8)) }, (outer, m) => {
      const inner = module('m32_inner', { y: Out(uint(8)) }, (io) => {
        io.y.set(outer.a); // @bad cross-module-value
      });
      outer.y.set(m.instance('u0', inner, {}).y!);
    }),
  },
  {
    name: 'same-name-different-modules', error: NameError, message: /two different modules are named 'pe_cell'.*put the parameters that differ into the name/,
    design: () => {
      const cell = (w: number) => module('pe_cell', { a: In(uint(w)), y: Out(uint(w)) }, (io) => io.y.set(io.a)); // @bad same-name-different-modules
      return module('m33', { a: In(uint(8)), b: In(uint(4)), y: Out(uint(8)), z: Out(uint(4)) }, (io, m) => {
        io.y.set(m.instance('c8', cell(8), { a: io.a }).y!);
        io.z.set(m.instance('c4', cell(4), { a: io.b }).y!);
      });
    },
  },
  {
    name: 'too-wide-product', error: WidthError, message: /mul would make a 5000-bit value, over the 4096-bit limit/,
    design: () => module('m34', { a: In(uint(2500)), y: Out(uint(1)) }, (io) => {
      io.y.set(io.a.mul(io.a).orR()); // @bad too-wide-product
    }),
  },
  {
    name: 'signed-constant-range', error: WidthError, message: /constant 128 does not fit sint\(8\) \(range -128\.\.127\)/,
    design: () => module('m35', { y: Out(sint(8)) }, (io) => {
      io.y.set(s(8, 128)); // @bad signed-constant-range
    }),
  },
];
