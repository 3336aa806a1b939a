/**
 * Shrinks a failing fuzz case to a small one that still fails: deletes outputs and statements,
 * replaces nodes by inputs or constants, drops enables and resets, narrows widths and memories, and
 * cuts the cycles after the first mismatch. Candidates are judged many at a time, packed into one
 * batch (one Verilator build per round), and the smallest that still fails is kept.
 */
import { programTypes } from './build.ts';
import { runBatch, type Check, type Mismatch } from './driver.ts';
import {
  cloneProgram, collectGarbage, hex, programSize, unhex, validateProgram, walkStmts,
  type FuzzCase, type NodeDesc, type Program, type Stmt, type TypeDesc,
} from './program.ts';

export interface ShrinkOptions {
  /** Candidates judged per round (per build). */
  batch?: number;
  /** Stop after this many rounds. */
  maxRounds?: number;
  log?: (line: string) => void;
}

export interface ShrinkResult {
  case: FuzzCase;
  mismatch: Mismatch;
  rounds: number;
}

/** Does `p` build, and keep the program invariants? */
function usable(p: Program): boolean {
  if (validateProgram(p)) return false;
  try {
    programTypes(p);
    return true;
  } catch {
    return false;
  }
}

/** Paths of statements: index lists into nested bodies (arms, then `other` as the last branch). */
type StmtPath = number[];
function stmtPaths(body: readonly Stmt[], prefix: number[] = []): StmtPath[] {
  const out: StmtPath[] = [];
  body.forEach((s, i) => {
    out.push([...prefix, i]);
    if (s.k === 'when') {
      s.arms.forEach((a, j) => out.push(...stmtPaths(a.body, [...prefix, i, j])));
      if (s.other) out.push(...stmtPaths(s.other, [...prefix, i, s.arms.length]));
    }
  });
  return out;
}
/** The list holding the statement at `path`, and its index there. */
function locate(body: Stmt[], path: StmtPath): [Stmt[], number] {
  let list = body;
  for (let d = 0; d + 1 < path.length; d += 2) {
    const w = list[path[d]!]! as Extract<Stmt, { k: 'when' }>;
    const branch = path[d + 1]!;
    list = branch < w.arms.length ? w.arms[branch]!.body : w.other!;
  }
  return [list, path[path.length - 1]!];
}

/** Every one-step simplification of `p` (valid or not; the caller filters). */
function* proposals(p: Program, nextTag: () => number): Generator<Program> {
  const edit = (f: (q: Program) => void): Program => {
    const q = cloneProgram(p);
    f(q);
    return q;
  };
  // Outputs: keep one; drop one.
  if (p.outs.length > 1) {
    for (let j = 0; j < p.outs.length; j++) yield edit((q) => (q.outs = [p.outs[j]!]));
    for (let j = 0; j < p.outs.length; j++) yield edit((q) => q.outs.splice(j, 1));
  }
  const types = programTypes(p);
  const typeDesc = (i: number): TypeDesc => ({ s: types[i]!.signed, w: types[i]!.width });
  // Nodes: by an input, by constants, by one of their operands.
  for (let i = p.nodes.length - 1; i >= 0; i--) {
    const n = p.nodes[i]!;
    const t = typeDesc(i);
    const replace = (m: NodeDesc): Program => edit((q) => {
      q.nodes[i] = m;
      // A wire or register no longer exists: drop its assignments.
      if (n.k === 'wire' || n.k === 'reg') q.body = dropSets(q.body, i);
    });
    if (n.k !== 'input') yield replace({ k: 'input', t, tag: nextTag(), a: [] });
    if (n.k !== 'const' || n.v !== '0') yield replace({ k: 'const', t, v: '0', a: [] });
    if (n.k === 'input' || n.k === 'const') yield replace({ k: 'const', t, v: hex((1n << BigInt(t.w)) - 1n), a: [] });
    if (n.k === 'op') for (const a of new Set(n.a)) yield edit((q) => redirect(q, i, a));
    if (n.k === 'op' && n.a.length > 2) for (let k = 0; k < n.a.length; k++) yield edit((q) => q.nodes[i]!.a.splice(k, 1));
  }
  // Statements: delete; hoist a branch's body in place of its when.
  for (const path of stmtPaths(p.body).reverse()) {
    yield edit((q) => {
      const [list, i] = locate(q.body, path);
      list.splice(i, 1);
    });
    const [list0, i0] = locate(p.body, path);
    const s = list0[i0]!;
    if (s.k === 'when') {
      const branches = [...s.arms.map((a) => a.body), ...(s.other ? [s.other] : [])];
      for (let b = 0; b < branches.length; b++)
        yield edit((q) => {
          const [list, i] = locate(q.body, path);
          list.splice(i, 1, ...structuredClone(branches[b]!));
        });
      if (s.arms.length > 1 || s.other)
        for (let b = 0; b < branches.length; b++)
          yield edit((q) => {
            const [list, i] = locate(q.body, path);
            const w = list[i] as Extract<Stmt, { k: 'when' }>;
            if (b < w.arms.length) w.arms.splice(b, 1);
            else delete w.other;
            if (w.arms.length === 0) list.splice(i, 1, ...(w.other ?? []));
          });
    }
    if (s.k === 'write' && s.en !== undefined)
      yield edit((q) => {
        const [list, i] = locate(q.body, path);
        delete (list[i] as Extract<Stmt, { k: 'write' }>).en;
      });
  }
  // Registers and reads: drop enables, resets, initial values.
  for (let i = 0; i < p.nodes.length; i++) {
    const n = p.nodes[i]!;
    if (n.k === 'reg') {
      if (n.a.length) yield edit((q) => (q.nodes[i]!.a = []));
      if (n.reset !== undefined) yield edit((q) => delete (q.nodes[i] as Extract<NodeDesc, { k: 'reg' }>).reset);
      if (n.init !== undefined && n.init !== '0') yield edit((q) => ((q.nodes[i] as Extract<NodeDesc, { k: 'reg' }>).init = '0'));
      if (n.reset !== undefined && n.reset !== '0') yield edit((q) => ((q.nodes[i] as Extract<NodeDesc, { k: 'reg' }>).reset = '0'));
    }
    if (n.k === 'rdsync' && n.a.length > 1) yield edit((q) => (q.nodes[i]!.a = [n.a[0]!]));
  }
  // Widths: halve, minus one, unsigned.
  for (let i = 0; i < p.nodes.length; i++) {
    const n = p.nodes[i]!;
    if ('t' in n) {
      const t = n.t;
      const narrower = new Set([Math.ceil(t.w / 2), t.w - 1].filter((w) => w >= 1 && w < t.w));
      const bitsOf = (m: NodeDesc, w: number): void => {
        if (m.k === 'const') m.v = hex(BigInt.asUintN(w, unhex(m.v)));
        if (m.k === 'reg') {
          if (m.reset !== undefined) m.reset = hex(BigInt.asUintN(w, unhex(m.reset)));
          if (m.init !== undefined) m.init = hex(BigInt.asUintN(w, unhex(m.init)));
        }
      };
      for (const w of narrower)
        yield edit((q) => {
          const m = q.nodes[i]! as NodeDesc & { t: TypeDesc };
          m.t = { s: t.s, w };
          bitsOf(m, w);
        });
      if (t.s) yield edit((q) => ((q.nodes[i] as NodeDesc & { t: TypeDesc }).t = { s: false, w: t.w }));
    }
    if (n.k === 'op' && n.p.length) {
      for (let k = 0; k < n.p.length; k++)
        for (const v of new Set([0, 1, Math.floor(n.p[k]! / 2), n.p[k]! - 1]))
          if (v >= 0 && v < n.p[k]!) yield edit((q) => ((q.nodes[i] as Extract<NodeDesc, { k: 'op' }>).p[k] = v));
    }
  }
  // Memories: fewer words, zero contents, narrower words.
  for (let j = 0; j < p.mems.length; j++) {
    const m = p.mems[j]!;
    if (m.depth > 1)
      for (const d of new Set([Math.ceil(m.depth / 2), m.depth - 1]))
        yield edit((q) => {
          q.mems[j]!.depth = d;
          q.mems[j]!.init = q.mems[j]!.init.slice(0, d);
        });
    if (m.init.some((w) => w !== '0')) yield edit((q) => (q.mems[j]!.init = m.init.map(() => '0')));
    if (m.t.w > 1)
      yield edit((q) => {
        const w = Math.ceil(m.t.w / 2);
        q.mems[j]!.t = { s: m.t.s, w };
        q.mems[j]!.init = m.init.map((x) => hex(BigInt.asUintN(w, unhex(x))));
      });
  }
}

/** Remove assignments to node `dst` (it became a leaf). */
function dropSets(body: Stmt[], dst: number): Stmt[] {
  const out: Stmt[] = [];
  for (const s of body) {
    if (s.k === 'set' && s.dst === dst) continue;
    if (s.k === 'when') out.push({ ...s, arms: s.arms.map((a) => ({ c: a.c, body: dropSets(a.body, dst) })), ...(s.other ? { other: dropSets(s.other, dst) } : {}) });
    else out.push(s);
  }
  return out;
}

/** Make every use of node `from` use `to` (an earlier node) instead. */
function redirect(q: Program, from: number, to: number): void {
  const r = (x: number): number => (x === from ? to : x);
  for (let i = from + 1; i < q.nodes.length; i++) q.nodes[i]!.a = q.nodes[i]!.a.map(r);
  q.outs = q.outs.map(r);
  walkStmts(q.body, (s) => {
    if (s.k === 'set') s.v = r(s.v);
    else if (s.k === 'write') {
      s.a = r(s.a);
      s.d = r(s.d);
      if (s.en !== undefined) s.en = r(s.en);
    } else for (const a of s.arms) a.c = r(a.c);
  });
}

/**
 * Shrink `failing` (which mismatches on `backend`) while it keeps failing there. Returns the
 * smallest failing case found and its mismatch.
 */
export async function shrink(failing: FuzzCase, backend: Check, opts: ShrinkOptions = {}): Promise<ShrinkResult> {
  const batch = opts.batch ?? 48;
  const maxRounds = opts.maxRounds ?? 60;
  const log = opts.log ?? (() => {});
  let tag = 0x5eed0000;
  const nextTag = (): number => tag++;

  const judge = async (programs: Program[], c: FuzzCase, name: string): Promise<Map<number, Mismatch>> => {
    const r = await runBatch(programs, programs.map(() => c.stim), c.stim.rst, [backend], name);
    return new Map(r.mismatches.map((m) => [m.program, m]));
  };

  let current: FuzzCase = { program: collectGarbage(failing.program), stim: structuredClone(failing.stim) };
  let first = (await judge([current.program], current, 'fuzz_shrink')).get(0);
  if (!first) {
    current = structuredClone(failing);
    first = (await judge([current.program], current, 'fuzz_shrink')).get(0);
    if (!first) throw new Error('shrink: the case does not fail on ' + backend);
  }
  let mismatch: Mismatch = first;
  let rounds = 0;
  for (; rounds < maxRounds; rounds++) {
    // Cycles after the first mismatch add nothing.
    if (mismatch.cycle >= 0 && mismatch.cycle + 1 < current.stim.cycles) {
      const cycles = mismatch.cycle + 1;
      current = { program: current.program, stim: { ...current.stim, cycles, rst: current.stim.rst.slice(0, cycles) } };
    }
    const size = programSize(current.program);
    const seen = new Set<string>();
    const candidates: Program[] = [];
    for (const q of proposals(current.program, nextTag)) {
      const g = collectGarbage(q);
      const key = JSON.stringify(g);
      if (seen.has(key) || !usable(g) || programSize(g) >= size) continue;
      seen.add(key);
      candidates.push(g);
    }
    candidates.sort((a, b) => programSize(a) - programSize(b));
    let best: { program: Program; mismatch: Mismatch } | undefined;
    for (let start = 0; start < candidates.length && !best; start += batch) {
      const chunk = candidates.slice(start, start + batch);
      const found = await judge(chunk, current, `fuzz_shrink${rounds}`);
      for (let k = 0; k < chunk.length && !best; k++) {
        const m = found.get(k);
        // Same kind of failure only: a build error does not stand in for a wrong value, or back.
        if (m && Boolean(m.error) === Boolean(mismatch.error)) best = { program: chunk[k]!, mismatch: { ...m, program: 0 } };
      }
    }
    if (!best) break;
    current = { program: best.program, stim: current.stim };
    mismatch = best.mismatch;
    log(`shrink round ${rounds + 1}: size ${programSize(best.program)} (${best.program.nodes.length} nodes), ${candidates.length} candidates`);
  }
  return { case: current, mismatch, rounds };
}
