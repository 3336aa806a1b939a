/**
 * Parameters of the I-GCN engine. The aggregation side has the same shape as GCoD's (ACCELERATORS.md
 * §3 layer, the same sub-engine, off-chip port model, merge and combination engine from
 * generators/gcod/), so the three designs compare on the same MAC units and memory; the locator's
 * parameters (§6) are the threshold schedule, the island bound and its parallelism.
 */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';

export interface IgcnParams extends Record<string, number | boolean | string> {
  /** Largest graph the design holds (depth of the off-chip Z memory and the output accumulator). */
  maxNodes: number;
  /** Input feature width F. */
  features: number;
  /** Hidden width H. */
  hidden: number;
  /** Features are 0/1: the combination engine adds W rows. */
  binaryFeatures: boolean;
  /** Island consumers (aggregation sub-engines). */
  engines: number;
  /** MAC units per consumer (divides hidden). */
  macs: number;
  /** Z rows each consumer keeps on chip (a host-managed cache, at least 4). */
  slots: number;
  /** Off-chip read latency in cycles. */
  latency: number;
  /** Off-chip 32-bit words per cycle. */
  wordsPerCycle: number;
  /** Read requests queued per consumer before the off-chip port (0: none). */
  requestQueue: number;
  /** Locator: first hub threshold TH0 (nodes of degree >= TH become hubs; then TH <- floor(0.8 TH)). */
  th0: number;
  /** Locator: largest island C_max (a bounded BFS that grows past it is abandoned for the round). */
  cMax: number;
  /** Locator: parallel bounded-BFS engines P2. */
  bfsEngines: number;
  /** Locator: hub detection lanes (degrees compared a cycle). */
  hubLanes: number;
  /**
   * Where the consumers' commands come from: 'host' (compiled on the host from the host locator,
   * streams cmd_*), 'overlap' (the RTL locator feeds an RTL dispatcher, islands consumed while later
   * ones are found; stream csr) or 'serial' (the same hardware, dispatching held until the locator's END).
   */
  locate: string;
  /** Neighbour entries (2 x undirected edges) the RTL locator and dispatcher hold ('overlap'/'serial'). */
  maxEdges: number;
}

export const igcnParamSpecs: Record<keyof IgcnParams & string, ParamSpec> = {
  maxNodes: { kind: 'int', doc: 'largest graph held (Z memory and output accumulator depth)', min: 2, max: 1 << 16 },
  features: { kind: 'int', doc: 'input feature width F', min: 1, max: 8192 },
  hidden: { kind: 'int', doc: 'hidden width H', min: 1, max: 64 },
  binaryFeatures: { kind: 'bool', doc: 'features are 0/1: adder-only combination engine' },
  engines: { kind: 'int', doc: 'island consumers (aggregation sub-engines)', min: 1, max: 16 },
  macs: { kind: 'int', doc: 'MAC units per consumer (divides hidden)', min: 1, max: 64 },
  slots: { kind: 'int', doc: 'Z rows on chip per consumer', min: 4, max: 4096 },
  latency: { kind: 'int', doc: 'off-chip read latency (cycles)', min: 1, max: 256 },
  wordsPerCycle: { kind: 'int', doc: 'off-chip 32-bit words per cycle', min: 1, max: 64 },
  requestQueue: { kind: 'int', doc: 'read requests queued per consumer before the off-chip port (0: none)', min: 0, max: 64 },
  th0: { kind: 'int', doc: 'locator: first hub degree threshold TH0', min: 1, max: 1 << 16 },
  cMax: { kind: 'int', doc: 'locator: largest island C_max', min: 1, max: 1 << 16 },
  bfsEngines: { kind: 'int', doc: 'locator: parallel bounded-BFS engines P2', min: 1, max: 64 },
  hubLanes: { kind: 'int', doc: 'locator: hub detection lanes', min: 1, max: 256 },
  locate: { kind: 'enum', doc: "'host' (commands compiled on the host), 'overlap' (RTL locator -> RTL dispatcher, islands consumed as found) or 'serial' (the same, dispatch after the locator's END)", values: ['host', 'overlap', 'serial'] },
  maxEdges: { kind: 'int', doc: "neighbour entries held by the RTL locator and dispatcher (locate 'overlap'/'serial')", min: 2, max: 1 << 20 },
};

const common = { binaryFeatures: true, latency: 20, wordsPerCycle: 4, requestQueue: 8, th0: 10, cMax: 200, bfsEngines: 4, hubLanes: 16, locate: 'host', maxEdges: 16384 };

/**
 * `ci`: tiny, for tests (hidden 4, 64 nodes, small islands so that random graphs have several);
 * `cora64`, `cora`, `citeseer`: 4 consumers × 4 MACs = 16 aggregation MACs and 4 × 100 = 400 Z rows
 * on chip, the same totals as the gcod presets, TH0 = 10 and C_max = 200 as in the third-party run.
 */
export const igcnPresets: Record<string, IgcnParams> = {
  ci: { ...common, maxNodes: 64, features: 16, hidden: 4, engines: 2, macs: 2, slots: 8, latency: 6, wordsPerCycle: 2, requestQueue: 4, th0: 4, cMax: 6, bfsEngines: 2, hubLanes: 4, maxEdges: 512 },
  // The RTL locator feeding the RTL dispatcher (create-overlap.ts); an island must fit a consumer's Z buffer (cMax <= slots).
  'ci-overlap': { ...common, maxNodes: 64, features: 16, hidden: 4, engines: 2, macs: 2, slots: 8, latency: 6, wordsPerCycle: 2, requestQueue: 4, th0: 4, cMax: 6, bfsEngines: 2, hubLanes: 4, maxEdges: 512, locate: 'overlap' },
  cora64: { ...common, maxNodes: 4096, features: 64, hidden: 16, engines: 4, macs: 4, slots: 100 },
  cora: { ...common, maxNodes: 4096, features: 1433, hidden: 16, engines: 4, macs: 4, slots: 100 },
  citeseer: { ...common, maxNodes: 4096, features: 3703, hidden: 16, engines: 4, macs: 4, slots: 100 },
  // C_max = slots = 100: on Cora and CiteSeer the same islands as C_max = 200 (the largest is 52 nodes; bench:igcn checks it).
  'cora-overlap': { ...common, maxNodes: 4096, features: 1433, hidden: 16, engines: 4, macs: 4, slots: 100, cMax: 100, locate: 'overlap' },
  'citeseer-overlap': { ...common, maxNodes: 4096, features: 3703, hidden: 16, engines: 4, macs: 4, slots: 100, cMax: 100, locate: 'overlap' },
};

/** Hubs whose Z rows the hub pass holds together: half a consumer's buffer (a chunk, see schedule.ts). */
export const hubGroup = (p: IgcnParams): number => Math.max(1, Math.floor(p.slots / 2));

/** MAC units of the whole aggregation. */
export const igcnMacs = (p: IgcnParams): number => p.engines * p.macs;

export function validateIgcn(p: IgcnParams): void {
  const bad = (field: string, msg: string): never => {
    throw new ParamError(`parameter '${field}' = ${String(p[field])} ${msg}`, undefined, { field, value: p[field] });
  };
  if (p.hidden % p.macs !== 0) bad('macs', `must divide hidden (${p.hidden})`);
  if (!['host', 'overlap', 'serial'].includes(p.locate)) bad('locate', "must be 'host', 'overlap' or 'serial'");
  // The RTL dispatcher loads a whole island into one consumer's Z buffer.
  if (p.locate !== 'host' && p.cMax > p.slots) bad('cMax', `must be at most slots (${p.slots}) with locate '${p.locate}' (an island is loaded whole into a consumer's Z buffer)`);
}
