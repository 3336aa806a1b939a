/**
 * Parameters of the GCoD engine and of its baseline (one generator, `variant` picks the design, so
 * both are built from the same sub-engine, off-chip port and merge, and differ only in dataflow).
 */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';

export interface GcodParams extends Record<string, number | boolean | string> {
  /**
   * 'gcod' (denser + sparser branch over the polarised graph), 'resident' (the same graph, every
   * non-zero applied where its Z row is resident: schedule.ts `residentSchedule`) or 'baseline' (one
   * row-wise engine).
   */
  variant: string;
  /** Largest graph the design holds (depth of the off-chip Z memory and the output accumulator). */
  maxNodes: number;
  /** Input feature width F (columns of X, rows of W). */
  features: number;
  /** Hidden width H (columns of W, Z and Y). */
  hidden: number;
  /** Features are 0/1: the combination engine adds W rows (no multipliers). */
  binaryFeatures: boolean;
  /** Denser-branch sub-engines. */
  engines: number;
  /** MAC units per denser sub-engine (divides hidden; a non-zero takes hidden/macs cycles). */
  macs: number;
  /** MAC units of the sparser branch (divides hidden). */
  sparseMacs: number;
  /** Z rows each sub-engine keeps on chip: the largest diagonal block. */
  blockRows: number;
  /** Z rows of the sparser branch's prefetch ring. */
  sparseSlots: number;
  /** Off-chip read latency in cycles (request accepted to data back). */
  latency: number;
  /** Off-chip words (32-bit) per cycle; one Z row occupies the port ceil(hidden/words) cycles. */
  wordsPerCycle: number;
  /** Degree classes of the host partitioner. */
  degreeClasses: number;
  /**
   * Read requests each engine may have waiting for the off-chip port (a FIFO between them); 0: none,
   * an engine then waits at a LOAD until the port takes it, its MACs idle.
   */
  requestQueue: number;
}

export const gcodParamSpecs: Record<keyof GcodParams & string, ParamSpec> = {
  variant: { kind: 'enum', doc: "'gcod' (two branches, polarised graph), 'resident' (non-zeros applied where their Z row is resident) or 'baseline' (row-wise, unreordered)", values: ['gcod', 'resident', 'baseline'] },
  maxNodes: { kind: 'int', doc: 'largest graph held (Z memory and output accumulator depth)', min: 2, max: 1 << 16 },
  features: { kind: 'int', doc: 'input feature width F', min: 1, max: 8192 },
  hidden: { kind: 'int', doc: 'hidden width H', min: 1, max: 64 },
  binaryFeatures: { kind: 'bool', doc: 'features are 0/1: adder-only combination engine' },
  engines: { kind: 'int', doc: 'denser-branch sub-engines', min: 1, max: 16 },
  macs: { kind: 'int', doc: 'MAC units per denser sub-engine (divides hidden)', min: 1, max: 64 },
  sparseMacs: { kind: 'int', doc: 'MAC units of the sparser branch (divides hidden)', min: 1, max: 64 },
  blockRows: { kind: 'int', doc: 'Z rows on chip per sub-engine (largest diagonal block)', min: 2, max: 4096 },
  sparseSlots: { kind: 'int', doc: "Z rows of the sparser branch's prefetch ring", min: 2, max: 256 },
  latency: { kind: 'int', doc: 'off-chip read latency (cycles)', min: 1, max: 256 },
  wordsPerCycle: { kind: 'int', doc: 'off-chip 32-bit words per cycle', min: 1, max: 64 },
  degreeClasses: { kind: 'int', doc: 'degree classes of the host partitioner', min: 1, max: 8 },
  requestQueue: { kind: 'int', doc: 'read requests queued per engine before the off-chip port (0: none)', min: 0, max: 64 },
};

const common = { binaryFeatures: true, degreeClasses: 2, requestQueue: 0 };

/** `ci`: tiny engines for tests and yosys; `cora64`: Cora with 64 features; `cora`/`citeseer`: full width. */
export const gcodPresets: Record<string, GcodParams> = {
  ci: { ...common, variant: 'gcod', maxNodes: 64, features: 16, hidden: 4, engines: 2, macs: 1, sparseMacs: 2, blockRows: 8, sparseSlots: 4, latency: 6, wordsPerCycle: 2 },
  'ci-baseline': { ...common, variant: 'baseline', maxNodes: 64, features: 16, hidden: 4, engines: 2, macs: 1, sparseMacs: 2, blockRows: 8, sparseSlots: 4, latency: 6, wordsPerCycle: 2 },
  cora64: { ...common, variant: 'gcod', maxNodes: 4096, features: 64, hidden: 16, engines: 3, macs: 4, sparseMacs: 4, blockRows: 128, sparseSlots: 16, latency: 20, wordsPerCycle: 4 },
  'cora64-baseline': { ...common, variant: 'baseline', maxNodes: 4096, features: 64, hidden: 16, engines: 3, macs: 4, sparseMacs: 4, blockRows: 128, sparseSlots: 16, latency: 20, wordsPerCycle: 4 },
  'ci-resident': { ...common, variant: 'resident', requestQueue: 4, maxNodes: 64, features: 16, hidden: 4, engines: 2, macs: 1, sparseMacs: 2, blockRows: 8, sparseSlots: 8, latency: 6, wordsPerCycle: 2 },
  // The lift (README "Lifting GCoD"): the same 16 MACs and 400 Z rows as `cora`, as four 100-row buffers.
  'cora-resident': { ...common, variant: 'resident', requestQueue: 8, maxNodes: 4096, features: 1433, hidden: 16, engines: 3, macs: 4, sparseMacs: 4, blockRows: 100, sparseSlots: 100, latency: 20, wordsPerCycle: 4 },
  'citeseer-resident': { ...common, variant: 'resident', requestQueue: 8, maxNodes: 4096, features: 3703, hidden: 16, engines: 3, macs: 4, sparseMacs: 4, blockRows: 100, sparseSlots: 100, latency: 20, wordsPerCycle: 4 },
  cora: { ...common, variant: 'gcod', maxNodes: 4096, features: 1433, hidden: 16, engines: 3, macs: 4, sparseMacs: 4, blockRows: 128, sparseSlots: 16, latency: 20, wordsPerCycle: 4 },
  citeseer: { ...common, variant: 'gcod', maxNodes: 4096, features: 3703, hidden: 16, engines: 3, macs: 4, sparseMacs: 4, blockRows: 128, sparseSlots: 16, latency: 20, wordsPerCycle: 4 },
};

/** MAC units of the whole aggregation: the same number in both variants. */
export const totalMacs = (p: GcodParams): number => p.engines * p.macs + p.sparseMacs;

/** Z rows on chip: the same number in both variants (the baseline's direct-mapped buffer). */
export const bufferRows = (p: GcodParams): number => p.engines * p.blockRows + p.sparseSlots;

/**
 * Lanes of the baseline's one row-wise engine: the largest divisor of `hidden` not above the total
 * MAC count (a row-wise engine works on one non-zero at a time, so it can use at most `hidden`).
 */
export function baselineLanes(p: GcodParams): number {
  let best = 1;
  for (let d = 1; d <= p.hidden; d++) if (p.hidden % d === 0 && d <= totalMacs(p)) best = d;
  return best;
}

export function validateGcod(p: GcodParams): void {
  const bad = (field: string, msg: string): never => {
    throw new ParamError(`parameter '${field}' = ${String(p[field])} ${msg}`, undefined, { field, value: p[field] });
  };
  if (p.hidden % p.macs !== 0) bad('macs', `must divide hidden (${p.hidden})`);
  if (p.hidden % p.sparseMacs !== 0) bad('sparseMacs', `must divide hidden (${p.hidden})`);
  if (p.variant !== 'gcod' && p.variant !== 'baseline' && p.variant !== 'resident') bad('variant', "must be 'gcod', 'resident' or 'baseline'");
  if (p.variant === 'resident' && Math.min(p.blockRows, p.sparseSlots) < 4) bad(p.blockRows < 4 ? 'blockRows' : 'sparseSlots', "must be at least 4 with variant 'resident' (blocks of half the smallest buffer)");
  if (p.variant === 'baseline' && bufferRows(p) > p.maxNodes * 4) bad('blockRows', 'gives a buffer far larger than the graph');
}
