/**
 * The Castling-ViT linear-angular attention engine (ACCELERATORS.md §8).
 *
 * Architecture: a state memory KV of d rows (one row of d entries per word), the sums c (d
 * registers), a V buffer of nmax rows and the 9 rows of depthwise taps. Per head:
 *   CFG    one token {nM1: N − 1, causal}.
 *   TAPS   (bidirectional only) 9 tokens, tap s of every channel: w[:, s].
 *   STATE  phase one, one row a of KV per cycle: KV[a, :] += k̂_t[a]·v_t (d MACs); at a = 0 also
 *          c += v_t and V[t] into the buffer. A kv token is taken after its d rows.
 *   QUERY  phase two, one step s per cycle, d steps for KV and 9 for the FIR in parallel (max(d, 9)):
 *          acc += q̂_i[s]·KV[s, :] (d MACs) and fir += w[:, s]·V[i + s − 4] (d MACs, the FIR unit:
 *          zero outside the tokens). At the last step the token out_i = (c << 28) + κ·acc + (fir << 29)
 *          leaves with the query.
 * Causal form (cfg.causal = 1): one pass over the rows of S per token t, d cycles: row a is updated
 * (S[a, :] += k̂_t[a]·v_t, d MACs) and the updated row used at once by the query
 * (acc += q̂_t[a]·S_t[a, :], the query's d MACs), so o_t = q̂_t · S_t leaves after the token's d rows:
 * one output per generated token every d cycles. The kv and q tokens are taken together.
 * KV is cleared by the head's first token (its old rows are ignored), c likewise.
 *
 * Modelling notes: the memories are read asynchronously (LUT-RAM style); a block-RAM build would
 * register the read address one cycle ahead (the row walk is a counter, so it is known).
 *
 * Streams, in the order the host sends them:
 *   cfg  one token per head {nM1, causal}
 *   w    9 tokens per bidirectional head: Vec(sint(8), d), tap s of every channel
 *   kv   N tokens per head {k: row t of K̂, v: row t of V}
 *   q    N tokens per head: row i of Q̂
 *   out  N tokens per head: Vec(sint(out), d) (the causal o_t sign-extended)
 */
import { In, Out, Record, Stream, Vec, module, sint, uint, unpack, pack, mux, select, lit } from '../../dsl/index.ts';
import type { Value } from '../../dsl/index.ts';
import { C_SHIFT, DW_SHIFT, KAPPA, PAD, TAPS } from './widths.ts';
import { castlingModuleName, castlingSizes, type CastlingParams } from './params.ts';

const IDLE = 0;
const TAPS_LOAD = 1;
const STATE = 2;
const QUERY = 3;

/** A row of q̂, k̂, v or of the taps. */
export const int8Row = (p: CastlingParams) => Vec(sint(8), p.d);

export function castlingPorts(p: CastlingParams) {
  const z = castlingSizes(p);
  return {
    cfg: In(Stream(Record({ nM1: uint(z.rowBits), causal: uint(1) }))),
    w: In(Stream(int8Row(p))),
    kv: In(Stream(Record({ k: int8Row(p), v: int8Row(p) }))),
    q: In(Stream(int8Row(p))),
    out: Out(Stream(Vec(sint(z.w.out), p.d))),
  };
}

export function createCastling(p: CastlingParams) {
  const z = castlingSizes(p);
  const W = z.w;
  const d = p.d;
  const row8 = int8Row(p);
  const kvRow = Vec(sint(W.kv), d);
  return module(castlingModuleName(p), castlingPorts(p), (io, m) => {
    const state = m.reg('state_q', uint(2), { reset: IDLE });
    const nM1 = m.reg('n_m1_q', uint(z.rowBits));
    const causal = m.reg('causal_q', uint(1));
    const t = m.reg('token_q', uint(z.rowBits));
    const s = m.reg('step_q', uint(z.stepBits));
    const at = (x: number): Value => state.eq(x);
    const lastT = t.eq(nM1);

    const kvMem = m.mem('kv_state', { type: uint(W.kv * d), depth: d });
    const vBuf = m.mem('v_buf', { type: uint(8 * d), depth: p.nmax });
    const wBuf = m.mem('taps', { type: uint(8 * d), depth: TAPS });
    const c = Array.from({ length: d }, (_, b) => m.reg(`c${b}_q`, sint(W.c)));
    const acc = Array.from({ length: d }, (_, b) => m.reg(`acc${b}_q`, sint(W.qkv)));
    const fir = Array.from({ length: d }, (_, b) => m.reg(`fir${b}_q`, sint(W.dw)));
    const rowAt = (a: Value): Value => a.resize(kvMem.addrWidth);

    // ---- CFG and TAPS --------------------------------------------------------------------------
    io.cfg.ready.set(at(IDLE));
    io.w.ready.set(at(TAPS_LOAD));
    wBuf.write(s.resize(wBuf.addrWidth), pack(row8, io.w.fields), io.w.fire);

    // ---- STATE: row s of KV per cycle (causal: fused with the query) -----------------------------
    const k = io.kv.fields.k;
    const v = io.kv.fields.v;
    const q = io.q.fields;
    const first = t.eq(0);
    const lastRow = s.eq(d - 1);
    const ka = select(s, k);
    const qs = select(s, q);
    const oldRow = unpack(kvRow, kvMem.readAsync(rowAt(s)));
    const newRow = oldRow.map((old, b) => mux(first, 0, old).add(ka.mul(v[b]!)).resize(W.kv));
    // Causal: a step needs the token's k, v and q; the last one also the output's ready.
    const both = io.kv.valid.and(io.q.valid);
    const causalStep = at(STATE).and(causal).and(both).and(lastRow.not().or(io.out.ready)).named('causal_step');
    const stateStep = at(STATE).and(causal.not()).and(io.kv.valid).named('state_step');
    const stepping = causalStep.or(stateStep);
    kvMem.write(rowAt(s), pack(kvRow, newRow), stepping);
    vBuf.write(t.resize(vBuf.addrWidth), pack(row8, v), stateStep.and(s.eq(0)));
    io.kv.ready.set(at(STATE).and(lastRow).and(mux(causal, io.q.valid.and(io.out.ready), 1)));
    m.when(stateStep.and(s.eq(0)), () => c.forEach((r, b) => r.set(mux(first, 0, r).add(v[b]!).resize(W.c))));

    // ---- QUERY: step s of the query (KV row s) and tap s of the FIR -----------------------------
    // (causal: acc += q̂_t[s] · S_t[s, :], the row just updated, in the STATE step itself)
    const qLast = s.eq(z.qSteps - 1);
    const inRows = d >= 2 ** z.stepBits ? lit(uint(1), 1) : s.lt(d);
    const term = (b: number): Value => mux(causal, qs.mul(newRow[b]!).resize(W.qkv), mux(inRows, qs.mul(oldRow[b]!).resize(W.qkv), 0));
    const accNext = acc.map((a, b) => mux(s.eq(0), 0, a).add(term(b)).resize(W.qkv));
    // FIR: V[t + s − 4] when 4 ≤ t + s ≤ N − 1 + 4 and s < 9.
    const j = t.extend(z.rowBits + 1).add(s.extend(z.rowBits + 1)).resize(z.rowBits + 2);
    const jIn = s.lt(TAPS).and(j.ge(PAD)).and(j.le(nM1.extend(z.rowBits + 2).add(PAD)));
    const vj = unpack(row8, vBuf.readAsync(j.sub(PAD).resize(vBuf.addrWidth)));
    const taps = unpack(row8, wBuf.readAsync(s.resize(wBuf.addrWidth)));
    const firNext = fir.map((f, b) => mux(s.eq(0), 0, f).add(mux(jIn, taps[b]!.mul(vj[b]!).resize(W.dw), 0)).resize(W.dw));
    const kappa = lit(sint(16), KAPPA);
    const outRow = accNext.map((a, b) =>
      mux(causal, a.resize(W.out), c[b]!.shl(C_SHIFT).add(a.mul(kappa)).add(firNext[b]!.shl(DW_SHIFT)).resize(W.out)));
    io.out.valid.set(mux(causal, at(STATE).and(lastRow).and(both), at(QUERY).and(qLast).and(io.q.valid)));
    io.out.setFields(outRow);
    io.q.ready.set(mux(causal, at(STATE).and(lastRow).and(io.kv.valid), at(QUERY).and(qLast)).and(io.out.ready));
    m.when(causalStep.and(lastRow.not()).or(at(QUERY).and(qLast.not()).and(io.q.valid)), () => {
      acc.forEach((r, b) => r.set(accNext[b]!));
      fir.forEach((r, b) => r.set(firNext[b]!));
    });

    // ---- sequencing -----------------------------------------------------------------------------
    const sNext = s.add(1).resize(z.stepBits);
    const tNext = mux(lastT, 0, t.add(1).resize(z.rowBits));
    m.switch(state)
      .is(IDLE, () => m.when(io.cfg.fire, () => {
        nM1.set(io.cfg.fields.nM1);
        causal.set(io.cfg.fields.causal);
        s.set(0);
        t.set(0);
        state.set(mux(io.cfg.fields.causal, lit(uint(2), STATE), lit(uint(2), TAPS_LOAD)));
      }))
      .is(TAPS_LOAD, () => m.when(io.w.fire, () => {
        s.set(mux(s.eq(TAPS - 1), 0, sNext));
        m.when(s.eq(TAPS - 1), () => state.set(STATE));
      }))
      .is(STATE, () => m.when(stepping, () => {
        s.set(mux(lastRow, 0, sNext));
        m.when(lastRow, () => {
          t.set(tNext);
          m.when(lastT, () => state.set(mux(causal, lit(uint(2), IDLE), lit(uint(2), QUERY))));
        });
      }))
      .is(QUERY, () => {
        m.when(io.q.valid.and(qLast.not()), () => s.set(sNext));
        m.when(io.out.fire, () => {
          s.set(0);
          t.set(tNext);
          m.when(lastT, () => state.set(IDLE));
        });
      })
      .default(() => state.set(IDLE));
  });
}
