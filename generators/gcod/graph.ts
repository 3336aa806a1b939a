/**
 * Host side of GCoD, part 1: citation graphs and the quantised normalised adjacency.
 *
 * A graph is read from a `.cites` file (one edge a line, `<cited>\t<citing>`), its ids remapped to
 * 0..N-1 in ORDER OF FIRST APPEARANCE (scanning lines top to bottom, left id before right id), its
 * edges made undirected, deduplicated and stripped of self loops. The GCN adjacency is then
 * Â = D^-1/2 (A + I) D^-1/2, quantised once to unsigned 8 bits with 8 fraction bits, round half up,
 * saturating at 255 (an isolated node's self loop is exactly 1.0, which u0.8 cannot hold).
 *
 * Plain TypeScript integers only: the golden kernel builds on this file, so nothing here may come
 * from `dsl/` (one bug must not hide in both the hardware and its reference).
 */
import { readFileSync } from 'node:fs';

/** A malformed graph file: names the file, the line, and what was expected there. */
export class GraphFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'GraphFormatError';
  }
}

/** An undirected simple graph: nodes 0..n-1, each edge once with `a < b`, sorted. */
export interface Graph {
  name: string;
  n: number;
  /** Original paper ids, indexed by node number. */
  ids: string[];
  /** Unique undirected edges without self loops, `[a, b]` with a < b, sorted by (a, b). */
  edges: [number, number][];
}

/** A sparse matrix in compressed-row form with small unsigned integer values. */
export interface Csr {
  n: number;
  rowPtr: Int32Array;
  col: Int32Array;
  val: Uint16Array;
}

/** Parse the text of a `.cites` file. `file` is only used in error messages. */
export function parseCites(text: string, file: string, name = file): Graph {
  const index = new Map<string, number>();
  const ids: string[] = [];
  const idOf = (s: string): number => {
    let i = index.get(s);
    if (i === undefined) {
      i = ids.length;
      index.set(s, i);
      ids.push(s);
    }
    return i;
  };
  const seen = new Set<number>();
  const edges: [number, number][] = [];
  const lines = text.split('\n');
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const parts = line.split('\t');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '' || /\s/.test(parts[0]!) || /\s/.test(parts[1]!))
      throw new GraphFormatError(file, li + 1, `expected two paper ids separated by one tab ('<cited>\\t<citing>'), got ${JSON.stringify(line.slice(0, 80))}`);
    const a = idOf(parts[0]!);
    const b = idOf(parts[1]!);
    if (a === b) continue; // the GCN adds its own self loops; one in the file adds nothing
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const key = lo * 0x100000 + hi;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push([lo, hi]);
  }
  if (ids.length === 0) throw new GraphFormatError(file, 1, 'expected at least one edge line, the file is empty');
  if (ids.length >= 0x100000) throw new GraphFormatError(file, lines.length, `too many nodes (${ids.length}); at most ${0x100000 - 1} supported`);
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return { name, n: ids.length, ids, edges };
}

/** Read a `.cites` file from disk. */
export function readCites(file: string, name?: string): Graph {
  return parseCites(readFileSync(file, 'utf8'), file, name ?? file);
}

/** Neighbour lists (sorted ascending) of an undirected graph, without self loops. */
export function neighbours(g: Graph): number[][] {
  const adj: number[][] = Array.from({ length: g.n }, () => []);
  for (const [a, b] of g.edges) {
    adj[a]!.push(b);
    adj[b]!.push(a);
  }
  for (const l of adj) l.sort((x, y) => x - y);
  return adj;
}

/** Degree of each node in A + I (neighbours plus the self loop). */
export function degreesWithSelfLoop(g: Graph): number[] {
  const d = new Array<number>(g.n).fill(1);
  for (const [a, b] of g.edges) {
    d[a]!++;
    d[b]!++;
  }
  return d;
}

/** Fraction bits of the quantised adjacency. */
export const ADJ_FRAC_BITS = 8;
/** Largest stored adjacency value (u8). */
export const ADJ_MAX = 255;

/**
 * round_half_up(2^8 / sqrt(p)) saturated to 255, computed exactly in integers: the answer is the
 * largest k with k - 1/2 <= 256/sqrt(p), i.e. (2k-1)^2 * p <= 512^2. No floating point, so the
 * result cannot depend on the platform's sqrt.
 */
export function quantiseInvSqrt(p: number): number {
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`quantiseInvSqrt needs a positive integer, got ${p}`);
  const limit = 512 * 512;
  let k = Math.floor(256 / Math.sqrt(p)) + 2; // a guess just above the answer, then step down exactly
  while (k > 0 && (2 * k - 1) * (2 * k - 1) * p > limit) k--;
  return Math.min(k, ADJ_MAX);
}

/**
 * The quantised Â = D^-1/2 (A + I) D^-1/2 in compressed-row form (columns ascending, the diagonal
 * included). Entry (v, u) = quantiseInvSqrt(d_v * d_u).
 */
export function normalisedAdjacency(g: Graph): Csr {
  const adj = neighbours(g);
  const deg = degreesWithSelfLoop(g);
  const rowPtr = new Int32Array(g.n + 1);
  for (let v = 0; v < g.n; v++) rowPtr[v + 1] = rowPtr[v]! + adj[v]!.length + 1;
  const nnz = rowPtr[g.n]!;
  const col = new Int32Array(nnz);
  const val = new Uint16Array(nnz);
  let k = 0;
  for (let v = 0; v < g.n; v++) {
    const row = [...adj[v]!, v].sort((x, y) => x - y);
    for (const u of row) {
      col[k] = u;
      val[k] = quantiseInvSqrt(deg[v]! * deg[u]!);
      k++;
    }
  }
  return { n: g.n, rowPtr, col, val };
}

/** A small deterministic random graph for tests (seeded LCG, no dependency on test support). */
export function syntheticGraph(n: number, edgeCount: number, seed: number, name = `synthetic-n${n}-e${edgeCount}-s${seed}`): Graph {
  let state = (seed >>> 0) || 1;
  const rand = (k: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % k;
  };
  const lines: string[] = [];
  // A few clustered communities make the partitioner's job meaningful, plus random long edges.
  const community = Math.max(2, Math.floor(n / 4));
  for (let i = 0; i < edgeCount; i++) {
    const a = rand(n);
    const local = rand(4) !== 0;
    const b = local ? Math.min(n - 1, Math.floor(a / community) * community + rand(community)) : rand(n);
    lines.push(`n${a}\tn${b}`);
  }
  // Every node appears, in order, so ids map to themselves.
  const order = Array.from({ length: n }, (_, i) => `n${i}\tn${i}`);
  return parseCites([...order, ...lines].join('\n'), name, name);
}

/** A graph from an edge list over nodes 0..n-1 (any order, duplicates and self loops allowed). */
export function graphFromEdges(n: number, pairs: readonly (readonly [number, number])[], name = 'edges'): Graph {
  const seen = new Set<number>();
  const edges: [number, number][] = [];
  for (const [x, y] of pairs) {
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= n || y >= n)
      throw new RangeError(`edge (${x}, ${y}) of '${name}' names a node outside 0..${n - 1}`);
    if (x === y) continue;
    const lo = Math.min(x, y);
    const hi = Math.max(x, y);
    if (seen.has(lo * n + hi)) continue;
    seen.add(lo * n + hi);
    edges.push([lo, hi]);
  }
  edges.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  return { name, n, ids: Array.from({ length: n }, (_, i) => String(i)), edges };
}
