/**
 * The island dispatcher in hardware: it takes the RTL locator's token stream (hubs and islands, as
 * they are found) and turns each into island-consumer commands, so islands are consumed while later
 * ones are still being located. Its host model is `dispatchModel` in dispatch-model.ts (same units,
 * same ring slots, same commands, given the consumer each unit went to).
 *
 *   csr (Â in CSR: per node its neighbour range and self-loop value; per entry {u, Â[v][u]})
 *        ──► row RAM {start, end, a_vv}, entry RAM {u, a}
 *   islands (locator: NODE / LAST / HUB / END) ──► units:
 *     island I (nodes v in BFS order): LOAD Z[v] into the next ring slots of the consumer with the
 *       least outstanding work; then for each v: MAC a_vv and each non-hub entry (u in I, Z[u] on
 *       chip), EMIT to v (accumulator row 0); a hub entry h gives a single-entry EMIT of Â[h][v]·Z[v]
 *       to h (row 1)
 *     hub h: LOAD Z[h]; every entry u gives a single-entry EMIT of Â[u][h]·Z[h] to u, then a_hh to h
 *   Every non-zero (v, u) is applied once: in u's unit. So every Z row is read once (n reads).
 *   ──► per consumer: a LOAD FIFO and an op FIFO, merged by a load-ahead front end ──► cmd_e
 *
 * Two processes, so that taking a unit in hides behind walking others:
 *  - intake: one node token a cycle into the chosen consumer's free island bank (two banks per
 *    consumer: one filled while the other is walked) with its LOAD, slot, hub bit and row; it waits
 *    for a bank only when the chosen consumer has a unit walked and one waiting;
 *  - walk: a context per consumer (its unit's current row). Each cycle one context with room in its
 *    op FIFO (round robin) issues its next entry, or its row's end, into a shared three-stage
 *    pipeline (entry RAM, then the column's hub bit and slot, then the op); one island-bank read a
 *    cycle fetches the next row of a context (at a row's end, its own next row at once), so a
 *    context's row change is hidden while the others issue.
 * A unit goes to the consumer with the least outstanding work (ops taken in, less the ops its
 * engine has taken): the merge serves the engines in fixed priority, so the last one runs slower
 * and gets less.
 *
 * The front end lets the next units' LOADs into the consumer ahead of the current unit's ops as
 * soon as their ring slots are free (the ops of the unit that held them have entered the engine),
 * and lets a unit's ops in only after all its LOADs: so loads overlap multiply-adds, and the
 * engine's in-order commands and landed bits keep every read exact. An island must fit the
 * consumer's Z buffer (cMax <= slots, checked by validateIgcn).
 *
 * Not moved to hardware: the shared-neighbour reuse (pairing rows by equal Â entries, reuse.ts)
 * and the grouping of hub columns: each hub entry is its own EMIT to the merge.
 */
import { module, type ModuleBuilder, type ModuleDef } from '../../dsl/builder/module.ts';
import { In, Out, bool, uint, type PortRecord } from '../../dsl/builder/ports.ts';
import { Record } from '../../dsl/builder/payload.ts';
import { Stream, streamWire, type StreamSink } from '../../dsl/builder/stream.ts';
import { cat, mux, u, type Value } from '../../dsl/builder/value.ts';
import { clog2 } from '../../dsl/ir/types.ts';
import { readPort, writePort, type ReadableRam, type WritableRam } from './ram-ports.ts';
import { fifo } from '../../dsl/lib/fifo.ts';
import { OP_EMIT, OP_END, OP_LOAD, OP_MAC, commandType, type CommandWidths } from '../gcod/engine.ts';
import { LOC_END, LOC_HUB, LOC_LAST, islandTokenType, locatorWidths } from './locator-hw.ts';

export interface DispatchParams {
  maxNodes: number;
  maxEdges: number;
  cMax: number;
  engines: number;
  slots: number;
  th0: number;
}

/** Input token: the locator's CSR token with the Â value (ptr tokens 1..n: node i-1's self loop; entries: Â[v][u]). */
export const dispatchCsrType = (p: DispatchParams) => Record({ last: bool(), ptr: bool(), value: uint(locatorWidths(p).valueW), a: uint(8) });

const loadTokenType = (nodeW: number, slotW: number) => Record({ last: bool(), v: uint(nodeW), slot: uint(slotW) });
const opTokenType = (nodeW: number, slotW: number, qW: number) => Record({ op: uint(2), a: uint(8), slot: uint(slotW), r: uint(1), v: uint(nodeW), rel: bool(), size: uint(qW) });
type LoadToken = ReturnType<typeof loadTokenType>;
type OpToken = ReturnType<typeof opTokenType>;

/** Ops a consumer's op FIFO holds; the dispatcher issues while at least PIPE + 1 places are free. */
const OPS_DEPTH = 32;
const LOADS_DEPTH = 16;
const PIPE = 3;

export function dispatchName(p: DispatchParams, w: CommandWidths): string {
  return `igcn_dispatch_n${p.maxNodes}_e${p.maxEdges}_c${p.cMax}_x${p.engines}_z${p.slots}_w${w.nodeW}_${w.slotW}`;
}

/** The dispatcher module: csr and islands in, one command stream per consumer out (`start` low holds dispatching). */
export function createDispatcher(p: DispatchParams, widths: CommandWidths): ModuleDef<PortRecord> {
  const cmdPorts = Object.fromEntries(Array.from({ length: p.engines }, (_, e) => [`cmd_${e}`, Out(Stream(commandType(widths)))]));
  const ports = { csr: In(Stream(dispatchCsrType(p))), islands: In(Stream(islandTokenType(p))), start: In(bool()), ...cmdPorts };
  return module(dispatchName(p, widths), ports, (io, m) => {
    const { nodeW, ptrW } = locatorWidths(p);
    const slotW = widths.slotW;
    const cntW = clog2(p.maxNodes + 1);
    const qW = clog2(p.cMax + 1);
    const idxW = Math.max(1, clog2(p.cMax));
    const E = p.engines;
    const eW = clog2(Math.max(2, E));
    const workW = clog2(p.maxEdges + p.maxNodes + 1) + 1;
    const rowW = 2 * ptrW + 8;
    const rowMem = m.mem('d_row_mem', { type: uint(rowW), depth: p.maxNodes });
    const entMem = m.mem('d_ent_mem', { type: uint(nodeW + 8), depth: Math.max(2, p.maxEdges) });
    const hubMem = m.mem('d_hub_mem', { type: uint(1), depth: p.maxNodes });
    const slotMem = m.mem('d_slot_mem', { type: uint(slotW), depth: p.maxNodes });
    // Island buffer: two banks of C_max rows per consumer (address: consumer, bank, row), so a
    // unit is taken in while the consumer's previous unit is walked.
    const islW = nodeW + slotW + rowW;
    const islMem = m.mem('d_isl_mem', { type: uint(islW), depth: E * 2 * (1 << idxW) });

    const rd = (name: string, mem: ReadableRam) => readPort(m, name, mem);
    const wr = (name: string, mem: WritableRam, width: number) => writePort(m, name, mem, width);
    const row = rd('d_row', rowMem);
    const ent = rd('d_ent', entMem);
    const hubQ = rd('d_hub', hubMem);
    const slotQ = rd('d_slot', slotMem);
    const isl = rd('d_isl', islMem);
    const writeRow = wr('d_row', rowMem, rowW);
    const writeEnt = wr('d_ent', entMem, nodeW + 8);
    const writeHub = wr('d_hub', hubMem, 1);
    const writeSlot = wr('d_slot', slotMem, slotW);
    const writeIsl = wr('d_isl', islMem, islW);
    const islAddr = (c: Value, b: Value, i: Value): Value => cat(c.resize(eW), b, i.resize(idxW));

    // Per consumer: LOAD FIFO and op FIFO (pushed through wires), merged by the front end into cmd_e.
    const loadType = loadTokenType(nodeW, slotW);
    const opType = opTokenType(nodeW, slotW, qW);
    const loadIn = Array.from({ length: E }, (_, e) => streamWire(m, `d_load_in_${e}`, loadType));
    const opIn = Array.from({ length: E }, (_, e) => streamWire(m, `d_op_in_${e}`, opType));
    const loadF = loadIn.map((s, e) => fifo(s, { depth: LOADS_DEPTH, name: `d_loads_${e}` }));
    const opF = opIn.map((s, e) => fifo(s, { depth: OPS_DEPTH, name: `d_ops_${e}` }));
    for (const s of [...loadIn, ...opIn]) {
      s.valid.set(u(1, 0));
      s.payload.set(u(s.payload.width, 0));
    }
    const loadRoom = loadF.map((f) => f.occupancy.le(LOADS_DEPTH - 2));
    const opRoom = opF.map((f) => f.occupancy.le(OPS_DEPTH - PIPE - 2));
    loadF.forEach((f, e) => frontEnd(m, e, p.slots, f.out, opF[e]!.out, (io as unknown as Record<string, StreamSink<ReturnType<typeof commandType>>>)[`cmd_${e}`]!));

    // Outstanding work per consumer: ops of the units taken in, less the ops its engine has taken.
    // A unit goes to the consumer with the least (ties: lowest index), so a consumer slowed down
    // (the merge serves the engines in fixed priority) gets less.
    const work = Array.from({ length: E }, (_, e) => m.reg(`d_work_${e}`, uint(workW), { reset: 0 }));
    const alloc = Array.from({ length: E }, (_, e) => m.reg(`d_alloc_${e}`, uint(slotW), { reset: 0 }));
    let best: Value = u(eW, 0);
    let bestW: Value = work[0]!;
    for (let e = 1; e < E; e++) {
      const lt = work[e]!.lt(bestW);
      best = mux(lt, u(eW, e), best);
      bestW = mux(lt, work[e]!, bestW);
    }
    const pick = <T extends Value>(xs: readonly T[], i: Value): Value => xs.slice(1).reduce<Value>((acc, x, k) => mux(i.eq(k + 1), x, acc), xs[0]!);
    const any = (xs: readonly Value[]): Value => xs.reduce((a, b) => a.or(b));
    const all = (xs: readonly Value[]): Value => xs.reduce((a, b) => a.and(b));
    const nextSlot = (s: Value): Value => mux(s.eq(p.slots - 1), u(slotW, 0), s.add(1).trunc(slotW));
    const startOf = (r: Value): Value => r.slice(rowW - 1, ptrW + 8);
    const endOf = (r: Value): Value => r.slice(ptrW + 7, 8);
    const selfOf = (r: Value): Value => r.slice(7, 0);

    // Banks: filled by the intake (`full` once its last row has landed), emptied by the walk.
    const banks = Array.from({ length: E }, (_, c) =>
      [0, 1].map((b) => ({ full: m.reg(`d_b${c}_${b}_full`, bool(), { reset: 0 }), size: m.reg(`d_b${c}_${b}_size`, uint(qW)), hub: m.reg(`d_b${c}_${b}_hub`, bool()) })),
    );
    const wb = Array.from({ length: E }, (_, c) => m.reg(`d_b${c}_wr`, bool(), { reset: 0 }));
    const ofBank = (c: number, b: Value, key: 'full' | 'size' | 'hub'): Value => mux(b, banks[c]![1]![key], banks[c]![0]![key]);

    // ---- Intake: one node a cycle into the chosen consumer's write bank (LOAD, slot, hub bit, row).
    const I = { LOAD: 0, IDLE: 1, RECV: 2 } as const;
    const ist = m.reg('d_ist', uint(2), { reset: I.LOAD });
    const igo = (x: number): void => ist.set(u(2, x));
    const loadIdx = m.reg('d_load_idx', uint(cntW + 1), { reset: 0 });
    const entIdx = m.reg('d_ent_idx', uint(ptrW), { reset: 0 });
    const prevPtr = m.reg('d_prev_ptr', uint(ptrW));
    const iE = m.reg('d_i_e', uint(eW));
    const iHub = m.reg('d_i_hub', bool());
    const iBank = m.reg('d_i_bank', bool());
    const iSlot = m.reg('d_i_slot', uint(slotW));
    const iCnt = m.reg('d_i_cnt', uint(qW));
    // Receipt pipeline: the row read issued with a token is buffered and counted a cycle later.
    const r1 = m.reg('d_r1_valid', bool(), { reset: 0 });
    const r1Id = m.reg('d_r1_id', uint(nodeW));
    const r1Slot = m.reg('d_r1_slot', uint(slotW));
    const r1Cnt = m.reg('d_r1_cnt', uint(qW));
    const r1E = m.reg('d_r1_e', uint(eW));
    const r1Bank = m.reg('d_r1_bank', bool());
    const r1Last = m.reg('d_r1_last', bool());
    // An op entering its consumer's engine retires a unit of work (END is not work).
    const retire = (c: number): Value => opF[c]!.out.fire.and(opF[c]!.out.fields.op.ne(OP_END)).resize(workW);
    work.forEach((w, c) => m.when(r1.not().or(r1E.ne(c)), () => w.set(w.sub(retire(c)).trunc(workW))));
    r1.set(u(1, 0));
    m.when(r1, () => {
      writeIsl(islAddr(r1E, r1Bank, r1Cnt), cat(r1Id, r1Slot, row.data));
      const len = endOf(row.data).sub(startOf(row.data)).trunc(ptrW).resize(workW);
      work.forEach((w, c) => m.when(r1E.eq(c), () => w.set(w.add(len).add(1).sub(retire(c)).trunc(workW))));
      m.when(r1Last, () =>
        banks.forEach((bs, c) =>
          m.when(r1E.eq(c), () => {
            wb[c]!.set(wb[c]!.not());
            bs.forEach((b, i) =>
              m.when(r1Bank.eq(i), () => {
                b.full.set(u(1, 1));
                b.size.set(r1Cnt.add(1).trunc(qW));
                b.hub.set(iHub);
              }),
            );
          }),
        ),
      );
    });

    const pushLoad = (e: Value, f: { last: Value; v: Value; slot: Value }): void => {
      loadIn.forEach((s, i) =>
        m.when(e.eq(i), () => {
          s.valid.set(u(1, 1));
          s.sink.setFields(f);
        }),
      );
    };
    const pushOp = (e: Value, f: { op: Value; a: Value; slot: Value; r: Value; v: Value; rel: Value; size: Value }): void => {
      opIn.forEach((s, i) =>
        m.when(e.eq(i), () => {
          s.valid.set(u(1, 1));
          s.sink.setFields(f);
        }),
      );
    };

    const csr = io.csr.fields;
    io.csr.ready.set(ist.eq(I.LOAD));
    const tokF = io.islands.fields;
    io.islands.ready.set(u(1, 0));

    /** Take node token `tokF` of a unit on consumer e: LOAD it into ring slot `slot`, note the slot, buffer it with its row (a cycle later). */
    const receive = (e: Value, slot: Value, c: Value, hub: Value, bank: Value): void => {
      io.islands.ready.set(u(1, 1));
      const id = tokF.id;
      const lastTok = hub.or(tokF.kind.eq(LOC_LAST));
      pushLoad(e, { last: lastTok, v: id, slot });
      writeSlot(id, slot);
      m.when(hub, () => writeHub(id, u(1, 1)));
      row.at(id);
      r1.set(u(1, 1));
      r1Id.set(id);
      r1Slot.set(slot);
      r1Cnt.set(c);
      r1E.set(e);
      r1Bank.set(bank);
      r1Last.set(lastTok);
      iSlot.set(nextSlot(slot));
      iCnt.set(c.add(1).trunc(qW));
      m.when(lastTok, () => {
        alloc.forEach((a, i) => m.when(e.eq(i), () => a.set(nextSlot(slot))));
        igo(I.IDLE);
      }).otherwise(() => igo(I.RECV));
    };

    // ---- Walk: a context per consumer (its unit's current row); one context a cycle, round robin,
    // issues an entry (or its row's end) into the shared pipeline; one island-buffer read a cycle.
    const WS = { FETCH: 0, WAIT: 1, WALK: 2 } as const;
    const ctx = Array.from({ length: E }, (_, c) => ({
      st: m.reg(`d_w${c}_st`, uint(2), { reset: WS.FETCH }),
      rb: m.reg(`d_w${c}_rb`, bool(), { reset: 0 }),
      ri: m.reg(`d_w${c}_ri`, uint(qW), { reset: 0 }),
      v: m.reg(`d_w${c}_v`, uint(nodeW)),
      slot: m.reg(`d_w${c}_slot`, uint(slotW)),
      a: m.reg(`d_w${c}_a`, uint(8)),
      k: m.reg(`d_w${c}_k`, uint(ptrW)),
      kEnd: m.reg(`d_w${c}_kend`, uint(ptrW)),
      first: m.reg(`d_w${c}_first`, bool()),
      last: m.reg(`d_w${c}_last`, bool()),
      pendSlot: m.reg(`d_w${c}_pend_slot`, uint(slotW)),
      pendA: m.reg(`d_w${c}_pend_a`, uint(8)),
    }));
    const rr = m.reg('d_rr', uint(eW), { reset: 0 });
    const idle = ctx.map((x, c) => x.st.eq(WS.FETCH).and(x.ri.eq(0)).and(banks[c]![0]!.full.not()).and(banks[c]![1]!.full.not()));
    const wantFetch = ctx.map((x, c) => x.st.eq(WS.FETCH).and(x.ri.ne(0).or(ofBank(c, x.rb, 'full'))));
    const ready = ctx.map((x, c) => x.st.eq(WS.WALK).and(opRoom[c]!));
    // Round robin: the first ready context after the last one served.
    const perRr = Array.from({ length: E }, (_, r) => {
      let s: Value = u(eW, r);
      for (let o = E; o >= 1; o--) s = mux(ready[(r + o) % E]!, u(eW, (r + o) % E), s);
      return s;
    });
    const sel = pick(perRr, rr);
    const aFire = any(ready);
    const at = <K extends keyof (typeof ctx)[number]>(key: K, i: Value): Value => pick(ctx.map((x) => x[key]), i);
    const sK = at('k', sel);
    const atEnd = sK.eq(at('kEnd', sel));
    const sLast = at('last', sel);
    const sRb = at('rb', sel);
    const sOtherFull = pick(ctx.map((_, c) => ofBank(c, ctx[c]!.rb.not(), 'full')), sel);

    // Stage A: the selected context issues its next entry (read from the entry RAM) or its row's end.
    const tb = tok(m, 'b', nodeW, slotW, eW, qW);
    const tc = tok(m, 'c', nodeW, slotW, eW, qW);
    tb.valid.set(u(1, 0));
    m.when(aFire, () => {
      rr.set(sel);
      tb.valid.set(u(1, 1));
      tb.end.set(atEnd);
      tb.first.set(at('first', sel));
      tb.rel.set(atEnd.and(sLast));
      tb.v.set(at('v', sel));
      tb.slot.set(at('slot', sel));
      tb.a.set(at('a', sel));
      tb.e.set(sel);
      tb.hub.set(pick(ctx.map((x, c) => ofBank(c, x.rb, 'hub')), sel));
      tb.size.set(pick(ctx.map((x, c) => ofBank(c, x.rb, 'size')), sel));
      m.when(atEnd.not(), () => ent.at(sK));
      ctx.forEach((x, c) =>
        m.when(sel.eq(c), () => {
          x.first.set(u(1, 0));
          m.when(atEnd.not(), () => x.k.set(x.k.add(1).trunc(ptrW))).otherwise(() => {
            x.st.set(u(2, WS.FETCH));
            m.when(x.last, () => {
              banks[c]!.forEach((b, i) => m.when(x.rb.eq(i), () => b.full.set(u(1, 0))));
              x.rb.set(x.rb.not());
              x.ri.set(u(qW, 0));
            });
          });
        }),
      );
    });

    // Island-buffer reads, one a cycle: a row's end fetches the context's next row (or, after its
    // unit's last row, the first row of its other bank if full) at once; else the lowest waiting context.
    const endFetch = aFire.and(atEnd).and(sLast.not().or(sOtherFull));
    let fLow: Value = u(eW, 0);
    for (let c = E - 1; c >= 0; c--) fLow = mux(wantFetch[c]!, u(eW, c), fLow);
    const fC = mux(endFetch, sel, fLow);
    const nextUnit = endFetch.and(sLast);
    const fBank = mux(nextUnit, sRb.not(), at('rb', fC));
    const fRow = mux(nextUnit, u(qW, 0), at('ri', fC));
    m.when(endFetch.or(any(wantFetch)), () => {
      isl.at(islAddr(fC, fBank, fRow));
      ctx.forEach((x, c) =>
        m.when(fC.eq(c), () => {
          x.ri.set(fRow.add(1).trunc(qW));
          x.st.set(u(2, WS.WAIT));
        }),
      );
    });
    // The row read last cycle is here: the waiting context (at most one) starts walking it.
    ctx.forEach((x, c) =>
      m.when(x.st.eq(WS.WAIT), () => {
        const q = isl.data;
        const r = q.slice(rowW - 1, 0);
        x.v.set(q.slice(islW - 1, slotW + rowW));
        x.slot.set(q.slice(slotW + rowW - 1, rowW));
        x.a.set(selfOf(r));
        x.k.set(startOf(r));
        x.kEnd.set(endOf(r));
        x.first.set(u(1, 1));
        x.last.set(x.ri.eq(ofBank(c, x.rb, 'size')));
        x.st.set(u(2, WS.WALK));
      }),
    );

    // Stage B: the entry read at stage A is here; read its column's hub bit and slot.
    const cU = m.reg('d_c_u', uint(nodeW));
    const cEa = m.reg('d_c_ea', uint(8));
    tc.valid.set(tb.valid);
    m.when(tb.valid, () => {
      for (const key of ['end', 'first', 'rel', 'v', 'slot', 'a', 'e', 'hub', 'size'] as const) tc[key].set(tb[key]);
      const entU = ent.data.slice(nodeW + 7, 8);
      cU.set(entU);
      cEa.set(ent.data.slice(7, 0));
      m.when(tb.end.not(), () => {
        hubQ.at(entU);
        slotQ.at(entU);
      });
    });
    // Stage C: decide and push one op into the unit's consumer; the MAC chain's pending entry is per context.
    m.when(tc.valid, () => {
      const pSlot = mux(tc.first, tc.slot, at('pendSlot', tc.e));
      const pA = mux(tc.first, tc.a, at('pendA', tc.e));
      const z = { rel: u(1, 0), size: tc.size };
      const isMac = tc.end.not().and(tc.hub.or(hubQ.data.bit(0)).not());
      ctx.forEach((x, c) =>
        m.when(tc.e.eq(c), () => {
          x.pendSlot.set(mux(isMac, slotQ.data, pSlot));
          x.pendA.set(mux(isMac, cEa, pA));
        }),
      );
      m.when(tc.end, () => pushOp(tc.e, { op: u(2, OP_EMIT), a: pA, slot: pSlot, r: u(1, 0), v: tc.v, rel: tc.rel, size: tc.size }))
        .elsewhen(isMac.not(), () => pushOp(tc.e, { op: u(2, OP_EMIT), a: cEa, slot: tc.slot, r: u(1, 1), v: cU, ...z }))
        .otherwise(() => pushOp(tc.e, { op: u(2, OP_MAC), a: pA, slot: pSlot, r: u(1, 0), v: u(nodeW, 0), ...z }));
    });

    m.switch(ist)
      .is(I.LOAD, () => {
        m.when(io.csr.valid, () => {
          m.when(csr.ptr, () => {
            m.when(loadIdx.ne(0), () => {
              const idx = loadIdx.sub(1).trunc(loadIdx.width);
              writeRow(idx, cat(prevPtr, csr.value.resize(ptrW), csr.a));
              writeHub(idx, u(1, 0));
            });
            prevPtr.set(csr.value.resize(ptrW));
            loadIdx.set(loadIdx.add(1).trunc(loadIdx.width));
          }).otherwise(() => {
            writeEnt(entIdx, cat(csr.value.resize(nodeW), csr.a));
            entIdx.set(entIdx.add(1).trunc(ptrW));
          });
          m.when(csr.last, () => {
            loadIdx.set(u(loadIdx.width, 0));
            entIdx.set(u(ptrW, 0));
            igo(I.IDLE);
          });
        });
      })
      // A unit starts once the previous one is counted (its last row read back): END (to every
      // consumer, once every walk is done and the pipeline empty), or a hub or an island's first
      // node, taken by the least loaded consumer when its write bank is free.
      .is(I.IDLE, () => {
        m.when(io.start.and(io.islands.valid).and(r1.not()), () => {
          m.when(tokF.kind.eq(LOC_END), () => {
            m.when(all([...opRoom, ...idle, tb.valid.not(), tc.valid.not()]), () => {
              io.islands.ready.set(u(1, 1));
              opIn.forEach((_, e) => pushOp(u(eW, e), { op: u(2, OP_END), a: u(8, 0), slot: u(slotW, 0), r: u(1, 0), v: u(nodeW, 0), rel: u(1, 0), size: u(qW, 0) }));
              // (Outstanding work drains to 0 by itself as the last ops enter their engines.)
              for (const a of alloc) a.set(u(a.width, 0));
              igo(I.LOAD);
            });
          }).otherwise(() => {
            const hub = tokF.kind.eq(LOC_HUB);
            const bank = pick(wb, best);
            const free = pick(wb.map((b, c) => ofBank(c, b, 'full').not()), best);
            m.when(pick(loadRoom, best).and(free), () => {
              iE.set(best);
              iHub.set(hub);
              iBank.set(bank);
              receive(best, pick(alloc, best), u(qW, 0), hub, bank);
            });
          });
        });
      })
      .is(I.RECV, () => {
        m.when(io.islands.valid.and(pick(loadRoom, iE)), () => receive(iE, iSlot, iCnt, iHub, iBank));
      })
      .default(() => igo(I.LOAD));
  });
}

/** A token of the walk pipeline: it carries its unit's consumer, mode and size, so units of several consumers interleave. */
function tok(m: ModuleBuilder, s: string, nodeW: number, slotW: number, eW: number, qW: number) {
  return {
    valid: m.reg(`d_${s}_valid`, bool(), { reset: 0 }),
    end: m.reg(`d_${s}_end`, bool()),
    first: m.reg(`d_${s}_first`, bool()),
    rel: m.reg(`d_${s}_rel`, bool()),
    v: m.reg(`d_${s}_v`, uint(nodeW)),
    slot: m.reg(`d_${s}_slot`, uint(slotW)),
    a: m.reg(`d_${s}_a`, uint(8)),
    e: m.reg(`d_${s}_e`, uint(eW)),
    hub: m.reg(`d_${s}_hub`, bool()),
    size: m.reg(`d_${s}_size`, uint(qW)),
  };
}

/**
 * Merge a consumer's LOAD FIFO and op FIFO into its command stream. A LOAD goes first when its ring
 * slot is free: fewer than `slots` loads issued beyond the slots released (a unit's last op releases
 * its `size` slots as it enters the engine). An op goes only when its unit's LOADs have all entered
 * (units loaded > units done); END goes when it is at the head.
 */
function frontEnd(
  m: ModuleBuilder,
  e: number,
  slots: number,
  loads: Stream<LoadToken>,
  ops: Stream<OpToken>,
  cmd: StreamSink<ReturnType<typeof commandType>>,
): void {
  const W = clog2(slots + 1) + 1;
  const issued = m.reg(`fe${e}_issued`, uint(W), { reset: 0 });
  const freed = m.reg(`fe${e}_freed`, uint(W), { reset: 0 });
  const unitsLoaded = m.reg(`fe${e}_units_loaded`, uint(W), { reset: 0 });
  const unitsDone = m.reg(`fe${e}_units_done`, uint(W), { reset: 0 });
  const lf = loads.fields;
  const of = ops.fields;
  const canLoad = loads.valid.and(issued.sub(freed).trunc(W).lt(slots));
  const canOp = ops.valid.and(of.op.eq(OP_END).or(unitsLoaded.ne(unitsDone)));
  cmd.valid.set(canLoad.or(canOp));
  cmd.setFields({
    op: mux(canLoad, u(2, OP_LOAD), of.op),
    a: mux(canLoad, u(8, 0), of.a),
    slot: mux(canLoad, lf.slot, of.slot),
    r: mux(canLoad, u(1, 0), of.r),
    v: mux(canLoad, lf.v, of.v),
    keep: u(1, 0),
  });
  loads.ready.set(cmd.ready.and(canLoad));
  ops.ready.set(cmd.ready.and(canLoad.not()).and(canOp));
  m.when(loads.fire, () => {
    issued.set(issued.add(1).trunc(W));
    m.when(lf.last, () => unitsLoaded.set(unitsLoaded.add(1).trunc(W)));
  });
  m.when(ops.fire.and(of.rel), () => {
    unitsDone.set(unitsDone.add(1).trunc(W));
    freed.set(freed.add(of.size.resize(W)).trunc(W));
  });
}
