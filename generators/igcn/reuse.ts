/**
 * The shared-neighbour reuse rule of the island consumer, and the aggregation work it implies. One
 * home for the host compiler (schedule.ts) and the golden kernel; imports no `dsl/`.
 *
 * Rows of an island are taken in pairs. For rows r1, r2 the shared set is
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
  first: number;
  second: number;
  /** Shared columns, ascending. */
  shared: number[];
}

function rowOf(a: Csr, v: number): Map<number, number> {
  const m = new Map<number, number>();
  for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) m.set(a.col[k]!, a.val[k]!);
  return m;
}

function sharedOf(a: Csr, r1: Map<number, number>, r2: Map<number, number>): number[] {
  void a;
  const s: number[] = [];
  for (const [u, val] of r1) if (r2.get(u) === val) s.push(u);
  return s.sort((x, y) => x - y);
}

/** Pairs and single rows of one island under the rule above. */
export function pairIsland(a: Csr, island: readonly number[]): { pairs: Pair[]; singles: number[] } {
  const rows = island.map((v) => rowOf(a, v));
  const paired = new Uint8Array(island.length);
  const pairs: Pair[] = [];
  const singles: number[] = [];
  for (let i = 0; i < island.length; i++) {
    if (paired[i]) continue;
    let best = -1;
    let bestS: number[] = [];
    for (let j = i + 1; j < island.length; j++) {
      if (paired[j]) continue;
      const s = sharedOf(a, rows[i]!, rows[j]!);
      if (s.length >= 2 && s.length > bestS.length) {
        best = j;
        bestS = s;
      }
    }
    if (best < 0) {
      singles.push(island[i]!);
      continue;
    }
    paired[i] = paired[best] = 1;
    let first = i;
    let second = best;
    if (rows[second]!.size === bestS.length) [first, second] = [best, i];
    if (rows[second]!.size === bestS.length) bestS = bestS.slice(0, -1);
    pairs.push({ first: island[first]!, second: island[second]!, shared: bestS });
  }
  return { pairs, singles };
}

/**
 * The consumer's steps for one island: pairs (shared sum, EMIT-keep to `first`, `second`'s own
 * entries, EMIT to `second`, then `first`'s own entries), single rows, then for each neighbouring hub
 * its entries from the island's nodes (a partial row of the hub). `isHub` tells hubs apart.
 */
export function islandOps(a: Csr, island: readonly number[], isHub: Uint8Array): { ops: Op[]; saved: number } {
  const ops: Op[] = [];
  const row = (v: number, skip: ReadonlySet<number>, emit: { v: number; keep: boolean } | undefined): void => {
    const cols: number[] = [];
    for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) if (!skip.has(a.col[k]!)) cols.push(k);
    cols.forEach((k, i) => ops.push({ u: a.col[k]!, a: a.val[k]!, ...(i + 1 === cols.length && emit ? { emit } : {}) }));
  };
  const { pairs, singles } = pairIsland(a, island);
  let saved = 0;
  for (const pr of pairs) {
    const shared = new Set(pr.shared);
    const firstRow = rowOf(a, pr.first);
    pr.shared.forEach((u, i) => ops.push({ u, a: firstRow.get(u)!, ...(i + 1 === pr.shared.length ? { emit: { v: pr.first, keep: true } } : {}) }));
    row(pr.second, shared, { v: pr.second, keep: false });
    row(pr.first, shared, { v: pr.first, keep: false });
    saved += pr.shared.length;
  }
  for (const v of singles) row(v, new Set(), { v, keep: false });
  // Hub partial rows: entries (h, u) with u in the island, per neighbouring hub, hubs ascending.
  const members = new Set(island);
  const hubCols = new Map<number, number[]>();
  for (const u of island)
    for (let k = a.rowPtr[u]!; k < a.rowPtr[u + 1]!; k++) {
      const h = a.col[k]!;
      if (isHub[h]) (hubCols.get(h) ?? hubCols.set(h, []).get(h)!).push(u);
    }
  for (const h of [...hubCols.keys()].sort((x, y) => x - y)) {
    const hr = rowOf(a, h);
    const us = hubCols.get(h)!.filter((u) => members.has(u));
    us.forEach((u, i) => ops.push({ u, a: hr.get(u)!, ...(i + 1 === us.length ? { emit: { v: h, keep: false } } : {}) }));
  }
  return { ops, saved };
}

/** The hub pass: each hub's row restricted to hubs (inter-hub edges and the hub's self loop). */
export function hubOps(a: Csr, hub: number, isHub: Uint8Array): Op[] {
  const cols: number[] = [];
  for (let k = a.rowPtr[hub]!; k < a.rowPtr[hub + 1]!; k++) if (isHub[a.col[k]!]) cols.push(k);
  return cols.map((k, i) => ({ u: a.col[k]!, a: a.val[k]!, ...(i + 1 === cols.length ? { emit: { v: hub, keep: false } } : {}) }));
}
