/**
 * Host-side ShiftAddLLM quantiser: a real (float or integer) weight matrix W[N×K] becomes q binary
 * bit-planes `B_b ∈ {−1,+1}` and scales `α = 2^a1 + 2^a2 + 2^a3` (a ∈ 0..7), so that
 * `W ≈ s · Σ_b α_b ⊙ B_b` with one global float factor `s` (the hardware's integer result times `s`
 * is the float product). Scales are block-wise (one per 8 columns per row and plane) or per row.
 *
 * Per scale block: greedy binary coding (α = mean |residual|, B = sign(residual), plane by plane),
 * then alternating refinement (least-squares α for fixed B; the best of the 2^q sign patterns for each
 * weight given α). The global factor maps the largest α to the top of the code range; each α is then
 * rounded to the nearest sum of three powers of two and the signs are refitted once more to the rounded
 * scales. The reconstruction error is reported before and after rounding.
 *
 * Imports nothing from `dsl/`: the golden kernel and tests use it as plain TypeScript.
 */
import { scaleCode } from './golden.ts';
import type { ScaleMode } from './widths.ts';

export interface QuantizeOptions {
  /** Bit-planes, 1..4. */
  q: number;
  mode: ScaleMode;
  /** Rounds of alternating refinement (default 6). */
  iterations?: number;
}

export interface Quantized {
  /** Packed weight bytes `idx[b][n][g]`: bit t set where `B_b[n, 8g+t] = +1`. */
  idx: number[][][];
  /** 9-bit scale codes `[b][n][g]` (block) or `[b][n][0]` (row). */
  scales: number[][][];
  /** Float factor: W ≈ scaleFactor · Σ α_code ⊙ B. */
  scaleFactor: number;
  /** ||W − Ŵ||_F / ||W||_F with the refined float scales (before rounding to three powers of two). */
  relErrorFloat: number;
  /** ||W − Ŵ||_F / ||W||_F with the rounded scales the hardware uses. */
  relError: number;
  /** Largest |W − Ŵ| with the rounded scales. */
  maxAbsError: number;
}

/** Every value 2^a1 + 2^a2 + 2^a3 (a ∈ 0..7) with a code for it, ascending. */
const LEVELS: { value: number; code: number }[] = (() => {
  const seen = new Map<number, number>();
  for (let a1 = 0; a1 < 8; a1++)
    for (let a2 = a1; a2 < 8; a2++)
      for (let a3 = a2; a3 < 8; a3++) {
        const v = 2 ** a1 + 2 ** a2 + 2 ** a3;
        if (!seen.has(v)) seen.set(v, scaleCode(a1, a2, a3));
      }
  return [...seen.entries()].map(([value, code]) => ({ value, code })).sort((a, b) => a.value - b.value);
})();
const TOP_LEVEL = LEVELS[LEVELS.length - 1]!.value;

/** The nearest sum of three powers of two (a ∈ 0..7) to `v`, with its code. */
export function nearestLevel(v: number): { value: number; code: number } {
  let best = LEVELS[0]!;
  for (const l of LEVELS) if (Math.abs(l.value - v) < Math.abs(best.value - v)) best = l;
  return best;
}

/** Signs (one ±1 array per plane) minimising |w − Σ α_b s_b| element by element, over all 2^q patterns. */
function fitSigns(w: readonly number[], alpha: readonly number[]): number[][] {
  const q = alpha.length;
  const signs = alpha.map(() => new Array<number>(w.length).fill(1));
  w.forEach((v, i) => {
    let bestErr = Infinity;
    let bestPat = 0;
    for (let pat = 0; pat < 1 << q; pat++) {
      let r = v;
      for (let b = 0; b < q; b++) r -= (pat >> b) & 1 ? alpha[b]! : -alpha[b]!;
      if (Math.abs(r) < bestErr) [bestErr, bestPat] = [Math.abs(r), pat];
    }
    for (let b = 0; b < q; b++) signs[b]![i] = (bestPat >> b) & 1 ? 1 : -1;
  });
  return signs;
}

/** Least-squares α for fixed signs (normal equations, Gaussian elimination); undefined if singular. */
function fitScales(w: readonly number[], signs: readonly number[][]): number[] | undefined {
  const q = signs.length;
  const a = Array.from({ length: q }, (_, i) => [...Array.from({ length: q }, (_, j) => signs[i]!.reduce((s, v, k) => s + v * signs[j]![k]!, 0)), signs[i]!.reduce((s, v, k) => s + v * w[k]!, 0)]);
  for (let c = 0; c < q; c++) {
    let p = c;
    for (let r = c + 1; r < q; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-9) return undefined;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < q; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= q; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row, i) => row[q]! / row[i]!);
}

/** Keep every α non-negative by flipping its plane's signs. */
function normalise(alpha: number[], signs: number[][]): void {
  alpha.forEach((v, b) => {
    if (v < 0) {
      alpha[b] = -v;
      signs[b] = signs[b]!.map((s) => -s);
    }
  });
}

/** Greedy coding then alternating refinement of one scale block. */
function codeBlock(w: readonly number[], q: number, iterations: number): { alpha: number[]; signs: number[][] } {
  const alpha: number[] = [];
  let signs: number[][] = [];
  const r = [...w];
  for (let b = 0; b < q; b++) {
    const a = r.reduce((s, v) => s + Math.abs(v), 0) / r.length;
    const sg = r.map((v) => (v >= 0 ? 1 : -1));
    alpha.push(a);
    signs.push(sg);
    sg.forEach((s, i) => (r[i]! -= a * s));
  }
  for (let it = 0; it < iterations; it++) {
    const fitted = fitScales(w, signs);
    if (fitted) {
      alpha.splice(0, q, ...fitted);
      normalise(alpha, signs);
    }
    signs = fitSigns(w, alpha);
  }
  return { alpha, signs };
}

const pack8 = (signs: readonly number[], g: number): number => {
  let byte = 0;
  for (let t = 0; t < 8; t++) if (signs[8 * g + t]! > 0) byte |= 1 << t;
  return byte;
};

/** Quantise W[N][K] (K a multiple of 8) into bit-planes and three-power-of-two scales. */
export function quantizeWeights(w: readonly (readonly number[])[], opts: QuantizeOptions): Quantized {
  const { q, mode } = opts;
  const iterations = opts.iterations ?? 6;
  const N = w.length;
  const K = w[0]?.length ?? 0;
  if (N === 0 || K === 0 || K % 8 !== 0) throw new RangeError(`W is ${N}×${K}; it needs rows and a column count that is a multiple of 8`);
  if (!Number.isInteger(q) || q < 1 || q > 4) throw new RangeError(`q = ${q}: 1..4 bit-planes`);
  const G = K / 8;
  const blockCols = mode === 'block' ? 8 : K;
  const blocks = K / blockCols;
  // Pass 1: float coding of every block.
  const coded = w.map((row) => {
    if (row.length !== K) throw new RangeError(`W rows differ in length (${row.length} vs ${K})`);
    return Array.from({ length: blocks }, (_, j) => codeBlock(row.slice(j * blockCols, (j + 1) * blockCols), q, iterations));
  });
  const maxAlpha = coded.reduce((m, r) => r.reduce((m2, c) => c.alpha.reduce((m3, a) => Math.max(m3, a), m2), m), 0);
  const scaleFactor = maxAlpha > 0 ? maxAlpha / TOP_LEVEL : 1;
  const idx = Array.from({ length: q }, () => Array.from({ length: N }, () => new Array<number>(G).fill(0)));
  const scales = Array.from({ length: q }, () => Array.from({ length: N }, () => new Array<number>(blocks).fill(0)));
  let errFloat = 0;
  let err = 0;
  let norm = 0;
  let maxAbsError = 0;
  coded.forEach((row, n) => {
    const fullSigns: number[][] = Array.from({ length: q }, () => []);
    row.forEach((c, j) => {
      const wb = w[n]!.slice(j * blockCols, (j + 1) * blockCols);
      wb.forEach((v, i) => {
        const approx = c.alpha.reduce((s, a, b) => s + a * c.signs[b]![i]!, 0);
        errFloat += (v - approx) ** 2;
        norm += v * v;
      });
      const levels = c.alpha.map((a) => nearestLevel(a / scaleFactor));
      const rounded = levels.map((l) => l.value * scaleFactor);
      const signs = fitSigns(wb, rounded);
      wb.forEach((v, i) => {
        const e = Math.abs(v - rounded.reduce((s, a, b) => s + a * signs[b]![i]!, 0));
        err += e * e;
        maxAbsError = Math.max(maxAbsError, e);
      });
      levels.forEach((l, b) => {
        scales[b]![n]![j] = l.code;
        fullSigns[b]!.push(...signs[b]!);
      });
    });
    for (let b = 0; b < q; b++) for (let g = 0; g < G; g++) idx[b]![n]![g] = pack8(fullSigns[b]!, g);
  });
  const denom = Math.sqrt(norm) || 1;
  return { idx, scales, scaleFactor, relErrorFloat: Math.sqrt(errFloat) / denom, relError: Math.sqrt(err) / denom, maxAbsError };
}

/** Ŵ = scaleFactor · Σ_b α ⊙ B from a quantised matrix, for checking and reporting. */
export function reconstruct(qz: Pick<Quantized, 'idx' | 'scales' | 'scaleFactor'>, mode: ScaleMode): number[][] {
  const q = qz.idx.length;
  const N = qz.idx[0]!.length;
  const G = qz.idx[0]![0]!.length;
  return Array.from({ length: N }, (_, n) =>
    Array.from({ length: 8 * G }, (_, k) => {
      const g = k >> 3;
      let v = 0;
      for (let b = 0; b < q; b++) {
        const code = qz.scales[b]![n]![mode === 'block' ? g : 0]!;
        const alpha = 2 ** (code & 7) + 2 ** ((code >> 3) & 7) + 2 ** ((code >> 6) & 7);
        v += (qz.idx[b]![n]![g]! >> (k & 7)) & 1 ? alpha : -alpha;
      }
      return v * qz.scaleFactor;
    }),
  );
}
