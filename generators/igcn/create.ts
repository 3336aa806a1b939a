/**
 * I-GCN engine (Geng et al., "I-GCN: A Graph Convolutional Network Accelerator with Runtime Locality
 * Enhancement through Islandization", MICRO 2021) on GCoD's units, so the row-wise baseline, GCoD and
 * I-GCN compare on the same MACs and memory:
 *
 *     w ──► W table ─┐
 *     x ──► combination engine (Z = X·W) ──► off-chip Z memory (one port: latency L, K words/cycle,
 *                                              │                 fixed priority, reads counted)
 *     cmd_0 ──► island consumer 0 (Z cache) ◄──┤
 *     ...                                      │
 *     cmd_E-1 ► island consumer E-1 ◄──────────┘
 *                 │ partial rows (v, Σ a·Z); an EMIT with keep leaves the shared sum for the pair's second row
 *                 ▼
 *       merge: one-port read-modify-write output accumulator ──► y, stats (reads, aggregation cycles)
 *
 * The consumers are GCoD's sub-engine (generators/gcod/engine.ts) with the `keep` bit; the island
 * locator's queue of islands (locator.ts on the host) is compiled into the consumers' commands
 * (schedule.ts). The locator also exists as hardware (locator-hw.ts, the same islands in the same
 * order), tested on its own; it does not feed the consumers here yet (see README).
 */
import { module, type ModuleDef } from '../../dsl/builder/module.ts';
import { portType } from '../../dsl/builder/payload.ts';
import { In, Out, bool, uint, type PortRecord } from '../../dsl/builder/ports.ts';
import { Stream } from '../../dsl/builder/stream.ts';
import { clog2 } from '../../dsl/ir/types.ts';
import { combinationEngine, featureTokenType, weightRowType } from '../gcod/combination.ts';
import { commandType, engineModule, zRowType, type CommandWidths, type EngineShape } from '../gcod/engine.ts';
import { mergeAndDrain, outputRowType, statsType } from '../gcod/merge.ts';
import { offchipMemory } from '../gcod/offchip.ts';
import { requestsOf } from '../gcod/create.ts';
import type { IgcnParams } from './params.ts';

type ConsumerStream = `cmd_${number}`;

/** Command fields of every consumer: one accumulator row (r is always 0), the keep bit. */
export function igcnCommandWidths(p: IgcnParams): CommandWidths {
  return { nodeW: clog2(p.maxNodes), slotW: clog2(p.slots), rowW: 1, keep: true };
}

/** The consumers' stream names and their (common) shape. */
export function consumerLayout(p: IgcnParams): { stream: ConsumerStream; shape: EngineShape }[] {
  const w = igcnCommandWidths(p);
  return Array.from({ length: p.engines }, (_, e) => ({ stream: `cmd_${e}` as const, shape: { ...w, slots: p.slots, rows: 2, lanes: p.macs, hidden: p.hidden } }));
}

export function igcnTopName(p: IgcnParams): string {
  return `igcn_n${p.maxNodes}_f${p.features}_h${p.hidden}${p.binaryFeatures ? 'b' : ''}_l${p.latency}k${p.wordsPerCycle}_e${p.engines}m${p.macs}_z${p.slots}${p.requestQueue > 0 ? `_q${p.requestQueue}` : ''}`;
}

function igcnPorts(p: IgcnParams) {
  const widths = igcnCommandWidths(p);
  const cmd = () => In(Stream(commandType(widths)));
  const commands: Record<ConsumerStream, ReturnType<typeof cmd>> = Object.fromEntries(consumerLayout(p).map((e) => [e.stream, cmd()]));
  return Object.assign(
    { w: In(Stream(weightRowType(p.hidden))), x: In(Stream(featureTokenType(p.features))) },
    commands,
    { y: Out(Stream(outputRowType(widths.nodeW, p.hidden))), stats: Out(Stream(statsType())) },
  );
}

/** The I-GCN design for `p`. */
export function createIgcn(p: IgcnParams): ModuleDef<PortRecord> {
  const widths = igcnCommandWidths(p);
  const consumers = consumerLayout(p);
  return module(igcnTopName(p), igcnPorts(p), (io, m) => {
    const comb = combinationEngine(m, io.w, io.x, { ...p, nodeW: widths.nodeW });
    const go = m.wire('agg_go', bool());
    const respValid = consumers.map((_, i) => m.wire(`resp_valid_${i}`, bool()));
    const respTag = m.wire('resp_tag', uint(widths.slotW));
    const respData = m.wire('resp_data', portType(zRowType(p.hidden)));
    const units = consumers.map((e, i) =>
      m.instance(`consumer_${i}`, engineModule(e.shape), { go, cmd: io[e.stream], resp: { valid: respValid[i]!, tag: respTag, data: respData } }),
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
  });
}
