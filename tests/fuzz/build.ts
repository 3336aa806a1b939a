/**
 * From a fuzz program to DSL hardware. Operands are converted here to what each operator needs
 * (the description is loosely typed, see program.ts), through the public builder API only, so the
 * fuzzer tests the same path a user's design takes. The generator uses `ProgramBuilder` too, to
 * learn each node's type as it grows a program, so types are defined in exactly one place.
 */
import { ModuleBuilder, Memory, ModuleDef, type Signal } from '../../dsl/builder/module.ts';
import { In, Out, type PortRecord, type SignalPorts } from '../../dsl/builder/ports.ts';
import { Value, cat, lit, mux, select, sumTree } from '../../dsl/builder/value.ts';
import { module } from '../../dsl/builder/module.ts';
import { toValue, type HwType } from '../../dsl/ir/types.ts';
import { unhex, type MemDesc, type NodeDesc, type Program, type Stmt, type TypeDesc } from './program.ts';

/** Widest value the fuzzer builds; ops that would exceed it get a narrowed operand first. */
export const FUZZ_MAX_WIDTH = 512;

export const hwType = (t: TypeDesc): HwType => ({ signed: t.s, width: t.w });

/** Reinterpret the sign, then resize: the one conversion every mismatch of types goes through. */
export function fit(v: Value, t: HwType): Value {
  let x = v;
  if (x.signed !== t.signed) x = t.signed ? x.asSInt() : x.asUInt();
  return x.width === t.width ? x : x.resize(t.width);
}
const asSign = (v: Value, signed: boolean): Value => (v.signed === signed ? v : signed ? v.asSInt() : v.asUInt());
/** A one-bit condition: the value itself when one bit wide, else "any bit set". */
export const cond = (v: Value): Value => (v.width === 1 ? v.asUInt() : v.orR());
const limit = (v: Value, w: number): Value => (v.width > w ? v.trunc(Math.max(1, w)) : v);
const constOf = (t: TypeDesc, bits: bigint): Value => lit(hwType(t), toValue(bits, hwType(t)));

/** Adds a program's nodes and statements to a module under construction. */
export class ProgramBuilder {
  readonly vals: Value[] = [];
  readonly mems: Memory[] = [];
  private readonly signals = new Map<number, Signal>();

  constructor(
    readonly m: ModuleBuilder,
    memDescs: readonly MemDesc[],
    private readonly input: (index: number, t: TypeDesc) => Value,
  ) {
    memDescs.forEach((d, i) => {
      this.mems.push(m.mem(`mem${i}`, { type: hwType(d.t), depth: d.depth, init: d.init.map((h) => toValue(unhex(h), hwType(d.t))) }));
    });
  }

  /** A memory address: unsigned, of the address width, and guarded into range for non-power-of-two depths. */
  private addr(mem: Memory, v: Value): Value {
    const a = fit(v, { signed: false, width: mem.addrWidth });
    const depth = mem.decl.depth;
    return depth === 2 ** mem.addrWidth ? a : mux(a.lt(depth), a, 0);
  }

  /** Build node `i` (all earlier nodes are built); returns its value. */
  add(n: NodeDesc, i: number): Value {
    const v = this.node(n, i);
    this.vals[i] = v;
    return v;
  }

  private node(n: NodeDesc, i: number): Value {
    const arg = (k: number): Value => this.vals[n.a[k]!]!;
    switch (n.k) {
      case 'input':
        return this.input(i, n.t);
      case 'const':
        return constOf(n.t, unhex(n.v));
      case 'reg': {
        const t = hwType(n.t);
        const reset = n.reset !== undefined ? toValue(unhex(n.reset), t) : undefined;
        // Every register gets a power-up value: without one Icarus starts at X and Verilator at 0.
        const init = n.init !== undefined ? toValue(unhex(n.init), t) : reset === undefined ? 0n : undefined;
        const r = this.m.reg(`r${i}`, t, { reset, init, enable: n.a.length ? cond(arg(0)) : undefined });
        this.signals.set(i, r);
        return r;
      }
      case 'wire': {
        const w = this.m.wire(`w${i}`, hwType(n.t));
        w.set(fit(arg(0), w.type));
        this.signals.set(i, w);
        return w;
      }
      case 'rdasync': {
        const mem = this.mems[n.mem]!;
        return mem.readAsync(this.addr(mem, arg(0)));
      }
      case 'rdsync': {
        const mem = this.mems[n.mem]!;
        const en = n.a.length > 1 ? cond(arg(1)) : undefined;
        const data = mem.read(this.addr(mem, arg(0)), en, `rd${i}`);
        // Verilog's read-data register has no power-up value (X in Icarus until the first read), so
        // the program shows 0 until a read has happened; then every simulator agrees from cycle 0.
        const seen = this.m.reg(`rd${i}_seen`, { signed: false, width: 1 }, { init: 0 });
        seen.set(en ? seen.or(en) : lit({ signed: false, width: 1 }, 1));
        return mux(seen, data, 0);
      }
      case 'op':
        return this.op(n, arg);
    }
  }

  private op(n: Extract<NodeDesc, { k: 'op' }>, arg: (k: number) => Value): Value {
    const a = arg(0);
    const p0 = n.p[0] ?? 0;
    const p1 = n.p[1] ?? 0;
    switch (n.op) {
      case 'add': return a.add(asSign(arg(1), a.signed));
      case 'sub': return a.sub(asSign(arg(1), a.signed));
      case 'mul': return a.mul(limit(asSign(arg(1), a.signed), FUZZ_MAX_WIDTH - a.width));
      case 'lt': return a.lt(asSign(arg(1), a.signed));
      case 'le': return a.le(asSign(arg(1), a.signed));
      case 'gt': return a.gt(asSign(arg(1), a.signed));
      case 'ge': return a.ge(asSign(arg(1), a.signed));
      case 'eq': return a.eq(asSign(arg(1), a.signed));
      case 'ne': return a.ne(asSign(arg(1), a.signed));
      case 'and': return a.and(fit(arg(1), a.type));
      case 'or': return a.or(fit(arg(1), a.type));
      case 'xor': return a.xor(fit(arg(1), a.type));
      case 'not': return a.not();
      case 'neg': return limit(asSign(a, true), FUZZ_MAX_WIDTH - 1).neg();
      case 'andr': return a.andR();
      case 'orr': return a.orR();
      case 'xorr': return a.xorR();
      case 'shl': return a.shl(Math.min(p0, FUZZ_MAX_WIDTH - a.width));
      case 'shr': return a.shr(p0);
      case 'shlv': return a.shlBy(arg(1).asUInt());
      case 'shrv': return a.shrBy(arg(1).asUInt());
      case 'mux': return mux(cond(a), arg(1), fit(arg(2), arg(1).type));
      case 'cat': {
        const parts: Value[] = [];
        let w = 0;
        for (let k = 0; k < n.a.length && w + arg(k).width <= FUZZ_MAX_WIDTH; k++) {
          parts.push(arg(k));
          w += arg(k).width;
        }
        return parts.length ? cat(...parts) : a.asUInt();
      }
      case 'slice': {
        const hi = Math.min(p0, a.width - 1);
        return a.slice(hi, Math.min(p1, hi));
      }
      case 'resize': return a.resize(Math.max(1, Math.min(p0, FUZZ_MAX_WIDTH)));
      case 'asuint': return a.asUInt();
      case 'assint': return a.asSInt();
      case 'sat': return a.sat(Math.max(1, Math.min(p0, FUZZ_MAX_WIDTH)));
      case 'abs': return a.abs();
      case 'select': {
        const idx = limit(a.asUInt(), 8);
        const opts = n.a.slice(1).map((_, k) => fit(arg(k + 1), arg(1).type)).slice(0, 2 ** idx.width);
        return opts.length ? select(idx, opts) : a;
      }
      case 'sumtree': {
        const terms = n.a.map((_, k) => limit(asSign(arg(k), a.signed), FUZZ_MAX_WIDTH - 8));
        return sumTree(terms);
      }
    }
  }

  /** Run the program's statements (assignments in when blocks, memory writes). */
  stmts(body: readonly Stmt[]): void {
    for (const s of body) {
      if (s.k === 'set') {
        const target = this.signals.get(s.dst)!;
        target.set(fit(this.vals[s.v]!, target.type));
      } else if (s.k === 'write') {
        const mem = this.mems[s.mem]!;
        mem.write(this.addr(mem, this.vals[s.a]!), fit(this.vals[s.d]!, mem.decl.type), s.en !== undefined ? cond(this.vals[s.en]!) : undefined);
      } else {
        const [first, ...rest] = s.arms;
        if (!first) continue;
        let chain = this.m.when(cond(this.vals[first.c]!), () => this.stmts(first.body));
        for (const arm of rest) chain = chain.elsewhen(cond(this.vals[arm.c]!), () => this.stmts(arm.body));
        if (s.other) {
          const other = s.other;
          chain.otherwise(() => this.stmts(other));
        }
      }
    }
  }
}

/** Port name of input node `i` and of output `j`. */
export const inputName = (i: number): string => `in${i}`;
export const outputName = (j: number): string => `o${j}`;

/**
 * The output types of a program, by building it into a scratch module. Also validates that the
 * program builds at all.
 */
export function programTypes(p: Program): HwType[] {
  const known = typeCache.get(p);
  if (known) return known;
  const types: HwType[] = [];
  module('fuzz_probe', {}, (_io, m) => {
    const b = new ProgramBuilder(m, p.mems, (i, t) => m.wire(inputName(i), hwType(t)));
    p.nodes.forEach((n, i) => types.push(b.add(n, i).type));
  }).elaborate();
  typeCache.set(p, types);
  return types;
}

/**
 * Node types of programs already built (by the generator or an earlier call), so a program is not
 * built again only to learn them. Keyed by object: edit a program only as a copy (as the shrinker does).
 */
const typeCache = new WeakMap<Program, HwType[]>();
/** Record the node types of `p`, known from building it elsewhere (the generator). */
export function rememberTypes(p: Program, types: HwType[]): void {
  typeCache.set(p, types);
}

/** One program as a module `name` with inputs `in<i>` and outputs `o<j>`. */
export function programModule(p: Program, name: string): ModuleDef<PortRecord> {
  const types = programTypes(p);
  const ports: SignalPorts = {};
  p.nodes.forEach((n, i) => {
    if (n.k === 'input') ports[inputName(i)] = In(hwType(n.t));
  });
  p.outs.forEach((o, j) => (ports[outputName(j)] = Out(types[o]!)));
  return module(name, ports, (io, m) => {
    const b = new ProgramBuilder(m, p.mems, (i) => io[inputName(i)]!);
    p.nodes.forEach((n, i) => b.add(n, i));
    b.stmts(p.body);
    p.outs.forEach((o, j) => io[outputName(j)]!.set(b.vals[o]!));
  });
}

/** Prefix of program k's ports in a batch's top module. */
export const batchPrefix = (k: number): string => `p${k}_`;

/**
 * Many programs in one top module (one Verilator build for all): program k is instance `u<k>`
 * of module `<name>_<k>`, its ports renamed `p<k>_<port>`. Built with the DSL itself.
 */
export function batchModule(programs: readonly Program[], name: string): ModuleDef<PortRecord> {
  const defs = programs.map((p, k) => programModule(p, `${name}_${k}`));
  const ports: SignalPorts = {};
  const irs = defs.map((d) => d.elaborate());
  irs.forEach((ir, k) => {
    for (const port of ir.ports) ports[batchPrefix(k) + port.name] = port.kind === 'input' ? In(port.type) : Out(port.type);
  });
  return module(name, ports, (io, m) => {
    defs.forEach((def, k) => {
      const inputs: Record<string, Value> = {};
      for (const port of irs[k]!.ports) if (port.kind === 'input') inputs[port.name] = io[batchPrefix(k) + port.name]!;
      const outs = m.instanceFlat(`u${k}`, def, inputs);
      for (const port of irs[k]!.ports) if (port.kind === 'output') io[batchPrefix(k) + port.name]!.set(outs[port.name]!);
    });
  });
}
