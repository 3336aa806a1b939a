/**
 * SmartExchange golden kernels and host side (ACCELERATORS.md §5), plain TypeScript (no dsl import).
 *
 * A weight block of m0 rows × 3 columns (one output filter: a 3×3 conv filter of c_in channels as a
 * (3·c_in)×3 matrix, row ci·3 + dy, column dx; an FC row zero-padded to a multiple of 3 as (len/3)×3)
 * is stored as `Ce · B`: B a dense 3×3 int8 basis, Ce an m0×3 matrix of 0 or ±2^k, k ∈ 0..5.
 *
 * - `decompose`: float block → (B, Ce, scale) by alternating least squares (B fixed: Ce = W·B⁻¹
 *   projected to signed powers of two, small entries dropped; Ce fixed: B = least squares), then B
 *   quantised to int8 with one float scale per block, so W ≈ scale · Ce · B.
 * - `rebuild`: W[r,:] = Σ_j Ce[r,j]·B[j,:], at most three shifted basis rows added, int16 exact.
 * - `seMatmul`: Y = W·X, int8 X, int32 accumulation, W rebuilt per filter.
 */
import { mulberry32 } from '../random.ts';

/** Largest power-of-two exponent of a Ce entry: |Ce| ≤ 2^5 = 32. */
export const K_MAX = 5;

/** Is `c` a valid Ce value: 0 or ±2^k with k in 0..5? */
export function isCeValue(c: number): boolean {
  if (c === 0) return true;
  const a = Math.abs(c);
  return Number.isInteger(a) && a <= 2 ** K_MAX && (a & (a - 1)) === 0;
}

/** A Ce value's code as the hardware takes it: nonzero, sign (1 = negative), exponent k. */
export function ceCode(c: number): { nz: number; sign: number; k: number } {
  if (!isCeValue(c)) throw new Error(`Ce value ${c} is not 0 or ±2^k with k in 0..${K_MAX}`);
  return c === 0 ? { nz: 0, sign: 0, k: 0 } : { nz: 1, sign: c < 0 ? 1 : 0, k: Math.log2(Math.abs(c)) };
}

/** Project a float to 0 (|x| < threshold) or the nearest (in log2) ±2^k, k clamped to 0..5. */
export function toPow2(x: number, threshold: number): number {
  const a = Math.abs(x);
  if (a < threshold || a === 0) return 0;
  const k = Math.min(K_MAX, Math.max(0, Math.round(Math.log2(a))));
  return Math.sign(x) * 2 ** k;
}

/** Rebuild a block: W[r][c] = Σ_j Ce[r][j]·B[j][c] (shifts and adds), checked int16. */
export function rebuild(B: readonly (readonly number[])[], ce: readonly (readonly number[])[]): number[][] {
  return ce.map((row) => [0, 1, 2].map((c) => {
    let w = 0;
    row.forEach((cv, j) => {
      const { nz, sign, k } = ceCode(cv);
      if (!nz) return;
      const t = B[j]![c]! * 2 ** k; // B[j][c] << k
      w += sign ? -t : t;
    });
    if (w < -32768 || w > 32767) throw new Error(`rebuilt weight ${w} is not int16`);
    return w;
  }));
}

/** Solve A·x = b for a small square A (Gaussian elimination, partial pivoting); null when singular. */
function solve(A: number[][], b: number[]): number[] | null {
  const n = A.length;
  const M = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    if (Math.abs(M[p]![c]!) < 1e-12) return null;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((r, i) => r[n]! / r[i]!);
}

const transpose = (a: readonly (readonly number[])[]): number[][] => a[0]!.map((_, c) => a.map((r) => r[c]!));
const mul = (a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] =>
  a.map((r) => b[0]!.map((_, c) => r.reduce((s, x, k) => s + x * b[k]![c]!, 0)));
const frob = (a: readonly (readonly number[])[]): number => Math.sqrt(a.flat().reduce((s, x) => s + x * x, 0));

/** Options of the decomposition. */
export interface DecomposeOptions {
  /** Ce entries smaller than this (in Ce units, where the largest |Ce| is 32) are dropped. */
  threshold?: number;
  /** Largest number of alternating least-squares rounds. */
  iterations?: number;
}

/** One decomposed block. */
export interface Decomposition {
  /** 3×3 int8 basis. */
  B: number[][];
  /** m0×3 of 0 / ±2^k. */
  ce: number[][];
  /** W ≈ scale · Ce · B. */
  scale: number;
  /** ALS rounds run. */
  iterations: number;
}

/**
 * Decompose a float block W (m0×3, m0 ≥ 1) into Ce·B (alternating least squares). B starts as the
 * identity (the first Ce is W projected to powers of two); each round: Ce = project(W·B⁻¹ scaled so
 * the largest entry is 32), then B = argmin ‖W − Ce·B‖ (normal equations, a tiny ridge). Stops
 * when Ce no longer changes or after `iterations` rounds; B is then quantised to int8.
 */
export function decompose(W: readonly (readonly number[])[], opts: DecomposeOptions = {}): Decomposition {
  const threshold = opts.threshold ?? 1;
  const iterations = opts.iterations ?? 10;
  const m0 = W.length;
  const zero = (): Decomposition => ({ B: [[0, 0, 0], [0, 0, 0], [0, 0, 0]], ce: W.map(() => [0, 0, 0]), scale: 1, iterations: 0 });
  if (frob(W) === 0) return zero();
  let B: number[][] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  let ce: number[][] = [];
  let rounds = 0;
  for (; rounds < iterations; rounds++) {
    // Ce step: C = W·B⁻¹ (row by row: solve Bᵀ·cᵀ = wᵀ), scaled to a largest |C| of 32.
    const Bt = transpose(B);
    const C = W.map((w) => solve(Bt, [...w]) ?? [0, 0, 0]);
    const big = Math.max(...C.flat().map(Math.abs));
    if (big === 0) return zero();
    const alpha = 2 ** K_MAX / big;
    const next = C.map((r) => r.map((x) => toPow2(x * alpha, threshold)));
    const same = ce.length > 0 && next.every((r, i) => r.every((x, j) => x === ce[i]![j]));
    ce = next;
    // B step: (CeᵀCe + λI)·B = CeᵀW.
    const Ct = transpose(ce);
    const A = mul(Ct, ce).map((r, i) => r.map((x, j) => x + (i === j ? 1e-6 : 0)));
    const R = mul(Ct, W as number[][]);
    const cols = [0, 1, 2].map((c) => solve(A, R.map((r) => r[c]!)) ?? [0, 0, 0]);
    B = transpose(cols);
    if (same) {
      rounds++;
      break;
    }
  }
  const bMax = Math.max(...B.flat().map(Math.abs));
  if (bMax === 0) return zero();
  const scale = bMax / 127;
  return { B: B.map((r) => r.map((x) => Math.max(-128, Math.min(127, Math.round(x / scale))))), ce, scale, iterations: rounds };
}

/** Relative error ‖W − scale·Ce·B‖ / ‖W‖ of a decomposition. */
export function reconstructionError(W: readonly (readonly number[])[], d: Decomposition): number {
  const R = rebuild(d.B, d.ce);
  const n = frob(W);
  return n === 0 ? 0 : frob(W.map((w, r) => w.map((x, c) => x - d.scale * R[r]![c]!))) / n;
}

/** Relative error of plain per-block int8 quantisation (the dense baseline). */
export function int8Error(W: readonly (readonly number[])[]): number {
  const m = Math.max(...W.flat().map(Math.abs));
  const n = frob(W);
  if (n === 0) return 0;
  const s = m / 127;
  return frob(W.map((w) => w.map((x) => x - s * Math.round(x / s)))) / n;
}

/**
 * Storage of one block in bits: the basis (9 int8), a nonzero bitmap of Ce (one bit per entry), and
 * sign + 3-bit exponent per nonzero Ce. Per-block scales are left out of both this and the dense
 * int8 count (both formats need one).
 */
export function blockBits(ce: readonly (readonly number[])[]): number {
  const nnz = ce.flat().filter((x) => x !== 0).length;
  return 72 + 3 * ce.length + 4 * nnz;
}

/** Reshape a flat weight vector (an FC row or a conv filter in ci, dy, dx order) into (len/3)×3, zero-padded. */
export function toBlock(w: readonly number[]): number[][] {
  const rows = Math.ceil(w.length / 3);
  return Array.from({ length: rows }, (_, r) => [0, 1, 2].map((c) => w[r * 3 + c] ?? 0));
}

/** A standard normal sample (Box–Muller) from a uniform source. */
export function gaussian(r: () => number): number {
  const u = Math.max(r(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

/**
 * Seeded Gaussian float weights, M filters of `len` values each (He init: σ = sqrt(2 / len)); a
 * stand-in for trained weights, which this repository does not have.
 */
export function gaussianWeights(seed: number, M: number, len: number): number[][] {
  const r = mulberry32(seed);
  const sigma = Math.sqrt(2 / len);
  return Array.from({ length: M }, () => Array.from({ length: len }, () => sigma * gaussian(r)));
}

/** A whole layer decomposed: one block per filter, with error and storage against int8 dense. */
export interface LayerDecomposition {
  blocks: Decomposition[];
  /** Relative Frobenius error of the whole layer, SmartExchange and plain int8. */
  error: number;
  int8Error: number;
  /** Weight storage in bytes: SmartExchange (B + Ce bitmap + codes) and int8 dense (len bytes a filter). */
  bytes: number;
  denseBytes: number;
  /** Fraction of Ce entries that are zero. */
  ceSparsity: number;
}

export function decomposeLayer(W: readonly (readonly number[])[], opts: DecomposeOptions = {}): LayerDecomposition {
  const blocks = W.map((w) => decompose(toBlock(w), opts));
  let err = 0;
  let err8 = 0;
  let norm = 0;
  W.forEach((w, m) => {
    const blk = toBlock(w);
    const n2 = frob(blk) ** 2;
    norm += n2;
    err += (reconstructionError(blk, blocks[m]!) ** 2) * n2;
    err8 += (int8Error(blk) ** 2) * n2;
  });
  const ce = blocks.flatMap((b) => b.ce.flat());
  return {
    blocks,
    error: norm ? Math.sqrt(err / norm) : 0,
    int8Error: norm ? Math.sqrt(err8 / norm) : 0,
    bytes: blocks.reduce((s, b) => s + Math.ceil(blockBits(b.ce) / 8), 0),
    denseBytes: W.reduce((s, w) => s + w.length, 0),
    ceSparsity: ce.length ? ce.filter((x) => x === 0).length / ce.length : 0,
  };
}

/** Operation counts of one run. */
export interface SeCounts {
  /** Products W[m,k]·X[k,n] of the dense problem. */
  denseMacs: number;
  /** Products with W ≠ 0 (a nonzero Ce row) and X ≠ 0: the non-zero work. */
  macs: number;
  /** Shift-and-adds of the rebuild (nonzero Ce entries × 3 columns). */
  shiftAdds: number;
}

/**
 * Y = W·X, W rebuilt per filter from (B[m], Ce[m]): W[m, 3r + c] = rebuild(B[m], Ce[m])[r][c] for
 * r < G (K = 3·G), int8 X [K, N], int32 Y [M, N] (checked).
 */
export function seMatmul(B: readonly (readonly (readonly number[])[])[], ce: readonly (readonly (readonly number[])[])[], X: readonly (readonly number[])[]): { Y: number[][]; counts: SeCounts } {
  const M = B.length;
  const K = X.length;
  const N = X[0]?.length ?? 0;
  const counts: SeCounts = { denseMacs: M * K * N, macs: 0, shiftAdds: 0 };
  const Y = Array.from({ length: M }, (_, m) => {
    const W = rebuild(B[m]!, ce[m]!);
    counts.shiftAdds += 3 * ce[m]!.flat().filter((x) => x !== 0).length;
    return Array.from({ length: N }, (_, n) => {
      let acc = 0;
      for (let k = 0; k < K; k++) {
        const w = W[Math.floor(k / 3)]![k % 3]!;
        const x = X[k]![n]!;
        if (ce[m]![Math.floor(k / 3)]!.some((c) => c !== 0) && x !== 0) counts.macs++;
        acc += w * x;
      }
      if (acc < -(2 ** 31) || acc >= 2 ** 31) throw new Error(`Y[${m}][${n}] = ${acc} overflows int32`);
      return acc;
    });
  });
  return { Y, counts };
}

/** im2col of a [C, H, W] int feature map for a 3×3 kernel, stride 1, padding 1: [9·C, H·W], row (ci·3 + dy)·3 + dx. */
export function im2col3x3(x: readonly number[], C: number, H: number, W: number): number[][] {
  const rows: number[][] = [];
  for (let ci = 0; ci < C; ci++)
    for (let dy = 0; dy < 3; dy++)
      for (let dx = 0; dx < 3; dx++)
        rows.push(Array.from({ length: H * W }, (_, p) => {
          const y = Math.floor(p / W) + dy - 1;
          const xx = (p % W) + dx - 1;
          return y < 0 || y >= H || xx < 0 || xx >= W ? 0 : x[(ci * H + y) * W + xx]!;
        }));
  return rows;
}
