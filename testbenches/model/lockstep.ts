/**
 * The cycle-level model of hand-written logic, instance by instance. Most of an accelerator is not
 * built from library elements (FSMs, counters, engines written with `m.reg`/`m.when`), so the token
 * model has nothing to say inside it. Here every module instance of the hierarchy (the top included)
 * replays its own IR in lockstep with the RTL: each cycle it takes the values on its boundary from
 * the RTL's waveform (its input ports, and the outputs of its own child instances), computes its
 * wires, outputs and next registers and memories from its own state, and compares every signal the
 * waveform shows. Since every instance is fed what the RTL fed it, a fault diverges only in the
 * instance that holds it; the first cycle where some signal differs, and among the differing signals
 * the ones none of whose operands differ (the roots), name the instance path, the signal and the
 * user's TS line that assigns it.
 */
import { formatLoc, type SourceLoc } from '../../dsl/errors.ts';
import { evalOp } from '../../dsl/ir/ops.ts';
import { walkExpr, type Assignment, type CondStep, type Circuit, type Expr, type InstanceDecl, type ModuleIR, type SignalDecl } from '../../dsl/ir/nodes.ts';
import type { Vcd, VcdSignal } from '../vcd.ts';

/** One module instance of the hierarchy: its path of instance names from the top, and its module. */
export interface InstanceNode {
  /** Instance names from the top, joined by '.'; '' for the top itself. */
  path: string;
  module: ModuleIR;
  /** The `m.instance(...)` call that made it (undefined for the top). */
  decl?: InstanceDecl;
  /** The user's line of that call. */
  loc?: string;
}

/**
 * The graph record of instances: every module instance of the circuit, parents before children,
 * with hierarchical names (`engine_cmd_0`, `pe_1.mul`).
 * @param c the elaborated circuit
 */
export function instanceTree(c: Pick<Circuit, 'top'>): InstanceNode[] {
  const out: InstanceNode[] = [];
  const walk = (m: ModuleIR, path: string, decl?: InstanceDecl) => {
    out.push({ path, module: m, decl, loc: decl ? formatLoc(decl.loc.get()) : undefined });
    for (const i of m.instances) walk(i.module, path ? `${path}.${i.name}` : i.name, i);
  };
  walk(c.top, '');
  return out;
}

/** Where a hand-written instance first disagrees with its IR. */
export interface LockstepDivergence {
  /** Instance path ('' for the top module). */
  instance: string;
  module: string;
  /** Line of the `m.instance` call, for a child. */
  instanceLoc?: string;
  cycle: number;
  /** The root signal: it differs while none of its operands does. */
  signal: string;
  /** 'reg', 'wire', 'output', ... */
  signalKind: string;
  /** The user's line of the assignment that made the wrong value (or of the signal's declaration). */
  loc: string;
  expected: bigint;
  actual: bigint;
  /** Other roots of the same cycle (a shared expression feeds several signals) and every differing signal. */
  otherRoots: string[];
  /**
   * Signals the root computes from that the waveform does not show (Verilator folded them away) and
   * memories it reads (their words are not compared): the fault may sit in their logic too.
   */
  hidden: string[];
  differing: string[];
  /**
   * The library element whose signals these are (ping-pong buffers, PE grids, loop nests, FIFOs ...:
   * their signals carry the element's name as a prefix), with the user's line that made it.
   */
  element?: { kind: string; name: string; loc: string };
}

/** The element note of `m` whose name is the longest `<name>_` prefix of one of `signals`, first signal first. */
function elementOf(m: ModuleIR, signals: readonly string[]): LockstepDivergence['element'] {
  const notes = m.notes.filter((n) => n['kind'] === 'element' && typeof n['name'] === 'string');
  for (const s of signals) {
    let best: Record<string, unknown> | undefined;
    for (const n of notes) {
      const name = n['name'] as string;
      if ((s === name || s.startsWith(`${name}_`)) && name.length > ((best?.['name'] as string | undefined)?.length ?? -1)) best = n;
    }
    if (best) {
      const loc = best['loc'] as SourceLoc | undefined;
      return { kind: String(best['element']), name: String(best['name']), loc: formatLoc(loc) };
    }
  }
  return undefined;
}

/** Reads a waveform signal cycle by cycle (a cursor moving forward through its changes). */
class Cursor {
  private k = -1;
  private bits: bigint | undefined;
  constructor(readonly s: VcdSignal) {}
  /** The value at `time`, or undefined while it is x/z. */
  at(time: number): bigint | undefined {
    const ch = this.s.changes;
    let moved = false;
    while (this.k + 1 < ch.length && ch[this.k + 1]!.time <= time) {
      this.k++;
      moved = true;
    }
    if (moved || (this.k >= 0 && this.bits === undefined)) {
      const v = this.k >= 0 ? ch[this.k]!.value : 'x';
      this.bits = /^[01]+$/.test(v) ? BigInt(`0b${v}`) : undefined;
    }
    return this.k < 0 ? undefined : this.bits;
  }
}

/** One instance's replay: its state, and the waveform signals on its boundary and inside it. */
class Replay {
  readonly regs = new Map<number, bigint>();
  readonly mems = new Map<number, bigint[]>();
  /** IR signal -> its waveform signal in this instance's scope (same name and width). */
  readonly shown = new Map<SignalDecl, Cursor>();
  /** 'instout' signals: read from the child's output port (or the parent's wire of that name). */
  private cache = new Map<number, bigint>();
  private boundary = new Map<number, bigint>();
  readonly rst: Cursor | undefined;

  constructor(readonly node: InstanceNode, scope: Map<string, VcdSignal>, rst: VcdSignal | undefined, private readonly childScope: (inst: string) => Map<string, VcdSignal> | undefined) {
    const m = node.module;
    for (const s of m.signals) {
      const v = scope.get(s.name);
      if (v && v.width === s.type.width) this.shown.set(s, new Cursor(v));
      else if (s.kind === 'instout') {
        const child = this.childScope(s.source!.instance.name)?.get(s.source!.port);
        if (child && child.width === s.type.width) this.shown.set(s, new Cursor(child));
      }
    }
    this.rst = rst ? new Cursor(rst) : undefined;
    for (const s of m.signals) if (s.kind === 'reg') this.regs.set(s.id, s.init ?? 0n);
    for (const mem of m.memories) this.mems.set(mem.id, Array.from({ length: mem.depth }, (_, i) => mem.init?.[i] ?? 0n));
  }

  /** Takes the registers' values from the waveform (the state both start from). */
  sync(time: number): void {
    for (const s of this.node.module.signals) {
      if (s.kind !== 'reg') continue;
      const v = this.shown.get(s)?.at(time);
      if (v !== undefined) this.regs.set(s.id, v);
    }
  }

  /** Enters cycle `time`: boundary values from the waveform, wires recomputed on demand. */
  enter(time: number): boolean {
    this.cache = new Map();
    this.boundary = new Map();
    for (const s of this.node.module.signals) {
      if (s.kind !== 'input' && s.kind !== 'instout') continue;
      const v = this.shown.get(s)?.at(time);
      if (v === undefined) return false; // x on the boundary: nothing to compare this cycle
      this.boundary.set(s.id, v);
    }
    return true;
  }

  value(s: SignalDecl): bigint {
    if (s.kind === 'reg') return this.regs.get(s.id)!;
    if (s.kind === 'input' || s.kind === 'instout') return this.boundary.get(s.id) ?? 0n;
    const key = -1 - s.id;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const v = this.fold(s.assigns)?.value ?? 0n;
    this.cache.set(key, v);
    return v;
  }

  private holds(path: readonly CondStep[]): boolean {
    for (const st of path) if ((this.expr(st.node.cond) === 1n) !== st.branch) return false;
    return true;
  }

  /** The last assignment whose path holds, with its value. */
  fold(assigns: readonly Assignment[]): { a: Assignment; value: bigint } | undefined {
    for (let i = assigns.length - 1; i >= 0; i--) {
      const a = assigns[i]!;
      if (this.holds(a.path)) return { a, value: this.expr(a.value) };
    }
    return undefined;
  }

  expr(e: Expr): bigint {
    if (e.kind === 'const') return e.bits;
    if (e.kind === 'ref') return this.value(e.signal);
    const hit = this.cache.get(e.id);
    if (hit !== undefined) return hit;
    const v = e.kind === 'memread' ? (this.mems.get(e.memory.id)![Number(this.expr(e.addr))] ?? 0n) : evalOp(e, e.args.map((a) => this.expr(a)));
    this.cache.set(e.id, v);
    return v;
  }

  /** The clock edge at the end of the cycle: registers and memories take their next values. */
  edge(rst: boolean): void {
    const regs: [number, bigint][] = [];
    const writes: [bigint[], number, bigint][] = [];
    for (const s of this.node.module.signals) {
      if (s.kind !== 'reg') continue;
      if (rst && s.reset !== undefined) regs.push([s.id, s.reset]);
      else {
        const next = this.fold(s.assigns);
        if (next) regs.push([s.id, next.value]);
      }
    }
    for (const mem of this.node.module.memories)
      for (const w of mem.writes) {
        if (!this.holds(w.path)) continue;
        const addr = Number(this.expr(w.addr));
        if (addr < mem.depth) writes.push([this.mems.get(mem.id)!, addr, this.expr(w.data)]);
      }
    for (const [id, v] of regs) this.regs.set(id, v);
    for (const [words, addr, v] of writes) words[addr] = v;
  }
}

/** Signals whose value a wire's assignments read directly (through expressions, not through other signals). */
function operands(s: SignalDecl): SignalDecl[] {
  const out: SignalDecl[] = [];
  const seen = new Set<number>();
  const walk = (e: Expr) => {
    if (seen.has(e.id)) return;
    seen.add(e.id);
    if (e.kind === 'ref') out.push(e.signal);
    else if (e.kind === 'op') e.args.forEach(walk);
    else if (e.kind === 'memread') walk(e.addr);
  };
  for (const a of s.assigns) {
    walk(a.value);
    for (const st of a.path) walk(st.node.cond);
  }
  return out;
}

/**
 * What the roots read through wires the waveform does not show, and the memories they read (whose
 * words are not compared): the fault may sit in their logic. Registers among them are listed but not
 * followed.
 */
function hiddenBehind(roots: readonly SignalDecl[], shown: (s: SignalDecl) => boolean): string[] {
  const out: string[] = [];
  const seen = new Set<SignalDecl>(roots);
  const mems = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const s = stack.pop()!;
    for (const a of s.assigns)
      walkExpr(a.value, (x) => {
        if (x.kind === 'memread' && !mems.has(x.memory.name)) {
          mems.add(x.memory.name);
          out.push(x.memory.name);
        }
      });
    for (const o of operands(s)) {
      if (seen.has(o) || shown(o) || o.kind === 'input' || o.kind === 'instout') continue;
      seen.add(o);
      out.push(o.name);
      if (o.kind !== 'reg') stack.push(o);
    }
  }
  return out;
}

/** Options of {@link lockstep}. */
export interface LockstepOptions {
  /** Time of cycle c in the waveform (the harness dumps cycle c at 10c). */
  period?: number;
  /** First and last cycle to compare (default: the whole waveform). */
  from?: number;
  to?: number;
}

/**
 * Replays every instance of `circuit` against a waveform of its RTL; the first divergence (earliest
 * cycle, deepest instance), or undefined when every instance agrees with its IR.
 * @param circuit the elaborated design (the model; the RTL may differ from it)
 * @param vcd a waveform of the whole run (`sim.waveform(0, sim.cycle)`)
 * @param opts period and cycle window
 */
export function lockstep(circuit: Pick<Circuit, 'top'>, vcd: Vcd, opts: LockstepOptions = {}): LockstepDivergence | undefined {
  const period = opts.period ?? 10;
  const scopes = new Map<string, Map<string, VcdSignal>>();
  for (const s of vcd.signals) {
    const at = s.path.lastIndexOf('.');
    const scope = s.path.slice(0, at);
    if (!scopes.has(scope)) scopes.set(scope, new Map());
    scopes.get(scope)!.set(s.name, s);
  }
  const root = `TOP.${circuit.top.name}`;
  const scopeOf = (path: string) => scopes.get(path ? `${root}.${path}` : root);
  const rst = scopes.get('TOP')?.get('rst');
  const replays = instanceTree(circuit).map((node) => new Replay(node, scopeOf(node.path) ?? new Map(), rst, (inst) => scopeOf(node.path ? `${node.path}.${inst}` : inst)));
  const first = opts.from ?? 0;
  const last = Math.min(opts.to ?? Infinity, Math.floor(vcd.endTime / period));
  for (const r of replays) r.sync(first * period);
  const checked = replays.map((r) => [...r.shown.keys()].filter((s) => s.kind !== 'input' && s.kind !== 'instout'));
  for (let cycle = first; cycle <= last; cycle++) {
    const t = cycle * period;
    const reset = rst ? new Cursor(rst).at(t) === 1n : false;
    let found: LockstepDivergence | undefined;
    replays.forEach((r, i) => {
      if (!r.enter(t)) return;
      const differing = new Map<SignalDecl, { want: bigint; got: bigint }>();
      if (!reset)
        for (const s of checked[i]!) {
          const got = r.shown.get(s)!.at(t);
          if (got === undefined) continue;
          const want = r.value(s);
          if (want !== got) differing.set(s, { want, got });
        }
      if (differing.size && (!found || r.node.path.split('.').length > found.instance.split('.').length)) {
        const roots = [...differing.keys()].filter((s) => s.kind === 'reg' || !operands(s).some((o) => differing.has(o)));
        const pick = roots[0] ?? [...differing.keys()][0]!;
        const d = differing.get(pick)!;
        found = {
          instance: r.node.path, module: r.node.module.name, instanceLoc: r.node.loc, cycle, signal: pick.name, signalKind: pick.kind,
          loc: formatLoc((pick.assigns[pick.assigns.length - 1]?.loc ?? pick.loc).get()),
          expected: d.want, actual: d.got,
          otherRoots: roots.filter((s) => s !== pick).map((s) => s.name),
          hidden: hiddenBehind(roots, (s) => r.shown.has(s)),
          differing: [...differing.keys()].map((s) => s.name),
        };
        // The root's own name first, then what it reads (an output port set from a delay line's last register).
        const element = elementOf(r.node.module, [pick.name, ...found.otherRoots, ...found.hidden, ...operands(pick).map((o) => o.name)]);
        if (element) found.element = element;
      }
    });
    if (found) return found;
    for (const r of replays) r.edge(reset);
  }
  return undefined;
}

/** The report's text for a lockstep divergence. */
export function formatLockstep(d: LockstepDivergence, design: string, seed: number): string {
  const where = d.instance ? `instance '${d.instance}' (module ${d.module}, made at ${d.instanceLoc ?? '<unknown location>'})` : `the top module ${d.module}`;
  return [
    `RTL and its IR disagree first inside ${where} of ${design}`,
    `  seed:      ${seed} (reproduce with HWFLOW_SEED=${seed})`,
    `  cycle:     ${d.cycle}`,
    `  signal:    ${d.signalKind} '${d.signal}' assigned at ${d.loc}`,
    ...(d.element ? [`  element:   ${d.element.kind} '${d.element.name}' made at ${d.element.loc}`] : []),
    `  expected:  0x${d.expected.toString(16)}`,
    `  actual:    0x${d.actual.toString(16)}`,
    ...(d.otherRoots.length ? [`  also:      ${d.otherRoots.join(', ')} (same cycle, operands agree)`] : []),
    ...(d.hidden.length ? [`  through:   ${d.hidden.slice(0, 8).join(', ')} (not in the waveform; the fault may be there)`] : []),
    `  differing: ${d.differing.slice(0, 12).join(', ')}${d.differing.length > 12 ? `, ... (${d.differing.length})` : ''}`,
  ].join('\n');
}
