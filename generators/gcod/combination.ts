/**
 * The combination engine: Z = X·W, one row of Z per node, written to the off-chip Z memory.
 *
 * W (features × hidden, int8) is loaded once from the `w` stream into an on-chip table. X arrives as
 * its non-zeros, node by node: one token per non-zero feature (`idx`, `val`), `last` on a node's final
 * token, a token with `nz = 0` for a node without any, and one `end` token after the last node. Each
 * token adds one W row into `hidden` int32 lanes. For binary features the lanes only add (no
 * multiplier is built); otherwise each lane multiplies `val` by its W entry first. The W table
 * (features × hidden bytes, 183 kbit for Cora at hidden 16) is read synchronously: block RAM.
 */
import type { ModuleBuilder } from '../../dsl/build/module.ts';
import { Record, Vec, unpack, type RecordType, type VectorType } from '../../dsl/build/payload.ts';
import { bool, sint, uint } from '../../dsl/build/ports.ts';
import type { Stream } from '../../dsl/build/stream.ts';
import { mux, u, type Value } from '../../dsl/build/value.ts';
import { clog2, type HwType } from '../../dsl/ir/types.ts';
import { OUT_BITS } from './widths.ts';

/** Payload of the `w` stream: one row of W, element 0 least significant. */
export const weightRowType = (hidden: number): VectorType<HwType> => Vec(sint(8), hidden);

/** Payload of the `x` stream: one non-zero feature of a node. */
export const featureTokenType = (features: number): FeatureToken => Record({ end: bool(), last: bool(), nz: bool(), idx: uint(clog2(features)), val: sint(8) });
type FeatureToken = RecordType<{ end: HwType; last: HwType; nz: HwType; idx: HwType; val: HwType }>;

export interface ZWrite {
  en: Value;
  addr: Value;
  /** The Z row's lanes. */
  data: Value[];
}

export interface Combination {
  zWrite: ZWrite;
  /** Nodes combined so far (the graph's size once `done`). */
  nodes: Value;
  done: Value;
}

export function combinationEngine(
  m: ModuleBuilder,
  w: Stream<VectorType<HwType>>,
  x: Stream<FeatureToken>,
  p: { features: number; hidden: number; binaryFeatures: boolean; nodeW: number },
): Combination {
  const wmem = m.mem('wmem', { type: uint(p.hidden * 8), depth: p.features });
  const wCount = m.reg('w_count', uint(clog2(p.features + 1)), { reset: 0 });
  const wLoaded = wCount.eq(p.features);
  w.ready.set(wLoaded.not());
  m.when(w.fire, () => {
    wmem.write(wCount.resize(wmem.addrWidth), w.payload);
    wCount.set(wCount.add(1).trunc(wCount.width));
  });

  // Two stages, so W can be block RAM: a token is taken and its W row read (registered), then added
  // into the lanes a cycle later. `x` keeps one token a cycle.
  const done = m.reg('comb_done', bool(), { reset: 0 });
  const ended = m.reg('comb_ended', bool(), { reset: 0 });
  const nodes = m.reg('comb_nodes', uint(p.nodeW + 1), { reset: 0 });
  x.ready.set(wLoaded.and(ended.not()));
  const f = x.fields;
  m.when(x.fire.and(f.end), () => ended.set(u(1, 1)));
  const wRow = unpack(w.type, wmem.read(f.idx.resize(wmem.addrWidth), x.fire, 'w_row'));
  const tValid = m.delay(x.fire, { name: 'comb_valid', reset: 0 });
  const t = unpack(x.type, m.delay(x.payload, { name: 'comb_token', enable: x.fire }));

  const zacc = Array.from({ length: p.hidden }, (_, j) => m.reg(`zacc_${j}`, sint(OUT_BITS), { reset: 0 }));
  const next = zacc.map((z, j) => {
    const term = p.binaryFeatures ? wRow[j]! : t.val.mul(wRow[j]!);
    return mux(t.nz, z.add(term.extend(OUT_BITS)).trunc(OUT_BITS), z);
  });
  const take = tValid.and(t.end.not());
  const rowDone = take.and(t.last);
  m.when(take, () => zacc.forEach((z, j) => z.set(mux(t.last, 0, next[j]!))));
  m.when(rowDone, () => nodes.set(nodes.add(1).trunc(nodes.width)));
  m.when(tValid.and(t.end), () => done.set(u(1, 1)));
  return { zWrite: { en: rowDone, addr: nodes.resize(p.nodeW), data: next }, nodes, done };
}
