/**
 * The SmartExchange engine (ACCELERATORS.md §5): a rebuild engine (shifters and adders) feeding a
 * weight-stationary MAC array, with zero Ce rows and zero activations skipped by index logic.
 *
 * Architecture. `lanes` lanes, one filter each, 3 MACs a lane. A job (one cfg token) is Y = W·X for
 * M filters (in groups of `lanes`) of K = 3·G weights over N columns:
 *   LOAD     X arrives once, one token of xw triples (X[3r..3r+2, n] for xw consecutive r) a cycle,
 *            column by column (n-major), into
 *            the activation buffer; a bit per activation (nonzero) is gathered into the column's
 *            activation mask (bit 4r + c, 4G bits, one word per column). The load runs from the cfg
 *            token on, alongside group 0's basis, rebuild and compute (column n of group 0 waits
 *            until the load has written all of column n).
 *   BASIS    per group, one token: each lane's 3×3 int8 basis B into registers.
 *   REBUILD  per group, G tokens, one a cycle: each lane's Ce row r (3 codes {nz, sign, k}) → weight
 *            row W[r,:] = Σ_j ±(B[j,:] << k_j) (three shifters and an adder tree per column, int16
 *            exact) into the lane's weight buffer (weight-stationary for the whole group); a bit per
 *            r (any lane's row nonzero) into the weight mask.
 *   COMPUTE  per column n: the work bits (activation nonzero AND its Ce row nonzero in some lane:
 *            act mask & weight mask) are taken three a cycle by three cascaded find-first-sets;
 *            each cycle every lane does 3 MACs W[r_i, c_i]·X[3r_i + c_i, n] (i < 3) into its int32
 *            accumulator. The cycle of the column's last work emits the column's token (one int32
 *            per lane); a column without work costs one cycle. So a column costs
 *            max(1, ceil(work / 3)) cycles.
 * The groups' phases run one after another (no double buffering of the weights yet): a group costs
 * 1 + G + Σ_n max(1, ceil(work_n / 3)) cycles; group 0 is also held to the load, xw triples a cycle.
 *
 * Modelling notes: buffers are read asynchronously (LUT-RAM style, three read ports each) and the
 * find-first-sets over 4G bits are combinational; a timing-closed build would register the reads
 * and pipeline the walker.
 *
 * Streams, in the order they are consumed (payload types in `sePorts`):
 *   cfg  one token per job {gM1: G − 1, nM1: N − 1, groupsM1: ceil(M / lanes) − 1}
 *   x    ceil(G / xw)·N tokens: column n, word t = the triples X[3r..3r+2, n] of r = t·xw + e
 *   b    one token per group: lane l's basis B (9 int8, row-major)
 *   ce   G tokens per group: element l = lane l's Ce row r (3 codes)
 *   y    N tokens per group: Y[group·lanes + l, n] for each lane l
 */
import { In, Out, Record, Stream, Vec, module, sint, uint, unpack, pack, mux, cat, select, sumTree, lit } from '../../dsl/index.ts';
import type { Value } from '../../dsl/index.ts';
import { seModuleName, seSizes, type SeParams } from './params.ts';

// The rebuild unit's states and the compute unit's (two machines, so with two weight banks the
// next group is rebuilt while the current one computes).
const R_IDLE = 0;
const R_BASIS = 1;
const R_REBUILD = 2;
const C_IDLE = 0;
const C_COMPUTE = 1;

/** One Ce entry: 0 (nz = 0) or (−1)^sign · 2^k. */
export const ceCodeType = Record({ nz: uint(1), sign: uint(1), k: uint(3) });

/** A rebuilt weight row: 3 int16. */
const weightRow = Vec(sint(16), 3);
const actTriple = Vec(sint(8), 3);

export function sePorts(p: SeParams) {
  const z = seSizes(p);
  return {
    cfg: In(Stream(Record({ gM1: uint(z.gBits), nM1: uint(z.nBits), groupsM1: uint(z.groupBits) }))),
    x: In(Stream(Vec(actTriple, p.xw))),
    b: In(Stream(Vec(Vec(sint(8), 9), p.lanes))),
    ce: In(Stream(Vec(Vec(ceCodeType, 3), p.lanes))),
    y: Out(Stream(Vec(sint(32), p.lanes))),
  };
}

/** ±(b << k) or 0: one shifter of the rebuild engine, int16. */
function term(b: Value, code: { nz: Value; sign: Value; k: Value }): Value {
  const shifted = b.extend(16).shlBy(code.k);
  const signed = mux(code.sign, shifted.neg().trunc(16), shifted);
  return mux(code.nz, signed, lit(sint(16), 0));
}

export function createSmartExchange(p: SeParams) {
  const z = seSizes(p);
  const G = p.gmax;
  return module(seModuleName(p), sePorts(p), (io, m) => {
    const rState = m.reg('rebuild_state_q', uint(2), { reset: R_IDLE });
    const cState = m.reg('compute_state_q', uint(1), { reset: C_IDLE });
    const wb = p.wbanks;
    const gM1 = m.reg('g_m1_q', uint(z.gBits));
    const nM1 = m.reg('n_m1_q', uint(z.nBits));
    const groupsM1 = m.reg('groups_m1_q', uint(z.groupBits));
    const r = m.reg('row_q', uint(z.gBits));
    const n = m.reg('col_q', uint(z.nBits));
    const group = m.reg('group_q', uint(z.groupBits));
    const rGroup = m.reg('rebuild_group_q', uint(z.groupBits));
    // Group g uses weight bank g mod wbanks; a bank is full from the end of its rebuild to the end of its compute.
    const bankOf = (g: Value): Value => (wb === 1 ? lit(uint(1), 0) : g.bit(0));
    const full = Array.from({ length: wb }, (_, b) => m.reg(`bank_full${b}_q`, uint(1), { reset: 0 }));
    const isFull = (bank: Value): Value => (wb === 1 ? full[0]! : mux(bank, full[1]!, full[0]!));
    const rBank = bankOf(rGroup);
    const cBank = bankOf(group);
    const xa = m.reg('x_addr_q', uint(z.xaBits));
    // The load's own counters (it runs alongside the rebuild and compute of group 0).
    const xLoading = m.reg('x_loading_q', uint(1), { reset: 0 });
    const rL = m.reg('load_word_q', uint(z.gBits));
    const nL = m.reg('load_cols_q', uint(z.nBits + 1));
    const colBase = m.reg('col_base_q', uint(z.xaBits));
    // Activation mask bits, one per activation at 4r + c (c < 3; bit 4r + 3 is always 0).
    const W4 = 4 * G;
    const actBits = Array.from({ length: G }, (_, i) => [0, 1, 2].map((c) => m.reg(`act_bit${i}_${c}_q`, uint(1))));
    const zeroBit = lit(uint(1), 0);
    const wBits = Array.from({ length: wb }, (_, b) => Array.from({ length: G }, (_, i) => m.reg(`w_bit${b}_${i}_q`, uint(1))));
    const word = (bitsOf: Value[]): Value => cat(...[...bitsOf].reverse());
    const fresh = m.reg('fresh_q', uint(1), { reset: 1 });
    const lastR = r.eq(gM1);
    const lastN = n.eq(nM1);

    // ---- cfg ------------------------------------------------------------------------------------
    io.cfg.ready.set(rState.eq(R_IDLE).and(cState.eq(C_IDLE)));
    m.when(io.cfg.fire, () => {
      gM1.set(io.cfg.fields.gM1);
      nM1.set(io.cfg.fields.nM1);
      groupsM1.set(io.cfg.fields.groupsM1);
      rL.set(0);
      nL.set(0);
      xa.set(0);
      xLoading.set(1);
      group.set(0);
      rGroup.set(0);
      n.set(0);
      colBase.set(0);
      fresh.set(1);
      for (const b of [...actBits.flat(), ...wBits.flat(), ...full]) b.set(0);
      rState.set(R_BASIS);
      cState.set(C_COMPUTE);
    });

    // ---- LOADX: the activation buffer and the per-column masks, alongside group 0's compute -------
    const xbuf = m.mem('xbuf', { type: uint(24 * p.xw), depth: p.xdepth });
    const actMask = m.mem('act_mask', { type: uint(W4), depth: p.nmax });
    io.x.ready.set(xLoading);
    xbuf.write(xa.resize(xbuf.addrWidth), io.x.payload, io.x.fire);
    // Token t of a column holds rows t·xw .. t·xw + xw − 1 (the host pads the last token with zeros).
    const nzNow = io.x.fields.map((tr) => tr.map((x) => x.ne(0)));
    const wordsM1 = gM1.shr(z.xwBits);
    const lastRL = rL.eq(wordsM1);
    const mine = (i: number): Value => rL.eq(Math.floor(i / p.xw));
    const colWord = word(actBits.flatMap((bs, i): Value[] => [...bs.map((b, c) => mux(mine(i), nzNow[i % p.xw]![c]!, b)), zeroBit]));
    actMask.write(nL.resize(actMask.addrWidth), colWord, io.x.fire.and(lastRL));
    m.when(io.x.fire, () => {
      xa.set(xa.add(1).trunc(z.xaBits));
      actBits.forEach((bs, i) => m.when(mine(i), () => bs.forEach((b, c) => b.set(nzNow[i % p.xw]![c]!))));
      rL.set(mux(lastRL, 0, rL.add(1).trunc(z.gBits)));
      m.when(lastRL, () => {
        nL.set(nL.add(1).trunc(z.nBits + 1));
        m.when(nL.eq(nM1.extend(z.nBits + 1)), () => xLoading.set(0));
      });
    });

    // ---- BASIS and REBUILD: the rebuild engine into the lanes' weight buffers ----------------------
    const basis = Array.from({ length: p.lanes }, (_, l) => Array.from({ length: 9 }, (_, i) => m.reg(`basis${l}_${i}_q`, sint(8))));
    // A group's basis is taken once its bank is empty (the compute of group g − wbanks is over).
    io.b.ready.set(rState.eq(R_BASIS).and(isFull(rBank).not()));
    m.when(io.b.fire, () => {
      basis.forEach((regs, l) => regs.forEach((reg, i) => reg.set(io.b.fields[l]![i]!)));
      r.set(0);
      rState.set(R_REBUILD);
    });
    io.ce.ready.set(rState.eq(R_REBUILD));
    const wbuf = basis.map((_, l) => m.mem(`wbuf${l}`, { type: uint(48), depth: wb * G }));
    /** Bank `bank`'s row `row` in a weight buffer: row + bank·G. */
    const wAddr = (bank: Value, row: Value, width: number): Value =>
      (wb === 1 ? row.resize(width) : mux(bank, row.resize(width).add(G).trunc(width), row.resize(width)));
    const nzAny = io.ce.fields.flatMap((codes): Value[] => codes.map((c) => c.nz)).reduce((a, b) => a.or(b));
    basis.forEach((B, l) => {
      const codes = io.ce.fields[l]!;
      const row = [0, 1, 2].map((c) => sumTree([0, 1, 2].map((j) => term(B[j * 3 + c]!, codes[j]!))).trunc(16));
      wbuf[l]!.write(wAddr(rBank, r, wbuf[l]!.addrWidth), pack(weightRow, row), io.ce.fire);
    });
    m.when(io.ce.fire, () => {
      wBits.forEach((bank, b) => m.when(rBank.eq(b), () => bank.forEach((bit, i) => m.when(r.eq(i), () => bit.set(nzAny)))));
      r.set(mux(lastR, 0, r.add(1).trunc(z.gBits)));
      m.when(lastR, () => {
        full.forEach((f, b) => m.when(rBank.eq(b), () => f.set(1)));
        m.when(rGroup.eq(groupsM1), () => rState.set(R_IDLE)).otherwise(() => {
          rGroup.set(rGroup.add(1).trunc(z.groupBits));
          rState.set(R_BASIS);
        });
      });
    });

    // ---- COMPUTE: walk the activations with work, three a cycle, 3 MACs a lane -------------------
    // Work bit 4r + c: activation X[3r + c, n] nonzero and Ce row r nonzero in some lane.
    const rem = m.reg('rem_q', uint(W4));
    const wWords = wBits.map((bank) => word(bank.flatMap((b): Value[] => [b, b, b, zeroBit])));
    const wWord = wb === 1 ? wWords[0]! : mux(cBank, wWords[1]!, wWords[0]!);
    const cur = mux(fresh, actMask.readAsync(n.resize(actMask.addrWidth)).and(wWord), rem).named('work_mask');
    const iBits = Math.ceil(Math.log2(W4));
    /** The lowest set bit of `v`, its index, and `v` without it. */
    const pick = (v: Value, k: number) => {
      const low = v.and(v.not().add(1).trunc(W4)).named(`work_low${k}`);
      const bitsOf = Array.from({ length: iBits }, (_, b) => {
        const sel = Array.from({ length: W4 }, (_, i) => i).filter((i) => (i >> b) & 1 && i % 4 !== 3).map((i) => low.bit(i));
        return sel.length ? cat(...sel).orR() : zeroBit;
      });
      const idx = cat(...bitsOf.reverse()).named(`work_idx${k}`);
      return { valid: low.orR(), row: idx.shr(2), col: idx.slice(1, 0), rest: v.xor(low) };
    };
    const slots: ReturnType<typeof pick>[] = [];
    let left = cur;
    for (let k = 0; k < 3; k++) {
      const s = pick(left, k);
      slots.push(s);
      left = s.rest;
    }
    const after = left;
    const last = after.orR().not();
    const xs = slots.map((sl) => {
      const wordAt = xbuf.readAsync(colBase.add(sl.row.shr(z.xwBits)).trunc(z.xaBits).resize(xbuf.addrWidth));
      const triples = unpack(Vec(actTriple, p.xw), wordAt);
      const triple = [0, 1, 2].map((c) => (p.xw === 1 ? triples[0]![c]! : select(sl.row.slice(z.xwBits - 1, 0), triples.map((t) => t[c]!))));
      return select(sl.col, triple);
    });
    const accs = basis.map((_, l) => m.reg(`acc${l}_q`, sint(32)));
    const accNew = accs.map((acc, l) => {
      const prods = slots.map((sl, k) => {
        const w = select(sl.col, unpack(weightRow, wbuf[l]!.readAsync(wAddr(cBank, sl.row, wbuf[l]!.addrWidth))));
        return mux(sl.valid, w.mul(xs[k]!), lit(sint(24), 0));
      });
      return mux(fresh, lit(sint(32), 0), acc).add(sumTree(prods).resize(32)).trunc(32);
    });
    // Column n is ready once the load has written all of it (nL columns loaded).
    const colReady = xLoading.not().or(nL.gt(n.extend(z.nBits + 1)));
    const computing = cState.eq(C_COMPUTE).and(isFull(cBank)).and(colReady);
    io.y.valid.set(computing.and(last));
    io.y.setFields(accNew);
    const go = computing.and(last.not().or(io.y.ready));
    m.when(go, () => {
      m.when(last, () => {
        fresh.set(1);
        n.set(mux(lastN, 0, n.add(1).trunc(z.nBits)));
        colBase.set(colBase.add(wordsM1).add(1).trunc(z.xaBits));
        m.when(lastN, () => {
          // The group is done: its bank is free for group + wbanks.
          colBase.set(0);
          full.forEach((f, b) => m.when(cBank.eq(b), () => f.set(0)));
          group.set(group.add(1).trunc(z.groupBits));
          m.when(group.eq(groupsM1), () => cState.set(C_IDLE));
        });
      }).otherwise(() => {
        accs.forEach((acc, l) => acc.set(accNew[l]!));
        rem.set(after);
        fresh.set(0);
      });
    });
  });
}
