/**
 * A cycle-based interpreter of the IR, so any design runs without Verilator: combinational values
 * are computed on demand (memoised per cycle), then on `step()` every register and memory takes its
 * next value at once, as on a clock edge. Used by the differential fuzzer and fast unit tests.
 * Semantics match the emitted Verilog: synchronous active-high reset, read-first memories, shifts by
 * an amount past the width give 0 (or all sign bits), and out-of-range memory reads give 0.
 */
import { HdlError } from '../errors.ts';
import type { Assignment, Circuit, CondStep, Expr, InstanceDecl, ModuleIR, SignalDecl } from '../ir/nodes.ts';
import { fits, showType, toBits, toValue } from '../ir/types.ts';
import { evalOp } from '../ir/ops.ts';

interface Scope {
  readonly module: ModuleIR;
  readonly parent?: Scope;
  readonly instance?: InstanceDecl;
  readonly regs: Map<number, bigint>;
  readonly mems: Map<number, bigint[]>;
  readonly children: Map<number, Scope>;
  cache: Map<number, bigint>;
}

/** The IR simulator: cycle-accurate evaluation of an elaborated circuit in TypeScript (poke inputs, step, peek outputs). */
export class Simulator {
  private readonly root: Scope;
  private readonly scopes: Scope[] = [];
  private readonly inputs = new Map<string, bigint>();
  private rst = 0n;
  /** Clock cycles stepped so far. */
  cycle = 0;

  constructor(readonly circuit: Circuit) {
    this.root = this.makeScope(circuit.top);
    for (const p of circuit.top.ports) if (p.kind === 'input') this.inputs.set(p.name, 0n);
  }

  private makeScope(module: ModuleIR, parent?: Scope, instance?: InstanceDecl): Scope {
    const scope: Scope = { module, parent, instance, regs: new Map(), mems: new Map(), children: new Map(), cache: new Map() };
    for (const s of module.signals) if (s.kind === 'reg') scope.regs.set(s.id, s.init ?? 0n);
    for (const m of module.memories) scope.mems.set(m.id, Array.from({ length: m.depth }, (_, i) => m.init?.[i] ?? 0n));
    for (const i of module.instances) scope.children.set(i.id, this.makeScope(i.module, scope, i));
    this.scopes.push(scope);
    return scope;
  }

  private port(name: string): SignalDecl {
    const p = this.circuit.top.ports.find((x) => x.name === name);
    if (!p) throw new HdlError(`module '${this.circuit.top.name}' has no port '${name}'; ports: ${this.circuit.top.ports.map((x) => x.name).join(', ')}`);
    return p;
  }

  /** Drive a top-level input (a value of its type; signed values may be negative). */
  poke(name: string, value: number | bigint): void {
    if (name === 'rst') {
      this.rst = BigInt(value) ? 1n : 0n;
    } else {
      const p = this.port(name);
      if (p.kind !== 'input') throw new HdlError(`'${name}' is an output; only inputs can be poked`);
      const v = BigInt(value);
      if (!fits(v, p.type) && !fits(v, { signed: false, width: p.type.width }))
        throw new HdlError(`value ${v} does not fit port '${name}' of type ${showType(p.type)}`);
      this.inputs.set(name, toBits(v, p.type.width));
    }
    this.invalidate();
  }

  /** Read a top-level port as a number of its type (negative for signed values below zero). */
  peek(name: string): bigint {
    const p = this.port(name);
    return toValue(this.signal(this.root, p), p.type);
  }
  /** Read a top-level port as its raw bit pattern. */
  peekBits(name: string): bigint {
    return this.signal(this.root, this.port(name));
  }

  /** Hold reset for `cycles` clock edges, then release it. */
  reset(cycles = 1): void {
    this.poke('rst', 1);
    this.step(cycles);
    this.poke('rst', 0);
  }

  /** Advance `n` clock edges. */
  step(n = 1): void {
    for (let i = 0; i < n; i++) this.edge();
  }

  private invalidate(): void {
    for (const s of this.scopes) s.cache = new Map();
  }

  private edge(): void {
    if (!this.rst) this.checkAsserts();
    const regUpdates: [Scope, number, bigint][] = [];
    const memUpdates: [bigint[], number, bigint][] = [];
    for (const scope of this.scopes) {
      for (const s of scope.module.signals) {
        if (s.kind !== 'reg') continue;
        if (this.rst && s.reset !== undefined) regUpdates.push([scope, s.id, s.reset]);
        else {
          const next = this.fold(scope, s.assigns);
          if (next !== undefined) regUpdates.push([scope, s.id, next]);
        }
      }
      for (const mem of scope.module.memories) {
        const words = scope.mems.get(mem.id)!;
        for (const w of mem.writes) {
          if (!this.holds(scope, w.path)) continue;
          const addr = Number(this.expr(scope, w.addr));
          if (addr < mem.depth) memUpdates.push([words, addr, this.expr(scope, w.data)]);
        }
      }
    }
    for (const [scope, id, v] of regUpdates) scope.regs.set(id, v);
    for (const [words, addr, v] of memUpdates) words[addr] = v;
    this.cycle++;
    this.invalidate();
  }

  /** Every `m.assert` whose path holds must hold on this edge (out of reset), as the formal build checks. */
  private checkAsserts(): void {
    for (const scope of this.scopes)
      for (const c of scope.module.checks ?? []) {
        if (c.kind !== 'assert' || !this.holds(scope, c.path) || this.expr(scope, c.cond) === 1n) continue;
        throw new HdlError(`assertion failed in module '${scope.module.name}' at cycle ${this.cycle}${c.message ? `: ${c.message}` : ''}`, c.loc.get(), { cycle: this.cycle, message: c.message });
      }
  }

  private holds(scope: Scope, path: readonly CondStep[]): boolean {
    for (const step of path) if ((this.expr(scope, step.node.cond) === 1n) !== step.branch) return false;
    return true;
  }
  /** The value of the last assignment whose path holds, or undefined. */
  private fold(scope: Scope, assigns: readonly Assignment[]): bigint | undefined {
    for (let i = assigns.length - 1; i >= 0; i--) {
      const a = assigns[i]!;
      if (this.holds(scope, a.path)) return this.expr(scope, a.value);
    }
    return undefined;
  }

  private signal(scope: Scope, s: SignalDecl): bigint {
    switch (s.kind) {
      case 'reg':
        return scope.regs.get(s.id)!;
      case 'input':
        if (!scope.instance) return this.inputs.get(s.name)!;
        return this.expr(scope.parent!, scope.instance.inputs.get(s.name)!.value);
      case 'instout': {
        const { instance, port } = s.source!;
        const child = scope.children.get(instance.id)!;
        return this.signal(child, child.module.ports.find((p) => p.name === port)!);
      }
      default: {
        const key = -s.id;
        const hit = scope.cache.get(key);
        if (hit !== undefined) return hit;
        const v = this.fold(scope, s.assigns) ?? 0n;
        scope.cache.set(key, v);
        return v;
      }
    }
  }

  private expr(scope: Scope, e: Expr): bigint {
    switch (e.kind) {
      case 'const':
        return e.bits;
      case 'ref':
        return this.signal(scope, e.signal);
      default: {
        const hit = scope.cache.get(e.id);
        if (hit !== undefined) return hit;
        let v: bigint;
        if (e.kind === 'memread') {
          const addr = Number(this.expr(scope, e.addr));
          v = scope.mems.get(e.memory.id)![addr] ?? 0n;
        } else v = evalOp(e, e.args.map((a) => this.expr(scope, a)));
        scope.cache.set(e.id, v);
        return v;
      }
    }
  }
}
