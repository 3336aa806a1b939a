/**
 * Modules, signals, registers, memories, instances and `when` blocks: the builder that turns a
 * TypeScript function into a ModuleIR. A module definition is elaborated once, on first use, and
 * shared by every instance (one Verilog module per definition).
 */
import { DriverError, HdlError, LazyLoc, NameError, ParamError, WidthError, formatLoc } from '../errors.ts';
import type {
  Assignment, CheckKind, CondStep, Expr, InstanceDecl, MemoryDecl, ModuleIR, SignalDecl, SignalKind, StreamInterface, WhenNode,
} from '../ir/nodes.ts';
import type { OpName } from '../ir/ops.ts';
import { MAX_WIDTH, clog2, fits, showType, toBits, typeEq, type HwType } from '../ir/types.ts';
import { popBuilder, pushBuilder, type NodeFactory } from './context.ts';
import { checkName, RESERVED_PORTS } from './names.ts';
import { bindPorts, instantiate, type InstanceInputs, type InstanceIO, type IO } from './interface.ts';
import type { PortRecord, PortSpec } from './ports.ts';
import { Value, lit, type Operand } from './value.ts';

let nextId = 1;
const newId = (): number => nextId++;

/** A named signal that can be assigned: a port, wire or register. */
export class Signal extends Value {
  constructor(
    readonly decl: SignalDecl,
    ctx: ModuleBuilder,
  ) {
    super(ctx.refNode(decl), ctx);
  }
  /** The signal's name in the Verilog. */
  get name(): string {
    return this.decl.name;
  }
  /** Drive this signal (inside `when` blocks: only where the conditions hold). */
  set(v: Operand): void {
    (this.ctx as ModuleBuilder).assign(this, v, new LazyLoc());
  }
}

/** Options of `m.reg` and `m.delay`: reset value, clock enable, power-up value, name. */
export interface RegOptions {
  /** Value on synchronous reset; omit for a register without reset. */
  reset?: number | bigint;
  /** Update only where this holds (a clock enable). */
  enable?: Value;
  /** Power-up value (FPGA bitstream init); defaults to the reset value. */
  init?: number | bigint;
}

/** Options of `m.mem`: word type, depth and initial contents. */
export interface MemOptions {
  type: HwType;
  depth: number;
  /** Initial contents (values of `type`); a ROM when there are no writes. */
  init?: readonly (number | bigint)[];
}

/** A memory: synchronous write ports, synchronous (block RAM) or asynchronous read ports. */
export class Memory {
  constructor(
    readonly decl: MemoryDecl,
    private readonly b: ModuleBuilder,
  ) {}
  /** Address width in bits (clog2 of the depth, at least 1). */
  get addrWidth(): number {
    return this.decl.addrWidth;
  }
  /** Write `data` at `addr` on the clock edge, where the enclosing `when` conditions and `enable` hold. */
  write(addr: Value, data: Operand, enable?: Value): void {
    this.b.memWrite(this, addr, data, enable, new LazyLoc());
  }
  /** Synchronous read: the word at `addr` appears one cycle later (block RAM). Read-first on collision. */
  read(addr: Value, enable?: Value, name?: string): Value {
    return this.b.memReadSync(this, addr, enable, name, new LazyLoc());
  }
  /** Asynchronous read: the word at `addr` in the same cycle (LUT RAM / registers). */
  readAsync(addr: Value): Value {
    return this.b.memReadAsync(this, addr, new LazyLoc());
  }
}

/** A chain of `when` branches: `.elsewhen(c, body)` and `.otherwise(body)`. */
export class WhenChain {
  constructor(
    private readonly b: ModuleBuilder,
    private readonly elsePath: CondStep[],
  ) {}
  elsewhen(cond: Value, body: () => void): WhenChain {
    return this.b.whenAt(this.elsePath, cond, body, new LazyLoc());
  }
  otherwise(body: () => void): void {
    this.b.withPath(this.elsePath, body);
  }
}

/** `m.switch(sel).is(0, () => ...).is([1, 2], () => ...).default(() => ...)`. */
export class SwitchChain {
  private chain: WhenChain | undefined;
  constructor(
    private readonly b: ModuleBuilder,
    private readonly sel: Value,
  ) {}
  is(values: Operand | Operand[], body: () => void): SwitchChain {
    const list = Array.isArray(values) ? values : [values];
    if (list.length === 0) throw new ParamError('switch .is() needs at least one value', new LazyLoc().get());
    let cond = this.sel.eq(list[0]!);
    for (const v of list.slice(1)) cond = cond.or(this.sel.eq(v));
    this.chain = this.chain ? this.chain.elsewhen(cond, body) : this.b.when(cond, body);
    return this;
  }
  default(body: () => void): void {
    if (!this.chain) body();
    else this.chain.otherwise(body);
  }
}

/** Builds one module. Users get it as `m` in `module(name, ports, (io, m) => ...)`. */
export class ModuleBuilder implements NodeFactory {
  readonly ir: ModuleIR;
  private path: CondStep[] = [];
  private readonly names = new Map<string, LazyLoc>();
  private readonly refs = new Map<number, Expr>();

  constructor(name: string, loc: LazyLoc) {
    this.ir = { name, loc, ports: [], signals: [], memories: [], instances: [], streams: [], notes: [], checks: [], sequential: false };
  }

  // ---- node factory -----------------------------------------------------------------------
  /** IR node factory for the builder and library.
@internal */
  constNode(type: HwType, bits: bigint, loc: LazyLoc): Expr {
    return { kind: 'const', id: newId(), type, bits, loc };
  }
  /** IR node factory for the builder and library.
@internal */
  opNode(op: OpName, type: HwType, args: Expr[], params: number[], loc: LazyLoc): Expr {
    return { kind: 'op', id: newId(), type, op, args, params, loc };
  }
  /** IR node factory for the builder and library.
@internal */
  refNode(signal: SignalDecl): Expr {
    let r = this.refs.get(signal.id);
    if (!r) {
      r = { kind: 'ref', id: newId(), type: signal.type, signal, loc: signal.loc };
      this.refs.set(signal.id, r);
    }
    return r;
  }

  // ---- declarations -----------------------------------------------------------------------
  /** Reserve a Verilog name in this module (used by declarations).
@internal */
  claimName(name: string, loc: LazyLoc, what: string): void {
    checkName(name, loc, what);
    const prev = this.names.get(name);
    if (prev)
      throw new NameError(`'${name}' is already declared in module '${this.ir.name}' at ${formatLoc(prev.get())}`, loc.get(), { name });
    this.names.set(name, loc);
  }
  private declare(name: string, kind: SignalKind, type: HwType, loc: LazyLoc, extra: Partial<SignalDecl> = {}): SignalDecl {
    this.claimName(name, loc, kind === 'input' || kind === 'output' ? 'port' : kind);
    const decl: SignalDecl = { id: newId(), name, kind, type, loc, assigns: [], ...extra };
    this.ir.signals.push(decl);
    if (kind === 'input' || kind === 'output') this.ir.ports.push(decl);
    return decl;
  }
  /** One Verilog port (interface ports are flattened to these by interface.ts). */
  port(name: string, spec: PortSpec<PortSpec['dir'], HwType>): Signal {
    if (RESERVED_PORTS.has(name))
      throw new NameError(`'${name}' is the implicit ${name === 'clk' ? 'clock' : 'reset'} port; choose another port name`, spec.loc.get());
    return new Signal(this.declare(name, spec.dir, spec.type, spec.loc), this);
  }
  /** A combinational signal, driven with `.set()`. */
  wire(name: string, type: HwType): Signal {
    return new Signal(this.declare(name, 'wire', type, new LazyLoc()), this);
  }
  /** A register (clocked by the implicit clock). Holds its value where it is not assigned. */
  reg(name: string, type: HwType, opts: RegOptions = {}): Signal {
    const loc = new LazyLoc();
    const bitsOf = (v: number | bigint | undefined, what: string): bigint | undefined => {
      if (v === undefined) return undefined;
      if (!fits(BigInt(v), type)) throw new WidthError(`${what} ${v} of register '${name}' does not fit ${showType(type)}`, loc.get());
      return toBits(BigInt(v), type.width);
    };
    const reset = bitsOf(opts.reset, 'reset value');
    const init = bitsOf(opts.init, 'init value') ?? reset;
    const decl = this.declare(name, 'reg', type, loc, { reset, init });
    this.ir.sequential = true;
    const sig = new Signal(decl, this);
    if (opts.enable) (sig as { enable?: Value }).enable = opts.enable;
    return sig;
  }
  /** A register that follows `v` one cycle later: `m.delay(x)` or `m.delay(x, {reset: 0, enable})`. */
  delay(v: Value, opts: RegOptions & { name?: string } = {}): Signal {
    const r = this.reg(opts.name ?? this.freshName('delay'), v.type, opts);
    r.set(v);
    return r;
  }
  /** A memory of `depth` words. Yosys infers block RAM for synchronous reads. */
  mem(name: string, opts: MemOptions): Memory {
    const loc = new LazyLoc();
    if (!Number.isInteger(opts.depth) || opts.depth < 1 || opts.depth > 1 << 24)
      throw new ParamError(`memory '${name}' depth must be an integer from 1 to ${1 << 24}, got ${opts.depth}`, loc.get());
    if (opts.init && opts.init.length > opts.depth)
      throw new ParamError(`memory '${name}' has ${opts.init.length} initial words but depth ${opts.depth}`, loc.get());
    const init = opts.init?.map((v, i) => {
      if (!fits(BigInt(v), opts.type))
        throw new WidthError(`memory '${name}' word ${i} = ${v} does not fit ${showType(opts.type)}`, loc.get());
      return toBits(BigInt(v), opts.type.width);
    });
    this.claimName(name, loc, 'memory');
    const decl: MemoryDecl = { id: newId(), name, type: opts.type, depth: opts.depth, addrWidth: clog2(opts.depth), init, writes: [], loc };
    this.ir.memories.push(decl);
    return new Memory(decl, this);
  }
  /** A read-only table initialised from TypeScript values. */
  rom(name: string, type: HwType, values: readonly (number | bigint)[]): Memory {
    if (values.length === 0) throw new ParamError(`ROM '${name}' needs at least one value`, new LazyLoc().get());
    return this.mem(name, { type, depth: values.length, init: values });
  }

  // ---- memories ---------------------------------------------------------------------------
  /** Memory write port; designs use `Memory.write`.
@internal */
  memWrite(mem: Memory, addr: Value, data: Operand, enable: Value | undefined, loc: LazyLoc): void {
    const d = mem.decl;
    this.checkAddr(d, addr, loc);
    const value = data instanceof Value ? data : lit(d.type, data);
    this.checkOwn(value, loc);
    if (!typeEq(value.type, d.type))
      throw new WidthError(`memory '${d.name}' holds ${showType(d.type)} but is written with ${showType(value.type)}`, loc.get());
    const path = enable ? [...this.path, this.condStep(enable, loc)] : [...this.path];
    d.writes.push({ path, addr: addr.node, data: value.node, loc });
    this.ir.sequential = true;
  }
  /** Asynchronous memory read; designs use `Memory.readAsync`.
@internal */
  memReadAsync(mem: Memory, addr: Value, loc: LazyLoc): Value {
    this.checkAddr(mem.decl, addr, loc);
    return new Value({ kind: 'memread', id: newId(), type: mem.decl.type, memory: mem.decl, addr: addr.node, loc }, this);
  }
  /** Synchronous memory read; designs use `Memory.read`.
@internal */
  memReadSync(mem: Memory, addr: Value, enable: Value | undefined, name: string | undefined, loc: LazyLoc): Value {
    const data = this.reg(name ?? this.freshName(`${mem.decl.name}_rdata`), mem.decl.type);
    const word = this.memReadAsync(mem, addr, loc);
    const path = enable ? [this.condStep(enable, loc)] : [];
    data.decl.assigns.push({ path, value: word.node, loc });
    return data;
  }
  private checkAddr(d: MemoryDecl, addr: Value, loc: LazyLoc): void {
    this.checkOwn(addr, loc);
    if (addr.signed || addr.width !== d.addrWidth)
      throw new WidthError(`memory '${d.name}' (depth ${d.depth}) needs a uint(${d.addrWidth}) address, got ${showType(addr.type)}`, loc.get());
  }

  // ---- assignment and control -------------------------------------------------------------
  /** Record an assignment under the current `when` path; designs use `Signal.set`.
@internal */
  assign(target: Signal, v: Operand, loc: LazyLoc): void {
    const d = target.decl;
    if (target.ctx !== this) throw new DriverError(`signal '${d.name}' belongs to module '${target.ctx.ir.name}'`, loc.get());
    if (d.kind === 'input') throw new DriverError(`input port '${d.name}' cannot be driven inside its own module`, loc.get());
    if (d.kind === 'instout') throw new DriverError(`'${d.name}' is driven by instance output; it cannot be assigned`, loc.get());
    const value = v instanceof Value ? v : lit(d.type, v);
    this.checkOwn(value, loc);
    if (!typeEq(value.type, d.type))
      throw new WidthError(
        `cannot assign ${showType(value.type)} to '${d.name}' of type ${showType(d.type)}; say how to convert: .extend(w), .trunc(w), .resize(w), .sat(w), .asSInt() or .asUInt()`,
        loc.get(),
        { target: d.name, expected: d.type, actual: value.type },
      );
    const enable = (target as { enable?: Value }).enable;
    const path = enable ? [this.condStep(enable, loc), ...this.path] : [...this.path];
    // An unconditional assignment after others overrides them in every cycle (a register's too):
    // the earlier ones would be dead code.
    if (path.length === 0 && d.assigns.length > 0) {
      const prev = d.assigns[d.assigns.length - 1]!;
      throw new DriverError(
        `'${d.name}' is driven twice: here and at ${formatLoc(prev.loc.get())}; an unconditional assignment must come first`,
        loc.get(),
        { signal: d.name, first: prev.loc.get(), second: loc.get() },
      );
    }
    d.assigns.push({ path, value: value.node, loc } satisfies Assignment);
  }
  /** Assignments in `body` take effect only where `cond` holds. */
  when(cond: Value, body: () => void): WhenChain {
    return this.whenAt(this.path, cond, body, new LazyLoc());
  }
  /** `when` under an explicit path; designs use `m.when`.
@internal */
  whenAt(base: CondStep[], cond: Value, body: () => void, loc: LazyLoc): WhenChain {
    this.checkOwn(cond, loc);
    if (cond.width !== 1) throw new WidthError(`a when condition must be 1 bit wide, got ${showType(cond.type)}`, loc.get());
    const node: WhenNode = { id: newId(), cond: cond.node, loc };
    this.withPath([...base, { node, branch: true }], body);
    return new WhenChain(this, [...base, { node, branch: false }]);
  }
  /** Run `body` under an explicit `when` path (library use).
@internal */
  withPath(path: CondStep[], body: () => void): void {
    const saved = this.path;
    this.path = path;
    try {
      body();
    } finally {
      this.path = saved;
    }
  }
  /**
   * Compare `sel` with constants: `m.switch(sel).is(0, () => ...).is(1, () => ...).default(() => ...)`.
   * @param sel the value compared against each `is` case
   */
  switch(sel: Value): SwitchChain {
    return new SwitchChain(this, sel);
  }
  private condStep(cond: Value, loc: LazyLoc): CondStep {
    if (cond.width !== 1) throw new WidthError(`an enable must be 1 bit wide, got ${showType(cond.type)}`, loc.get());
    return { node: { id: newId(), cond: cond.node, loc }, branch: true };
  }
  private checkOwn(v: Value, loc: LazyLoc): void {
    if (v.ctx !== this) throw new WidthError(`a value of module '${v.ctx.ir.name}' is used in module '${this.ir.name}'; connect it through a port`, loc.get());
  }

  // ---- formal checks ----------------------------------------------------------------------
  /**
   * A property the design must keep: `cond` holds on every clock edge out of reset (where the
   * enclosing `when` conditions hold). Proven by `hwflow prove`; the IR simulator checks it too.
   */
  assert(cond: Value, message?: string): void {
    this.check('assert', cond, message, new LazyLoc());
  }
  /** A property of the environment (the inputs) that `hwflow prove` takes as given. */
  assume(cond: Value, message?: string): void {
    this.check('assume', cond, message, new LazyLoc());
  }
  /** A state `hwflow prove` should show reachable (a trace that reaches `cond`). */
  cover(cond: Value, message?: string): void {
    this.check('cover', cond, message, new LazyLoc());
  }
  private check(kind: CheckKind, cond: Value, message: string | undefined, loc: LazyLoc): void {
    this.checkOwn(cond, loc);
    if (cond.width !== 1) throw new WidthError(`the condition of m.${kind} must be 1 bit wide, got ${showType(cond.type)}`, loc.get());
    this.ir.checks!.push({ id: newId(), kind, path: [...this.path], cond: cond.node, message, loc });
  }

  // ---- hierarchy ----------------------------------------------------------------------------
  /**
   * Instantiate a child module: `const u = m.instance('u0', child, { x: s, k: 3 })`. Inputs are given
   * by port: a Stream for an input stream, values shaped like the port for the rest. Returns the
   * outputs as values of this module (`u.y` a Stream for an output stream) and, for each input stream
   * not given, a StreamSink to `connect` later.
   */
  instance<P extends PortRecord>(name: string, def: ModuleDef<P>, inputs: InstanceInputs<P>): InstanceIO<P> {
    return instantiate(this, name, def, inputs, new LazyLoc());
  }
  /** Instantiate with every Verilog port given by its flat name (interface.ts builds on this). */
  instanceFlat(name: string, def: ModuleDef<PortRecord>, inputs: Record<string, Operand>, loc = new LazyLoc()): Record<string, Signal> {
    const child = def.elaborate();
    this.claimName(name, loc, 'instance');
    const inst: InstanceDecl = { id: newId(), name, module: child, inputs: new Map(), outputs: new Map(), loc };
    const known = new Set(child.ports.map((p) => p.name));
    for (const key of Object.keys(inputs)) {
      if (!known.has(key))
        throw new NameError(`module '${child.name}' has no port '${key}'; its ports are ${[...known].join(', ')}`, loc.get());
    }
    const outs: Record<string, Signal> = {};
    for (const p of child.ports) {
      if (p.kind === 'input') {
        const given = (inputs as Record<string, Operand | undefined>)[p.name];
        if (given === undefined)
          throw new DriverError(`input '${p.name}' of instance '${name}' (module '${child.name}') is not connected`, loc.get());
        const v = given instanceof Value ? given : lit(p.type, given);
        this.checkOwn(v, loc);
        if (!typeEq(v.type, p.type))
          throw new WidthError(`input '${p.name}' of instance '${name}' is ${showType(p.type)} but is connected to ${showType(v.type)}`, loc.get());
        inst.inputs.set(p.name, { value: v.node, loc });
      } else {
        if (p.name in inputs) throw new DriverError(`'${p.name}' is an output of module '${child.name}'; it cannot be connected as an input`, loc.get());
        const decl = this.declare(this.freshName(`${name}_${p.name}`), 'instout', p.type, loc, { source: { instance: inst, port: p.name } });
        inst.outputs.set(p.name, decl);
        outs[p.name] = new Signal(decl, this);
      }
    }
    if (child.sequential) this.ir.sequential = true;
    this.ir.instances.push(inst);
    return outs;
  }

  /** Record a stream interface (valid/ready/payload ports) for the manifest and the harness. */
  stream(s: StreamInterface): void {
    const names = new Set(this.ir.ports.map((p) => p.name));
    for (const n of [s.valid, s.ready, ...s.payload])
      if (!names.has(n)) throw new NameError(`stream '${s.name}' names port '${n}', which module '${this.ir.name}' does not have`, new LazyLoc().get());
    this.ir.streams.push(s);
  }
  /** Record a fact (latency, initiation interval, ...) about a library element for the manifest. */
  note(fact: Record<string, unknown>): void {
    this.ir.notes.push(fact);
  }
  /** A name not yet used in this module, derived from `base`. */
  freshName(base: string): string {
    if (!this.names.has(base)) return base;
    for (let i = 1; ; i++) if (!this.names.has(`${base}_${i}`)) return `${base}_${i}`;
  }
}

// Method syntax makes the body bivariant, so ModuleDef<{a: ...}> is usable where ModuleDef<PortRecord> is expected.
type ModuleBody<P extends PortRecord> = { body(io: IO<P>, m: ModuleBuilder): void }['body'];


/** A module definition; elaborated on first use. */
export class ModuleDef<P extends PortRecord = PortRecord> {
  private ir: ModuleIR | undefined;
  private elaborating = false;
  constructor(
    readonly name: string,
    readonly ports: P,
    private readonly body: ModuleBody<P>,
    readonly loc: LazyLoc,
  ) {}
  /** Build the IR (once). Design-rule errors are thrown as HdlError at the user's line. */
  elaborate(): ModuleIR {
    if (this.ir) return this.ir;
    if (this.elaborating) throw new HdlError(`module '${this.name}' instantiates itself`, this.loc.get());
    this.elaborating = true;
    const b = new ModuleBuilder(this.name, this.loc);
    pushBuilder(b);
    try {
      this.body(bindPorts(b, this.ports), b);
    } finally {
      popBuilder();
      this.elaborating = false;
    }
    this.ir = b.ir;
    return this.ir;
  }
}

/**
 * Declare a module: `module('mac', { a: In(sint(8)), y: Out(sint(16)) }, (io, m) => { ... })`.
 * The name is the Verilog module name; generators put their parameters in it (`mac_s8`).
 * @param name the Verilog module name (put parameters in it: `mac_s8`)
 * @param ports the port record: `{ a: In(uint(8)), out: Out(Stream(T)) }`
 * @param body builds the module from `io` (typed port views) and `m` (the module builder)
 */
export function module<P extends PortRecord>(name: string, ports: P, body: (io: IO<P>, m: ModuleBuilder) => void): ModuleDef<P> {
  const loc = new LazyLoc();
  checkName(name, loc, 'module');
  return new ModuleDef(name, ports, body, loc);
}

export { MAX_WIDTH };
export type { IO };
