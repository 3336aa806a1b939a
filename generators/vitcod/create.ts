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
 * Per head, five phases:
 *   LOAD   Q, K, V rows (one row of d int8 per token on each stream, concurrently) into the Q/K/V
 *          buffers, and each line's pair list (one entry per line per token) into its list memory.
 *   SCORE  each line: S = Σ Q[i,:]·K[j,:] over d/macs cycles (macs products and an adder tree per
 *          cycle), S into the line's score memory, the line's partial row maximum of i updated.
 *   MERGE  one row per cycle: m[i] = max over the lines that hold pairs of row i (a max tree).
 *   SV     each line: P = E[min(255, (m[i] − S) >> σ)] from the 256-entry table, then over d/macs
 *          cycles O[i, chunk] += P·V[j, chunk] (macs MACs) and L[i] += P into the line's partial O/L.
 *   OUT    one row per cycle: O[i,:] and L[i] summed over the lines that hold row i, as one token.
 * A row split over several lines (the CLS query keeps every key) is merged exactly: max for m,
 * sums for O and L, so the result equals the kernel bit for bit.
 *
 * Modelling notes: the Q/K/V buffers, score, list and partial-state memories are read asynchronously
 * (LUT-RAM style) and every line has its own read port on the shared Q/K/V buffers; a timing-closed
 * build would pipeline the reads and bank the buffers. Loads are not overlapped with compute yet.
 *
 * Streams, in the order the host sends them (payload types in `vitcodPorts`):
 *   cfg    one token per head {nM1: N − 1, stepsM1: steps − 1}
 *   q,k,v  N tokens per head: row r of Q, K, V (d int8)
 *   pairs  `steps` tokens per head: element l = line l's entry {valid, first, row i, key j}
 *   out    N tokens per head: {l: L[i], o: O[i,:]}
 */
import { In, Out, Record, Stream, Vec, module, sint, uint, unpack, pack, mux, select, sumTree, lit } from '../../dsl/index.ts';
import type { Memory, Value } from '../../dsl/index.ts';
import { expTable } from './golden.ts';
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

/** The engine's ports: its streams in the order the host sends them. */
export function vitcodPorts(p: VitcodParams) {
  const z = vitcodSizes(p);
  return {
    cfg: In(Stream(Record({ nM1: uint(z.rowBits), stepsM1: uint(z.stepBits) }))),
    q: In(Stream(tokenRow(p))),
    k: In(Stream(tokenRow(p))),
    v: In(Stream(tokenRow(p))),
    pairs: In(Stream(Vec(lineEntry(p), p.lines))),
    out: Out(Stream(outRow(p))),
  };
}

export function createVitcod(p: VitcodParams) {
  const z = vitcodSizes(p);
  const rb = z.rowBits;
  const row = tokenRow(p);
  const oRow = Vec(sint(32), p.d);
  const R = p.mergeRows;
  const rBits = Math.log2(R);
  // Line state is kept for whole merge groups of R rows.
  const nPad = Math.ceil(p.nmax / R) * R;
  return module(vitcodModuleName(p), vitcodPorts(p), (io, m) => {
    /** Address of word `a` in half `bank` of a double-buffered memory of 2 x `depth` words. */
    const banked = (bank: Value, a: Value, depth: number): Value => {
      const w = Math.max(1, Math.ceil(Math.log2(2 * depth)));
      return mux(bank, a.extend(w).add(depth).trunc(w), a.extend(w));
    };
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
    const buffer = (name: string, s: typeof io.q) => {
      const mem = m.mem(name, { type: uint(8 * p.d), depth: 2 * p.nmax });
      const count = m.reg(`${name}_count_q`, uint(rb));
      const done = m.reg(`${name}_done_q`, uint(1), { reset: 0 });
      s.ready.set(loading.and(done.not()));
      mem.write(banked(lb, count, p.nmax), s.payload, s.fire);
      return { mem, count, done, fire: s.fire, last: count.eq(lN) };
    };
    const qb = buffer('qbuf', io.q);
    const kb = buffer('kbuf', io.k);
    const vb = buffer('vbuf', io.v);
    const pCount = m.reg('pairs_count_q', uint(z.stepBits));
    const pDone = m.reg('pairs_done_q', uint(1), { reset: 0 });
    io.pairs.ready.set(loading.and(pDone.not()));
    const loads = [qb, kb, vb, { count: pCount, done: pDone, fire: io.pairs.fire, last: pCount.eq(lSteps) }];
    const loaded = loading.and(loads.map((ld) => ld.done).reduce((a, b) => a.and(b))).named('loaded');
    m.when(loading.not().and(io.cfg.fire), () => {
      lN.set(io.cfg.fields.nM1);
      lSteps.set(io.cfg.fields.stepsM1);
      [0, 1].forEach((b) => m.when(lb.eq(b), () => {
        cfgN[b]!.set(io.cfg.fields.nM1);
        cfgSteps[b]!.set(io.cfg.fields.stepsM1);
      }));
      for (const ld of loads) {
        ld.count.set(0);
        ld.done.set(0);
      }
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
    const etab = m.rom('exp_table', uint(8), expTable());

    const rowOf = (mem: Memory, addr: Value) => unpack(row, mem.readAsync(banked(cb, addr, p.nmax)));
    const chunkOf = (r: Value[], lane: number) => select(c, Array.from({ length: z.chunks }, (_, ch) => r[ch * p.macs + lane]!));

    const lineStates = io.pairs.fields.map((fields, l) => {
      const pre = `line${l}`;
      const list = m.mem(`${pre}_list`, { type: uint(2 + 2 * rb), depth: 2 * p.steps });
      list.write(banked(lb, pCount, p.steps), pack(lineEntry(p), fields), io.pairs.fire);
      const e = unpack(lineEntry(p), list.readAsync(banked(cb, t, p.steps)));
      const scores = m.mem(`${pre}_scores`, { type: sint(32), depth: p.steps });
      // Line state, double-buffered: half sb is computed while OUT reads half ob.
      const rowMax = m.mem(`${pre}_row_max`, { type: sint(32), depth: nPad });
      const touched = m.mem(`${pre}_touched`, { type: uint(1), depth: 2 * nPad, init: new Array<number>(2 * nPad).fill(0) });
      const oAcc = m.mem(`${pre}_o`, { type: uint(32 * p.d), depth: 2 * nPad });
      const lAcc = m.mem(`${pre}_l`, { type: uint(32), depth: 2 * nPad });
      const here = banked(sb, e.row, nPad);
      const step = e.valid.and(lastC);

      // SCORE: macs products of this chunk, summed; the running dot product over the chunks.
      const qr = rowOf(qb.mem, e.row);
      const kr = rowOf(kb.mem, e.key);
      const partial = sumTree(Array.from({ length: p.macs }, (_, k) => chunkOf(qr, k).mul(chunkOf(kr, k))));
      const acc = m.reg(`${pre}_dot_q`, sint(32));
      const dotNow = mux(c.eq(0), 0, acc).add(partial.resize(32)).trunc(32);
      const oldMax = rowMax.readAsync(e.row);
      m.when(inState(SCORE), () => {
        acc.set(dotNow);
        m.when(step, () => {
          scores.write(t, dotNow);
          rowMax.write(e.row, mux(e.first.or(dotNow.gt(oldMax)), dotNow, oldMax));
          touched.write(here, 1);
        });
      });

      // SV: P from the table, then macs MACs of P·V into the partial O row, P into L.
      const s = scores.readAsync(t);
      const diff = mergedAt(e.row).sub(s).trunc(32).asUInt().shr(p.sigma);
      const r = mux(diff.gt(255), 255, diff.resize(8));
      const prob = etab.readAsync(r);
      const vr = rowOf(vb.mem, e.key);
      const olds = unpack(oRow, oAcc.readAsync(here));
      const updated = olds.map((old, x) => {
        const ch = Math.floor(x / p.macs);
        const sum = mux(e.first, 0, old).add(prob.toSigned().mul(vr[x]!).resize(32)).trunc(32);
        return mux(c.eq(ch), sum, old);
      });
      const lOld = lAcc.readAsync(here);
      m.when(inState(SV).and(e.valid), () => {
        oAcc.write(here, pack(oRow, updated));
        m.when(c.eq(0), () => lAcc.write(here, mux(e.first, 0, lOld).add(prob.extend(32)).trunc(32)));
      });

      // MERGE reads row mi of the half being computed; OUT reads row oi of the other half.
      const outAt = banked(ob, oi, nPad);
      m.when(io.out.fire, () => touched.write(outAt, 0));
      return {
        merge: groupRows.map((gr) => ({ has: touched.readAsync(banked(sb, gr, nPad)).eq(1), max: rowMax.readAsync(gr) })),
        outHas: touched.readAsync(outAt).eq(1),
        o: unpack(oRow, oAcc.readAsync(outAt)),
        l: lAcc.readAsync(outAt),
      };
    });

    // ---- MERGE: the row maximum over the lines holding row mi -----------------------------------
    const minInt = lit(sint(32), -(2 ** 31));
    merged.forEach((bank, k) => {
      let maxes = lineStates.map((ls) => mux(ls.merge[k]!.has, ls.merge[k]!.max, minInt));
      while (maxes.length > 1) {
        const next: Value[] = [];
        for (let x = 0; x + 1 < maxes.length; x += 2) next.push(mux(maxes[x]!.gt(maxes[x + 1]!), maxes[x]!, maxes[x + 1]!));
        if (maxes.length % 2) next.push(maxes.at(-1)!);
        maxes = next;
      }
      m.when(inState(MERGE), () => bank.write(mi.resize(bank.addrWidth), maxes[0]!));
    });

    // ---- OUT: O and L of row oi summed over the lines -------------------------------------------
    io.out.setFields({
      l: sumTree(lineStates.map((ls) => mux(ls.outHas, ls.l, 0))).trunc(32),
      o: Array.from({ length: p.d }, (_, x) => sumTree(lineStates.map((ls) => mux(ls.outHas, ls.o[x]!, 0))).trunc(32)),
    });

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
