/**
 * The clock-period model: how long each op takes on iCE40 (HX, nextpnr timing), by width, from
 * hls/ice40-delays.ts, which `npx tsx hls/measure-delays.ts` measures once with yosys + nextpnr
 * (a registered op alone, Fmax -> ns) and writes. Between measured widths the delay is
 * interpolated linearly; beyond the widest it is extrapolated from the last two points.
 */
import { ICE40_DELAYS } from './ice40-delays.ts';

/** Rows of the delay table. 'wire' ops (constant shifts, wraps, inversions) are free. */
export type DelayClass = 'wire' | 'lut' | 'adder' | 'multiplier' | 'comparator' | 'equality' | 'selector' | 'shifter' | 'table'
  /** Composites: compare then select; negate then select. */
  | 'minmax' | 'absolute';

export interface DelayTable {
  /** Register clock-to-out plus setup, and the routing into and out of the op: subtracted from the period. */
  overheadNs: number;
  /** Routing each op chained after another in one stage costs beyond the ops' own rows (measured as a chain). */
  hopNs: number;
  /** ns by width, `[width, ns][]` sorted by width, for each class (not 'wire'). */
  ops: Record<Exclude<DelayClass, 'wire' | 'minmax' | 'absolute'>, [number, number][]>;
  /** How it was measured. */
  source: string;
}

/** Delay in ns of one op of class `c` on `width`-bit operands (for 'table': index bits). */
export function opDelay(c: DelayClass, width: number, table: DelayTable = ICE40_DELAYS): number {
  if (c === 'wire') return 0;
  if (c === 'minmax') return opDelay('comparator', width, table) + opDelay('selector', width, table);
  if (c === 'absolute') return opDelay('adder', width, table) + opDelay('selector', width, table);
  const pts = table.ops[c];
  if (width <= pts[0]![0]) return pts[0]![1];
  for (let i = 1; i < pts.length; i++) {
    const [w1, d1] = pts[i]!;
    const [w0, d0] = pts[i - 1]!;
    if (width <= w1) return d0 + ((d1 - d0) * (width - w0)) / (w1 - w0);
  }
  const [w0, d0] = pts[pts.length - 2]!;
  const [w1, d1] = pts[pts.length - 1]!;
  return d1 + ((d1 - d0) * (width - w1)) / (w1 - w0);
}

export { ICE40_DELAYS };
