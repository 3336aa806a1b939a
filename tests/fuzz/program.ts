/**
 * The fuzzer's program description: a small, JSON-serialisable recipe for one DSL module, so a
 * failing program can be shrunk by editing data and saved as a replayable regression case (not as
 * Verilog, which would pin today's backend output rather than the design).
 *
 * A program is a list of nodes in topological order. Every node refers to earlier nodes only
 * (`a`, by index); registers break the order for feedback, because the statements in `body` that
 * assign them may use any node. Wires are assigned a default when declared and then, in `body`,
 * only inside `when` blocks whose conditions, like the assigned values, come before the wire, so no
 * combinational loop can arise. Operand types need not match: the builder converts operands
 * (sign reinterpretation, resize, reduction to one bit) as each op requires, so any edit of a
 * program (a narrower input, a node replaced by a constant) is still a valid program.
 */
import type { OpName } from '../../dsl/ir/ops.ts';

export interface TypeDesc {
  /** Signed. */
  s: boolean;
  /** Width in bits. */
  w: number;
}

/** IR ops plus the builder-level operators that expand into several IR nodes. */
export type FuzzOp = OpName | 'sat' | 'abs' | 'select' | 'sumtree';

export type NodeDesc =
  /** A top-level input; `tag` names its random stimulus stream, stable across shrinking. */
  | { k: 'input'; t: TypeDesc; tag: number; a: number[] }
  /** A constant, `v` its bit pattern in hex. */
  | { k: 'const'; t: TypeDesc; v: string; a: number[] }
  /** A register; `a` is `[enable]` or `[]`; reset/init are hex bit patterns. */
  | { k: 'reg'; t: TypeDesc; reset?: string; init?: string; a: number[] }
  /** A combinational wire; `a` is `[default]`, further assignments live in `body`. */
  | { k: 'wire'; t: TypeDesc; a: number[] }
  /** Asynchronous memory read; `a` is `[addr]`. */
  | { k: 'rdasync'; mem: number; a: number[] }
  /** Synchronous memory read; `a` is `[addr]` or `[addr, enable]`. */
  | { k: 'rdsync'; mem: number; a: number[] }
  /** An operator; `p` are its integer parameters (shift amount, slice bounds, width). */
  | { k: 'op'; op: FuzzOp; a: number[]; p: number[] };

export interface MemDesc {
  t: TypeDesc;
  depth: number;
  /** Every word's initial bit pattern (hex), so all simulators agree from power-up. */
  init: string[];
}

export type Stmt =
  | { k: 'set'; dst: number; v: number }
  | { k: 'when'; arms: { c: number; body: Stmt[] }[]; other?: Stmt[] }
  | { k: 'write'; mem: number; a: number; d: number; en?: number };

export interface Program {
  nodes: NodeDesc[];
  mems: MemDesc[];
  body: Stmt[];
  /** Nodes exposed as outputs `o0`, `o1`, ... */
  outs: number[];
}

/** How a program is driven: its input streams' seed, the cycle count and the reset sequence. */
export interface Stimulus {
  seed: number;
  cycles: number;
  /** `rst` per cycle (0 or 1); shared by every program of a batch. */
  rst: number[];
}

/** A program with its stimulus: what the fuzzer runs and a regression file stores. */
export interface FuzzCase {
  program: Program;
  stim: Stimulus;
}

export const hex = (v: bigint): string => v.toString(16);
export const unhex = (s: string): bigint => BigInt(`0x${s}`);

/** Deep copy (programs are plain JSON). */
export function cloneProgram(p: Program): Program {
  return structuredClone(p);
}

/** Visit every statement, depth first, with the when-conditions that enclose it. */
export function walkStmts(body: readonly Stmt[], visit: (s: Stmt, conds: readonly number[]) => void, conds: number[] = []): void {
  for (const s of body) {
    visit(s, conds);
    if (s.k === 'when') {
      const done: number[] = [];
      for (const arm of s.arms) {
        // An arm holds when its condition does and every earlier one failed: all of them enclose it.
        done.push(arm.c);
        walkStmts(arm.body, visit, [...conds, ...done]);
      }
      if (s.other) walkStmts(s.other, visit, [...conds, ...done]);
    }
  }
}

/** A rough size for preferring smaller programs while shrinking. */
export function programSize(p: Program): number {
  let n = p.nodes.length * 4 + p.outs.length;
  for (const node of p.nodes) n += Math.ceil(('t' in node ? node.t.w : 1) / 16);
  walkStmts(p.body, () => n++);
  for (const m of p.mems) n += m.depth + Math.ceil(m.t.w / 16);
  return n;
}

/** Statement references of one statement (not its children). */
function stmtRefs(s: Stmt): number[] {
  if (s.k === 'set') return [s.v];
  if (s.k === 'write') return s.en === undefined ? [s.a, s.d] : [s.a, s.d, s.en];
  return s.arms.map((a) => a.c);
}

/**
 * Drop what cannot affect an output (dead nodes, statements assigning dead signals, memories no
 * live node reads) and renumber. Keeps the order, so the program's invariants still hold.
 */
export function collectGarbage(p: Program): Program {
  const live = new Set<number>();
  const liveMems = new Set<number>();
  const work = [...p.outs];
  // Statements that assign each target (with their enclosing conditions), for liveness through body.
  const setsOf = new Map<number, number[]>();
  const writesOf = new Map<number, number[]>();
  walkStmts(p.body, (s, conds) => {
    if (s.k === 'set') setsOf.set(s.dst, [...(setsOf.get(s.dst) ?? []), s.v, ...conds]);
    if (s.k === 'write') writesOf.set(s.mem, [...(writesOf.get(s.mem) ?? []), ...stmtRefs(s), ...conds]);
  });
  while (work.length) {
    const i = work.pop()!;
    if (live.has(i)) continue;
    live.add(i);
    const n = p.nodes[i]!;
    work.push(...n.a);
    if (n.k === 'reg' || n.k === 'wire') work.push(...(setsOf.get(i) ?? []));
    if ((n.k === 'rdasync' || n.k === 'rdsync') && !liveMems.has(n.mem)) {
      liveMems.add(n.mem);
      work.push(...(writesOf.get(n.mem) ?? []));
    }
  }
  const nodeMap = new Map<number, number>();
  const nodes: NodeDesc[] = [];
  p.nodes.forEach((n, i) => {
    if (live.has(i)) {
      nodeMap.set(i, nodes.length);
      nodes.push(structuredClone(n));
    }
  });
  const memMap = new Map<number, number>();
  const mems: MemDesc[] = [];
  p.mems.forEach((m, i) => {
    if (liveMems.has(i)) {
      memMap.set(i, mems.length);
      mems.push(structuredClone(m));
    }
  });
  const r = (i: number): number => nodeMap.get(i)!;
  for (const n of nodes) {
    n.a = n.a.map(r);
    if (n.k === 'rdasync' || n.k === 'rdsync') n.mem = memMap.get(n.mem)!;
  }
  const keep = (s: Stmt): boolean => (s.k === 'set' ? live.has(s.dst) : s.k === 'write' ? liveMems.has(s.mem) : true);
  const rewrite = (body: readonly Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    for (const s of body) {
      if (!keep(s)) continue;
      if (s.k === 'set') out.push({ k: 'set', dst: r(s.dst), v: r(s.v) });
      else if (s.k === 'write') out.push({ k: 'write', mem: memMap.get(s.mem)!, a: r(s.a), d: r(s.d), ...(s.en !== undefined ? { en: r(s.en) } : {}) });
      else {
        const arms = s.arms.map((a) => ({ c: a.c, body: rewrite(a.body) }));
        const other = s.other ? rewrite(s.other) : undefined;
        // A when whose branches all became empty has no effect.
        if (arms.every((a) => a.body.length === 0) && (!other || other.length === 0)) continue;
        out.push({ k: 'when', arms: arms.map((a) => ({ c: r(a.c), body: a.body })), ...(other && other.length ? { other } : {}) });
      }
    }
    return out;
  };
  return { nodes, mems, body: rewrite(p.body), outs: p.outs.map(r) };
}

/** Check the structural invariants (references point backwards, wires are assigned legally, every register is assigned). */
export function validateProgram(p: Program): string | undefined {
  for (let i = 0; i < p.nodes.length; i++) {
    const n = p.nodes[i]!;
    for (const a of n.a) if (!(a >= 0 && a < i)) return `node ${i} refers to ${a}`;
    if ((n.k === 'rdasync' || n.k === 'rdsync') && !p.mems[n.mem]) return `node ${i} reads missing memory ${n.mem}`;
  }
  for (const o of p.outs) if (!p.nodes[o]) return `output refers to ${o}`;
  if (p.outs.length === 0) return 'no outputs';
  let err: string | undefined;
  walkStmts(p.body, (s, conds) => {
    const refs = [...stmtRefs(s), ...conds];
    if (refs.some((x) => !p.nodes[x])) err ??= 'statement refers to a missing node';
    if (s.k === 'set') {
      const t = p.nodes[s.dst];
      if (!t || (t.k !== 'reg' && t.k !== 'wire')) err ??= `set of node ${s.dst}, which is not a reg or wire`;
      else if (t.k === 'wire') {
        if (conds.length === 0) err ??= `unconditional set of wire ${s.dst}`;
        if (refs.some((x) => x >= s.dst)) err ??= `wire ${s.dst} assigned from a later node`;
      }
    }
    if (s.k === 'write' && !p.mems[s.mem]) err ??= `write to missing memory ${s.mem}`;
  });
  // The DSL rejects a register that nothing assigns (it would be a constant).
  const assigned = new Set<number>();
  walkStmts(p.body, (s) => { if (s.k === 'set') assigned.add(s.dst); });
  p.nodes.forEach((n, i) => { if (n.k === 'reg' && !assigned.has(i)) err ??= `register ${i} is never assigned`; });
  return err;
}
