/**
 * The merge: partial output rows from every engine are summed into one on-chip output accumulator
 * (one row per node, `hidden` lanes of ACC_BITS), then drained as Y = acc >> 8.
 *
 * Conflict-free by construction: the accumulator has one read-modify-write port and takes one
 * partial row a cycle, granted in fixed priority (lowest engine index first; the others hold their
 * row, their handshake simply waits). The read is asynchronous, so two updates of one row in
 * consecutive cycles see each other and no partial sum is lost. Denser sub-engines emit a row once
 * per block, the sparser branch once per off-diagonal non-zero, so contention is rare.
 *
 * The accumulator is swept to zero after reset (memories have no reset), overlapping combination.
 * When every engine is done, rows 0..nodes-1 stream out on `y`, then one `stats` token carries the
 * off-chip read count.
 */
import type { ModuleBuilder } from '../../dsl/build/module.ts';
import { bool, sint, uint } from '../../dsl/build/ports.ts';
import { mux, u, type Value } from '../../dsl/build/value.ts';
import { pack, record, vector } from '../../dsl/lib/payload.ts';
import type { StreamSink } from '../../dsl/lib/stream.ts';
import { ACC_BITS, OUT_BITS } from './golden.ts';
import { LaneMemory, lanesOf } from './engine.ts';

/** Payload of the `y` stream: a node (in the design's order) and its output row. */
export const outputRowType = (nodeW: number, hidden: number) => record({ row: uint(nodeW), vals: vector(sint(OUT_BITS), hidden) });
/**
 * Payload of the `stats` stream: the off-chip Z-row reads of the whole layer, and the cycles from
 * the start of aggregation (combination done, accumulator swept) until every engine is done.
 */
export const statsType = () => record({ reads: uint(32), aggCycles: uint(32) });

export interface PartialRow {
  valid: Value;
  row: Value;
  data: Value;
}

export function mergeAndDrain(
  m: ModuleBuilder,
  partials: readonly PartialRow[],
  p: { maxNodes: number; hidden: number; nodeW: number },
  ctl: { go: Value; allDone: Value; nodes: Value; reads: Value; y: StreamSink; stats: StreamSink },
): { ready: Value[]; swept: Value } {
  const yacc = new LaneMemory(m, 'yacc', p.hidden, ACC_BITS, p.maxNodes);
  const sweep = m.reg('yacc_sweep', uint(yacc.addrWidth + 1), { reset: 0 });
  const sweeping = sweep.lt(p.maxNodes);

  const ready: Value[] = [];
  let earlier: Value = u(1, 0);
  for (const q of partials) {
    ready.push(earlier.not());
    earlier = earlier.or(q.valid);
  }
  let gRow = partials[partials.length - 1]!.row;
  let gData = partials[partials.length - 1]!.data;
  for (let i = partials.length - 2; i >= 0; i--) {
    gRow = mux(partials[i]!.valid, partials[i]!.row, gRow);
    gData = mux(partials[i]!.valid, partials[i]!.data, gData);
  }
  const addr = gRow.resize(yacc.addrWidth);
  const old = yacc.read(addr);
  const add = lanesOf(gData, p.hidden, ACC_BITS);
  const sum = old.map((o, j) => o.add(add[j]!).trunc(ACC_BITS));
  m.when(sweeping, () => {
    yacc.write(sweep.trunc(yacc.addrWidth), Array.from({ length: p.hidden }, () => u(ACC_BITS, 0)));
    sweep.set(sweep.add(1).trunc(sweep.width));
  }).elsewhen(earlier, () => yacc.write(addr, sum));

  // Drain: row pointer over 0..nodes-1, then the stats token.
  const ptr = m.reg('drain_ptr', uint(p.nodeW + 1), { reset: 0 });
  const statsSent = m.reg('stats_sent', bool(), { reset: 0 });
  const draining = ctl.allDone.and(ptr.lt(ctl.nodes));
  const rowLanes = yacc.read(ptr.resize(yacc.addrWidth)).map((l) => l.shr(8).resize(OUT_BITS));
  ctl.y.valid.set(draining);
  ctl.y.payload.set(pack(outputRowType(p.nodeW, p.hidden), { row: ptr.resize(p.nodeW), vals: rowLanes }));
  m.when(ctl.y.fire, () => ptr.set(ptr.add(1).trunc(ptr.width)));
  const statsValid = ctl.allDone.and(ptr.eq(ctl.nodes)).and(statsSent.not());
  ctl.stats.valid.set(statsValid);
  const aggCycles = m.reg('agg_cycles', uint(32), { reset: 0 });
  m.when(ctl.go.and(ctl.allDone.not()), () => aggCycles.set(aggCycles.add(1).trunc(32)));
  ctl.stats.payload.set(pack(statsType(), { reads: ctl.reads, aggCycles }));
  m.when(ctl.stats.fire, () => statsSent.set(u(1, 1)));
  return { ready, swept: sweeping.not() };
}
