/**
 * The PE kinds of the ShiftAdd engines and the widths of their datapath: one home that the hardware
 * (pe.ts, array.ts, params.ts) and the golden kernel both import, so the hardware never imports its
 * own reference. The golden kernel computes exact values and never narrows to these widths, so a
 * width too small here shows up as a mismatch in the RTL tests instead of hiding in both.
 *
 * Imports nothing from `dsl/`: the golden kernel builds on this file.
 */

/** The kind of processing element (and so of layer). */
export type PeKind = 'mul' | 'shift' | 'adder';

/** ceil(log2(n)) for n ≥ 1 (0 for n = 1). */
export function ceilLog2(n: number): number {
  let w = 0;
  while (2 ** w < n) w++;
  return w;
}

/** Bits of one signed PE term: a product, a signed shifted activation, or −|x − w|. */
export function termWidth(kind: PeKind, xWidth: number, wWidth: number, p: number): number {
  if (kind === 'mul') return xWidth + wWidth; // (−2^(a−1))·(−2^(b−1)) = 2^(a+b−2) < 2^(a+b−1)
  if (kind === 'shift') return xWidth + p + 1; // −(−2^(x−1) << P) = 2^(x−1+P) needs one bit more
  return Math.max(xWidth, wWidth) + 1; // |x − w| ≤ 2^max − 1, negated
}

/** Bits of the signed accumulator and output for sums of up to `kMax` terms: term + ⌈log2 kMax⌉. */
export function accWidth(kind: PeKind, xWidth: number, wWidth: number, p: number, kMax: number): number {
  return termWidth(kind, xWidth, wWidth, p) + ceilLog2(kMax);
}
