/**
 * The Castling-ViT linear-angular attention engine (ACCELERATORS.md §8).
 *
 * Architecture: the state KV (d rows of d entries, one row per word), the sums c (d registers), a
 * V buffer of nmax rows and the 9 rows of depthwise taps, each in two halves, so that a head's
 * phase one (the load side) fills one half while the previous head's queries (the query side)
 * stream through the other. Per head, on the load side:
 *   CFG    one token {nM1: N − 1, causal}, taken when the half to fill is free.
 *   TAPS   (bidirectional only) 9 tokens, tap s of every channel: w[:, s].
 *   STATE  phase one, one row a of KV per cycle: KV[a, :] += k̂_t[a]·v_t (d MACs); at a = 0 also
 *          c += v_t and V[t] into the buffer. A kv token is taken after its d rows. At the end
 *          the half is full; the load side moves to the other half.
 * and on the query side, on a full half:
 *   QUERY  phase two, one step s per cycle, d steps for KV and 9 for the FIR in parallel (max(d, 9)):
 *          acc += q̂_i[s]·KV[s, :] (d MACs) and fir += w[:, s]·V[i + s − 4] (d MACs, the FIR unit:
 *          zero outside the tokens). At the last step the token out_i = (c << 28) + κ·acc + (fir << 29)
 *          leaves with the query. After the last query the half is free.
 * Causal form (cfg.causal = 1), on the load side once every earlier query has left (outputs stay
 * in order): one pass over the rows of S per token t, d cycles: row a is updated
 * (S[a, :] += k̂_t[a]·v_t, d MACs) and the updated row used at once by the query
 * (acc += q̂_t[a]·S_t[a, :], d MACs of its own), so o_t = q̂_t · S_t leaves after the token's d rows:
 * one output per generated token every d cycles. The kv and q tokens are taken together.
 * KV is cleared by the head's first token (its old rows are ignored), c likewise.
 *
 * Memories: KV, the V buffer and the taps are block RAM (synchronous reads, one cycle ahead: the
 * row walk is a counter, so the next address is known; a read is held while its step waits).
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

// The load side (cfg, taps, phase one / the causal pass).
const L_IDLE = 0;
const L_TAPS = 1;
const L_STATE = 2;
const L_WAIT = 3;

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

/** Address of word `a` in half `bank` of a double-buffered memory of 2 × `depth` words. */
function banked(bank: Value, a: Value, depth: number): Value {
  const w = Math.max(1, Math.ceil(Math.log2(2 * depth)));
  return mux(bank, a.resize(w).add(depth).resize(w), a.resize(w));
}

export function createCastling(p: CastlingParams) {
  const z = castlingSizes(p);
  const W = z.w;
  const d = p.d;
  const row8 = int8Row(p);
  const kvRow = Vec(sint(W.kv), d);
  return module(castlingModuleName(p), castlingPorts(p), (io, m) => {
    // Two halves (banks) of the state KV, c, the V buffer and the taps: head h+1's phase one fills
    // one while head h's queries stream through the other. full[b]: half b holds a finished state.
    const full = [0, 1].map((b) => m.reg(`full${b}_q`, uint(1), { reset: 0 }));
    const fullAt = (bank: Value): Value => mux(bank, full[1]!, full[0]!);
    const bankN = [0, 1].map((b) => m.reg(`bank${b}_n_m1_q`, uint(z.rowBits)));
    const kvMem = m.mem('kv_state', { type: uint(W.kv * d), depth: 2 * d });
    const vBuf = m.mem('v_buf', { type: uint(8 * d), depth: 2 * p.nmax });
    const wBuf = m.mem('taps', { type: uint(8 * d), depth: 2 * TAPS });
    const c = [0, 1].map((h) => Array.from({ length: d }, (_, b) => m.reg(`c${h}_${b}_q`, sint(W.c))));
    const k = io.kv.fields.k;
    const v = io.kv.fields.v;
    const q = io.q.fields;

    // ==== load side: cfg, taps, phase one into half sb; or the causal pass ========================
    const ls = m.reg('load_state_q', uint(2), { reset: L_IDLE });
    const sb = m.reg('load_bank_q', uint(1), { reset: 0 });
    const lN = m.reg('load_n_m1_q', uint(z.rowBits));
    const causal = m.reg('causal_q', uint(1));
    const t = m.reg('load_token_q', uint(z.rowBits));
    const s = m.reg('load_step_q', uint(z.stepBits));
    const at = (x: number): Value => ls.eq(x);
    const lastT = t.eq(lN);
    const first = t.eq(0);
    const lastRow = s.eq(d - 1);
    io.cfg.ready.set(at(L_IDLE).and(fullAt(sb).not()));
    io.w.ready.set(at(L_TAPS));
    wBuf.write(banked(sb, s, TAPS), pack(row8, io.w.fields), io.w.fire);

    const ka = select(s, k);
    const both = io.kv.valid.and(io.q.valid);
    const loadStep = mux(causal, both.and(lastRow.not().or(io.out.ready)), io.kv.valid).and(at(L_STATE)).named('load_step');
    // Block-RAM read, one cycle ahead: the next row while a row is worked on (row 0 while idle),
    // held while the step waits. Row s is written while row s + 1 is read (d ≥ 2: never the same).
    const rowNext = mux(lastRow, 0, s.add(1).resize(z.stepBits));
    const loadRead = mux(at(L_STATE), rowNext, 0);
    const oldRow = unpack(kvRow, kvMem.read(banked(sb, loadRead, d), at(L_STATE).not().or(loadStep), 'kv_load_row'));
    const newRow = oldRow.map((old, b) => mux(first, 0, old).add(ka.mul(v[b]!)).resize(W.kv));
    // Causal: a step needs the token's k, v and q; the last one also the output's ready.
    const causalOn = at(L_STATE).and(causal).named('causal_on');
    const causalStep = causalOn.and(both).and(lastRow.not().or(io.out.ready)).named('causal_step');
    const stateStep = at(L_STATE).and(causal.not()).and(io.kv.valid).named('state_step');
    const stepping = causalStep.or(stateStep);
    kvMem.write(banked(sb, s, d), pack(kvRow, newRow), stepping);
    vBuf.write(banked(sb, t, p.nmax), pack(row8, v), stateStep.and(s.eq(0)));
    io.kv.ready.set(at(L_STATE).and(lastRow).and(mux(causal, io.q.valid.and(io.out.ready), 1)));
    c.forEach((half, h) => m.when(stateStep.and(s.eq(0)).and(sb.eq(h)), () => half.forEach((r, b) => r.set(mux(first, 0, r).add(v[b]!).resize(W.c)))));
    // The causal query: acc += q̂_t[s] · S_t[s, :], the row just updated.
    const cAcc = Array.from({ length: d }, (_, b) => m.reg(`causal_acc${b}_q`, sint(W.qkv)));
    const qa = select(s, q);
    const cAccNext = cAcc.map((a, b) => mux(s.eq(0), 0, a).add(qa.mul(newRow[b]!).resize(W.qkv)).resize(W.qkv));
    m.when(causalStep.and(lastRow.not()), () => cAcc.forEach((r, b) => r.set(cAccNext[b]!)));
    const loaded = stateStep.and(lastRow).and(lastT).named('loaded');

    // ==== query side: phase two on half qb ========================================================
    const qb = m.reg('query_bank_q', uint(1), { reset: 0 });
    const qt = m.reg('query_token_q', uint(z.rowBits));
    const qs = m.reg('query_step_q', uint(z.stepBits));
    const running = fullAt(qb).named('query_running');
    const qN = mux(qb, bankN[1]!, bankN[0]!);
    const qLast = qs.eq(z.qSteps - 1);
    const inRows = d >= 2 ** z.stepBits ? lit(uint(1), 1) : qs.lt(d);
    const qx = select(qs, q);
    // Block-RAM reads one step ahead: (qt, qs) of the next step (of the next half after the last
    // query of a head; (0, 0) while idle), held while the step waits.
    const qAdvance = running.and(qLast.not().and(io.q.valid).or(qLast.and(io.out.fire))).named('query_advance');
    const qDone = running.and(qLast).and(io.out.fire).and(qt.eq(qN));
    const qsAhead = mux(running.and(qLast.not()), qs.add(1).resize(z.stepBits), 0);
    const qtAhead = mux(running.and(qLast).and(qt.ne(qN)), qt.add(1).resize(z.rowBits), mux(running.and(qLast.not()), qt, 0));
    const bankAhead = mux(qDone, qb.not(), qb);
    const readEn = qAdvance.or(running.not());
    const kvRead = unpack(kvRow, kvMem.read(banked(bankAhead, qsAhead, d), readEn, 'kv_query_row'));
    const acc = Array.from({ length: d }, (_, b) => m.reg(`acc${b}_q`, sint(W.qkv)));
    const fir = Array.from({ length: d }, (_, b) => m.reg(`fir${b}_q`, sint(W.dw)));
    const accNext = acc.map((a, b) => mux(qs.eq(0), 0, a).add(mux(inRows, qx.mul(kvRead[b]!).resize(W.qkv), 0)).resize(W.qkv));
    // FIR: V[t + s − 4] when 4 ≤ t + s ≤ N − 1 + 4 and s < 9.
    const j = qt.extend(z.rowBits + 1).add(qs.extend(z.rowBits + 1)).resize(z.rowBits + 2);
    const jIn = qs.lt(TAPS).and(j.ge(PAD)).and(j.le(qN.extend(z.rowBits + 2).add(PAD)));
    const jAhead = qtAhead.extend(z.rowBits + 1).add(qsAhead.extend(z.rowBits + 1)).resize(z.rowBits + 2);
    const vj = unpack(row8, vBuf.read(banked(bankAhead, jAhead.sub(PAD).resize(z.rowBits), p.nmax), readEn, 'v_row'));
    const taps = unpack(row8, wBuf.read(banked(bankAhead, qsAhead, TAPS), readEn, 'taps_row'));
    const firNext = fir.map((f, b) => mux(qs.eq(0), 0, f).add(mux(jIn, taps[b]!.mul(vj[b]!).resize(W.dw), 0)).resize(W.dw));
    const kappa = lit(sint(16), KAPPA);
    const cq = c[0]!.map((c0, b) => mux(qb, c[1]![b]!, c0));
    const outRow = accNext.map((a, b) => cq[b]!.shl(C_SHIFT).add(a.mul(kappa)).add(firNext[b]!.shl(DW_SHIFT)).resize(W.out));
    m.when(running.and(qLast.not()).and(io.q.valid), () => {
      acc.forEach((r, b) => r.set(accNext[b]!));
      fir.forEach((r, b) => r.set(firNext[b]!));
      qs.set(qs.add(1).resize(z.stepBits));
    });
    const queryOut = running.and(qLast).named('query_out');
    const queried = queryOut.and(io.out.fire).and(qt.eq(qN)).named('queried');
    m.when(queryOut.and(io.out.fire), () => {
      qs.set(0);
      qt.set(mux(qt.eq(qN), 0, qt.add(1).resize(z.rowBits)));
      m.when(qt.eq(qN), () => qb.set(qb.not()));
    });

    // ==== the shared out and q streams: the causal pass or the query side (never both) ===========
    io.out.valid.set(mux(causalOn, lastRow.and(both), queryOut.and(io.q.valid)));
    io.out.setFields(cAccNext.map((a, b) => mux(causalOn, a.resize(W.out), outRow[b]!)));
    io.q.ready.set(mux(causalOn, lastRow.and(io.kv.valid), queryOut).and(io.out.ready));

    // full[b]: set when half b's phase one ends, cleared when its last query leaves.
    full.forEach((f, b) => {
      m.when(loaded.and(sb.eq(b)), () => f.set(1)).elsewhen(queried.and(qb.eq(b)), () => f.set(0));
    });

    // ---- load sequencing ------------------------------------------------------------------------
    const sNext = s.add(1).resize(z.stepBits);
    m.switch(ls)
      .is(L_IDLE, () => m.when(io.cfg.fire, () => {
        lN.set(io.cfg.fields.nM1);
        causal.set(io.cfg.fields.causal);
        [0, 1].forEach((b) => m.when(sb.eq(b), () => bankN[b]!.set(io.cfg.fields.nM1)));
        s.set(0);
        t.set(0);
        ls.set(mux(io.cfg.fields.causal, lit(uint(2), L_WAIT), lit(uint(2), L_TAPS)));
      }))
      // The causal pass waits until every earlier head's queries have left (outputs in order).
      .is(L_WAIT, () => m.when(full[0]!.not().and(full[1]!.not()), () => ls.set(L_STATE)))
      .is(L_TAPS, () => m.when(io.w.fire, () => {
        s.set(mux(s.eq(TAPS - 1), 0, sNext));
        m.when(s.eq(TAPS - 1), () => ls.set(L_STATE));
      }))
      .is(L_STATE, () => m.when(stepping, () => {
        s.set(mux(lastRow, 0, sNext));
        m.when(lastRow, () => {
          t.set(mux(lastT, 0, t.add(1).resize(z.rowBits)));
          m.when(lastT, () => {
            ls.set(L_IDLE);
            m.when(causal.not(), () => sb.set(sb.not()));
          });
        });
      }))
      .default(() => ls.set(L_IDLE));
  });
}
