/**
 * The shared-neighbour reuse rule of the island consumer, and the aggregation work it implies. One
 * home for the host compiler (schedule.ts) and the golden kernel; imports no `dsl/`.
 *
 * Rows of an island are taken in pairs. For rows r1, r2 (restricted to the columns whose Z rows are
 * on chip: the island's own nodes, or a group of hubs in the hub pass) the shared set is
 *   S = { u in N+(r1) ∩ N+(r2) : Â[r1, u] = Â[r2, u] }      (N+ = neighbours and the node itself)
 * The equal-value condition keeps the result exact: Â is quantised per entry, Â[v, u] =
 * q(1/√(d_v d_u)), so the shared partial sum Σ_S Â·Z is the same integer for both rows only where
 * their entries coincide (always when d_r1 = d_r2). The sum over S is computed once and goes to both
 * rows, saving |S| vector multiply-adds; the rows' other entries are computed as usual.
 *
 * Pairing, deterministic: in island order, each unpaired row takes the later unpaired row with the
 * largest |S| (ties: the earliest), if |S| >= 2. Orientation: `second` continues from the shared sum
 * and must have an entry of its own; if neither row has one (N+(r1) = N+(r2) = S), the last entry of S
 * is left out of it.
 */
import type { Csr } from '../gcod/graph.ts';

import type { Op } from '../gcod/steps.ts';
export type { Op } from '../gcod/steps.ts';

export interface Pair {
  /** Indices into the rows paired. */
  first: number;
  second: number;
  /** Shared columns, ascending. */
  shared: number[];
}

function rowOf(a: Csr, v: number, keepCol: (u: number) => boolean = () => true): Map<number, number> {
  const m = new Map<number, number>();
  for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) if (keepCol(a.col[k]!)) m.set(a.col[k]!, a.val[k]!);
  return m;
}

function sharedOf(r1: Map<number, number>, r2: Map<number, number>): number[] {
  const s: number[] = [];
  for (const [u, val] of r1) if (r2.get(u) === val) s.push(u);
  return s.sort((x, y) => x - y);
}

/** A row restricted to some columns: node v and its entries there (column -> Â value). */
export interface PartRow {
  v: number;
  cols: Map<number, number>;
}

/** Pairs and single rows under the rule above; `canPair(i, j)` limits the candidates (same island). */
export function pairRows(rows: readonly PartRow[], canPair: (i: number, j: number) => boolean): { pairs: Pair[]; singles: number[] } {
  const paired = new Uint8Array(rows.length);
  const pairs: Pair[] = [];
  const singles: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (paired[i]) continue;
    let best = -1;
    let bestS: number[] = [];
    for (let j = i + 1; j < rows.length; j++) {
      if (paired[j] || !canPair(i, j)) continue;
      const s = sharedOf(rows[i]!.cols, rows[j]!.cols);
      if (s.length >= 2 && s.length > bestS.length) {
        best = j;
        bestS = s;
      }
    }
    if (best < 0) {
      singles.push(i);
      continue;
    }
    paired[i] = paired[best] = 1;
    let first = i;
    let second = best;
    if (rows[second]!.cols.size === bestS.length) [first, second] = [best, i];
    if (rows[second]!.cols.size === bestS.length) bestS = bestS.slice(0, -1);
    pairs.push({ first, second, shared: bestS });
  }
  return { pairs, singles };
}

/** The steps of some rows: pairs (shared sum, EMIT-keep to `first`, `second`'s own entries, EMIT, `first`'s own entries, EMIT), then singles. */
export function rowSteps(rows: readonly PartRow[], canPair: (i: number, j: number) => boolean): { ops: Op[]; saved: number } {
  const ops: Op[] = [];
  const emitRow = (r: PartRow, skip: ReadonlySet<number>, keep: boolean): void => {
    const cols = [...r.cols.keys()].filter((u) => !skip.has(u)).sort((x, y) => x - y);
    cols.forEach((u, i) => ops.push({ u, a: r.cols.get(u)!, ...(i + 1 === cols.length ? { emit: { v: r.v, keep } } : {}) }));
  };
  const { pairs, singles } = pairRows(rows, canPair);
  let saved = 0;
  for (const pr of pairs) {
    const first = rows[pr.first]!;
    const shared = new Set(pr.shared);
    pr.shared.forEach((u, i) => ops.push({ u, a: first.cols.get(u)!, ...(i + 1 === pr.shared.length ? { emit: { v: first.v, keep: true } } : {}) }));
    emitRow(rows[pr.second]!, shared, false);
    emitRow(first, shared, false);
    saved += pr.shared.length;
  }
  for (const i of singles) emitRow(rows[i]!, new Set(), false);
  return { ops, saved };
}

/**
 * The consumer's steps for one island, over the island's own columns (its Z rows): the island's
 * rows (paired), then each neighbouring hub's partial row from the island's nodes. The entries in hub
 * columns are applied by the hub pass, while the hubs' Z rows are on chip.
 */
export function islandOps(a: Csr, island: readonly number[], isHub: Uint8Array): { ops: Op[]; saved: number } {
  const members = new Set(island);
  const own = (u: number): boolean => members.has(u);
  const r = rowSteps(island.map((v) => ({ v, cols: rowOf(a, v, own) })), () => true);
  const hubs = new Set<number>();
  for (const u of island) for (let k = a.rowPtr[u]!; k < a.rowPtr[u + 1]!; k++) if (isHub[a.col[k]!]) hubs.add(a.col[k]!);
  const hubRows = [...hubs].sort((x, y) => x - y).map((h) => ({ v: h, cols: rowOf(a, h, own) }));
  return { ops: [...r.ops, ...rowSteps(hubRows, () => false).ops], saved: r.saved };
}

/**
 * The hub pass: the hubs' columns in groups of at most `group` hubs (a group's Z rows on chip
 * together); per group every row with entries in those columns (hub rows: the inter-hub edges and
 * self loops; island rows: their hub neighbours), rows of the same island paired.
 */
export function hubPassOps(a: Csr, hubs: readonly number[], islandOf: Int32Array, group: number): { ops: Op[]; saved: number }[] {
  const out: { ops: Op[]; saved: number }[] = [];
  for (let g = 0; g < hubs.length; g += group) {
    const cols = new Set(hubs.slice(g, g + group));
    const rowsOf = new Set<number>();
    for (const h of cols) for (let k = a.rowPtr[h]!; k < a.rowPtr[h + 1]!; k++) rowsOf.add(a.col[k]!);
    const rows = [...rowsOf].sort((x, y) => x - y).map((v) => ({ v, cols: rowOf(a, v, (u) => cols.has(u)) }));
    out.push(rowSteps(rows, (i, j) => islandOf[rows[i]!.v]! >= 0 && islandOf[rows[i]!.v] === islandOf[rows[j]!.v]));
  }
  return out;
}
