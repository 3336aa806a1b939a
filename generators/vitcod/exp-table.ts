/**
 * The softmax's exponential table, one definition for the hardware (its ROM) and the golden kernel:
 * E[r] = round(255 · 2^(−r/16)), 256 unsigned 8-bit entries (ACCELERATORS.md §4). Imports nothing,
 * so neither side reaches the other through it.
 */
export function expTable(): number[] {
  return Array.from({ length: 256 }, (_, r) => Math.round(255 * 2 ** (-r / 16)));
}
