/**
 * Plain TS functions with a known hardware meaning, for HLS kernels to import. They run as ordinary
 * TS (so the kernel stays its own golden model) and the compiler maps each to hardware directly:
 * `bits` must be a constant. wrap = keep the low bits (two's complement), sat = clamp to the range.
 */

/** `x` wrapped to an unsigned `bits`-bit value (x mod 2^bits). @param x value @param bits width */
export function wrapU(x: number, bits: number): number {
  const m = 2 ** bits;
  return ((x % m) + m) % m;
}

/** `x` wrapped to a signed `bits`-bit two's-complement value. @param x value @param bits width */
export function wrapS(x: number, bits: number): number {
  const u = wrapU(x, bits);
  return u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
}

/** `x` clamped to 0..2^bits-1. @param x value @param bits width */
export function satU(x: number, bits: number): number {
  return Math.min(Math.max(x, 0), 2 ** bits - 1);
}

/** `x` clamped to -2^(bits-1)..2^(bits-1)-1. @param x value @param bits width */
export function satS(x: number, bits: number): number {
  return Math.min(Math.max(x, -(2 ** (bits - 1))), 2 ** (bits - 1) - 1);
}

/** The helpers the compiler knows, by name. */
export const HELPER_NAMES = ['wrapU', 'wrapS', 'satU', 'satS'] as const;
