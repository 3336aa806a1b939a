/**
 * The merge: partial output rows from every engine are summed into one on-chip output accumulator
 * (one row per node, `hidden` lanes of ACC_BITS), then drained as Y = acc >> 8.
 *
 * Conflict-free by construction: the accumulator has one read-modify-write port and takes one
 * partial row a cycle, granted in fixed priority (lowest engine index first; the others hold their
 * row, their handshake simply waits). Denser sub-engines emit a row once per block, the sparser
 * branch once per off-diagonal non-zero, so contention is rare.
 *
 * The accumulator is block RAM: one read port (registered, read-first) and one write port. A taken
 * row is read on the cycle it is taken and added and written back on the next. A row taken while
 * the same row is being written would read the old word, so it waits one cycle instead: a hazard
 * stall, not a bypass. It costs a cycle only when two partial rows of one node arrive back to back
 * (a block emits each row once; the sparser branch's EMITs are hidden/sparseMacs cycles apart), which
 * does not show in the aggregation cycles on Cora or CiteSeer; a bypass would cost a hidden × 48-bit
 * register and mux.
 *
 * The accumulator is swept to zero after reset (memories have no reset), overlapping combination.
 * When every engine is done and the last row is written, rows 0..nodes-1 stream out on `y` through
 * the same read port, then one `stats` token carries the off-chip read count.
 */
import type { ModuleBuilder } from '../../dsl/build/module.ts';
import { Record, Vec, unpack, type RecordType, type VectorType } from '../../dsl/build/payload.ts';
import { bool, sint, uint } from '../../dsl/build/ports.ts';
import type { Stream, StreamSink } from '../../dsl/build/stream.ts';
import { mux, u, type Value } from '../../dsl/build/value.ts';
import type { HwType } from '../../dsl/ir/types.ts';
import { ACC_BITS, OUT_BITS } from './widths.ts';
import { LaneMemory, accRowType, sweepAfterReset, type PartialRow } from './engine.ts';

/** Payload of the `y` stream: a node (in the design's order) and its output row. */
export const outputRowType = (nodeW: number, hidden: number): OutputRow => Record({ row: uint(nodeW), vals: Vec(sint(OUT_BITS), hidden) });
type OutputRow = RecordType<{ row: HwType; vals: VectorType<HwType> }>;
/**
 * Payload of the `stats` stream: the off-chip Z-row reads of the whole layer, and the cycles from
 * the start of aggregation (combination done, accumulator swept) until every engine is done.
 */
export const statsType = (): Stats => Record({ reads: uint(32), aggCycles: uint(32) });
type Stats = RecordType<{ reads: HwType; aggCycles: HwType }>;

/** The merge, taking the engines' partial rows (it drives their `ready`) in fixed priority, lowest index first. */
export function mergeAndDrain(
  m: ModuleBuilder,
  partials: readonly Stream<PartialRow>[],
  p: { maxNodes: number; hidden: number; nodeW: number },
  ctl: { go: Value; allDone: Value; nodes: Value; reads: Value; y: StreamSink<OutputRow>; stats: StreamSink<Stats> },
): { swept: Value } {
  const yacc = new LaneMemory(m, 'yacc', p.hidden, ACC_BITS, p.maxNodes);
  const sweep = sweepAfterReset(m, 'yacc_sweep', yacc);

  // Stage 2: the row taken last cycle, added to the word read then and written back now.
  const wValid = m.reg('merge_valid', bool(), { reset: 0 });
  const wRow = m.reg('merge_row', uint(p.nodeW));
  const wData = m.reg('merge_data', uint(p.hidden * ACC_BITS));

  const rows = partials.map((q) => q.fields);
  let gRow = rows[rows.length - 1]!.row;
  let gData = rows[rows.length - 1]!.data;
  for (let i = partials.length - 2; i >= 0; i--) {
    gRow = mux(partials[i]!.valid, rows[i]!.row, gRow);
    gData = mux(partials[i]!.valid, rows[i]!.data, gData);
  }
  const hazard = wValid.and(wRow.eq(gRow));
  let earlier: Value = u(1, 0);
  for (const q of partials) {
    q.ready.set(earlier.or(hazard).not());
    earlier = earlier.or(q.valid);
  }
  const take = earlier.and(hazard.not());
  wValid.set(take);
  m.when(take, () => {
    wRow.set(gRow);
    wData.set(gData);
  });

  // Drain: row pointer over 0..nodes-1 (a read issued when the output register is free or being
  // taken), then the stats token. It starts once the last partial row is written.
  const ptr = m.reg('drain_ptr', uint(p.nodeW + 1), { reset: 0 });
  const yValid = m.reg('drain_valid', bool(), { reset: 0 });
  const yRow = m.reg('drain_row', uint(p.nodeW));
  const statsSent = m.reg('stats_sent', bool(), { reset: 0 });
  const issue = ctl.allDone.and(wValid.not()).and(ptr.lt(ctl.nodes)).and(yValid.not().or(ctl.y.ready));
  m.when(issue, () => {
    ptr.set(ptr.add(1).trunc(ptr.width));
    yRow.set(ptr.resize(p.nodeW));
  });
  m.when(issue, () => yValid.set(u(1, 1))).elsewhen(ctl.y.ready, () => yValid.set(u(1, 0)));

  // The one read port: the taken row while engines run (read every cycle; only a taken row's word
  // is used), the drain pointer once they are all done.
  const raddr = mux(ctl.allDone, ptr.resize(p.nodeW), gRow).resize(yacc.addrWidth);
  const word = yacc.read(raddr, ctl.allDone.not().or(issue), 'yacc_q');
  const add = unpack(accRowType(p.hidden), wData);
  const sum = word.map((o, j) => o.add(add[j]!).trunc(ACC_BITS));
  const data = sum.map((l) => mux(sweep.active, u(ACC_BITS, 0), l.asUInt()));
  yacc.write(mux(sweep.active, sweep.addr, wRow.resize(yacc.addrWidth)), data, sweep.active.or(wValid));

  ctl.y.valid.set(yValid);
  ctl.y.setFields({ row: yRow, vals: word.map((l) => l.shr(8).resize(OUT_BITS)) });
  const statsValid = ctl.allDone.and(ptr.eq(ctl.nodes)).and(yValid.not()).and(statsSent.not());
  ctl.stats.valid.set(statsValid);
  const aggCycles = m.reg('agg_cycles', uint(32), { reset: 0 });
  m.when(ctl.go.and(ctl.allDone.not()), () => aggCycles.set(aggCycles.add(1).trunc(32)));
  ctl.stats.setFields({ reads: ctl.reads, aggCycles });
  m.when(ctl.stats.fire, () => statsSent.set(u(1, 1)));
  return { swept: sweep.active.not() };
}
