/**
 * The island locator in hardware (ACCELERATORS.md §6): the same islands and hubs as `locateIslands`
 * in locator.ts, in the same order, as a module that reads the graph in CSR form from a stream into
 * block RAM and emits the islands and hubs on an output stream, with `hubLanes` hub-detection lanes
 * and `bfsEngines` (P2) bounded-BFS engines.
 *
 *   csr ──► row RAM (start, end of each node's neighbours), column RAM (neighbour ids), degree RAM
 *           (hubLanes degrees a word, saturated at TH0), state RAM (FREE / HUB / CLAIMED / ABANDONED
 *           with the round it was abandoned in)
 *   rounds: TH from a table (TH0, then max(1, floor(0.8 TH)): `nextThreshold`, elaborated)
 *     1. hub detection: a degree word a cycle, `hubLanes` comparisons; the nodes in the round's degree
 *        band (TH <= deg < previous TH, or deg 0 in the first round: every node of a higher degree is
 *        already a hub or claimed) are checked one a cycle: an unclaimed one becomes a hub (deg >= TH)
 *        or an island of one (deg 0)
 *     2. dispatcher: every hub (detection order) x every neighbour (ascending) that is not HUB,
 *        CLAIMED, ABANDONED this round, nor in a running engine's visited set, is a seed; seeds go to
 *        the engines round robin (waiting for the next one to be free)
 *     3. P2 engines, each a bounded BFS with its own queue and visited bits: a neighbour HUB, CLAIMED or
 *        visited is skipped, ABANDONED this round or a full queue (C_max) aborts, else it is pushed
 *     4. commit, in seed order (a token passed round robin, the dispatcher's order): the engine reads
 *        its seed's state; CLAIMED: the result is dropped; else a complete BFS claims its nodes (emitted,
 *        the last one marked), an aborted one marks them ABANDONED; the walk clears the visited bits
 *   ──► islands: {kind, id}: NODE / LAST (an island's last node) / HUB / END (all nodes placed)
 *
 * Why the parallel result is the sequential one: an island is a whole component C of the non-hub
 * unclaimed nodes, and the sequential locator makes C an island exactly when |C| <= C_max, from the
 * first seed in C. A BFS of that first seed meets nothing but C's own free nodes, so it gives C in the
 * sequential BFS order whatever the other engines do; it commits before every later seed, and a later
 * seed in C then finds itself CLAIMED and is dropped. When |C| > C_max no BFS in C can complete (it
 * reaches C_max + 1 distinct nodes or an ABANDONED mark, which only such components get). The
 * dispatcher's and engines' reads of the shared state may be a few cycles stale: that only lets a
 * wasted BFS start (dropped at commit), never changes an island.
 *
 * Each memory has one write port; the column, row and state RAMs have a read port per engine and one
 * for the dispatcher and the scan (block RAM copies), each engine's visited bits one for the engine
 * and one for the dispatcher. The cycle model of locator.ts (`locatorCycles`) follows this module.
 * After END the module takes the next graph.
 */
import { module, type ModuleBuilder, type ModuleDef, type Signal } from '../../dsl/builder/module.ts';
import { In, Out, bool, uint, type PortRecord } from '../../dsl/builder/ports.ts';
import { Record } from '../../dsl/builder/payload.ts';
import { Stream } from '../../dsl/builder/stream.ts';
import { cat, mux, u, type Value } from '../../dsl/builder/value.ts';
import { clog2 } from '../../dsl/ir/types.ts';
import { readPort, writePort, type ReadableRam, type WritableRam } from './ram-ports.ts';
import { ParamError } from '../../dsl/errors.ts';
import { thresholdTable } from './locator.ts';

export interface LocatorHwParams {
  /** Largest graph (nodes). */
  maxNodes: number;
  /** Largest number of CSR column entries (2 x undirected edges). */
  maxEdges: number;
  th0: number;
  cMax: number;
  /** Parallel bounded-BFS engines P2 (default 1). */
  bfsEngines?: number;
  /** Hub detection lanes: degrees compared a cycle (default 1). */
  hubLanes?: number;
}

/** Output token kinds. */
export const LOC_NODE = 0;
export const LOC_LAST = 1;
export const LOC_HUB = 2;
export const LOC_END = 3;

// State kinds (the high two bits of a state word; the low bits are the round of an ABANDONED mark).
const FREE = 0;
const HUB = 1;
const CLAIMED = 2;
const ABANDONED = 3;

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

const S = { LOAD: 0, ROUND: 1, SCAN: 2, HUB_RD: 3, HUB_SET: 4, DISP: 5, DWAIT: 6, DRAIN: 7, FINISH: 8 } as const;
/** Engine states. */
const E = { IDLE: 0, NB: 1, POP_SET: 2, DONE: 3, C_RD: 4, WALK: 5 } as const;

const engines = (p: LocatorHwParams): number => p.bfsEngines ?? 1;
const lanes = (p: LocatorHwParams): number => p.hubLanes ?? 1;

export function locatorName(p: LocatorHwParams): string {
  return `igcn_locator_n${p.maxNodes}_e${p.maxEdges}_t${p.th0}_c${p.cMax}_p${engines(p)}_l${lanes(p)}`;
}

/** Pipeline registers of an edge loop (column read -> state/row reads -> decide). */
interface EdgePipe {
  s1: Signal;
  s1Ep: Signal;
  s2: Signal;
  s2Ep: Signal;
  s2W: Signal;
}

/** The locator module for `p`. */
export function createLocator(p: LocatorHwParams): ModuleDef<PortRecord> {
  for (const [field, min] of [['maxNodes', 2], ['maxEdges', 2], ['th0', 1], ['cMax', 1]] as const)
    if (!Number.isInteger(p[field]) || p[field] < min) throw new ParamError(`locator parameter '${field}' = ${p[field]} must be an integer >= ${min}`, undefined, { field, value: p[field] });
  for (const [field, max] of [['bfsEngines', 64], ['hubLanes', 256]] as const) {
    const x = p[field] ?? 1;
    if (!Number.isInteger(x) || x < 1 || x > max) throw new ParamError(`locator parameter '${field}' = ${x} must be an integer from 1 to ${max}`, undefined, { field, value: x });
  }
  const P = engines(p);
  const L = lanes(p);
  const { nodeW, ptrW } = locatorWidths(p);
  const cntW = clog2(p.maxNodes + 1);
  const qW = clog2(p.cMax + 1);
  const table = thresholdTable(p.th0);
  const thW = Math.max(ptrW, clog2(p.th0 + 1));
  const dW = clog2(p.th0 + 1);
  const tagW = Math.max(1, clog2(table.length));
  const stW = 2 + tagW;
  const words = Math.ceil(p.maxNodes / L);
  const wordW = Math.max(1, clog2(words + 1));
  const laneW = Math.max(1, clog2(L));
  const baseW = clog2(p.maxNodes + L + 1);
  const eW = Math.max(1, clog2(P));
  return module(locatorName(p), { csr: In(Stream(csrTokenType(p))), islands: Out(Stream(islandTokenType(p))) }, (io, m) => {
    const rowW = 2 * ptrW;
    // A node's neighbour range {start, end} travels with it (row RAM -> hub list, BFS queue), so a
    // hub or a popped node needs one read before its neighbours stream.
    const rowMem = m.mem('row_mem', { type: uint(rowW), depth: p.maxNodes });
    const colMem = m.mem('col_mem', { type: uint(nodeW), depth: Math.max(2, p.maxEdges) });
    const stateMem = m.mem('state_mem', { type: uint(stW), depth: p.maxNodes });
    // Degrees saturated at TH0 (all a round compares), `hubLanes` to a word: written once, at load.
    const degMem = m.mem('deg_mem', { type: uint(L * dW), depth: Math.max(2, words) });
    // A hub's word: {settled, start, end}; settled once a dispatcher pass found all its neighbours HUB or CLAIMED.
    const hubMem = m.mem('hub_mem', { type: uint(rowW + 1), depth: p.maxNodes });
    const node = (v: Value): Value => v.resize(nodeW);

    const st = m.reg('st', uint(4), { reset: S.LOAD });
    const loadIdx = m.reg('load_idx', uint(cntW + 1), { reset: 0 });
    const colIdx = m.reg('col_idx', uint(ptrW), { reset: 0 });
    const laneIdx = m.reg('lane_idx', uint(laneW), { reset: 0 });
    const wordIdx = m.reg('word_idx', uint(wordW), { reset: 0 });
    const degAcc = m.reg('deg_acc', uint(L * dW), { reset: 0 });
    const prevPtr = m.reg('prev_ptr', uint(ptrW));
    const n = m.reg('n', uint(cntW));
    const left = m.reg('left', uint(cntW));
    const round = m.reg('round', uint(clog2(table.length + 1)));
    const rtag = m.reg('rtag', uint(tagW));
    const first = m.reg('first_round', bool());
    const th = m.reg('th', uint(thW));
    const thPrev = m.reg('th_prev', uint(thW));
    const hubCount = m.reg('hub_count', uint(cntW));
    const hi = m.reg('hi', uint(cntW));
    const dEp = m.reg('d_ep', uint(ptrW));
    const dEnd = m.reg('d_end', uint(ptrW));
    const hubRow = m.reg('hub_row', uint(rowW));
    const hubOpen = m.reg('hub_open', bool());
    const dptr = m.reg('dptr', uint(eW), { reset: 0 });
    const ctok = m.reg('ctok', uint(eW), { reset: 0 });
    const waitU = m.reg('wait_u', uint(nodeW));
    const waitRow = m.reg('wait_row', uint(rowW));
    // Scan: next word's first node, the pending word's first node, lanes still to check.
    const nb = m.reg('scan_next', uint(baseW));
    const wAddr = m.reg('scan_word', uint(wordW));
    const base = m.reg('scan_base', uint(baseW));
    const pend = m.reg('scan_pend', bool(), { reset: 0 });
    const mask = m.reg('scan_mask', uint(L));
    // Pipeline of the scan (s1) and the dispatcher's edge loop (s1, s2).
    const pipe: EdgePipe = {
      s1: m.reg('s1_valid', bool(), { reset: 0 }),
      s1Ep: m.reg('s1_ep', uint(ptrW)),
      s2: m.reg('s2_valid', bool(), { reset: 0 }),
      s2Ep: m.reg('s2_ep', uint(ptrW)),
      s2W: m.reg('s2_w', uint(nodeW)),
    };
    const s1Node = m.reg('s1_node', uint(cntW));
    const outValid = m.reg('out_valid', bool(), { reset: 0 });
    const outKind = m.reg('out_kind', uint(2));
    const outId = m.reg('out_id', uint(nodeW));

    // Read ports of the dispatcher and the scan.
    const rd = (name: string, mem: ReadableRam) => readPort(m, name, mem);
    const row = rd('row', rowMem);
    const col = rd('col', colMem);
    const state = rd('state', stateMem);
    const hub = rd('hub', hubMem);
    const deg = rd('deg', degMem);
    // One write port per memory.
    const wr = (name: string, mem: WritableRam, width: number) => writePort(m, name, mem, width);
    const writeRow = wr('row', rowMem, rowW);
    const writeCol = wr('col', colMem, nodeW);
    const writeState = wr('state', stateMem, stW);
    const writeHub = wr('hub', hubMem, rowW + 1);
    const writeDeg = wr('deg', degMem, L * dW);

    const startOf = (r: Value): Value => r.slice(rowW - 1, ptrW);
    const endOf = (r: Value): Value => r.slice(ptrW - 1, 0);
    const kindOf = (s: Value): Value => s.slice(stW - 1, tagW);
    const stateWord = (kind: number): Value => cat(u(2, kind), u(tagW, 0));
    const abandonedWord = (): Value => cat(u(2, ABANDONED), rtag);
    const abandonedNow = (s: Value): Value => kindOf(s).eq(ABANDONED).and(s.slice(tagW - 1, 0).eq(rtag));
    const final = (s: Value): Value => kindOf(s).eq(HUB).or(kindOf(s).eq(CLAIMED));
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
    const nextE = (r: Value): Value => (P === 1 ? u(eW, 0) : mux(r.eq(P - 1), u(eW, 0), r.add(1).trunc(eW)));
    const thOf = (r: Value): Value => table.reduceRight<Value>((acc, t, i) => (i === table.length - 1 ? u(thW, t) : mux(r.eq(i), u(thW, t), acc)), u(thW, 1));

    // Loop control wires, declared (and defaulted) outside the FSM's branches.
    const flag = (name: string): Signal => {
      const w = m.wire(name, bool());
      w.set(u(1, 0));
      return w;
    };
    const dispStop = flag('disp_stop');
    const scanWait = flag('scan_wait');

    /**
     * An edge loop, one neighbour a cycle: stage 0 reads the column entry at `ep`, stage 1 (`read`)
     * reads that node's state and row, stage 2 (`decide`) acts on them. Neighbour lists hold no
     * duplicates, so a bit written in stage 2 is never the one stage 1 reads on the same list;
     * `decide` returns true to stop the loop (the reads in flight are dropped).
     */
    const edgeLoop = (q: EdgePipe, colPort: { data: Value; at: (a: Value) => void }, stop: Signal, ep: Signal, end: Signal, read: (w: Value) => void, decide: () => Value, finished: () => void): void => {
      const issue = ep.ne(end).and(stop.not());
      m.when(issue, () => {
        colPort.at(ep);
        inc(ep);
        q.s1Ep.set(ep);
      });
      q.s1.set(issue);
      m.when(q.s1.and(stop.not()), () => {
        read(colPort.data);
        q.s2W.set(colPort.data);
        q.s2Ep.set(q.s1Ep);
      });
      q.s2.set(q.s1.and(stop.not()));
      m.when(stop, () => {
        q.s1.set(u(1, 0));
        q.s2.set(u(1, 0));
      });
      // Last, so that what `decide` starts (another loop) overrides the flush.
      m.when(q.s2, () => stop.set(decide()));
      m.when(ep.eq(end).and(q.s1.not()).and(q.s2.not()), finished);
    };
    /** Begin an edge loop over [first, last), its first column read issued now. */
    const startEdges = (q: EdgePipe, colPort: { at: (a: Value) => void }, ep: Signal, end: Signal, firstEp: Value, lastEp: Value): void => {
      const some = firstEp.ne(lastEp);
      end.set(lastEp);
      m.when(some, () => colPort.at(firstEp));
      ep.set(mux(some, firstEp.add(1).trunc(ptrW), firstEp));
      q.s1.set(some);
      q.s1Ep.set(firstEp);
      q.s2.set(u(1, 0));
    };

    // ---- the BFS engines -----------------------------------------------------------------------
    const eng = Array.from({ length: P }, (_, e) => bfsEngine(m, e));
    const allIdle = eng.reduce<Value>((acc, x) => acc.and(x.st.eq(E.IDLE)), u(1, 1));
    const engineIdle = (k: Value): Value => eng.reduce<Value>((acc, x, e) => acc.or(k.eq(e).and(x.st.eq(E.IDLE))), u(1, 0));
    /** Hand seed `w` (neighbour range `r`) to engine `dptr` (idle): it is pushed and popped at once. */
    const startEngine = (w: Value, r: Value): void => {
      eng.forEach((x, e) =>
        m.when(dptr.eq(e), () => {
          x.writeVis(w, u(1, 1));
          x.writeQueue(u(qW, 0), cat(node(w), r));
          x.seed.set(node(w));
          x.qlen.set(u(qW, 1));
          x.head.set(u(qW, 1));
          startEdges(x.pipe, x.col, x.ep, x.end, startOf(r), endOf(r));
          x.st.set(u(3, E.NB));
        }),
      );
      dptr.set(nextE(dptr));
    };

    function bfsEngine(mb: ModuleBuilder, e: number) {
      const pre = `e${e}_`;
      const queueMem = mb.mem(`${pre}queue_mem`, { type: uint(nodeW + rowW), depth: Math.max(2, p.cMax) });
      // The engine's visited set; its walk clears what the BFS set, so it is all zero between BFS runs.
      const visMem = mb.mem(`${pre}vis_mem`, { type: bool(), depth: p.maxNodes, init: new Array<number>(p.maxNodes).fill(0) });
      const x = {
        st: mb.reg(`${pre}st`, uint(3), { reset: E.IDLE }),
        seed: mb.reg(`${pre}seed`, uint(nodeW)),
        qlen: mb.reg(`${pre}qlen`, uint(qW)),
        head: mb.reg(`${pre}head`, uint(qW)),
        wi: mb.reg(`${pre}wi`, uint(qW)),
        ok: mb.reg(`${pre}ok`, bool()),
        drop: mb.reg(`${pre}drop`, bool()),
        ep: mb.reg(`${pre}ep`, uint(ptrW)),
        end: mb.reg(`${pre}end`, uint(ptrW)),
        pipe: {
          s1: mb.reg(`${pre}s1_valid`, bool(), { reset: 0 }),
          s1Ep: mb.reg(`${pre}s1_ep`, uint(ptrW)),
          s2: mb.reg(`${pre}s2_valid`, bool(), { reset: 0 }),
          s2Ep: mb.reg(`${pre}s2_ep`, uint(ptrW)),
          s2W: mb.reg(`${pre}s2_w`, uint(nodeW)),
        } as EdgePipe,
        w1: mb.reg(`${pre}w1_valid`, bool(), { reset: 0 }),
        w1Last: mb.reg(`${pre}w1_last`, bool()),
        col: rd(`${pre}col`, colMem),
        row: rd(`${pre}row`, rowMem),
        state: rd(`${pre}state`, stateMem),
        vis: rd(`${pre}vis`, visMem),
        /** The dispatcher's read port of this engine's visited set. */
        visD: rd(`${pre}visd`, visMem),
        queue: rd(`${pre}queue`, queueMem),
        writeVis: wr(`${pre}vis`, visMem, 1),
        writeQueue: wr(`${pre}queue`, queueMem, nodeW + rowW),
        stop: flag(`${pre}stop`),
        walkWait: flag(`${pre}walk_wait`),
      };
      return x;
    }

    for (const [e, x] of eng.entries()) {
      const go2 = (s: number): void => x.st.set(u(3, s));
      /** The next queued node (read now), or the BFS complete: also the neighbour loop's exit. */
      const nextPop = (): void => {
        m.when(x.head.eq(x.qlen), () => {
          x.ok.set(u(1, 1));
          go2(E.DONE);
        }).otherwise(() => {
          x.queue.at(x.head);
          inc(x.head);
          go2(E.POP_SET);
        });
      };
      m.switch(x.st)
        .is(E.POP_SET, () => {
          const r = x.queue.data.slice(rowW - 1, 0);
          startEdges(x.pipe, x.col, x.ep, x.end, startOf(r), endOf(r));
          go2(E.NB);
        })
        .is(E.NB, () => {
          edgeLoop(x.pipe, x.col, x.stop, x.ep, x.end, (w) => {
            x.state.at(w);
            x.row.at(w);
            x.vis.at(w);
          }, () => {
            const s = x.state.data;
            const skip = final(s).or(x.vis.data);
            const abort = skip.not().and(abandonedNow(s).or(x.qlen.eq(p.cMax)));
            m.when(abort, () => {
              x.ok.set(u(1, 0));
              go2(E.DONE);
            }).elsewhen(skip.not(), () => {
              x.writeVis(x.pipe.s2W, u(1, 1));
              x.writeQueue(x.qlen, cat(x.pipe.s2W, x.row.data));
              inc(x.qlen);
            });
            return abort;
          }, nextPop);
        })
        // Wait for the commit token (seed order), then read the seed's state.
        .is(E.DONE, () => {
          m.when(ctok.eq(e), () => {
            x.state.at(x.seed);
            go2(E.C_RD);
          });
        })
        .is(E.C_RD, () => {
          // A later seed of a component an earlier seed claimed: its result is dropped.
          x.drop.set(kindOf(x.state.data).eq(CLAIMED));
          x.wi.set(u(qW, 0));
          x.w1.set(u(1, 0));
          go2(E.WALK);
        })
        // The walk: clear the visited bits; claim (and emit) the island, or mark an aborted BFS's nodes.
        .is(E.WALK, () => {
          const claim = x.ok.and(x.drop.not());
          m.when(x.w1, () => {
            const id = x.queue.data.slice(nodeW + rowW - 1, rowW);
            const wait = claim.and(canEmit.not());
            x.walkWait.set(wait);
            m.when(wait.not(), () => {
              x.writeVis(id, u(1, 0));
              m.when(x.drop.not(), () => writeState(id, mux(x.ok, stateWord(CLAIMED), abandonedWord())));
              m.when(claim, () => {
                emit(mux(x.w1Last, u(2, LOC_LAST), u(2, LOC_NODE)), id);
                dec(left);
              });
            });
          });
          m.when(x.walkWait.not(), () => {
            const more = x.wi.ne(x.qlen);
            m.when(more, () => {
              x.queue.at(x.wi);
              inc(x.wi);
              x.w1Last.set(x.wi.add(1).trunc(qW).eq(x.qlen));
            });
            x.w1.set(more);
            m.when(more.not().and(x.w1.not()), () => {
              ctok.set(nextE(ctok));
              go2(E.IDLE);
            });
          });
        });
    }

    const csr = io.csr.fields;
    io.csr.ready.set(st.eq(S.LOAD));
    /** The next hub's range (read now), or the round's dispatching done: also the dispatcher loop's exit. */
    const nextHub = (): void => {
      m.when(hi.eq(hubCount), () => go(S.DRAIN)).otherwise(() => {
        hub.at(hi);
        inc(hi);
        go(S.HUB_SET);
      });
    };

    m.switch(st)
      .is(S.LOAD, () => {
        m.when(io.csr.valid, () => {
          m.when(csr.ptr, () => {
            m.when(loadIdx.ne(0), () => {
              const idx = loadIdx.sub(1).trunc(loadIdx.width);
              writeRow(idx, cat(prevPtr, csr.value.resize(ptrW)));
              writeState(idx, stateWord(FREE));
              // The degree word being filled: this node's lane, saturated at TH0.
              const d = csr.value.resize(ptrW).sub(prevPtr).trunc(ptrW);
              const sat = mux(d.ge(p.th0), u(dW, p.th0), d.resize(dW));
              const lanesNow = Array.from({ length: L }, (_, j) => mux(laneIdx.eq(j), sat, degAcc.slice((j + 1) * dW - 1, j * dW)));
              const word = cat(...lanesNow.reverse());
              writeDeg(wordIdx, word);
              degAcc.set(word);
              m.when(laneIdx.eq(L - 1), () => {
                laneIdx.set(u(laneW, 0));
                inc(wordIdx);
              }).otherwise(() => inc(laneIdx));
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
            laneIdx.set(u(laneW, 0));
            wordIdx.set(u(wordW, 0));
            go(S.ROUND);
          });
        });
      })
      .is(S.ROUND, () => {
        m.when(left.eq(0), () => go(S.FINISH)).otherwise(() => {
          thPrev.set(th);
          th.set(thOf(round));
          first.set(round.eq(0));
          rtag.set(round.resize(tagW));
          m.when(round.lt(table.length - 1), () => inc(round));
          nb.set(u(baseW, 0));
          wAddr.set(u(wordW, 0));
          pend.set(u(1, 0));
          mask.set(u(L, 0));
          pipe.s1.set(u(1, 0));
          go(S.SCAN);
        });
      })
      // 1. hub detection: a degree word a cycle into the lane mask, then its candidates one a cycle
      .is(S.SCAN, () => {
        m.when(pipe.s1, () => {
          const s = state.data;
          const free = final(s).not();
          const d = endOf(row.data).sub(startOf(row.data)).trunc(ptrW);
          const isolated = free.and(d.eq(0));
          const isHub = free.and(d.ne(0));
          const wait = isolated.or(isHub).and(canEmit.not());
          scanWait.set(wait);
          m.when(wait.not(), () => {
            m.when(isolated, () => {
              writeState(s1Node, stateWord(CLAIMED));
              emit(LOC_LAST, s1Node);
              dec(left);
            }).elsewhen(isHub, () => {
              writeState(s1Node, stateWord(HUB));
              writeHub(hubCount, cat(u(1, 0), row.data));
              inc(hubCount);
              emit(LOC_HUB, s1Node);
              dec(left);
            });
          });
        });
        m.when(scanWait.not(), () => {
          // The round's degree band: TH <= deg < previous TH (every node above is a hub or claimed),
          // or deg 0 or deg >= TH0 in the first round.
          const laneBits = Array.from({ length: L }, (_, j) => {
            const d = deg.data.slice((j + 1) * dW - 1, j * dW);
            const inBand = d.ge(th).and(first.or(d.lt(thPrev))).or(first.and(d.eq(0)));
            return inBand.and(base.add(j).lt(n));
          });
          const fresh = cat(...laneBits.reverse());
          const src = mux(pend, fresh, mask);
          const has = src.ne(0);
          let lane: Value = u(laneW, 0);
          for (let j = L - 1; j >= 0; j--) lane = mux(src.bit(j), u(laneW, j), lane);
          const v = base.add(lane).trunc(cntW);
          m.when(has, () => {
            row.at(v);
            state.at(v);
            s1Node.set(v);
          });
          pipe.s1.set(has);
          const rest = mux(has, src.and(src.sub(1).trunc(L)), u(L, 0));
          mask.set(rest);
          const issue = rest.eq(0).and(nb.lt(n));
          m.when(issue, () => {
            deg.at(wAddr);
            inc(wAddr);
            base.set(nb);
            nb.set(nb.add(L).trunc(baseW));
          });
          pend.set(issue);
          m.when(has.not().and(nb.ge(n)), () => {
            hi.set(u(cntW, 0));
            go(S.HUB_RD);
          });
        });
      })
      // 2. dispatcher over every hub's neighbours
      .is(S.HUB_RD, nextHub)
      .is(S.HUB_SET, () => {
        // A settled hub's neighbours can start nothing (HUB and CLAIMED are final): skip its list.
        m.when(hub.data.bit(rowW), nextHub).otherwise(() => {
          const r = hub.data.slice(rowW - 1, 0);
          startEdges(pipe, col, dEp, dEnd, startOf(r), endOf(r));
          hubRow.set(r);
          hubOpen.set(u(1, 0));
          go(S.DISP);
        });
      })
      .is(S.DISP, () => {
        edgeLoop(pipe, col, dispStop, dEp, dEnd, (w) => {
          state.at(w);
          row.at(w);
          for (const x of eng) x.visD.at(w);
        }, () => {
          const s = state.data;
          const busy = eng.reduce<Value>((acc, x) => acc.or(x.visD.data), u(1, 0));
          const seed = final(s).or(abandonedNow(s)).or(busy).not();
          m.when(final(s).not(), () => hubOpen.set(u(1, 1)));
          const free = engineIdle(dptr);
          const hold = seed.and(free.not());
          m.when(seed.and(free), () => startEngine(pipe.s2W, row.data));
          m.when(hold, () => {
            // The seed's engine is busy: wait for it, then resume after this entry.
            waitU.set(pipe.s2W);
            waitRow.set(row.data);
            dEp.set(pipe.s2Ep.add(1).trunc(ptrW));
            go(S.DWAIT);
          });
          return hold;
        }, () => {
          m.when(hubOpen.not(), () => writeHub(hi.sub(1).trunc(hi.width), cat(u(1, 1), hubRow)));
          nextHub();
        });
      })
      .is(S.DWAIT, () => {
        m.when(engineIdle(dptr), () => {
          startEngine(waitU, waitRow);
          startEdges(pipe, col, dEp, dEnd, dEp, dEnd);
          go(S.DISP);
        });
      })
      // The round ends when every engine has committed.
      .is(S.DRAIN, () => m.when(allIdle, () => go(S.ROUND)))
      .is(S.FINISH, () => {
        m.when(canEmit, () => {
          emit(LOC_END, u(nodeW, 0));
          go(S.LOAD);
        });
      })
      .default(() => go(S.LOAD));
  });
}
