/**
 * The GCoD accelerator (and its baseline) as a registered generator: tensors in and out, golden,
 * and the mapping of tensors to stream tokens. See create.ts for the architecture and README.md for
 * the measured figures.
 *
 * Tensors (README.md, "Tensors"): `edges` [E, 2] (an undirected edge list over nodes 0..n-1, any
 * order, E ≥ 0), `x` [n, F] int8 (uint(1) when `binaryFeatures`), `w` [F, H] int8; output `y` [n, H]
 * int32, in the original node order.
 * Encoding runs the host side (normalise, quantise, polarise, schedule); its result is memoised per
 * input object, since polarising a real graph takes a second.
 */
import { ParamError } from '../../dsl/errors.ts';
import { codec } from '../../dsl/builder/codec.ts';
import type { GoldenResult, Tensor, TensorSpec, TokenValue } from '../../dsl/generator.ts';
import { defineAccelerator, defineGenerator } from '../../dsl/generator.ts';
import { createGcod, engineLayout } from './create.ts';
import { checkInputs, tensorError } from '../../dsl/tensors.ts';
import { graphFromEdges, normalisedAdjacency, type Csr } from './graph.ts';
import { aggregate, baselineReads, combine, gcodReads, layerCounts } from './golden.ts';
import { statsType } from './merge.ts';
import { baselineLanes, bufferRows, gcodParamSpecs, gcodPresets, totalMacs, validateGcod, type GcodParams } from './params.ts';
import { polarise, type Polarised } from './partition.ts';
import { baselineSchedule, gcodSchedule, residentSchedule, type Command } from './schedule.ts';

/** The host side's view of one input set: Â, its polarisation and the command streams. */
export interface HostPlan {
  a: Csr;
  polarised: Polarised;
  /** Design order: node i of the design is original node order[i]. */
  order: Int32Array;
  commands: Record<string, Command[]>;
}

/** Largest edge list `hwflow run` accepts. */
const MAX_EDGES = 1 << 20;

const plans = new WeakMap<object, Map<string, HostPlan>>();

/** Run the host side for these inputs (memoised on the `edges` tensor object). */
export function hostPlan(p: GcodParams, inputs: Record<string, Tensor>): HostPlan {
  // Before the memo: the plan depends on edges alone, but golden and encode read x and w too.
  checkInputs(gcod, p, inputs);
  const edges = need(inputs, 'edges');
  const n = need(inputs, 'x').shape[0]!;
  const key = JSON.stringify([p, n]);
  let byKey = plans.get(edges);
  if (!byKey) plans.set(edges, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const pairs: [number, number][] = [];
  for (let i = 0; i < edges.shape[0]!; i++) pairs.push([Number(edges.data[2 * i]!), Number(edges.data[2 * i + 1]!)]);
  const a = normalisedAdjacency(graphFromEdges(n, pairs));
  const polarised = polarise(a, { blockRows: residentBlockRows(p) ?? p.blockRows, degreeClasses: p.degreeClasses });
  const plan: HostPlan =
    p.variant === 'baseline'
      ? { a, polarised, order: Int32Array.from({ length: n }, (_, i) => i), commands: baselineSchedule(a, bufferRows(p)) }
      : p.variant === 'resident'
        ? { a, polarised, order: polarised.perm, commands: residentSchedule(polarised, engineLayout(p).map((e) => ({ stream: e.stream, slots: e.shape.slots }))) }
        : { a, polarised, order: polarised.perm, commands: gcodSchedule(polarised, p.engines, p.sparseSlots) };
  byKey.set(key, plan);
  return plan;
}

/** Blocks of the `resident` variant: half the smallest Z buffer, so the next block loads while one computes. */
function residentBlockRows(p: GcodParams): number | undefined {
  return p.variant === 'resident' ? Math.floor(Math.min(p.blockRows, p.sparseSlots) / 2) : undefined;
}

function need(inputs: Record<string, Tensor>, name: string): Tensor {
  const t = inputs[name];
  if (!t) throw new ParamError(`input tensor '${name}' is missing; GCoD takes edges, x and w`);
  return t;
}

const num = (t: Tensor): number[] => t.data.map(Number);

function golden(p: GcodParams, inputs: Record<string, Tensor>): GoldenResult {
  const x = need(inputs, 'x');
  const [n, f] = x.shape as [number, number];
  const h = p.hidden;
  const plan = hostPlan(p, inputs);
  const xs = num(x);
  const z = combine(xs, num(need(inputs, 'w')), n, f, h);
  const y = aggregate(plan.a, z, h);
  const macs = p.variant === 'baseline' ? baselineLanes(p) : totalMacs(p);
  const { counts, idealCycles } = layerCounts(plan.a, xs.filter((v) => v !== 0).length, { hidden: h, aggregationMacs: macs, combinationLanes: h });
  // The resident variant reads every Z row once (each column belongs to one block, loaded once).
  const g = p.variant === 'resident' ? { total: n, dense: n, sparse: 0 } : gcodReads(plan.polarised);
  return {
    outputs: { y: { shape: [n, h], data: y } },
    counts: {
      ...counts,
      gcodReads: g.total,
      gcodDenseReads: g.dense,
      gcodSparseReads: g.sparse,
      baselineReads: baselineReads(plan.a, bufferRows(p)),
      denseNonZeros: plan.polarised.denseNnz,
    },
    idealCycles,
  };
}

export const gcod = defineAccelerator<GcodParams>({
  name: 'gcod',
  description: 'GCoD GCN layer: polarised graph, denser + sparser engines, off-chip port model (variant=baseline: row-wise)',
  params: gcodParamSpecs,
  presets: gcodPresets,
  defaultPreset: 'ci',
  validate: validateGcod,
  create: createGcod,
  // Run-time sizes: the edge count (0 too: the layer is then the self loops alone) and the node
  // count (up to maxNodes); F and H are the design's. With binary features the combination engine
  // adds W rows for every non-zero feature (no multiplier), so x takes 0/1 only.
  inputs: (p): TensorSpec[] => [
    { name: 'edges', shape: [MAX_EDGES, 2], dims: ['edges', 'pair'], minShape: [0, 2], width: 32, signed: false },
    { name: 'x', shape: [p.maxNodes, p.features], dims: ['nodes', 'features'], minShape: [1, p.features], ...(p.binaryFeatures ? { width: 1, signed: false } : { width: 8, signed: true }) },
    { name: 'w', shape: [p.features, p.hidden], dims: ['features', 'hidden'], minShape: [p.features, p.hidden], width: 8, signed: true },
  ],
  checkRelations(p, inputs) {
    const n = inputs.x!.shape[0]!;
    const e = inputs.edges!;
    const bad = e.data.findIndex((v) => v >= BigInt(n));
    if (bad >= 0)
      throw tensorError(gcod.inputs(p)[0]!, `edges[${bad >> 1}] = [${e.data[bad & ~1]}, ${e.data[bad | 1]}], naming node ${e.data[bad]}, but x has ${n} nodes (rows), so nodes are 0..${n - 1}`);
  },
  outputs: (p): TensorSpec[] => [{ name: 'y', shape: [p.maxNodes, p.hidden], dims: ['nodes', 'hidden'], width: 32, signed: true }],
  outputTokens: (_p, inputs) => ({ y: need(inputs, 'x').shape[0]!, stats: 1 }),
  golden,
  // Tokens as field values of the top's stream types (create.ts): x as non-zero features node by
  // node, w as rows, the schedule's commands as they are; y back as (row, vals) in design order.
  toTokens(p, inputs) {
    const plan = hostPlan(p, inputs);
    const out: Record<string, readonly TokenValue[]> = layerTokens(p, inputs, plan.order);
    // A command is already the stream's fields; copied since TokenValue takes no interface type (no index signature).
    for (const e of engineLayout(p)) out[e.stream] = (plan.commands[e.stream] ?? []).map((c) => ({ ...c }));
    return out;
  },
  fromTokens(p, tokens, inputs) {
    const plan = hostPlan(p, inputs);
    const n = need(inputs, 'x').shape[0]!;
    const y: bigint[] = new Array<bigint>(n * p.hidden).fill(0n);
    for (const tok of tokens.y ?? []) {
      const { row, vals } = tok as { row: bigint; vals: bigint[] };
      const v = plan.order[Number(row)]!;
      vals.forEach((val, j) => (y[v * p.hidden + j] = val));
    }
    return { y: { shape: [n, p.hidden], data: y } };
  },
  randomInputs(p, seed) {
    let s = seed >>> 0 || 1;
    const rand = (k: number): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return Math.floor((s / 4294967296) * k);
    };
    const n = Math.max(2, Math.min(p.maxNodes, 8 + rand(p.maxNodes - 7)));
    const pairs: bigint[] = [];
    const e = n + rand(3 * n);
    for (let i = 0; i < e; i++) pairs.push(BigInt(rand(n)), BigInt(rand(n)));
    const x = Array.from({ length: n * p.features }, () => BigInt(p.binaryFeatures ? (rand(100) < 15 ? 1 : 0) : rand(256) - 128));
    const w = Array.from({ length: p.features * p.hidden }, () => BigInt(rand(256) - 128));
    return { edges: { shape: [e, 2], data: pairs }, x: { shape: [n, p.features], data: x }, w: { shape: [p.features, p.hidden], data: w } };
  },
});

/**
 * The combination engine's tokens (shared with I-GCN, which has the same engine): w as rows, x as
 * the non-zero features of node order[0], order[1], ..., then one end token.
 */
export function layerTokens(p: { features: number; hidden: number }, inputs: Record<string, Tensor>, order: Int32Array): { w: TokenValue[]; x: TokenValue[] } {
  const x = need(inputs, 'x');
  const [n, f] = x.shape as [number, number];
  const xs = num(x);
  const xTokens: TokenValue[] = [];
  for (let i = 0; i < n; i++) {
    const v = order[i]!;
    const nz: number[] = [];
    for (let k = 0; k < f; k++) if (xs[v * f + k] !== 0) nz.push(k);
    if (nz.length === 0) xTokens.push({ end: 0, last: 1, nz: 0, idx: 0, val: 0 });
    nz.forEach((k, j) => xTokens.push({ end: 0, last: j + 1 === nz.length ? 1 : 0, nz: 1, idx: k, val: xs[v * f + k]! }));
  }
  xTokens.push({ end: 1, last: 0, nz: 0, idx: 0, val: 0 });
  const ws = num(need(inputs, 'w'));
  const wTokens = Array.from({ length: p.features }, (_, k) => ws.slice(k * p.hidden, (k + 1) * p.hidden));
  return { w: wTokens, x: xTokens };
}

/** The design's `stats` token: off-chip Z-row reads and aggregation cycles, as counted in hardware. */
export function decodeStats(tokens: readonly bigint[]): { reads: number; aggCycles: number } {
  const t = tokens[0];
  if (t === undefined) throw new Error('the design sent no stats token');
  const s = codec(statsType()).decodeBig(t);
  return { reads: Number(s.reads), aggCycles: Number(s.aggCycles) };
}

export const gcodGenerator = defineGenerator<GcodParams>(gcod);
