/**
 * The ViTCoD engine: fixed-mask sparse attention on lines of MAC units (ACCELERATORS.md §4).
 *
 * Architecture. `lines` MAC lines of `macs` units each. Per head the host splits the kept pairs into
 * the dense block (kept pairs in the global key columns) and the sparse coordinate list, and the
 * lines between the two engines in proportion to their pairs (`planHead` in golden.ts): the denser
 * engine's lines walk their share of the dense block query-major (query-stationary: the query row
 * stays while the global keys pass), the sparser engine's lines walk their share of the coordinate
 * list key-major (key-stationary: the key stays while the queries kept with it pass). Every line
 * takes one pair per d/macs cycles, all lines in lock step over a shared (pair, chunk) walker, so a
 * line's list is padded to the longest one (`steps`).
 *
 * Three stages, overlapped through double buffers (ping-pong), so head h+1 loads and head h−1 is
 * read out while head h computes:
 *   LOAD   (stage 1) after the port's `latency`, the head's row groups arrive over the off-chip port
 *          (`portBytes` bytes per beat, every byte counted on `offchipBytes`): per token its Q, K and
 *          V rows, or with the auto-encoder (`encoder`) the layer's 2 Q and 2 K code rows and V (the
 *          codes kept on chip for the layer's other heads, which bring only V), Q and K decoded by
 *          an int8 map and a right shift. Rows go into the free half of the Q/K/V buffers; each
 *          line's pair list (its own stream) into the free half of its list.
 *   stage 2, on a loaded half, into a free half of the lines' state:
 *   SCORE  each line: S = Σ Q[i,:]·K[j,:] over d/macs cycles (macs products and an adder tree per
 *          cycle), S into the line's score memory, the line's partial row maximum of i updated.
 *   MERGE  `mergeRows` rows per cycle: m[i] = max over the lines that hold pairs of row i, along the
 *          chain through the lines, into the banked row-max memory.
 *   SV     each line: P = E[min(255, (m[i] − S) >> σ)] from its 256-entry table, then over d/macs
 *          cycles O[i, chunk] += P·V[j, chunk] (macs MACs) and L[i] += P into the line's partial O/L.
 *   OUT    (stage 3) one row per cycle: O[i,:] and L[i] summed along the line chain, one token.
 * A row split over several lines (the CLS query keeps every key) is merged exactly: max for m,
 * sums for O and L, so the result equals the kernel bit for bit. The lines are `line.ts`.
 *
 * Modelling notes: the Q/K/V buffers, score, list and partial-state memories are read asynchronously
 * (LUT-RAM style), every line has its own read port on the shared Q/K/V buffers, and the max and sum
 * chains through the lines are combinational; a timing-closed build would pipeline the reads and the
 * chains and bank the buffers.
 *
 * Streams, in the order the host sends them (payload types in `vitcodPorts`):
 *   cfg    one token per head {nM1: N − 1, stepsM1: steps − 1} (with the encoder also the load mode
 *          and the head's decoder weights and shifts, `HeadLoad` in golden.ts)
 *   mem    the off-chip port: beats of `portBytes` int8, per token the head's row group
 *   pairs  `steps` tokens per head: element l = line l's entry {valid, first, row i, key j}
 *   out    N tokens per head: {l: L[i], o: O[i,:]}
 */
import { In, Out, Record, Stream, Vec, module, sint, uint, pack, unpack, mux, select, lit } from '../../dsl/index.ts';
import type { Value } from '../../dsl/index.ts';
import { banked, createLine, paddedRows } from './line.ts';
import { vitcodModuleName, vitcodSizes, type VitcodParams } from './params.ts';

const IDLE = 0;
const SCORE = 2;
const MERGE = 3;
const SV = 4;

/** One entry of a line's pair list. */
export const lineEntry = (p: VitcodParams) => {
  const rb = vitcodSizes(p).rowBits;
  return Record({ valid: uint(1), first: uint(1), row: uint(rb), key: uint(rb) });
};

/** A row of Q, K or V. */
export const tokenRow = (p: VitcodParams) => Vec(sint(8), p.d);

/** One output row: L[i] and O[i,:]. */
export const outRow = (p: VitcodParams) => Record({ l: uint(32), o: Vec(sint(32), p.d) });

/** The per-head configuration: N − 1, steps − 1, and with the encoder how Q and K arrive (`HeadLoad` in golden.ts). */
export const cfgType = (p: VitcodParams) => {
  const z = vitcodSizes(p);
  const base = { nM1: uint(z.rowBits), stepsM1: uint(z.stepBits) };
  return p.encoder
    ? Record({ ...base, mode: uint(2), dq: Vec(sint(8), 2), sq: uint(4), dk: Vec(sint(8), 2), sk: uint(4) })
    : Record(base);
};

/** The engine's ports: its streams in the order the host sends them, and the off-chip byte counter. */
export function vitcodPorts(p: VitcodParams) {
  return {
    cfg: In(Stream(cfgType(p))),
    mem: In(Stream(Vec(sint(8), p.portBytes))),
    pairs: In(Stream(Vec(lineEntry(p), p.lines))),
    out: Out(Stream(outRow(p))),
    offchipBytes: Out(uint(32)),
  };
}

/** x̂[t] = sat8((w0·z0[t] + w1·z1[t]) >> s), arithmetic shift: the auto-encoder's decoder (`decodeHeads`). */
function decodeRow(z0: Value[], z1: Value[], w: Value[], s: Value): Value[] {
  return z0.map((a, t) => w[0]!.mul(a).extend(17).add(w[1]!.mul(z1[t]!).extend(17)).trunc(17).shrBy(s).sat(8));
}

export function createVitcod(p: VitcodParams) {
  const z = vitcodSizes(p);
  const rb = z.rowBits;
  const R = p.mergeRows;
  const rBits = Math.log2(R);
  const nPad = paddedRows(p);
  return module(vitcodModuleName(p), vitcodPorts(p), (io, m) => {
    /** Two flags (one per half) set and cleared by the stages on either side. */
    const flags = (name: string) => {
      const f = [0, 1].map((b) => m.reg(`${name}${b}_q`, uint(1), { reset: 0 }));
      return {
        at: (bank: Value): Value => mux(bank, f[1]!, f[0]!),
        update(setWhen: Value, setBank: Value, clearWhen: Value, clearBank: Value): void {
          f.forEach((r, b) => {
            const mine = (bank: Value) => (b ? bank : bank.not());
            m.when(setWhen.and(mine(setBank)), () => r.set(1)).elsewhen(clearWhen.and(mine(clearBank)), () => r.set(0));
          });
        },
      };
    };

    // ==== stage 1: loads into the free half of the Q/K/V buffers and the pair lists ============
    const lState = m.reg('load_state_q', uint(1), { reset: 0 });
    const lb = m.reg('load_bank_q', uint(1), { reset: 0 });
    const inFull = flags('input_full');
    const lN = m.reg('load_n_m1_q', uint(rb));
    const lSteps = m.reg('load_steps_m1_q', uint(z.stepBits));
    const cfgN = [0, 1].map((b) => m.reg(`cfg${b}_n_m1_q`, uint(rb)));
    const cfgSteps = [0, 1].map((b) => m.reg(`cfg${b}_steps_m1_q`, uint(z.stepBits)));
    const loading = lState.eq(1);
    io.cfg.ready.set(loading.not().and(inFull.at(lb).not()));
    const cfgF = io.cfg.fields as { nM1: Value; stepsM1: Value; mode?: Value; dq?: Value[]; sq?: Value; dk?: Value[]; sk?: Value };

    // The off-chip port: `portBytes` bytes per beat, ready `latency` cycles after the head's load
    // starts; beats shift into the row assembler, a row group (Q, K, V; or the 4 codes and V; or V)
    // completes every group·d/portBytes beats and is written at once. Every byte taken is counted.
    const G = p.encoder ? 5 : 3;
    const asmType = Vec(sint(8), G * p.d);
    const asm = m.reg('port_assembly_q', uint(8 * G * p.d));
    const latBits = Math.max(1, Math.ceil(Math.log2(p.latency + 1)));
    const wait = m.reg('port_wait_q', uint(latBits), { reset: 0 });
    const beatsOf = (rows: number) => (rows * p.d) / p.portBytes;
    const beatBits = Math.max(1, Math.ceil(Math.log2(beatsOf(G))));
    const beat = m.reg('port_beat_q', uint(beatBits));
    const row = m.reg('load_row_q', uint(rb));
    const memDone = m.reg('mem_done_q', uint(1), { reset: 0 });
    const counted = m.reg('offchip_bytes_q', uint(32), { reset: 0 });
    io.offchipBytes.set(counted);
    io.mem.ready.set(loading.and(wait.eq(0)).and(memDone.not()));
    const lMode = p.encoder ? m.reg('load_mode_q', uint(2)) : undefined;
    const lastBeat = (lMode
      ? select(lMode, [0, 1, 2, 2].map((mo) => beat.eq(beatsOf([3, 5, 1][mo]!) - 1)))
      : beat.eq(beatsOf(3) - 1)).named('port_group_done');
    const next = [...unpack(asmType, asm).slice(p.portBytes), ...io.mem.fields];
    const rowAt = (j: number): Value => pack(tokenRow(p), next.slice(j * p.d, (j + 1) * p.d));
    const groupDone = io.mem.fire.and(lastBeat).named('row_group_done');
    const qkv = { q: rowAt(G - 3), k: rowAt(G - 2), v: rowAt(G - 1) };
    if (p.encoder) {
      // Codes arrive (mode 1) with V: zq0, zq1, zk0, zk1 are rows 0..3 and kept for the layer's
      // other heads (mode 2: only V arrives, the codes are read back). Mode 0: raw Q, K, V.
      const codeMem = [0, 1, 2, 3].map((c) => m.mem(`code${c}`, { type: uint(8 * p.d), depth: p.nmax }));
      codeMem.forEach((mem, c) => mem.write(row, rowAt(c), groupDone.and(lMode!.eq(1))));
      const codeRow = (c: number) => unpack(tokenRow(p), mux(lMode!.eq(1), rowAt(c), codeMem[c]!.readAsync(row)));
      const w = (name: string, n: number, t: ReturnType<typeof sint>) => Array.from({ length: n }, (_, k) => m.reg(`${name}${k}_q`, t));
      const [dq, dk] = [w('dec_q', 2, sint(8)), w('dec_k', 2, sint(8))];
      const [sq, sk] = [m.reg('dec_q_shift_q', uint(4)), m.reg('dec_k_shift_q', uint(4))];
      m.when(loading.not().and(io.cfg.fire), () => {
        lMode!.set(cfgF.mode!);
        dq.forEach((r, k) => r.set(cfgF.dq![k]!));
        dk.forEach((r, k) => r.set(cfgF.dk![k]!));
        sq.set(cfgF.sq!);
        sk.set(cfgF.sk!);
      });
      const raw = lMode!.eq(0);
      qkv.q = mux(raw, rowAt(2), pack(tokenRow(p), decodeRow(codeRow(0), codeRow(1), dq, sq))).named('decoded_q');
      qkv.k = mux(raw, rowAt(3), pack(tokenRow(p), decodeRow(codeRow(2), codeRow(3), dk, sk))).named('decoded_k');
    }
    const buf = (name: string, data: Value) => {
      const mem = m.mem(name, { type: uint(8 * p.d), depth: 2 * p.nmax });
      mem.write(banked(lb, row, p.nmax), data, groupDone);
      return { mem };
    };
    const qb = buf('qbuf', qkv.q);
    const kb = buf('kbuf', qkv.k);
    const vb = buf('vbuf', qkv.v);
    const pCount = m.reg('pairs_count_q', uint(z.stepBits));
    const pDone = m.reg('pairs_done_q', uint(1), { reset: 0 });
    io.pairs.ready.set(loading.and(pDone.not()));
    const loads = [{ count: row, done: memDone, fire: groupDone, last: row.eq(lN) }, { count: pCount, done: pDone, fire: io.pairs.fire, last: pCount.eq(lSteps) }];
    const loaded = loading.and(memDone).and(pDone).named('loaded');
    m.when(io.mem.fire, () => {
      asm.set(pack(asmType, next));
      beat.set(mux(lastBeat, 0, beat.add(1).trunc(beatBits)));
      counted.set(counted.add(p.portBytes).trunc(32));
    });
    m.when(wait.ne(0), () => wait.set(wait.sub(1).trunc(latBits)));
    m.when(loading.not().and(io.cfg.fire), () => {
      lN.set(cfgF.nM1);
      lSteps.set(cfgF.stepsM1);
      [0, 1].forEach((b) => m.when(lb.eq(b), () => {
        cfgN[b]!.set(cfgF.nM1);
        cfgSteps[b]!.set(cfgF.stepsM1);
      }));
      for (const ld of loads) {
        ld.count.set(0);
        ld.done.set(0);
      }
      beat.set(0);
      wait.set(p.latency);
      lState.set(1);
    });
    m.when(loading, () => {
      for (const ld of loads)
        m.when(ld.fire, () => {
          ld.count.set(ld.count.add(1).trunc(ld.count.width));
          m.when(ld.last, () => ld.done.set(1));
        });
      m.when(loaded, () => {
        lState.set(0);
        lb.set(lb.not());
      });
    });

    // ==== stage 2: SCORE, MERGE, SV on the full half, into a free half of the line state ========
    const state = m.reg('state_q', uint(3), { reset: IDLE });
    const cb = m.reg('compute_bank_q', uint(1), { reset: 0 });
    const sb = m.reg('state_bank_q', uint(1), { reset: 0 });
    const stFull = flags('state_full');
    const nM1 = mux(cb, cfgN[1]!, cfgN[0]!);
    const stepsM1 = mux(cb, cfgSteps[1]!, cfgSteps[0]!);
    const inState = (s: number): Value => state.eq(s);
    const t = m.reg('step_q', uint(z.stepBits));
    const c = m.reg('chunk_q', uint(z.chunkBits));
    const lastC = c.eq(z.chunks - 1);
    const lastT = t.eq(stepsM1);
    const mi = m.reg('merge_group_q', uint(Math.max(1, rb - rBits)));
    const groupRows = Array.from({ length: R }, (_, k) => (rBits ? mi.extend(rb).shl(rBits).trunc(rb).add(k).trunc(rb) : mi));
    const start = inState(IDLE).and(inFull.at(cb)).and(stFull.at(sb).not()).named('compute_start');
    const computed = inState(SV).and(lastC).and(lastT).named('computed');
    inFull.update(loaded, lb, computed, cb);

    // ==== stage 3: OUT reads the other half of the line state ===================================
    const ob = m.reg('out_bank_q', uint(1), { reset: 0 });
    const outN = [0, 1].map((b) => m.reg(`out${b}_n_m1_q`, uint(rb)));
    const oi = m.reg('out_row_q', uint(rb));
    const outLast = oi.eq(mux(ob, outN[1]!, outN[0]!));
    io.out.valid.set(stFull.at(ob));
    const outDone = io.out.fire.and(outLast);
    stFull.update(computed, sb, outDone, ob);
    m.when(io.out.fire, () => oi.set(mux(outLast, 0, oi.add(1).trunc(rb))));
    m.when(outDone, () => ob.set(ob.not()));
    [0, 1].forEach((b) => m.when(computed.and(sb.eq(b)), () => outN[b]!.set(nM1)));

    // The merged row maxima, written in MERGE, read by every line in SV.
    // R banks (row mod R) so MERGE writes R rows per cycle.
    const merged = Array.from({ length: R }, (_, k) => m.mem(`row_max${k}`, { type: sint(32), depth: nPad / R }));
    const mergedAt = (r: Value): Value => select(rBits ? r.slice(rBits - 1, 0) : r.trunc(1), merged.map((bank) => bank.readAsync(r.shr(rBits).resize(bank.addrWidth))));

    // The lines, chained: the row maxima of the merge group and the read-out row's sums pass
    // through every line, each adding its own part (a line that holds no pair of the row adds none).
    const line = createLine(p);
    const minInt = lit(sint(32), -(2 ** 31));
    let maxChain: Value[] = groupRows.map(() => minInt);
    let sumChain = { l: lit(uint(32), 0) as Value, o: lit(uint(32 * p.d), 0) as Value };
    io.pairs.fields.forEach((entry, l) => {
      // The rows this line names, read from the shared buffers in the same cycle.
      const q = m.wire(`line${l}_q`, uint(8 * p.d));
      const k = m.wire(`line${l}_k`, uint(8 * p.d));
      const v = m.wire(`line${l}_v`, uint(8 * p.d));
      const mx = m.wire(`line${l}_m`, sint(32));
      const u = m.instance(`line${l}`, line, {
        ctl: { score: inState(SCORE), sv: inState(SV), c, t, inBank: cb, stateBank: sb },
        load: { we: io.pairs.fire, bank: lb, addr: pCount, entry },
        data: { q, k, v, m: mx },
        merge: groupRows,
        drain: { row: oi, bank: ob, fire: io.out.fire },
        maxIn: maxChain,
        sumIn: sumChain,
      });
      q.set(qb.mem.readAsync(banked(cb, u.at.row, p.nmax)));
      k.set(kb.mem.readAsync(banked(cb, u.at.key, p.nmax)));
      v.set(vb.mem.readAsync(banked(cb, u.at.key, p.nmax)));
      mx.set(mergedAt(u.at.row));
      maxChain = u.maxOut;
      sumChain = u.sumOut;
    });

    // MERGE: the maxima of the group's rows over all lines; OUT: the row's sums over all lines.
    merged.forEach((bank, g) => m.when(inState(MERGE), () => bank.write(mi.resize(bank.addrWidth), maxChain[g]!)));
    io.out.setFields({ l: sumChain.l, o: unpack(Vec(sint(32), p.d), sumChain.o) });

    // ---- sequencing of stage 2 ------------------------------------------------------------------
    const walk = (next: () => void) => {
      c.set(mux(lastC, 0, c.add(1).trunc(z.chunkBits)));
      m.when(lastC, () => {
        t.set(t.add(1).trunc(z.stepBits));
        m.when(lastT, () => {
          t.set(0);
          next();
        });
      });
    };
    m.switch(state)
      .is(IDLE, () => m.when(start, () => {
        t.set(0);
        c.set(0);
        state.set(SCORE);
      }))
      .is(SCORE, () => walk(() => {
        mi.set(0);
        state.set(MERGE);
      }))
      .is(MERGE, () => {
        mi.set(mi.add(1).trunc(mi.width));
        m.when(mi.eq(nM1.shr(rBits)), () => {
          c.set(0);
          state.set(SV);
        });
      })
      .is(SV, () => walk(() => {
        cb.set(cb.not());
        sb.set(sb.not());
        state.set(IDLE);
      }))
      .default(() => state.set(IDLE));
  });
}
