/**
 * Bit-exact reference kernel of the ShiftAddLLM matrix-vector product (spec: ACCELERATORS.md §2).
 *
 * Weights are binary-coded, `W ≈ Σ_b α_b ⊙ B_b` with `B_b ∈ {−1,+1}`, and `y = W·x` is computed without
 * a multiplier: for every group g of 8 activations a 256-entry table `T_g[j] = Σ_t (2·bit_t(j) − 1)·x[8g+t]`
 * is built with 255 additions (`T_g[0] = −Σx`, then `T_g[i + 2^s] = T_g[i] + 2·x[8g+s]`), each packed
 * weight byte `idx[b][n][g]` (bit t set where `B_b[n, 8g+t] = +1`) looks one entry up, and the scale
 * `α = 2^a1 + 2^a2 + 2^a3` is applied as three shifts and two additions:
 * `y[n] = Σ_b Σ_g Σ_{a∈{a1,a2,a3}} (T_g[idx[b][n][g]] << a)`.
 *
 * Scale codes: one 9-bit code per scale, `a1 | a2 << 3 | a3 << 6`, each a ∈ 0..7. Block-wise scales
 * are indexed `[b][n][g]`, per-row scales `[b][n]`.
 *
 * This file imports nothing from `dsl/`: plain integers (every value here is far below 2^53). The
 * hardware's table and accumulator widths live in widths.ts; this kernel's sums are exact.
 */

import type { ScaleMode } from './widths.ts';

/** The kernel's inputs as plain arrays. */
export interface LlmProblem {
  /** Activations, length K (a multiple of 8), signed `actWidth`-bit integers. */
  x: number[];
  /** Packed weight bytes `idx[b][n][g]`, 0..255. */
  idx: number[][][];
  /** Scale codes: `[b][n][g]` (block) or `[b][n][0]` (row), each 0..511. */
  scales: number[][][];
  mode: ScaleMode;
  actWidth: number;
}

/** Operation counts of one product as the hardware performs them. */
export interface LlmCounts {
  /** Tables built (one per group of 8 activations). */
  tableBuilds: number;
  /** Additions building the tables: 7 for −Σx and 255 for the entries, per table. */
  tableAdds: number;
  /** Table lookups: one per weight byte. */
  lookups: number;
  /** Shifts of the looked-up entry: three per lookup. */
  shifts: number;
  /** Additions combining the three shifted terms: two per lookup. */
  scaleAdds: number;
  /** Additions into the row accumulators: one per lookup (the first of a row adds to zero). */
  accumulateAdds: number;
  /** All additions. */
  adds: number;
  /** Packed weight bytes read. */
  weightBytes: number;
  /** Scale codes read (9 bits each). */
  scaleCodes: number;
}

export interface LlmResult {
  /** y[n], int32. */
  y: number[];
  counts: LlmCounts;
}

/** Table entries per group and the cycles the hardware's builder takes to fill one (one entry a cycle, plus fetch). */
export const TABLE_ENTRIES = 256;
export const TABLE_BUILD_CYCLES = TABLE_ENTRIES + 2;

/** The three shift amounts of a 9-bit scale code. */
export function scaleShifts(code: number): [number, number, number] {
  return [code & 7, (code >> 3) & 7, (code >> 6) & 7];
}
/** The scale α a 9-bit code stands for. */
export function scaleValue(code: number): number {
  const [a1, a2, a3] = scaleShifts(code);
  return 2 ** a1 + 2 ** a2 + 2 ** a3;
}
/** A scale code from three shift amounts. */
export function scaleCode(a1: number, a2: number, a3: number): number {
  return a1 | (a2 << 3) | (a3 << 6);
}

/** The 256-entry table of one group, built as the spec's kernel does (255 additions after −Σx). */
export function buildTable(x8: readonly number[]): number[] {
  if (x8.length !== 8) throw new RangeError(`a table group has 8 activations, got ${x8.length}`);
  const t = new Array<number>(TABLE_ENTRIES).fill(0);
  t[0] = -x8.reduce((a, v) => a + v, 0);
  for (let s = 0; s < 8; s++) for (let i = 0; i < 1 << s; i++) t[i + (1 << s)] = t[i]! + 2 * x8[s]!;
  return t;
}

/** Check shapes and ranges; returns K, N, q and G. */
export function checkProblem(p: LlmProblem): { K: number; N: number; q: number; G: number } {
  const K = p.x.length;
  if (K === 0 || K % 8 !== 0) throw new RangeError(`K = ${K} must be a positive multiple of 8`);
  const G = K / 8;
  const lo = -(2 ** (p.actWidth - 1));
  const hi = 2 ** (p.actWidth - 1) - 1;
  p.x.forEach((v, k) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`x[${k}] = ${v} is outside sint(${p.actWidth})`);
  });
  const q = p.idx.length;
  if (q < 1) throw new RangeError('idx needs at least one bit-plane');
  const N = p.idx[0]!.length;
  const sg = p.mode === 'block' ? G : 1;
  for (let b = 0; b < q; b++) {
    if (p.idx[b]!.length !== N) throw new RangeError(`idx[${b}] has ${p.idx[b]!.length} rows, idx[0] has ${N}`);
    if (p.scales[b]?.length !== N) throw new RangeError(`scales[${b}] must have ${N} rows`);
    for (let n = 0; n < N; n++) {
      const row = p.idx[b]![n]!;
      if (row.length !== G) throw new RangeError(`idx[${b}][${n}] has ${row.length} bytes, K/8 = ${G} expected`);
      row.forEach((v, g) => {
        if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`idx[${b}][${n}][${g}] = ${v} is not a byte`);
      });
      const sc = p.scales[b]![n]!;
      if (sc.length !== sg) throw new RangeError(`scales[${b}][${n}] has ${sc.length} codes, ${sg} expected (${p.mode} scales)`);
      sc.forEach((v, i) => {
        if (!Number.isInteger(v) || v < 0 || v > 511) throw new RangeError(`scales[${b}][${n}][${i}] = ${v} is not a 9-bit code`);
      });
    }
  }
  return { K, N, q, G };
}

/** Operation counts for a product of the given sizes. */
export function llmCounts(N: number, q: number, G: number, mode: ScaleMode): LlmCounts {
  const lookups = N * q * G;
  const tableAdds = G * (7 + 255);
  const scaleAdds = 2 * lookups;
  return {
    tableBuilds: G,
    tableAdds,
    lookups,
    shifts: 3 * lookups,
    scaleAdds,
    accumulateAdds: lookups,
    adds: tableAdds + scaleAdds + lookups,
    weightBytes: lookups,
    scaleCodes: mode === 'block' ? lookups : N * q,
  };
}

/**
 * Cycles no implementation with `lanes` lookup lanes and a one-entry-per-cycle table builder can
 * beat: the larger of building every table and streaming every weight byte through the lanes
 * (rows are padded to a multiple of the lane count, as the hardware does).
 */
export function llmIdealCycles(N: number, q: number, G: number, lanes: number): number {
  return Math.max(G * TABLE_BUILD_CYCLES, Math.ceil(N / lanes) * q * G);
}

/** y = W·x by table lookup and shifts, as the hardware computes it. */
export function shiftAddLlmGolden(p: LlmProblem): LlmResult {
  const { N, q, G } = checkProblem(p);
  const y = new Array<number>(N).fill(0);
  for (let g = 0; g < G; g++) {
    const table = buildTable(p.x.slice(8 * g, 8 * g + 8));
    for (let n = 0; n < N; n++)
      for (let b = 0; b < q; b++) {
        const entry = table[p.idx[b]![n]![g]!]!;
        const [a1, a2, a3] = scaleShifts(p.scales[b]![n]![p.mode === 'block' ? g : 0]!);
        y[n]! += entry * 2 ** a1 + entry * 2 ** a2 + entry * 2 ** a3;
      }
  }
  for (const v of y) if (v < -(2 ** 31) || v >= 2 ** 31) throw new RangeError(`y = ${v} does not fit int32`);
  return { y, counts: llmCounts(N, q, G, p.mode) };
}

/** The direct formula `y[n] = Σ_b Σ_k α·B·x` (B = ±1 from the bytes), for checking the kernel. */
export function shiftAddLlmDirect(p: LlmProblem): number[] {
  const { K, N, q } = checkProblem(p);
  const y = new Array<number>(N).fill(0);
  for (let n = 0; n < N; n++)
    for (let b = 0; b < q; b++)
      for (let k = 0; k < K; k++) {
        const g = k >> 3;
        const sign = (p.idx[b]![n]![g]! >> (k & 7)) & 1 ? 1 : -1;
        y[n]! += scaleValue(p.scales[b]![n]![p.mode === 'block' ? g : 0]!) * sign * p.x[k]!;
      }
  return y;
}

/** The int8 multiply baseline `y[n] = Σ_k W[n][k]·x[k]` (W and x int8, y int32) and its counts. */
export function multiplyGemvGolden(w: number[][], x: number[]): { y: number[]; counts: { macs: number; weightBytes: number } } {
  const y = w.map((row) => {
    if (row.length !== x.length) throw new RangeError(`weight row has ${row.length} columns, x has ${x.length}`);
    return row.reduce((a, v, k) => a + v * x[k]!, 0);
  });
  const macs = w.length * x.length;
  return { y, counts: { macs, weightBytes: macs } };
}
