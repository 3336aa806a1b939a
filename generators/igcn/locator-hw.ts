/**
 * The island locator in hardware (ACCELERATORS.md §6): the same algorithm as `locateIslands` in
 * locator.ts, bit for bit and in the same order, as a module that reads the graph in CSR form from a
 * stream into block RAM and emits the islands and hubs on an output stream.
 *
 *   csr ──► row RAM (start, end of each node's neighbours) + column RAM (neighbour ids)
 *           state RAM (2+1 bits a node: FREE / HUB / CLAIMED / ABANDONED this round / SEEN by this BFS)
 *           hub list RAM (hubs in detection order), BFS queue RAM (C_max nodes: the island; the visited
 *           set is the state RAM)
 *   rounds: TH from a table (TH0, then max(1, floor(0.8 TH)): `nextThreshold`, elaborated)
 *     1. hub detection (read state + row, decide): degree 0: an island of one;
 *        degree >= TH: a hub (appended to the hub list, emitted); ABANDONED -> FREE (the round's reset)
 *     2. dispatcher: every hub (detection order) x every neighbour (ascending) that is FREE starts a
 *        bounded BFS; the BFS engine pops queue nodes and checks each neighbour's state: HUB, CLAIMED,
 *        SEEN skip; ABANDONED or a full queue (C_max) abandons; FREE -> SEEN, pushed. Then a walk
 *        over the queue writes CLAIMED (emitting the island's nodes, the last one marked) or ABANDONED.
 *   ──► islands: {kind, id}: NODE / LAST (an island's last node) / HUB / END (all nodes placed)
 *
 * One hub lane and one BFS engine (P2 = 1): the order of islands is then the host's by construction.
 * Each memory has one read and one write port (block RAM). The loops are pipelined: hub detection and
 * the walk take one node a cycle, the dispatcher and the BFS one neighbour a cycle (column read, then
 * state and row reads, then the decision); a node's neighbour range travels with it into the hub list
 * and the queue. A hub whose neighbours were all HUB or CLAIMED in a dispatcher pass is marked
 * settled and skipped in later rounds (its list could start nothing; the results do not change).
 * Measured cycles against the cycle model of locator.ts: README "Locator in hardware".
 * After END the module takes the next graph.
 */
import { module, type ModuleDef, type Signal } from '../../dsl/builder/module.ts';
import { In, Out, bool, uint, type PortRecord } from '../../dsl/builder/ports.ts';
import { Record } from '../../dsl/builder/payload.ts';
import { Stream } from '../../dsl/builder/stream.ts';
import { cat, mux, u, type Value } from '../../dsl/builder/value.ts';
import { clog2 } from '../../dsl/ir/types.ts';
import { readPort, writePort, type ReadableRam, type WritableRam } from './ram-ports.ts';
import { ParamError } from '../../dsl/errors.ts';
import { nextThreshold } from './locator.ts';

export interface LocatorHwParams {
  /** Largest graph (nodes). */
  maxNodes: number;
  /** Largest number of CSR column entries (2 x undirected edges). */
  maxEdges: number;
  th0: number;
  cMax: number;
}

/** Output token kinds. */
export const LOC_NODE = 0;
export const LOC_LAST = 1;
export const LOC_HUB = 2;
export const LOC_END = 3;

const FREE = 0;
const HUB = 1;
const CLAIMED = 2;
const ABANDONED = 3;
const SEEN = 4;

/** Field widths of the locator's streams. */
export function locatorWidths(p: LocatorHwParams): { nodeW: number; ptrW: number; valueW: number } {
  const nodeW = Math.max(1, clog2(p.maxNodes));
  const ptrW = Math.max(1, clog2(p.maxEdges + 1));
  return { nodeW, ptrW, valueW: Math.max(nodeW, ptrW) };
}

/** Input token: a row pointer (`ptr` = 1: rowPtr[0..n], in order) or a column index (then, in order); `last` on the final token. */
export const csrTokenType = (p: LocatorHwParams) => Record({ last: bool(), ptr: bool(), value: uint(locatorWidths(p).valueW) });
/** Output token: `kind` (LOC_NODE, LOC_LAST, LOC_HUB, LOC_END) and a node id. */
export const islandTokenType = (p: LocatorHwParams) => Record({ kind: uint(2), id: uint(locatorWidths(p).nodeW) });

/** The thresholds of the rounds: TH0, then nextThreshold until 1 (the last repeats). */
export function thresholdTable(th0: number): number[] {
  const t = [th0];
  while (t[t.length - 1]! > 1) t.push(nextThreshold(t[t.length - 1]!));
  return t;
}

/**
 * The CSR tokens of neighbour lists (sorted, symmetric, no self loops), as field values; a graph
 * larger than the module holds is an error naming the limit.
 */
export function csrTokens(p: LocatorHwParams, adj: readonly (readonly number[])[]): { last: number; ptr: number; value: number }[] {
  const nnz = adj.reduce((k, l) => k + l.length, 0);
  if (adj.length < 1 || adj.length > p.maxNodes) throw new ParamError(`locator: the graph has ${adj.length} nodes; this module holds 1..${p.maxNodes} (maxNodes)`, undefined, { field: 'maxNodes', value: adj.length });
  if (nnz > p.maxEdges) throw new ParamError(`locator: the graph has ${nnz} neighbour entries; this module holds up to ${p.maxEdges} (maxEdges)`, undefined, { field: 'maxEdges', value: nnz });
  const out: { last: number; ptr: number; value: number }[] = [];
  let at = 0;
  out.push({ last: 0, ptr: 1, value: 0 });
  for (const list of adj) out.push({ last: 0, ptr: 1, value: (at += list.length) });
  for (const list of adj) for (const v of list) out.push({ last: 0, ptr: 0, value: v });
  out[out.length - 1]!.last = 1;
  return out;
}

const S = { LOAD: 0, ROUND: 1, SCAN: 2, HUB_RD: 3, HUB_SET: 4, DISP: 5, POP_SET: 6, NB: 7, WALK: 8, FINISH: 9 } as const;

export function locatorName(p: LocatorHwParams): string {
  return `igcn_locator_n${p.maxNodes}_e${p.maxEdges}_t${p.th0}_c${p.cMax}`;
}

/** The locator module for `p`. */
export function createLocator(p: LocatorHwParams): ModuleDef<PortRecord> {
  for (const [field, min] of [['maxNodes', 2], ['maxEdges', 2], ['th0', 1], ['cMax', 1]] as const)
    if (!Number.isInteger(p[field]) || p[field] < min) throw new ParamError(`locator parameter '${field}' = ${p[field]} must be an integer >= ${min}`, undefined, { field, value: p[field] });
  const { nodeW, ptrW } = locatorWidths(p);
  const cntW = clog2(p.maxNodes + 1);
  const qW = clog2(p.cMax + 1);
  const table = thresholdTable(p.th0);
  const thW = Math.max(ptrW, clog2(p.th0 + 1));
  return module(locatorName(p), { csr: In(Stream(csrTokenType(p))), islands: Out(Stream(islandTokenType(p))) }, (io, m) => {
    const rowW = 2 * ptrW;
    // A node's neighbour range {start, end} travels with it (row RAM -> hub list, BFS queue), so a
    // hub or a popped node needs one read before its neighbours stream.
    const rowMem = m.mem('row_mem', { type: uint(rowW), depth: p.maxNodes });
    const colMem = m.mem('col_mem', { type: uint(nodeW), depth: Math.max(2, p.maxEdges) });
    const stateMem = m.mem('state_mem', { type: uint(3), depth: p.maxNodes });
    // A hub's word: {settled, start, end}; settled once a dispatcher pass found all its neighbours HUB or CLAIMED.
    const hubMem = m.mem('hub_mem', { type: uint(rowW + 1), depth: p.maxNodes });
    const queueMem = m.mem('queue_mem', { type: uint(nodeW + rowW), depth: Math.max(2, p.cMax) });
    const node = (v: Value): Value => v.resize(nodeW);

    const st = m.reg('st', uint(4), { reset: S.LOAD });
    const loadIdx = m.reg('load_idx', uint(cntW + 1), { reset: 0 });
    const colIdx = m.reg('col_idx', uint(ptrW), { reset: 0 });
    const prevPtr = m.reg('prev_ptr', uint(ptrW));
    const n = m.reg('n', uint(cntW));
    const left = m.reg('left', uint(cntW));
    const round = m.reg('round', uint(clog2(table.length + 1)));
    const th = m.reg('th', uint(thW));
    const v = m.reg('v', uint(cntW));
    const hubCount = m.reg('hub_count', uint(cntW));
    const hi = m.reg('hi', uint(cntW));
    const dEp = m.reg('d_ep', uint(ptrW));
    const dEnd = m.reg('d_end', uint(ptrW));
    const bEp = m.reg('b_ep', uint(ptrW));
    const bEnd = m.reg('b_end', uint(ptrW));
    const qlen = m.reg('qlen', uint(qW));
    const head = m.reg('head', uint(qW));
    const wi = m.reg('wi', uint(qW));
    const ok = m.reg('ok', bool());
    const hubRow = m.reg('hub_row', uint(rowW));
    const hubOpen = m.reg('hub_open', bool());
    // Pipeline of the read-then-decide loops: stage 1 holds what the reads issued last cycle belong to.
    const s1 = m.reg('s1_valid', bool(), { reset: 0 });
    const s1Ep = m.reg('s1_ep', uint(ptrW));
    const s1Node = m.reg('s1_node', uint(cntW));
    const s1Last = m.reg('s1_last', bool());
    // Stage 2 of the edge loops (column read -> state and row reads -> decide).
    const s2 = m.reg('s2_valid', bool(), { reset: 0 });
    const s2Ep = m.reg('s2_ep', uint(ptrW));
    const s2W = m.reg('s2_w', uint(nodeW));
    const outValid = m.reg('out_valid', bool(), { reset: 0 });
    const outKind = m.reg('out_kind', uint(2));
    const outId = m.reg('out_id', uint(nodeW));

    // One read port per memory: address and enable wires driven by the FSM.
    const rd = (name: string, mem: ReadableRam) => readPort(m, name, mem);
    const row = rd('row', rowMem);
    const col = rd('col', colMem);
    const state = rd('state', stateMem);
    const hub = rd('hub', hubMem);
    const queue = rd('queue', queueMem);
    // One write port per memory.
    const wr = (name: string, mem: WritableRam, width: number) => writePort(m, name, mem, width);
    const writeRow = wr('row', rowMem, rowW);
    const writeCol = wr('col', colMem, nodeW);
    const writeState = wr('state', stateMem, 3);
    const writeHub = wr('hub', hubMem, rowW + 1);
    const writeQueue = wr('queue', queueMem, nodeW + rowW);

    const startOf = (r: Value): Value => r.slice(rowW - 1, ptrW);
    const endOf = (r: Value): Value => r.slice(ptrW - 1, 0);
    const canEmit = outValid.not().or(io.islands.ready);
    m.when(io.islands.ready, () => outValid.set(u(1, 0)));
    const emit = (kind: number | Value, id: Value): void => {
      outValid.set(u(1, 1));
      outKind.set(typeof kind === 'number' ? u(2, kind) : kind);
      outId.set(node(id));
    };
    io.islands.valid.set(outValid);
    io.islands.setFields({ kind: outKind, id: outId });
    const go = (x: number): void => st.set(u(4, x));
    const inc = (r: Signal): void => r.set(r.add(1).trunc(r.width));
    const dec = (r: Signal): void => r.set(r.sub(1).trunc(r.width));
    const thOf = (r: Value): Value => table.reduceRight<Value>((acc, t, i) => (i === table.length - 1 ? u(thW, t) : mux(r.eq(i), u(thW, t), acc)), u(thW, 1));

    /**
     * The edge loop of the dispatcher and the BFS engine, one neighbour a cycle: stage 0 reads the
     * column entry at `ep`, stage 1 reads that node's state and row, stage 2 (`decide`) acts on them.
     * Neighbour lists hold no duplicates, so a state written in stage 2 is never the one stage 1
     * reads on the same edge; `decide` returns true to stop the loop (the reads in flight are dropped).
     */
    // Loop control wires, declared (and defaulted) outside the FSM's branches.
    const flag = (name: string): Signal => {
      const w = m.wire(name, bool());
      w.set(u(1, 0));
      return w;
    };
    const dispStop = flag('disp_stop');
    const bfsStop = flag('bfs_stop');
    const scanWait = flag('scan_wait');
    const walkWait = flag('walk_wait');
    const edgeLoop = (stop: Signal, ep: Signal, end: Signal, decide: () => Value, finished: () => void): void => {
      const issue = ep.ne(end).and(stop.not());
      m.when(issue, () => {
        col.at(ep);
        inc(ep);
        s1Ep.set(ep);
      });
      s1.set(issue);
      m.when(s1.and(stop.not()), () => {
        state.at(col.data);
        row.at(col.data);
        s2W.set(col.data);
        s2Ep.set(s1Ep);
      });
      s2.set(s1.and(stop.not()));
      m.when(stop, () => {
        s1.set(u(1, 0));
        s2.set(u(1, 0));
      });
      // Last, so that what `decide` starts (another loop) overrides the flush.
      m.when(s2, () => stop.set(decide()));
      m.when(ep.eq(end).and(s1.not()).and(s2.not()), finished);
    };

    /**
     * The node loops of hub detection and the walk, one node a cycle: stage 0 reads at index `i`
     * (`read`), stage 1 (`decide`) acts; `decide` returns true when it must wait (the output is full),
     * which holds the reads' data and stage 0.
     */
    const nodeLoop = (wait: Signal, i: Signal, count: Value, read: (i: Value) => void, decide: () => Value, finished: () => void): void => {
      m.when(s1, () => wait.set(decide()));
      m.when(wait.not(), () => {
        const more = i.ne(count);
        m.when(more, () => {
          read(i);
          inc(i);
          s1Node.set(i.resize(cntW));
          s1Last.set(i.add(1).trunc(i.width).eq(count));
        });
        s1.set(more);
        m.when(more.not().and(s1.not()), finished);
      });
    };

    /** Begin an edge loop over the range in `r` ({start, end}), its first column read issued now. */
    const startEdges = (ep: Signal, end: Signal, r: Value): void => {
      const first = startOf(r);
      const some = first.ne(endOf(r));
      end.set(endOf(r));
      m.when(some, () => col.at(first));
      ep.set(mux(some, first.add(1).trunc(ptrW), first));
      s1.set(some);
      s1Ep.set(first);
      s2.set(u(1, 0));
    };
    /** The next hub's range (read now), or the round's end: also the dispatcher loop's exit, saving a cycle a hub. */
    const nextHub = (): void => {
      m.when(hi.eq(hubCount), () => go(S.ROUND)).otherwise(() => {
        hub.at(hi);
        inc(hi);
        go(S.HUB_SET);
      });
    };
    /** The BFS engine's next queued node (read now), or the island complete: also the neighbour loop's exit. */
    const nextPop = (): void => {
      m.when(head.eq(qlen), () => {
        ok.set(u(1, 1));
        wi.set(u(qW, 0));
        s1.set(u(1, 0));
        go(S.WALK);
      }).otherwise(() => {
        queue.at(head);
        inc(head);
        go(S.POP_SET);
      });
    };

    const csr = io.csr.fields;
    io.csr.ready.set(st.eq(S.LOAD));

    m.switch(st)
      .is(S.LOAD, () => {
        m.when(io.csr.valid, () => {
          m.when(csr.ptr, () => {
            m.when(loadIdx.ne(0), () => {
              const idx = loadIdx.sub(1).trunc(loadIdx.width);
              writeRow(idx, cat(prevPtr, csr.value.resize(ptrW)));
              writeState(idx, FREE);
            });
            prevPtr.set(csr.value.resize(ptrW));
            inc(loadIdx);
          }).otherwise(() => {
            writeCol(colIdx, node(csr.value));
            inc(colIdx);
          });
          m.when(csr.last, () => {
            const ptrs = loadIdx.add(mux(csr.ptr, u(1, 1), u(1, 0))).trunc(loadIdx.width);
            const nodes = ptrs.sub(1).trunc(cntW);
            n.set(nodes);
            left.set(nodes);
            round.set(u(round.width, 0));
            hubCount.set(u(cntW, 0));
            loadIdx.set(u(loadIdx.width, 0));
            colIdx.set(u(ptrW, 0));
            go(S.ROUND);
          });
        });
      })
      .is(S.ROUND, () => {
        m.when(left.eq(0), () => go(S.FINISH)).otherwise(() => {
          th.set(thOf(round));
          m.when(round.lt(table.length - 1), () => inc(round));
          v.set(u(cntW, 0));
          s1.set(u(1, 0));
          go(S.SCAN);
        });
      })
      // 1. hub detection, one node a cycle
      .is(S.SCAN, () => {
        nodeLoop(scanWait, v, n, (i) => {
          row.at(i);
          state.at(i);
        }, () => {
          const s = state.data;
          const free = s.eq(FREE).or(s.eq(ABANDONED));
          const deg = endOf(row.data).sub(startOf(row.data)).trunc(ptrW).resize(thW);
          const isolated = free.and(deg.eq(0));
          const isHub = free.and(deg.ge(th)).and(deg.ne(0));
          const wait = isolated.or(isHub).and(canEmit.not());
          m.when(wait.not(), () => {
            m.when(isolated, () => {
              writeState(s1Node, CLAIMED);
              emit(LOC_LAST, s1Node);
              dec(left);
            }).elsewhen(isHub, () => {
              writeState(s1Node, HUB);
              writeHub(hubCount, cat(u(1, 0), row.data));
              inc(hubCount);
              emit(LOC_HUB, s1Node);
              dec(left);
            }).elsewhen(s.eq(ABANDONED), () => writeState(s1Node, FREE));
          });
          return wait;
        }, () => {
          hi.set(u(cntW, 0));
          go(S.HUB_RD);
        });
      })
      // 2. dispatcher over every hub's neighbours
      .is(S.HUB_RD, nextHub)
      .is(S.HUB_SET, () => {
        // A settled hub's neighbours can start nothing (HUB and CLAIMED are final): skip its list.
        m.when(hub.data.bit(rowW), nextHub).otherwise(() => {
          const r = hub.data.slice(rowW - 1, 0);
          startEdges(dEp, dEnd, r);
          hubRow.set(r);
          hubOpen.set(u(1, 0));
          go(S.DISP);
        });
      })
      .is(S.DISP, () => {
        edgeLoop(dispStop, dEp, dEnd, () => {
          const start = state.data.eq(FREE);
          m.when(start.or(state.data.eq(ABANDONED)), () => hubOpen.set(u(1, 1)));
          m.when(start, () => {
            writeState(s2W, SEEN);
            writeQueue(u(1, 0), cat(s2W, row.data));
            qlen.set(u(qW, 1));
            // The start is popped at once: its neighbour range is at hand.
            head.set(u(qW, 1));
            startEdges(bEp, bEnd, row.data);
            dEp.set(s2Ep.add(1).trunc(ptrW)); // resume after this entry
            go(S.NB);
          });
          return start;
        }, () => {
          m.when(hubOpen.not(), () => writeHub(hi.sub(1).trunc(hi.width), cat(u(1, 1), hubRow)));
          nextHub();
        });
      })
      // the bounded BFS engine
      .is(S.POP_SET, () => {
        startEdges(bEp, bEnd, queue.data.slice(rowW - 1, 0));
        go(S.NB);
      })
      .is(S.NB, () => {
        edgeLoop(bfsStop, bEp, bEnd, () => {
          const s = state.data;
          const skip = s.eq(HUB).or(s.eq(CLAIMED)).or(s.eq(SEEN));
          const abandon = skip.not().and(s.eq(ABANDONED).or(qlen.eq(p.cMax)));
          m.when(abandon, () => {
            ok.set(u(1, 0));
            wi.set(u(qW, 0));
            go(S.WALK);
          }).elsewhen(skip.not(), () => {
            writeState(s2W, SEEN);
            writeQueue(qlen, cat(s2W, row.data));
            inc(qlen);
          });
          return abandon;
        }, nextPop);
      })
      // the walk: claim (and emit) the island, or mark the abandoned BFS's nodes for the round
      .is(S.WALK, () => {
        nodeLoop(walkWait, wi, qlen, (i) => queue.at(i), () => {
          const id = queue.data.slice(nodeW + rowW - 1, rowW);
          const wait = ok.and(canEmit.not());
          m.when(wait.not(), () => {
            writeState(id, mux(ok, u(3, CLAIMED), u(3, ABANDONED)));
            m.when(ok, () => {
              emit(mux(s1Last, u(2, LOC_LAST), u(2, LOC_NODE)), id);
              dec(left);
            });
          });
          return wait;
        }, () => {
          s1.set(u(1, 0));
          s2.set(u(1, 0));
          go(S.DISP);
        });
      })
      .is(S.FINISH, () => {
        m.when(canEmit, () => {
          emit(LOC_END, u(nodeW, 0));
          go(S.LOAD);
        });
      })
      .default(() => go(S.LOAD));
  });
}
