/**
 * The hardware IR: one discriminated union of expression kinds, and the declarations they refer to.
 * Expressions form a DAG per module. Every node and declaration keeps where the user created it.
 *
 * Conditional assignment (when/elsewhen/otherwise) is kept structured: each assignment records its
 * path through the `when` tree, so the backend can print readable if/else blocks and the checks can
 * tell a complete assignment from a latch.
 */
import type { LazyLoc, SourceLoc } from '../errors.ts';
import type { OpName } from './ops.ts';
import type { HwType } from './types.ts';

export type Expr = ConstExpr | RefExpr | OpExpr | MemReadExpr;

interface ExprBase {
  readonly id: number;
  readonly type: HwType;
  readonly loc: LazyLoc;
}
export interface ConstExpr extends ExprBase {
  readonly kind: 'const';
  /** Unsigned bit pattern, masked to the width. */
  readonly bits: bigint;
}
export interface RefExpr extends ExprBase {
  readonly kind: 'ref';
  readonly signal: SignalDecl;
}
export interface OpExpr extends ExprBase {
  readonly kind: 'op';
  readonly op: OpName;
  readonly args: readonly Expr[];
  readonly params: readonly number[];
  /** A name the builder suggests for the value (the record field it unpacks), for the Verilog. */
  name?: string;
}
/** Asynchronous (combinational) read of a memory word. A synchronous read is a register fed by this. */
export interface MemReadExpr extends ExprBase {
  readonly kind: 'memread';
  readonly memory: MemoryDecl;
  readonly addr: Expr;
}

export type SignalKind = 'input' | 'output' | 'wire' | 'reg' | 'instout';

/** One step of a path through the `when` tree: the `when` node and which branch was taken. */
export interface CondStep {
  readonly node: WhenNode;
  readonly branch: boolean;
}
export interface WhenNode {
  readonly id: number;
  readonly cond: Expr;
  readonly loc: LazyLoc;
}

export interface Assignment {
  readonly path: readonly CondStep[];
  readonly value: Expr;
  readonly loc: LazyLoc;
}

export interface SignalDecl {
  readonly id: number;
  readonly name: string;
  readonly kind: SignalKind;
  readonly type: HwType;
  readonly loc: LazyLoc;
  /** Registers only: value on synchronous reset (bit pattern), or undefined for no reset. */
  readonly reset?: bigint;
  /** Registers only: initial value at power-up (FPGA init), used by simulators too. */
  readonly init?: bigint;
  /** In program order; the last one whose path holds wins. */
  readonly assigns: Assignment[];
  /** For 'instout': the instance and port that drive it. */
  readonly source?: { instance: InstanceDecl; port: string };
}

export interface MemoryWrite {
  readonly path: readonly CondStep[];
  readonly addr: Expr;
  readonly data: Expr;
  readonly loc: LazyLoc;
}
export interface MemoryDecl {
  readonly id: number;
  readonly name: string;
  readonly type: HwType;
  readonly depth: number;
  readonly addrWidth: number;
  /** Initial contents (bit patterns); shorter than depth means zeros after. */
  readonly init?: readonly bigint[];
  readonly writes: MemoryWrite[];
  readonly loc: LazyLoc;
}

export interface InstanceDecl {
  readonly id: number;
  readonly name: string;
  readonly module: ModuleIR;
  readonly inputs: Map<string, { value: Expr; loc: LazyLoc }>;
  readonly outputs: Map<string, SignalDecl>;
  readonly loc: LazyLoc;
}

/** What a formal check says: a property the design must keep, one the environment is assumed to keep, or a reachability goal. */
export type CheckKind = 'assert' | 'assume' | 'cover';
/**
 * `m.assert(cond, msg)`, `m.assume(cond)` or `m.cover(cond)`: checked on every clock edge out of
 * reset where its `when` path holds. Emitted only inside `ifdef FORMAL`, so simulation and
 * synthesis builds are unchanged; the IR simulator checks asserts too.
 */
export interface FormalCheck {
  readonly id: number;
  readonly kind: CheckKind;
  readonly path: readonly CondStep[];
  readonly cond: Expr;
  readonly message?: string;
  readonly loc: LazyLoc;
}

/** A named group of ports that form a valid/ready stream; recorded for the manifest and harness. */
export interface StreamInterface {
  readonly name: string;
  readonly dir: 'in' | 'out';
  readonly valid: string;
  readonly ready: string;
  /** Payload ports, most significant field first. */
  readonly payload: readonly string[];
  /** Free-form facts for the manifest (field layout, element type). */
  readonly meta?: Record<string, unknown>;
}

/** One elaborated module: ports, signals, memories, instances, streams and element notes. */
export interface ModuleIR {
  readonly name: string;
  readonly loc: LazyLoc;
  /** Ports in declaration order (inputs and outputs). */
  readonly ports: SignalDecl[];
  /** All signals, ports included, in creation order. */
  readonly signals: SignalDecl[];
  readonly memories: MemoryDecl[];
  readonly instances: InstanceDecl[];
  readonly streams: StreamInterface[];
  /** Free-form facts recorded by library elements (latency, II) for the manifest. */
  readonly notes: Record<string, unknown>[];
  /** Formal checks (assert/assume/cover), in program order; absent in modules built outside the builder. */
  readonly checks?: FormalCheck[];
  /** True when the module has a clock (registers, memory writes, or a clocked child). */
  sequential: boolean;
}

/**
 * Legal hardware that is probably not what the user meant (e.g. a join of streams whose latencies
 * differ without enough buffering). Library elements record it as a module note of this shape.
 */
export interface DesignWarning {
  readonly kind: 'warning';
  /** Module where it was raised. */
  readonly module?: string;
  /** The message, prefixed with the first location. */
  readonly message: string;
  /** Every source line involved, most relevant first. */
  readonly locations: readonly (SourceLoc | undefined)[];
}

/** A design: the top module and every module under it, children before parents. */
export interface Circuit {
  readonly top: ModuleIR;
  readonly modules: readonly ModuleIR[];
  /** Warnings noted in any module (children first); set by `elaborate`. */
  readonly warnings?: readonly DesignWarning[];
}

/** Walk every expression reachable from a root, children first, each once. */
export function walkExpr(root: Expr, visit: (e: Expr) => void, seen: Set<number> = new Set(), descend: (e: Expr) => boolean = () => true): void {
  const stack: [Expr, boolean][] = [[root, false]];
  while (stack.length) {
    const [e, done] = stack.pop()!;
    if (done) {
      visit(e);
      continue;
    }
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    stack.push([e, true]);
    const kids = !descend(e) ? [] : e.kind === 'op' ? e.args : e.kind === 'memread' ? [e.addr] : [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, false]);
  }
}

/** An expression a module reads directly; `regValue`: the register assignment it is the value of. */
export interface ModuleRead {
  readonly e: Expr;
  readonly regValue?: Assignment;
}

/** What a module reads directly: `when` conditions, assigned values, memory writes, instance inputs, formal checks. */
function moduleReads(m: ModuleIR): ModuleRead[] {
  const reads: ModuleRead[] = [];
  for (const s of m.signals)
    for (const a of s.assigns) {
      for (const step of a.path) reads.push({ e: step.node.cond });
      reads.push(s.kind === 'reg' ? { e: a.value, regValue: a } : { e: a.value });
    }
  for (const mem of m.memories)
    for (const w of mem.writes) {
      for (const step of w.path) reads.push({ e: step.node.cond });
      reads.push({ e: w.addr }, { e: w.data });
    }
  for (const inst of m.instances) for (const { value } of inst.inputs.values()) reads.push({ e: value });
  // A checked condition is read like any driver, so the passes keep (and name) the logic under it.
  for (const c of m.checks ?? []) {
    for (const step of c.path) reads.push({ e: step.node.cond });
    reads.push({ e: c.cond });
  }
  return reads;
}

/** The roots of a module's expression DAG: everything that drives state, a signal or a child. */
export function moduleRoots(m: ModuleIR): Expr[] {
  return moduleReads(m).map((r) => r.e);
}

/** Every expression reachable from `roots`, children before parents, each once. */
function reachable(roots: readonly Expr[]): Expr[] {
  const out: Expr[] = [];
  const seen = new Set<number>();
  for (const r of roots) walkExpr(r, (e) => out.push(e), seen);
  return out;
}

/** What a module reads and every expression under it, children first. */
export interface ModuleView {
  readonly reads: readonly ModuleRead[];
  readonly order: readonly Expr[];
}
const views = new WeakMap<ModuleIR, ModuleView>();
/**
 * The view of a finished module, computed once: the passes and the backend each read it, and a
 * module does not change after elaboration (a pass that changes one returns a copy).
 */
export function moduleView(m: ModuleIR): ModuleView {
  let v = views.get(m);
  if (!v) {
    const reads = moduleReads(m);
    views.set(m, (v = { reads, order: reachable(reads.map((r) => r.e)) }));
  }
  return v;
}

/** Collect the circuit's modules under a top, children first, each once. */
export function collectModules(top: ModuleIR): ModuleIR[] {
  const out: ModuleIR[] = [];
  const seen = new Set<ModuleIR>();
  const visit = (m: ModuleIR): void => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const i of m.instances) visit(i.module);
    out.push(m);
  };
  visit(top);
  return out;
}
