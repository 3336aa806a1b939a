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
 * (schedule.ts). With `locate` 'overlap' or 'serial' the top is create-overlap.ts instead: the RTL
 * locator (locator-hw.ts) feeds an RTL dispatcher (dispatch.ts) that makes the commands (see README).
 */
import { module, type ModuleDef } from '../../dsl/builder/module.ts';
import { type PortRecord } from '../../dsl/builder/ports.ts';
import { clog2 } from '../../dsl/ir/types.ts';
import { type CommandWidths, type EngineShape } from '../gcod/engine.ts';
import { aggregationDatapath, aggregationPorts } from '../gcod/create.ts';
import type { IgcnParams } from './params.ts';
import { createIgcnOverlap } from './create-overlap.ts';

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
  return aggregationPorts(p, igcnCommandWidths(p), consumerLayout(p).map((e) => e.stream));
}

/** The I-GCN design for `p`. */
export function createIgcn(p: IgcnParams): ModuleDef<PortRecord> {
  if (p.locate !== 'host') return createIgcnOverlap(p);
  const widths = igcnCommandWidths(p);
  const consumers = consumerLayout(p);
  return module(igcnTopName(p), igcnPorts(p), (io, m) => {
    aggregationDatapath(m, io, consumers.map((e, i) => ({ name: `consumer_${i}`, cmd: io[e.stream]!, shape: e.shape })), p, widths);
  });
}
