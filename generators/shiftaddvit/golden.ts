/**
 * The ShiftAddViT kernels (ACCELERATORS.md §11), bit-exact, plain TypeScript (no dsl import).
 *
 * Attention on b-bit binary codes, add-only. Per head, codes qc[i], kc[k] (0..2^b − 1; bit m set: the
 * token has binary feature m) and V int8 [N][d]:
 *   KV[m, :] = Σ_{k: bit m of kc[k]} V[k, :]      cnt[m] = #{k: bit m of kc[k]}
 *   O[i, :]  = Σ_{m: bit m of qc[i]} KV[m, :]     L[i]   = Σ_{m: bit m of qc[i]} cnt[m]
 * i.e. O = Q·(Kᵀ·V) and L = Q·(Kᵀ·1) with Q, K the 0/1 code matrices: the numerator and the
 * denominator of linear attention, normalisation deferred (a consumer divides O[i, :] by L[i], as
 * ViTCoD's L). Exact integers, no rounding: |O| ≤ 128·N·b, 0 ≤ L ≤ N·b (widths.ts).
 *
 * MLP with a top-1 token router: token n (int8, K features) goes to the multiply expert (R[n] = 0,
 * Y[n, m] = Σ_k Wm[m, k]·X[n, k]) or the shift expert (R[n] = 1, Y[n, m] = Σ_k (−1)^s[m,k]·(X[n, k] << (P − e[m,k])),
 * ShiftAddNet's shift layer with P fraction bits). Exact, no rounding.
 */

export interface AttentionHead {
  /** [N] codes of the queries and keys. */
  qc: number[];
  kc: number[];
  /** [N][d] values, int8. */
  v: number[][];
}

export interface AttentionCounts {
  /** Adds the engine performs, masked ones included: b·(d + 1) per key (every row of KV and cnt), (b − 1)·(d + 1) per query (the b-row adder trees). */
  adds: number;
  /** Adds of set bits only (a zero-skipping engine's work): popcount·(d + 1) per key and per query. */
  usefulAdds: number;
}

const bitSet = (code: number, m: number): boolean => Math.floor(code / 2 ** m) % 2 === 1;
const popcount = (code: number, b: number): number => Array.from({ length: b }, (_, m) => bitSet(code, m)).filter(Boolean).length;

/** KV [b][d] and cnt [b] of one head. */
export function codeState(h: AttentionHead, b: number): { kv: number[][]; cnt: number[] } {
  const d = h.v[0]?.length ?? 0;
  const kv = Array.from({ length: b }, () => new Array<number>(d).fill(0));
  const cnt = new Array<number>(b).fill(0);
  h.kc.forEach((code, k) => {
    for (let m = 0; m < b; m++) {
      if (!bitSet(code, m)) continue;
      cnt[m]!++;
      for (let j = 0; j < d; j++) kv[m]![j]! += h.v[k]![j]!;
    }
  });
  return { kv, cnt };
}

/** O [N][d] and L [N] of one head, and the adds. */
export function codeAttention(h: AttentionHead, b: number): { o: number[][]; l: number[]; counts: AttentionCounts } {
  const d = h.v[0]!.length;
  const { kv, cnt } = codeState(h, b);
  const o = h.qc.map((code) => Array.from({ length: d }, (_, j) => kv.reduce((a, row, m) => a + (bitSet(code, m) ? row[j]! : 0), 0)));
  const l = h.qc.map((code) => cnt.reduce((a, c, m) => a + (bitSet(code, m) ? c : 0), 0));
  const N = h.qc.length;
  const useful = [...h.kc, ...h.qc].reduce((a, code) => a + popcount(code, b) * (d + 1), 0);
  return { o, l, counts: { adds: attentionAdds(N, d, b), usefulAdds: useful } };
}

/** Adds of the engine on one head of N tokens: b·(d + 1) per key, (b − 1)·(d + 1) per query. */
export const attentionAdds = (N: number, d: number, b: number): number => N * b * (d + 1) + N * (b - 1) * (d + 1);
/** MACs of quadratic (softmax) attention at N tokens, head dimension d: Q·Kᵀ and P·V. */
export const quadraticMacs = (N: number, d: number): number => 2 * N * N * d;

export interface MlpJob {
  /** [N][K] tokens, int8. */
  x: number[][];
  /** [N] 0: multiply expert, 1: shift expert. */
  route: number[];
  /** [M][K] multiply weights, int8. */
  wm: number[][];
  /** [M][K] shift weights: sign (1 = negative) and exponent 0..P. */
  sign: number[][];
  exp: number[][];
}

/** Y [N][M] (exact) and the work of each expert: MACs of the multiply expert, shifts of the shift expert. */
export function routedMlp(job: MlpJob, P: number): { y: bigint[][]; counts: { macs: number; shifts: number } } {
  const K = job.wm[0]!.length;
  let macs = 0;
  let shifts = 0;
  const y = job.x.map((x, n) => {
    if (job.route[n] === 0) {
      macs += job.wm.length * K;
      return job.wm.map((w) => w.reduce((a, wk, k) => a + BigInt(wk * x[k]!), 0n));
    }
    shifts += job.sign.length * K;
    return job.sign.map((s, m) => s.reduce((a, sk, k) => {
      const t = BigInt(x[k]!) << BigInt(P - job.exp[m]![k]!);
      return a + (sk ? -t : t);
    }, 0n));
  });
  return { y, counts: { macs, shifts } };
}
