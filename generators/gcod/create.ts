/**
 * GCoD engine (Zhang et al., "GCoD: Graph Convolutional Network Acceleration via Dedicated
 * Algorithm and Accelerator Co-Design", HPCA 2022), and the row-wise baseline it is measured against.
 *
 * Architecture. The host (graph.ts, partition.ts) reorders the graph so that most non-zeros of
 * Â fall in diagonal blocks of at most `blockRows` nodes, and compiles the layer into one command
 * stream per engine (schedule.ts). On chip:
 *
 *     w ──► W table ─┐
 *     x ──► combination engine (Z = X·W, adders only for binary X) ──► off-chip Z memory
 *                                                                        │ one port: latency L,
 *     cmd_0 ──► denser sub-engine 0 (Z block on chip) ◄──────────────────┤ K words/cycle,
 *     ...                                                                │ fixed priority,
 *     cmd_s ──► sparser branch (CSC columns, prefetch ring) ◄────────────┘ every read counted
 *                 │ partial rows (v, Σ a·Z)
 *                 ▼
 *       merge: one-port read-modify-write output accumulator ──► y (row, Y = acc >> 8), stats
 *
 * Each denser sub-engine loads its block's Z rows once and then applies every in-block non-zero
 * from its buffer (reuse); the sparser branch walks the off-diagonal part column by column, loading
 * each Z[u] once into a small ring. The baseline (`variant: 'baseline'`) has the same aggregation
 * MAC units (as one engine of min(hidden, total) lanes), the same number of on-chip Z rows (as a
 * direct-mapped buffer) and walks the unreordered graph row by row. Both share every module here.
 */
import { module, type ModuleBuilder, type ModuleDef } from '../../dsl/builder/module.ts';
import { portType } from '../../dsl/builder/payload.ts';
import { In, Out, bool, uint, type PortRecord } from '../../dsl/builder/ports.ts';
import { Stream, type StreamSink } from '../../dsl/builder/stream.ts';
import { clog2 } from '../../dsl/ir/types.ts';
import { combinationEngine, featureTokenType, weightRowType } from './combination.ts';
import { commandType, engineModule, zRowType, type CommandWidths, type EngineShape, type ReadRequest } from './engine.ts';
import { queue } from '../../dsl/lib/fifo.ts';
import { mergeAndDrain, outputRowType, statsType } from './merge.ts';
import { offchipMemory } from './offchip.ts';
import { baselineLanes, bufferRows, type GcodParams } from './params.ts';

/** An engine's command stream: `cmd_s` (the sparser branch) or `cmd_<i>`. */
type EngineStream = `cmd_${string}`;

/** The engines of a design: their stream names and shapes, in priority order. */
export function engineLayout(p: GcodParams): { stream: EngineStream; shape: EngineShape }[] {
  const w = commandWidths(p);
  if (p.variant === 'baseline')
    return [{ stream: 'cmd_0', shape: { ...w, slots: bufferRows(p), rows: 2, lanes: baselineLanes(p), hidden: p.hidden } }];
  return [
    // The sparser branch first: it has the highest priority at the off-chip port and the merge.
    { stream: 'cmd_s', shape: { ...w, slots: p.sparseSlots, rows: 2, lanes: p.sparseMacs, hidden: p.hidden } },
    ...Array.from({ length: p.engines }, (_, e) => ({
      stream: `cmd_${e}` as const,
      // The resident variant works on one row at a time (r = 0): two accumulator rows suffice.
      shape: { ...w, slots: p.blockRows, rows: p.variant === 'resident' ? 2 : p.blockRows, lanes: p.macs, hidden: p.hidden },
    })),
  ];
}

/** One command format per design, wide enough for every engine in it. */
export function commandWidths(p: GcodParams): CommandWidths {
  const slots = p.variant === 'baseline' ? bufferRows(p) : Math.max(p.blockRows, p.sparseSlots);
  const rows = p.variant === 'gcod' ? p.blockRows : 2;
  return { nodeW: clog2(p.maxNodes), slotW: clog2(slots), rowW: clog2(rows) };
}

/** Verilog name of the top: every parameter that changes the hardware. */
export function topName(p: GcodParams): string {
  const core = `n${p.maxNodes}_f${p.features}_h${p.hidden}${p.binaryFeatures ? 'b' : ''}_l${p.latency}k${p.wordsPerCycle}${p.requestQueue > 0 ? `q${p.requestQueue}` : ''}`;
  return p.variant === 'baseline'
    ? `gcod_baseline_${core}_m${baselineLanes(p)}_z${bufferRows(p)}`
    : `gcod_${p.variant === 'resident' ? 'resident_' : ''}${core}_e${p.engines}m${p.macs}_s${p.sparseMacs}_b${p.blockRows}_r${p.sparseSlots}`;
}

/** The top's ports: W and X in, one command stream per engine (named as in `engineLayout`), Y and stats out. */
function gcodPorts(p: GcodParams) {
  return aggregationPorts(p, commandWidths(p), engineLayout(p).map((e) => e.stream));
}

/** The ports GCoD, its baseline and I-GCN share: W and X in, a command stream per name of `streams`, Y and stats out. */
export function aggregationPorts<S extends string>(p: { features: number; hidden: number }, widths: CommandWidths, streams: S[]) {
  const cmd = () => In(Stream(commandType(widths)));
  const commands = Object.fromEntries(streams.map((s) => [s, cmd()])) as Record<S, ReturnType<typeof cmd>>;
  return Object.assign(
    { w: In(Stream(weightRowType(p.hidden))), x: In(Stream(featureTokenType(p.features))) },
    commands,
    { y: Out(Stream(outputRowType(widths.nodeW, p.hidden))), stats: Out(Stream(statsType())) },
  );
}

/**
 * The engines' read requests as the port sees them: through a FIFO of `depth` each when depth > 0, so
 * an engine hands a LOAD over and goes on with its MACs while the port serves the others.
 */
export function requestsOf(reqs: Stream<ReadRequest>[], depth: number): Stream<ReadRequest>[] {
  return depth > 0 ? reqs.map((r) => queue(r, depth)) : reqs;
}

/** The GCoD design (or its baseline) for `p`. */
export function createGcod(p: GcodParams): ModuleDef<PortRecord> {
  const widths = commandWidths(p);
  const engines = engineLayout(p);
  return module(topName(p), gcodPorts(p), (io, m) => {
    aggregationDatapath(m, io, engines.map((e) => ({ name: `engine_${e.stream}`, cmd: io[e.stream]!, shape: e.shape })), p, widths);
  });
}

type WeightRow = ReturnType<typeof weightRowType>;
type FeatureToken = ReturnType<typeof featureTokenType>;
type OutputRow = ReturnType<typeof outputRowType>;
type Stats = ReturnType<typeof statsType>;
type CommandToken = ReturnType<typeof commandType>;

/** What {@link aggregationDatapath} reads of a design's parameters. */
export interface DatapathParams {
  features: number;
  hidden: number;
  binaryFeatures: boolean;
  maxNodes: number;
  latency: number;
  wordsPerCycle: number;
  requestQueue: number;
}

/**
 * The datapath GCoD, its baseline and I-GCN share: the combination engine, one aggregation engine per
 * command stream (in priority order) behind the off-chip Z port, and the merge into Y and stats.
 */
export function aggregationDatapath(
  m: ModuleBuilder,
  io: { w: Stream<WeightRow>; x: Stream<FeatureToken>; y: StreamSink<OutputRow>; stats: StreamSink<Stats> },
  engines: { name: string; cmd: Stream<CommandToken>; shape: EngineShape }[],
  p: DatapathParams,
  widths: CommandWidths,
): void {
  const comb = combinationEngine(m, io.w, io.x, { ...p, nodeW: widths.nodeW });
  const go = m.wire('agg_go', bool());

  // The engines' read responses come from the off-chip port, which takes their requests: declared
  // here, driven below (a loop through registers only).
  const respValid = engines.map((_, i) => m.wire(`resp_valid_${i}`, bool()));
  const respTag = m.wire('resp_tag', uint(widths.slotW));
  const respData = m.wire('resp_data', portType(zRowType(p.hidden)));
  const units = engines.map((e, i) =>
    m.instance(e.name, engineModule(e.shape), { go, cmd: e.cmd, resp: { valid: respValid[i]!, tag: respTag, data: respData } }),
  );

  const port = offchipMemory(m, comb.zWrite, requestsOf(units.map((e) => e.req), p.requestQueue), { ...p, nodeW: widths.nodeW, slotW: widths.slotW });
  port.respValid.forEach((r, i) => respValid[i]!.set(r));
  respTag.set(port.respTag);
  respData.set(port.respData);

  const merge = mergeAndDrain(m, units.map((e) => e.out), { ...p, nodeW: widths.nodeW }, {
    go,
    allDone: units.map((e) => e.done).reduce((a, b) => a.and(b)),
    nodes: comb.nodes,
    reads: port.reads,
    y: io.y,
    stats: io.stats,
  });
  go.set(comb.done.and(merge.swept));
}
