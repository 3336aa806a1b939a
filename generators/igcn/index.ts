/**
 * The I-GCN accelerator as a registered generator: the same tensors, checks and errors as `gcod`
 * (its tensor specs and relation check are used as they are), golden, and the mapping of tensors to
 * stream tokens. Encoding runs the host side (normalise, quantise, locate islands, compile the
 * consumers' commands); memoised per input object.
 */
import type { GoldenResult, Tensor, TokenValue } from '../../dsl/generator.ts';
import { defineAccelerator, defineGenerator } from '../../dsl/generator.ts';
import { checkInputs } from '../../dsl/tensors.ts';
import { graphFromEdges, neighbours, normalisedAdjacency, type Csr } from '../gcod/graph.ts';
import { gcod, layerTokens } from '../gcod/index.ts';
import type { GcodParams } from '../gcod/params.ts';
import { consumerLayout, createIgcn } from './create.ts';
import { locatorParams } from './create-overlap.ts';
import { csrTokens } from './locator-hw.ts';
import { aggregate, combine, islandCounts } from './golden.ts';
import { locateIslands, type Islands } from './locator.ts';
import { hubGroup, igcnMacs, igcnParamSpecs, igcnPresets, validateIgcn, type IgcnParams } from './params.ts';
import { igcnSchedule, type IgcnSchedule } from './schedule.ts';

/** The host side's view of one input set. */
export interface IgcnPlan {
  a: Csr;
  adj: number[][];
  islands: Islands;
  schedule: IgcnSchedule;
}

/** gcod's tensor specs read only maxNodes, features, hidden and binaryFeatures, which I-GCN has too. */
const asGcod = (p: IgcnParams): GcodParams => p as unknown as GcodParams;

const plans = new WeakMap<object, Map<string, IgcnPlan>>();

/** Run the host side for these inputs (memoised on the `edges` tensor object). */
export function igcnPlan(p: IgcnParams, inputs: Record<string, Tensor>): IgcnPlan {
  checkInputs(igcn, p, inputs);
  const edges = inputs.edges!;
  const n = inputs.x!.shape[0]!;
  const key = JSON.stringify([p, n]);
  let byKey = plans.get(edges);
  if (!byKey) plans.set(edges, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const pairs: [number, number][] = [];
  for (let i = 0; i < edges.shape[0]!; i++) pairs.push([Number(edges.data[2 * i]!), Number(edges.data[2 * i + 1]!)]);
  const g = graphFromEdges(n, pairs);
  const a = normalisedAdjacency(g);
  const adj = neighbours(g);
  const islands = locateIslands(adj, p);
  const plan: IgcnPlan = { a, adj, islands, schedule: igcnSchedule(a, islands, p.engines, p.slots) };
  byKey.set(key, plan);
  return plan;
}

const num = (t: Tensor): number[] => t.data.map(Number);

/**
 * The `csr` stream of the RTL locator and dispatcher: the locator's CSR tokens (csrTokens: checks the
 * module's maxNodes and maxEdges) with Â: a row pointer token carries the self loop of the node it
 * ends, an entry token Â[v][u].
 */
export function overlapCsrTokens(p: IgcnParams, plan: IgcnPlan): TokenValue[] {
  const { a, adj } = plan;
  const valueAt = (v: number, u: number): number => {
    for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) if (a.col[k] === u) return a.val[k]!;
    throw new Error(`igcn: Â has no entry (${v}, ${u})`);
  };
  const toks = csrTokens(locatorParams(p), adj);
  const a8: number[] = [0, ...adj.map((_, v) => valueAt(v, v))];
  for (let v = 0; v < adj.length; v++) for (const u of adj[v]!) a8.push(valueAt(v, u));
  return toks.map((t, i) => ({ ...t, a: a8[i]! }));
}

function golden(p: IgcnParams, inputs: Record<string, Tensor>): GoldenResult {
  const plan = igcnPlan(p, inputs);
  const x = inputs.x!;
  const [n, f] = x.shape as [number, number];
  const h = p.hidden;
  const xs = num(x);
  const z = combine(xs, num(inputs.w!), n, f, h);
  const nnz = plan.a.rowPtr[n]!;
  const xNonZeros = xs.filter((v) => v !== 0).length;
  const counts = islandCounts(plan.a, plan.adj, plan.islands, p.cMax, hubGroup(p));
  return {
    outputs: { y: { shape: [n, h], data: aggregate(plan.a, z, h) } },
    counts: { adjacencyNonZeros: nnz, featureNonZeros: xNonZeros, combinationOps: xNonZeros * h, aggregationMacs: counts.aggregationOps! * h, ...counts },
    idealCycles: xNonZeros + Math.ceil((nnz * h) / igcnMacs(p)),
  };
}

export const igcn = defineAccelerator<IgcnParams>({
  name: 'igcn',
  description: 'I-GCN GCN layer: islands (hubs, bounded BFS) consumed with shared-neighbour reuse, on GCoD\'s MACs and off-chip port',
  params: igcnParamSpecs,
  presets: igcnPresets,
  defaultPreset: 'ci',
  validate: validateIgcn,
  create: createIgcn,
  inputs: (p) => gcod.inputs(asGcod(p)),
  checkRelations: (p, inputs) => gcod.checkRelations!(asGcod(p), inputs),
  outputs: (p) => gcod.outputs(asGcod(p)),
  outputTokens: (_p, inputs) => ({ y: inputs.x!.shape[0]!, stats: 1 }),
  golden,
  // Nodes keep their original numbers (islands are found at run time, nothing is reordered): x
  // node by node as gcod's tokens, w as rows, the consumers' commands as they are.
  toTokens(p, inputs) {
    const plan = igcnPlan(p, inputs);
    const out: Record<string, readonly TokenValue[]> = layerTokens(p, inputs, Int32Array.from({ length: plan.a.n }, (_, i) => i));
    if (p.locate !== 'host') return { ...out, csr: overlapCsrTokens(p, plan) };
    for (const e of consumerLayout(p)) out[e.stream] = (plan.schedule.commands[e.stream] ?? []).map((c) => ({ ...c }));
    return out;
  },
  fromTokens(p, tokens, inputs) {
    const n = inputs.x!.shape[0]!;
    const y: bigint[] = new Array<bigint>(n * p.hidden).fill(0n);
    for (const tok of tokens.y ?? []) {
      const { row, vals } = tok as { row: bigint; vals: bigint[] };
      vals.forEach((val, j) => (y[Number(row) * p.hidden + j] = val));
    }
    return { y: { shape: [n, p.hidden], data: y } };
  },
  randomInputs: (p, seed) => gcod.randomInputs(asGcod(p), seed),
});

export const igcnGenerator = defineGenerator<IgcnParams>(igcn);
