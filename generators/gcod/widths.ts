/**
 * The arithmetic widths of the GCoD layer (ACCELERATORS.md §3): one home that the hardware (engine,
 * merge, combination, off-chip memory) and the golden kernel both import, so the hardware never
 * imports its own reference.
 *
 * Imports nothing from `dsl/`: the golden kernel builds on this file.
 */

/** Accumulator width of the aggregation (bits, two's complement). */
export const ACC_BITS = 48;
/** Width of Z and Y (bits, two's complement). */
export const OUT_BITS = 32;
