/** One evaluated point of a sweep: a flat record, so it is one JSON line and one CSV row. */
import type { ParamValue } from '../../dsl/generator.ts';

export interface PointResult {
  index: number;
  label: string;
  /** The swept `key=value` pairs of this point. */
  assignments: Record<string, string>;
  /** Every parameter of the elaborated point (absent when it failed before elaboration). */
  params?: Record<string, ParamValue>;
  /** Content hash of the point's Verilog, inputs, flags and tool versions. */
  key?: string;
  top?: string;
  status: 'ok' | 'failed';
  /** Why a failed point failed. */
  error?: string;
  /** True when the result came from the cache of an earlier run. */
  cached: boolean;
  /** Cycles of the Verilator run, and the golden kernel's ideal bound. */
  cycles?: number;
  idealCycles?: number;
  utilisation?: number;
  synthTarget?: string;
  luts?: number;
  ffs?: number;
  carries?: number;
  dsps?: number;
  brams?: number;
  /** Place and route (`--build`): the iCE40 target, the clock asked for, nextpnr's achieved Fmax (MHz) after routing. */
  buildTarget?: string;
  clockMhz?: number;
  fmaxMhz?: number;
  /** Achieved clock period, 1000 / Fmax in ns: the Pareto objective of a built point (minimised, so Fmax is maximised). */
  periodNs?: number;
  meetsTiming?: boolean;
  /** Placed logic cells, block RAMs, DSPs and I/O pins, as nextpnr counts them. */
  lcs?: number;
  rams?: number;
  ios?: number;
  /** Energy of the run's operation counts under the unit-energy table, in pJ. */
  energyPj?: number;
  energyTable?: string;
  /** Wall seconds the evaluation took (of the run that computed it, for a cached point). */
  seconds: number;
  /** On the Pareto front over the objectives every ok point has. */
  pareto?: boolean;
}

/** Column order of results.csv. */
export const CSV_COLUMNS = [
  'index', 'label', 'status', 'cached', 'pareto', 'cycles', 'idealCycles', 'utilisation', 'synthTarget', 'luts', 'ffs', 'carries', 'dsps', 'brams',
  'buildTarget', 'clockMhz', 'fmaxMhz', 'periodNs', 'meetsTiming', 'lcs', 'rams', 'ios', 'energyPj', 'seconds', 'top', 'key', 'error',
] as const;
