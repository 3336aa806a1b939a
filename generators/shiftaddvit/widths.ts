/**
 * Integer widths of the ShiftAddViT engine (ACCELERATORS.md §11), shared by the golden kernel and the
 * hardware (imports nothing from dsl/). Q and K are b-bit binary codes (bit m of a token's code: the
 * token has feature m), V int8; the MLP's experts take int8 tokens and int8 / {sign, exponent} weights.
 */

/** Bits of a signed value holding every integer of magnitude up to `max` (and −max). */
export const signedBits = (max: number): number => {
  let b = 1;
  while (2 ** (b - 1) - 1 < max) b++;
  return b;
};

/** Bits of an unsigned value holding 0..max. */
export const unsignedBits = (max: number): number => Math.max(1, Math.ceil(Math.log2(max + 1)));

/** ⌈log2 n⌉ (0 for n = 1). */
export const ceilLog2 = (n: number): number => Math.ceil(Math.log2(n));

/** Widths of the attention for at most `n` tokens and `b`-bit codes. */
export function attentionWidths(n: number, b: number) {
  return {
    /** KV[m, j] = Σ V[k, j] over the tokens with bit m: |.| ≤ 128·N. */
    kv: signedBits(128 * n),
    /** cnt[m]: the number of tokens with bit m, 0..N. */
    cnt: unsignedBits(n),
    /** O[i, j] = Σ of at most b rows of KV: |.| ≤ 128·N·b. */
    o: signedBits(128 * n * b),
    /** L[i] = Σ of at most b counts: 0..N·b. */
    l: unsignedBits(n * b),
  };
}

/** Widths of the MLP experts: int8 tokens of K features, int8 multiply weights, shift exponents 0..P. */
export function expertWidths(k: number, p: number) {
  const mul = 16 + ceilLog2(k); // a sum of K int8 · int8 products (shiftadd's accWidth)
  const shift = 8 + p + 1 + ceilLog2(k); // a sum of K ±(x << (P − e))
  return { mul, shift, y: Math.max(mul, shift) };
}
