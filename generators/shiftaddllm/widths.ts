/**
 * The scale modes of the ShiftAddLLM engine and the widths of its datapath: one home that the
 * hardware (params.ts, so create.ts and lane.ts) and the golden kernel both import, so the hardware
 * never imports its own reference. The golden kernel's sums are exact, so a width too small here
 * shows up as a mismatch in the RTL tests instead of hiding in both.
 *
 * Imports nothing from `dsl/`: the golden kernel builds on this file.
 */

/** Scale granularity: one scale per 8-column block per row and plane, or one per row and plane. */
export type ScaleMode = 'block' | 'row';

/** Bits of a signed table entry for `actWidth`-bit activations: |T| ≤ 8·2^(aw−1) = 2^(aw+2) needs aw+4 bits. */
export const tableWidth = (actWidth: number): number => actWidth + 4;

/**
 * Bits of a signed accumulator that holds any y for up to `groups` groups and `planes` planes: each
 * term is at most 2^(aw+2)·3·2^7 in magnitude.
 */
export function accumulatorWidth(actWidth: number, planes: number, groups: number): number {
  const maxAbs = 2 ** (actWidth + 2) * 3 * 128 * planes * groups;
  let w = 1;
  while (2 ** (w - 1) < maxAbs + 1) w++;
  return w;
}
