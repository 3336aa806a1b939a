/**
 * Bit-exact reference of the I-GCN layer and its counts. The layer is GCoD's (ACCELERATORS.md §3):
 * the output is the plain kernel `aggregate` of generators/gcod/golden.ts, bit for bit, whatever the
 * islands. `islandAggregate` computes the same layer the island way (the consumer's steps, with the
 * shared sums of reuse.ts and the keep semantics), so a test can check that the reuse changes no
 * integer; `islandCounts` gives the work the reuse leaves and the locator's figures.
 *
 * Imports nothing from dsl/.
 */
import type { Csr } from '../gcod/graph.ts';
import { ACC_BITS, OUT_BITS } from '../gcod/widths.ts';
import { islandViolations, type Islands } from './locator.ts';
import { hubPassOps, islandOps, type Op } from './reuse.ts';

export { aggregate, combine } from '../gcod/golden.ts';

const wrapAcc = (v: bigint): bigint => BigInt.asIntN(ACC_BITS, v);

/** Run steps on one accumulator row: EMIT adds the row into node v's output sum; keep leaves it. */
function runOps(ops: readonly Op[], z: Int32Array, h: number, out: bigint[]): void {
  let acc: bigint[] = new Array<bigint>(h).fill(0n);
  for (const op of ops) {
    acc = acc.map((x, j) => wrapAcc(x + BigInt(op.a) * BigInt(z[op.u * h + j]!)));
    if (!op.emit) continue;
    for (let j = 0; j < h; j++) out[op.emit.v * h + j] = wrapAcc(out[op.emit.v * h + j]! + acc[j]!);
    if (!op.emit.keep) acc = new Array<bigint>(h).fill(0n);
  }
}

/** The layer computed island by island with the shared-neighbour reuse, then the hub pass (hub columns in groups of `hubGroup`). */
export function islandAggregate(a: Csr, isl: Islands, z: Int32Array, h: number, hubGroup: number): bigint[] {
  const sums: bigint[] = new Array<bigint>(a.n * h).fill(0n);
  for (const island of isl.islands) runOps(islandOps(a, island, isl.isHub).ops, z, h, sums);
  for (const g of hubPassOps(a, isl.hubs, isl.islandOf, hubGroup)) runOps(g.ops, z, h, sums);
  return sums.map((s) => BigInt.asIntN(OUT_BITS, s >> 8n));
}

/** Aggregation work with and without the reuse, island figures, and the invariants' violations (empty when they hold). */
export function islandCounts(a: Csr, adj: readonly (readonly number[])[], isl: Islands, cMax: number, hubGroup: number): Record<string, number> & { violations: number } {
  const nnz = a.rowPtr[a.n]!;
  let steps = 0;
  let saved = 0;
  for (const island of isl.islands) {
    const r = islandOps(a, island, isl.isHub);
    steps += r.ops.length;
    saved += r.saved;
  }
  for (const g of hubPassOps(a, isl.hubs, isl.islandOf, hubGroup)) {
    steps += g.ops.length;
    saved += g.saved;
  }
  let hubEdges = 0;
  for (const hub of isl.hubs) for (let k = a.rowPtr[hub]!; k < a.rowPtr[hub + 1]!; k++) if (isl.isHub[a.col[k]!] && a.col[k] !== hub) hubEdges++;
  return {
    aggregationOpsPlain: nnz,
    aggregationOps: steps,
    reuseSaved: saved,
    islands: isl.islands.length,
    islandNodes: isl.islands.reduce((s, i) => s + i.length, 0),
    hubs: isl.hubs.length,
    interHubNonZeros: hubEdges,
    locatorCycles: isl.cycles,
    locatorRounds: isl.thresholds.length,
    violations: islandViolations(adj, isl, cMax).length,
  };
}
