/**
 * The Castling-ViT linear-angular attention kernel (ACCELERATORS.md §8), bit-exact, plain TypeScript
 * (no dsl import). Per head, q̂, k̂ int8 (scale 2^7), v int8, depthwise taps w int8 [d][9]:
 *   KV = Σ_t k̂_tᵀ v_t (d×d)     c = Σ_t v_t (d)
 *   out_i = (c << 28) + κ·(q̂_i · KV) + (DW(V)_i << 29),  κ = 10430,
 *   DW(V)_i[b] = Σ_{s=0..8} w[b][s] · V[i + s − 4][b]  (zero outside 0..N−1).
 * Causal form (linearized LLM decoding): S_t = S_{t−1} + k̂_tᵀ v_t, o_t = q̂_t · S_t.
 * Everything is in bigint: out needs up to ~50 bits at the DeiT sizes (widths.ts).
 */
import { C_SHIFT, DW_SHIFT, KAPPA, PAD, TAPS } from './widths.ts';

export interface CastlingHead {
  /** [N][d] rows of q̂, k̂, v (int8). */
  q: number[][];
  k: number[][];
  v: number[][];
  /** [d][9] depthwise taps (int8); unused by the causal form. */
  w?: number[][];
}

export interface CastlingCounts {
  /** Multiply-accumulates: state (N·d²), queries (N·d²), depthwise convolution (N·d·9). */
  macs: number;
  /** Adds of c (N·d). */
  adds: number;
}

/** KV = Σ_t k̂_tᵀ v_t and c = Σ_t v_t. */
export function castlingState(h: CastlingHead): { kv: bigint[][]; c: bigint[] } {
  const d = h.q[0]?.length ?? h.v[0]!.length;
  const kv = Array.from({ length: d }, () => new Array<bigint>(d).fill(0n));
  const c = new Array<bigint>(d).fill(0n);
  h.k.forEach((k, t) => {
    const v = h.v[t]!;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) kv[a]![b]! += BigInt(k[a]! * v[b]!);
    for (let b = 0; b < d; b++) c[b]! += BigInt(v[b]!);
  });
  return { kv, c };
}

/** DW(V)_i[b], the 9-tap depthwise convolution along tokens with zero padding 4. */
export function depthwise(v: number[][], w: number[][]): bigint[][] {
  const N = v.length;
  const d = w.length;
  return v.map((_, i) => Array.from({ length: d }, (_, b) => {
    let s = 0n;
    for (let tap = 0; tap < TAPS; tap++) {
      const j = i + tap - PAD;
      if (j >= 0 && j < N) s += BigInt(w[b]![tap]! * v[j]![b]!);
    }
    return s;
  }));
}

/** q̂ · M for a row q and a d×d matrix M. */
const rowTimes = (q: number[], m: bigint[][]): bigint[] =>
  m[0]!.map((_, b) => q.reduce((acc, x, a) => acc + BigInt(x) * m[a]![b]!, 0n));

/** The bidirectional kernel: out [N][d] at scale 2^29. */
export function castlingHead(h: CastlingHead): { out: bigint[][]; counts: CastlingCounts } {
  if (!h.w) throw new Error('castlingHead needs the depthwise taps w');
  const N = h.q.length;
  const d = h.w.length;
  const { kv, c } = castlingState(h);
  const dw = depthwise(h.v, h.w);
  const out = h.q.map((q, i) => rowTimes(q, kv).map((x, b) => (c[b]! << BigInt(C_SHIFT)) + BigInt(KAPPA) * x + (dw[i]![b]! << BigInt(DW_SHIFT))));
  return { out, counts: { macs: 2 * N * d * d + N * d * TAPS, adds: N * d } };
}

/** The causal form: S_t = S_{t−1} + k̂_tᵀ v_t, o_t = q̂_t · S_t (scale 2^14). */
export function castlingCausal(h: CastlingHead): { out: bigint[][]; counts: CastlingCounts } {
  const N = h.q.length;
  const d = h.q[0]!.length;
  const s = Array.from({ length: d }, () => new Array<bigint>(d).fill(0n));
  const out = h.q.map((q, t) => {
    const k = h.k[t]!;
    const v = h.v[t]!;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s[a]![b]! += BigInt(k[a]! * v[b]!);
    return rowTimes(q, s);
  });
  return { out, counts: { macs: 2 * N * d * d, adds: 0 } };
}

/** MACs of quadratic (softmax) attention at N tokens, head dimension d: Q·Kᵀ and P·V. */
export const quadraticMacs = (N: number, d: number): number => 2 * N * N * d;
/** MACs of the linear-angular engine (bidirectional, with the depthwise convolution). */
export const linearMacs = (N: number, d: number): number => 2 * N * d * d + N * d * TAPS;
