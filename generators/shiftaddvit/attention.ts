/**
 * ShiftAddViT's attention on binary codes, add-only (no multiplier), normalisation deferred.
 *
 * Per head:
 *   CFG    one token {nM1: N − 1}.
 *   KEYS   phase one, one key token {k: code, v: V row} per cycle: every row m of the state adds
 *          v when bit m of the code is set (b·d masked adders), and cnt[m] adds the bit. The head's
 *          first key overwrites the state (no clearing pass between heads).
 *   QUERIES phase two, one query code per cycle: O = Σ_m bit_m · KV[m, :] and L = Σ_m bit_m · cnt[m]
 *          through b-input adder trees (d + 1 of them); the token {o, l} leaves in the same cycle.
 *
 * The state is b rows of d registers (b·d·kv bits: 16·8·12 at the CI size): every row is written in
 * the same cycle, which block RAM cannot do.
 *
 * Streams:
 *   cfg  one token per head {nM1}
 *   kv   N tokens per head {k: uint(b) code, v: Vec(sint(8), d)}
 *   q    N tokens per head: uint(b) code
 *   out  N tokens per head {o: Vec(sint(o), d), l: uint(l)}
 */
import { In, Out, Record, Stream, Vec, module, mux, sint, sumTree, uint } from '../../dsl/index.ts';
import { shiftAddVitModuleName, shiftAddVitSizes, type ShiftAddVitParams } from './params.ts';

const IDLE = 0;
const KEYS = 1;
const QUERIES = 2;

export function attentionPorts(p: ShiftAddVitParams) {
  const z = shiftAddVitSizes(p);
  return {
    cfg: In(Stream(Record({ nM1: uint(z.rowBits) }))),
    kv: In(Stream(Record({ k: uint(p.b), v: Vec(sint(8), p.d) }))),
    q: In(Stream(uint(p.b))),
    out: Out(Stream(Record({ o: Vec(sint(z.att.o), p.d), l: uint(z.att.l) }))),
  };
}

export function createAttention(p: ShiftAddVitParams) {
  const z = shiftAddVitSizes(p);
  const W = z.att;
  return module(`${shiftAddVitModuleName(p)}_attention`, attentionPorts(p), (io, m) => {
    const state = m.reg('state_q', uint(2), { reset: IDLE });
    const nM1 = m.reg('n_m1_q', uint(z.rowBits));
    const t = m.reg('token_q', uint(z.rowBits));
    const kv = Array.from({ length: p.b }, (_, r) => Array.from({ length: p.d }, (_, j) => m.reg(`kv${r}_${j}_q`, sint(W.kv))));
    const cnt = Array.from({ length: p.b }, (_, r) => m.reg(`cnt${r}_q`, uint(W.cnt)));
    const at = (s: number) => state.eq(s);
    const lastT = t.eq(nM1);
    const tNext = mux(lastT, 0, t.add(1).resize(z.rowBits));

    io.cfg.ready.set(at(IDLE));
    m.when(io.cfg.fire, () => {
      nM1.set(io.cfg.fields.nM1);
      t.set(0);
      state.set(KEYS);
    });

    // Phase one: masked accumulation of the key's V row into every row its code selects.
    io.kv.ready.set(at(KEYS));
    const { k, v } = io.kv.fields;
    const first = t.eq(0);
    m.when(io.kv.fire, () => {
      kv.forEach((row, r) => row.forEach((x, j) => x.set(mux(first, 0, x).add(mux(k.bit(r), v[j]!, 0)).resize(W.kv))));
      cnt.forEach((c, r) => c.set(mux(first, 0, c).add(k.bit(r)).resize(W.cnt)));
      t.set(tNext);
      m.when(lastT, () => state.set(QUERIES));
    });

    // Phase two: each query sums the rows (and counts) its code selects.
    const q = io.q.payload;
    const o = Array.from({ length: p.d }, (_, j) => sumTree(kv.map((row, r) => mux(q.bit(r), row[j]!, 0))).resize(W.o));
    const l = sumTree(cnt.map((c, r) => mux(q.bit(r), c, 0))).resize(W.l);
    io.out.valid.set(at(QUERIES).and(io.q.valid));
    io.out.setFields({ o, l });
    io.q.ready.set(at(QUERIES).and(io.out.ready));
    m.when(io.out.fire, () => {
      t.set(tNext);
      m.when(lastT, () => state.set(IDLE));
    });
  });
}
