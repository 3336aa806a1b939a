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
import { module, type ModuleDef } from '../../dsl/build/module.ts';
import type { PortRecord } from '../../dsl/build/ports.ts';
import { u, type Value } from '../../dsl/build/value.ts';
import { clog2 } from '../../dsl/ir/types.ts';
import { streamIn, streamOut, streamPorts } from '../../dsl/lib/stream.ts';
import { combinationEngine, featureTokenType, weightRowType } from './combination.ts';
import { commandType, engineModule, type CommandWidths, type EngineShape } from './engine.ts';
import { mergeAndDrain, outputRowType, statsType, type PartialRow } from './merge.ts';
import { offchipMemory, type ReadRequest } from './offchip.ts';
import { baselineLanes, bufferRows, type GcodParams } from './params.ts';

/** The engines of a design: their stream names and shapes, in priority order. */
export function engineLayout(p: GcodParams): { stream: string; shape: EngineShape }[] {
  const w = commandWidths(p);
  if (p.variant === 'baseline')
    return [{ stream: 'cmd_0', shape: { ...w, slots: bufferRows(p), rows: 2, lanes: baselineLanes(p), hidden: p.hidden } }];
  return [
    // The sparser branch first: it has the highest priority at the off-chip port and the merge.
    { stream: 'cmd_s', shape: { ...w, slots: p.sparseSlots, rows: 2, lanes: p.sparseMacs, hidden: p.hidden } },
    ...Array.from({ length: p.engines }, (_, e) => ({
      stream: `cmd_${e}`,
      shape: { ...w, slots: p.blockRows, rows: p.blockRows, lanes: p.macs, hidden: p.hidden },
    })),
  ];
}

/** One command format per design, wide enough for every engine in it. */
export function commandWidths(p: GcodParams): CommandWidths {
  const slots = p.variant === 'baseline' ? bufferRows(p) : Math.max(p.blockRows, p.sparseSlots);
  const rows = p.variant === 'baseline' ? 2 : p.blockRows;
  return { nodeW: clog2(p.maxNodes), slotW: clog2(slots), rowW: clog2(rows) };
}

/** Verilog name of the top: every parameter that changes the hardware. */
export function topName(p: GcodParams): string {
  const core = `n${p.maxNodes}_f${p.features}_h${p.hidden}${p.binaryFeatures ? 'b' : ''}_l${p.latency}k${p.wordsPerCycle}`;
  return p.variant === 'baseline'
    ? `gcod_baseline_${core}_m${baselineLanes(p)}_z${bufferRows(p)}`
    : `gcod_${core}_e${p.engines}m${p.macs}_s${p.sparseMacs}_b${p.blockRows}_r${p.sparseSlots}`;
}

/** The GCoD design (or its baseline) for `p`. */
export function createGcod(p: GcodParams): ModuleDef<PortRecord> {
  const widths = commandWidths(p);
  const cmdT = commandType(widths);
  const engines = engineLayout(p);
  const ports: PortRecord = {
    ...streamPorts('w', 'in', weightRowType(p.hidden)),
    ...streamPorts('x', 'in', featureTokenType(p.features)),
  };
  for (const e of engines) Object.assign(ports, streamPorts(e.stream, 'in', cmdT));
  Object.assign(ports, streamPorts('y', 'out', outputRowType(widths.nodeW, p.hidden)), streamPorts('stats', 'out', statsType()));

  return module(topName(p), ports, (io, m) => {
    const comb = combinationEngine(m, streamIn(io, 'w'), streamIn(io, 'x'), { ...p, nodeW: widths.nodeW });
    const go = m.wire('agg_go', u(1, 0).type);

    // Engines are declared first and wired below: their requests feed the port, the port's
    // responses feed them back (a loop through registers only).
    const reqReady = engines.map((_, i) => m.wire(`req_ready_${i}`, u(1, 0).type));
    const outReady = engines.map((_, i) => m.wire(`out_ready_${i}`, u(1, 0).type));
    const respValid = engines.map((_, i) => m.wire(`resp_valid_${i}`, u(1, 0).type));
    const respTag = m.wire('resp_tag', u(widths.slotW, 0).type);
    const respData = m.wire('resp_data', u(p.hidden * 32, 0).type);
    const requests: ReadRequest[] = [];
    const partials: PartialRow[] = [];
    const dones: Value[] = [];
    engines.forEach((e, i) => {
      const cmd = streamIn(io, e.stream);
      const o = m.instance(`engine_${e.stream}`, engineModule(e.shape), {
        go,
        cmd_valid: cmd.valid,
        cmd_payload: cmd.payload,
        req_ready: reqReady[i]!,
        resp_valid: respValid[i]!,
        resp_tag: respTag,
        resp_data: respData,
        out_ready: outReady[i]!,
      });
      cmd.ready.set(o.cmd_ready!);
      requests.push({ valid: o.req_valid!, addr: o.req_addr!, tag: o.req_tag! });
      partials.push({ valid: o.out_valid!, row: o.out_row!, data: o.out_data! });
      dones.push(o.done!);
    });

    const port = offchipMemory(m, comb.zWrite, requests, { ...p, nodeW: widths.nodeW, slotW: widths.slotW });
    port.ready.forEach((r, i) => reqReady[i]!.set(r));
    port.respValid.forEach((r, i) => respValid[i]!.set(r));
    respTag.set(port.respTag);
    respData.set(port.respData);

    const allDone = dones.reduce((a, b) => a.and(b));
    const merge = mergeAndDrain(m, partials, { ...p, nodeW: widths.nodeW }, {
      go,
      allDone,
      nodes: comb.nodes,
      reads: port.reads,
      y: streamOut(io, 'y'),
      stats: streamOut(io, 'stats'),
    });
    merge.ready.forEach((r, i) => outReady[i]!.set(r));
    go.set(comb.done.and(merge.swept));
  });
}
