/**
 * Integer widths of the Castling-ViT engine (ACCELERATORS.md §8), shared by the golden kernel and the
 * hardware (imports nothing from dsl/). q̂, k̂ int8 with scale 2^7, v int8, depthwise taps int8.
 */

/** κ = round(2^15 / π): the 1/π of the angular kernel at the output scale 2^29. */
export const KAPPA = 10430;
/** c is added as c << C_SHIFT (c/2 at scale 2^29). */
export const C_SHIFT = 28;
/** The depthwise convolution is added as DW(V) << DW_SHIFT (scale 2^29). */
export const DW_SHIFT = 29;
/** Taps of the depthwise convolution along tokens (zero padding TAPS >> 1 on both sides). */
export const TAPS = 9;
export const PAD = TAPS >> 1;

/** Bits of a signed value holding every integer of magnitude up to `max` (and −max). */
export const signedBits = (max: number | bigint): number => {
  let b = 1;
  const m = BigInt(max);
  while ((1n << BigInt(b - 1)) - 1n < m) b++;
  return b;
};

/** Largest magnitude of an int8 product: (−128)·(−128). */
const P8 = 128 * 128;

/** Widths for at most `n` tokens of head dimension `d`. */
export function castlingWidths(n: number, d: number) {
  const N = BigInt(n);
  const D = BigInt(d);
  const kvMax = N * BigInt(P8); // |KV[a][b]| = |Σ_t k̂_t[a]·v_t[b]|
  const cMax = N * 128n; // |c[b]|
  const qkvMax = D * 128n * kvMax; // |q̂·KV| (also |q̂_t · S_t| in the causal form)
  const dwMax = BigInt(TAPS * P8); // |DW(V)|
  const outMax = (cMax << BigInt(C_SHIFT)) + BigInt(KAPPA) * qkvMax + (dwMax << BigInt(DW_SHIFT));
  return {
    /** KV / S entries. */
    kv: signedBits(kvMax),
    /** c entries. */
    c: signedBits(cMax),
    /** q̂ · KV (the query product before κ; the causal output o_t). */
    qkv: signedBits(qkvMax),
    /** DW(V) entries. */
    dw: signedBits(dwMax),
    /** out_i entries (scale 2^29) and the output tokens (causal outputs sign-extended). */
    out: signedBits(outMax),
  };
}
