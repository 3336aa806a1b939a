/**
 * The island dispatcher in hardware: it takes the RTL locator's token stream (hubs and islands, as
 * they are found) and turns each into island-consumer commands at one command a cycle, so islands
 * are consumed while later ones are still being located. Its host model is `dispatchModel` in
 * dispatch-model.ts (same units, same consumer choice, same commands).
 *
 *   csr (Â in CSR: per node its neighbour range and self-loop value; per entry {u, Â[v][u]})
 *        ──► row RAM {start, end, a_vv}, entry RAM {u, a}
 *   islands (locator: NODE / LAST / HUB / END) ──► units:
 *     island I (nodes v in BFS order): LOAD Z[v] into the next ring slots of the consumer with the
 *       least work; then for each v: MAC a_vv and each non-hub entry (u in I, Z[u] on chip), EMIT to
 *       v (accumulator row 0); a hub entry h gives a single-entry EMIT of Â[h][v]·Z[v] to h (row 1)
 *     hub h: LOAD Z[h]; every entry u gives a single-entry EMIT of Â[u][h]·Z[h] to u, then a_hh to h
 *   Every non-zero (v, u) is applied once: in u's unit. So every Z row is read once (n reads).
 *   ──► per consumer: a LOAD FIFO and an op FIFO, merged by a load-ahead front end ──► cmd_e
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
import { module, type ModuleBuilder, type ModuleDef, type Signal } from '../../dsl/builder/module.ts';
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
    const workW = clog2(p.maxEdges + p.maxNodes + 1) + 1;
    const E = p.engines;
    const rowW = 2 * ptrW + 8;
    const rowMem = m.mem('d_row_mem', { type: uint(rowW), depth: p.maxNodes });
    const entMem = m.mem('d_ent_mem', { type: uint(nodeW + 8), depth: Math.max(2, p.maxEdges) });
    const hubMem = m.mem('d_hub_mem', { type: uint(1), depth: p.maxNodes });
    const slotMem = m.mem('d_slot_mem', { type: uint(slotW), depth: p.maxNodes });
    const islW = nodeW + slotW + rowW;
    const islMem = m.mem('d_isl_mem', { type: uint(islW), depth: Math.max(2, p.cMax) });

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

    // Work (ops pushed) per consumer; a unit goes to the least loaded (ties: lowest index).
    const work = Array.from({ length: E }, (_, e) => m.reg(`d_work_${e}`, uint(workW), { reset: 0 }));
    const alloc = Array.from({ length: E }, (_, e) => m.reg(`d_alloc_${e}`, uint(slotW), { reset: 0 }));
    let best: Value = u(clog2(Math.max(2, E)), 0);
    let bestW: Value = work[0]!;
    for (let e = 1; e < E; e++) {
      const lt = work[e]!.lt(bestW);
      best = mux(lt, u(best.width, e), best);
      bestW = mux(lt, work[e]!, bestW);
    }
    const unitE = m.reg('d_unit_e', uint(best.width));
    const pick = <T extends Value>(xs: readonly T[], i: Value): Value => xs.slice(1).reduce<Value>((acc, x, k) => mux(i.eq(k + 1), x, acc), xs[0]!);
    const nextSlot = (s: Value): Value => mux(s.eq(p.slots - 1), u(slotW, 0), s.add(1).trunc(slotW));

    const S = { LOAD: 0, IDLE: 1, RECV: 2, TAIL: 3, WALK: 4 } as const;
    const st = m.reg('d_st', uint(3), { reset: S.LOAD });
    const go = (x: number): void => st.set(u(3, x));
    const loadIdx = m.reg('d_load_idx', uint(cntW + 1), { reset: 0 });
    const entIdx = m.reg('d_ent_idx', uint(ptrW), { reset: 0 });
    const prevPtr = m.reg('d_prev_ptr', uint(ptrW));
    const hubMode = m.reg('d_hub_mode', bool());
    const sl = m.reg('d_sl', uint(slotW));
    const cnt = m.reg('d_cnt', uint(qW));
    const size = m.reg('d_size', uint(qW));
    // Receipt pipeline: the row read issued with a token is written into the island buffer a cycle later.
    const r1 = m.reg('d_r1_valid', bool(), { reset: 0 });
    const r1Id = m.reg('d_r1_id', uint(nodeW));
    const r1Slot = m.reg('d_r1_slot', uint(slotW));
    const r1Cnt = m.reg('d_r1_cnt', uint(qW));
    r1.set(u(1, 0));
    m.when(r1, () => writeIsl(r1Cnt, cat(r1Id, r1Slot, row.data)));

    // Walk: the current row, entries issued one a cycle, then a row-end token.
    const ri = m.reg('d_ri', uint(qW));
    const cv = m.reg('d_cv', uint(nodeW));
    const cSlot = m.reg('d_cslot', uint(slotW));
    const cA = m.reg('d_ca', uint(8));
    const k = m.reg('d_k', uint(ptrW));
    const kEnd = m.reg('d_kend', uint(ptrW));
    const first = m.reg('d_first', bool());
    const lastRow = m.reg('d_last_row', bool());
    // Pipeline tokens: stage B (entry read back: issue hub and slot reads), stage C (decide, push).
    // A token carries its unit's consumer, mode and size, so the next unit may start while it drains.
    type Tok = { valid: Signal; end: Signal; first: Signal; rel: Signal; v: Signal; slot: Signal; a: Signal; e: Signal; hub: Signal; size: Signal };
    const tok = (s: string): Tok => ({
      valid: m.reg(`d_${s}_valid`, bool(), { reset: 0 }),
      end: m.reg(`d_${s}_end`, bool()),
      first: m.reg(`d_${s}_first`, bool()),
      rel: m.reg(`d_${s}_rel`, bool()),
      v: m.reg(`d_${s}_v`, uint(nodeW)),
      slot: m.reg(`d_${s}_slot`, uint(slotW)),
      a: m.reg(`d_${s}_a`, uint(8)),
      e: m.reg(`d_${s}_e`, uint(best.width)),
      hub: m.reg(`d_${s}_hub`, bool()),
      size: m.reg(`d_${s}_size`, uint(qW)),
    });
    const tb = tok('b');
    const tc = tok('c');
    const cU = m.reg('d_c_u', uint(nodeW));
    const cEa = m.reg('d_c_ea', uint(8));
    const pendSlot = m.reg('d_pend_slot', uint(slotW));
    const pendA = m.reg('d_pend_a', uint(8));

    const startOf = (r: Value): Value => r.slice(rowW - 1, ptrW + 8);
    const endOf = (r: Value): Value => r.slice(ptrW + 7, 8);
    const selfOf = (r: Value): Value => r.slice(7, 0);
    const loadCurrent = (q: Value): void => {
      const r = q.slice(rowW - 1, 0);
      cv.set(q.slice(islW - 1, slotW + rowW));
      cSlot.set(q.slice(slotW + rowW - 1, rowW));
      cA.set(selfOf(r));
      k.set(startOf(r));
      kEnd.set(endOf(r));
      first.set(u(1, 1));
    };
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

    // Stage B: the entry read at stage A is here; read its column's hub bit and slot.
    tb.valid.set(u(1, 0));
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
    // Stage C: decide and push one op into the unit's consumer.
    m.when(tc.valid, () => {
      const pSlot = mux(tc.first, tc.slot, pendSlot);
      const pA = mux(tc.first, tc.a, pendA);
      const z = { rel: u(1, 0), size: tc.size };
      pendSlot.set(pSlot);
      pendA.set(pA);
      m.when(tc.end, () => pushOp(tc.e, { op: u(2, OP_EMIT), a: pA, slot: pSlot, r: u(1, 0), v: tc.v, rel: tc.rel, size: tc.size }))
        .elsewhen(tc.hub.or(hubQ.data.bit(0)), () => pushOp(tc.e, { op: u(2, OP_EMIT), a: cEa, slot: tc.slot, r: u(1, 1), v: cU, ...z }))
        .otherwise(() => {
          pushOp(tc.e, { op: u(2, OP_MAC), a: pA, slot: pSlot, r: u(1, 0), v: u(nodeW, 0), ...z });
          pendSlot.set(slotQ.data);
          pendA.set(cEa);
        });
    });

    /** Take node token `tokF` of a unit on consumer e: LOAD it into ring slot `slot`, note the slot, buffer it with its row (a cycle later). */
    const receive = (e: Value, slot: Value, c: Value, hub: Value): void => {
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
      sl.set(nextSlot(slot));
      cnt.set(c.add(1).trunc(qW));
      m.when(lastTok, () => {
        size.set(c.add(1).trunc(qW));
        alloc.forEach((a, i) => m.when(e.eq(i), () => a.set(nextSlot(slot))));
        go(S.TAIL);
      }).otherwise(() => go(S.RECV));
    };

    const csr = io.csr.fields;
    io.csr.ready.set(st.eq(S.LOAD));
    const tokF = io.islands.fields;
    io.islands.ready.set(u(1, 0));
    const eRoom = pick(loadRoom, unitE);
    const eOpRoom = pick(opRoom, unitE);

    m.switch(st)
      .is(S.LOAD, () => {
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
            go(S.IDLE);
          });
        });
      })
      // A unit starts: END (to every consumer, once the walk pipeline is empty), or a hub or an
      // island's first node, taken at once by the least loaded consumer.
      .is(S.IDLE, () => {
        m.when(io.start.and(io.islands.valid), () => {
          m.when(tokF.kind.eq(LOC_END), () => {
            const all = opRoom.reduce((a, b) => a.and(b)).and(tb.valid.not()).and(tc.valid.not());
            m.when(all, () => {
              io.islands.ready.set(u(1, 1));
              opIn.forEach((_, e) => pushOp(u(best.width, e), { op: u(2, OP_END), a: u(8, 0), slot: u(slotW, 0), r: u(1, 0), v: u(nodeW, 0), rel: u(1, 0), size: u(qW, 0) }));
              for (const w of [...work, ...alloc]) w.set(u(w.width, 0));
              go(S.LOAD);
            });
          }).otherwise(() => {
            const hub = tokF.kind.eq(LOC_HUB);
            m.when(pick(loadRoom, best), () => {
              unitE.set(best);
              hubMode.set(hub);
              receive(best, pick(alloc, best), u(qW, 0), hub);
            });
          });
        });
      })
      // The unit's further nodes.
      .is(S.RECV, () => {
        m.when(io.islands.valid.and(eRoom), () => receive(unitE, sl, cnt, hubMode));
      })
      // Once the last node's buffer write has landed, read the first row.
      // A unit of one node (a hub, an isolated node) takes its row as it is written (bypass).
      .is(S.TAIL, () => {
        ri.set(u(qW, 1));
        m.when(size.eq(1), () => {
          loadCurrent(cat(r1Id, r1Slot, row.data));
          lastRow.set(u(1, 1));
        }).otherwise(() => isl.at(u(qW, 0)));
        go(S.WALK);
      })
      // WALK (stage A) is below, outside the switch.
      .is(S.WALK, () => undefined)
      .default(() => go(S.LOAD));

    // WALK body (outside the switch for clarity): stage A.
    const inWalk = st.eq(S.WALK);
    const loaded = m.reg('d_row_loaded', bool(), { reset: 0 });
    m.when(st.eq(S.TAIL), () => loaded.set(size.eq(1)));
    m.when(inWalk.and(loaded.not()), () => {
      loadCurrent(isl.data);
      lastRow.set(ri.eq(size));
      m.when(ri.ne(size), () => {
        isl.at(ri);
        ri.set(ri.add(1).trunc(qW));
      });
      loaded.set(u(1, 1));
    });
    const issue = inWalk.and(loaded).and(eOpRoom);
    const setTok = (end: boolean): void => {
      tb.valid.set(u(1, 1));
      tb.end.set(u(1, end ? 1 : 0));
      tb.first.set(first);
      tb.rel.set(end ? lastRow : u(1, 0));
      tb.v.set(cv);
      tb.slot.set(cSlot);
      tb.a.set(cA);
      tb.e.set(unitE);
      tb.hub.set(hubMode);
      tb.size.set(size);
      first.set(u(1, 0));
    };
    m.when(issue, () => {
      work.forEach((w, i) => m.when(unitE.eq(i), () => w.set(w.add(1).trunc(workW))));
      m.when(k.ne(kEnd), () => {
        ent.at(k);
        k.set(k.add(1).trunc(ptrW));
        setTok(false);
      }).otherwise(() => {
        setTok(true);
        m.when(lastRow, () => go(S.IDLE)).otherwise(() => {
          loadCurrent(isl.data);
          lastRow.set(ri.eq(size));
          m.when(ri.ne(size), () => {
            isl.at(ri);
            ri.set(ri.add(1).trunc(qW));
          });
        });
      });
    });
  });
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
