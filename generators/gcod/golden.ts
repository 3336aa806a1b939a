/**
 * Bit-exact reference of the GCoD layer and the cost models both designs are judged by.
 *
 * Arithmetic (ACCELERATORS.md §3), with the widths declared in widths.ts:
 *  - X int8 (binary features are 0/1), W int8, Z = X·W accumulated in int32 (wraps at 32 bits);
 *  - Â entries u0.8 (0..255); Y[v] = (Σ_u Â[v,u]·Z[u]) >> 8, arithmetic, the sum held in a 48-bit
 *    two's-complement accumulator (ACC_BITS; wraps there), the shifted result truncated to int32.
 * The kernel walks Â row by row in the ORIGINAL node order and never sees the split; `layerSplit`
 * computes the same layer from the diagonal blocks plus the compressed-column remainder, so a test
 * can check that the polarisation changes no integer.
 *
 * Buffer model for off-chip reads of Z rows (one row = H int32 words), stated once here and
 * implemented by both designs' schedules (schedule.ts) and counted by the hardware:
 *  - GCoD: each diagonal block's Z rows are loaded once into its sub-engine's buffer (N rows in all),
 *    and the sparser branch loads Z[u] once for every column u with an off-diagonal non-zero.
 *  - Baseline: one row-wise engine over the unreordered graph; its Z buffer of `bufferRows` rows is
 *    a direct-mapped cache (row u lives in slot u mod bufferRows); every miss is one read.
 * Both designs also keep the output accumulator (N rows) on chip; only Z reads cross the port.
 *
 * Imports nothing from dsl/: plain integers and bigint only.
 */
import type { Csr } from './graph.ts';
import type { Polarised } from './partition.ts';
import { ACC_BITS, OUT_BITS } from './widths.ts';

const wrap32 = (v: number): number => v | 0;
const wrapAcc = (v: bigint): bigint => BigInt.asIntN(ACC_BITS, v);

/** Z = X·W, int32 wrapping. X is n×f row-major, W is f×h row-major. */
export function combine(x: ArrayLike<number>, w: ArrayLike<number>, n: number, f: number, h: number): Int32Array {
  const z = new Int32Array(n * h);
  for (let v = 0; v < n; v++)
    for (let k = 0; k < f; k++) {
      const xv = x[v * f + k]!;
      if (xv === 0) continue;
      for (let j = 0; j < h; j++) z[v * h + j] = wrap32(z[v * h + j]! + xv * w[k * h + j]!);
    }
  return z;
}

/** Y = (Â·Z) >> 8 over the plain (unsplit, unreordered) matrix. */
export function aggregate(a: Csr, z: Int32Array, h: number): bigint[] {
  const y: bigint[] = new Array<bigint>(a.n * h);
  for (let v = 0; v < a.n; v++)
    for (let j = 0; j < h; j++) {
      let acc = 0n;
      for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) acc = wrapAcc(acc + BigInt(a.val[k]!) * BigInt(z[a.col[k]! * h + j]!));
      y[v * h + j] = BigInt.asIntN(OUT_BITS, acc >> 8n);
    }
  return y;
}

/**
 * The same layer from the polarised split: dense blocks plus the sparse CSC part, in reordered
 * indices, returned in ORIGINAL node order. Partial sums are added in a different order than in
 * `aggregate`; with wrapping two's-complement adds the integers are the same.
 */
export function aggregateSplit(p: Polarised, z: Int32Array, h: number): bigint[] {
  const n = p.n;
  const acc: bigint[] = new Array<bigint>(n * h).fill(0n);
  const zNew = (i: number, j: number): bigint => BigInt(z[p.perm[i]! * h + j]!);
  for (const b of p.blocks)
    for (let k = 0; k < b.vals.length; k++) {
      const v = b.start + b.rows[k]!;
      const u = b.start + b.cols[k]!;
      for (let j = 0; j < h; j++) acc[v * h + j] = wrapAcc(acc[v * h + j]! + BigInt(b.vals[k]!) * zNew(u, j));
    }
  const s = p.sparse;
  for (let u = 0; u < n; u++)
    for (let k = s.colPtr[u]!; k < s.colPtr[u + 1]!; k++) {
      const v = s.row[k]!;
      for (let j = 0; j < h; j++) acc[v * h + j] = wrapAcc(acc[v * h + j]! + BigInt(s.val[k]!) * zNew(u, j));
    }
  const y: bigint[] = new Array<bigint>(n * h);
  for (let i = 0; i < n; i++) for (let j = 0; j < h; j++) y[p.perm[i]! * h + j] = BigInt.asIntN(OUT_BITS, acc[i * h + j]! >> 8n);
  return y;
}

/** Off-chip Z-row reads of the GCoD design under the buffer model above. */
export function gcodReads(p: Polarised): { dense: number; sparse: number; total: number } {
  let dense = 0;
  for (const b of p.blocks) dense += b.size;
  let sparse = 0;
  for (let u = 0; u < p.n; u++) if (p.sparse.colPtr[u + 1]! > p.sparse.colPtr[u]!) sparse++;
  return { dense, sparse, total: dense + sparse };
}

/** Off-chip Z-row reads of the row-wise baseline: misses of a direct-mapped buffer of `bufferRows`. */
export function baselineReads(a: Csr, bufferRows: number): number {
  const tag = new Int32Array(bufferRows).fill(-1);
  let misses = 0;
  for (let v = 0; v < a.n; v++)
    for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) {
      const u = a.col[k]!;
      const slot = u % bufferRows;
      if (tag[slot] !== u) {
        tag[slot] = u;
        misses++;
      }
    }
  return misses;
}

/** Machine shape the ideal bound is taken over. */
export interface MachineShape {
  hidden: number;
  /** MAC units of the aggregation, summed over engines (the same for GCoD and the baseline). */
  aggregationMacs: number;
  /** Lanes of the combination engine (one adder or multiplier per hidden unit). */
  combinationLanes: number;
}

/** Operation counts and the ideal cycle bound: work over units, combination then aggregation. */
export function layerCounts(a: Csr, xNonZeros: number, m: MachineShape): { counts: Record<string, number>; idealCycles: number } {
  const nnz = a.rowPtr[a.n]!;
  const combination = xNonZeros * m.hidden;
  const aggregation = nnz * m.hidden;
  const idealCycles = Math.ceil(combination / m.combinationLanes) + Math.ceil(aggregation / m.aggregationMacs);
  return { counts: { adjacencyNonZeros: nnz, featureNonZeros: xNonZeros, combinationOps: combination, aggregationMacs: aggregation }, idealCycles };
}
