/**
 * The ShiftAddLLM engine: y = W·x without multipliers (ACCELERATORS.md §2).
 *
 * Architecture. x is loaded once into an activation memory (one word per group of 8). A table
 * builder walks the 256 entries of a group's table in Gray-code order, so each entry differs from
 * the previous one in one sign and costs one add or subtract of 2·x[t] in a single adder
 * (`T[0] = −Σx` from an adder tree, then 255 steps: the spec's 255 additions, one per cycle, with no
 * read-back of earlier entries). Every lane holds its own copy of the table in a double-buffered
 * block RAM (bank = group parity), so the builder fills group g+1 while the lanes read group g.
 * L lanes take one weight byte each per cycle from one weight stream (token = L bytes, plus L scale
 * codes for block scales) in the order group → row chunk → bit-plane; lane l serves rows r·L + l.
 * Each lane looks the byte up, applies the three-shift scale and accumulates per row (`lane.ts`).
 * After the last group the accumulators stream out, one token of L int32 per row chunk.
 *
 * Streams, in the order the host sends them (payload types in `llmPorts`; the host codec packs them):
 *   cfg   one token {groupsM1: groups − 1, chunksM1: chunks − 1} (groups = K/8, chunks = ceil(N/L))
 *   x     `groups` tokens of 8 activations (element t = x[8g+t])
 *   scale ('row' scales only) chunks·q tokens of L 9-bit codes (row chunk-major, plane-minor)
 *   w     groups·chunks·q tokens of L lanes: {code, byte} for block scales, the byte for row scales
 *   y     out: chunks tokens of L int32 (element l = row r·L + l)
 */
import { In, Out, Record, Stream, Value, Vec, module, sint, uint, unpack, cat, mux, sumTree } from '../../dsl/index.ts';
import type { Memory, ModuleBuilder, Operand, Signal } from '../../dsl/index.ts';
import { createLane } from './lane.ts';
import { llmModuleName, llmSizes, type LlmSizes, type ShiftAddLlmParams } from './params.ts';

const IDLE = 0;
const LOAD_X = 1;
const LOAD_SCALES = 2;
const COMPUTE = 3;
const FLUSH = 4;
const DRAIN = 5;

/** Address bits of a lane's per-row scale memory. */
const scaleAddrBits = (z: LlmSizes): number => Math.max(1, Math.ceil(Math.log2(z.scaleDepth)));

/** One group of 8 activations: the x token, and the word of the activation memory. */
const activations = (p: ShiftAddLlmParams) => Vec(sint(p.actWidth), 8);

/** The engine's ports: its streams in the order the host sends them. */
export function llmPorts(p: ShiftAddLlmParams) {
  const z = llmSizes(p);
  const L = p.lanes;
  // Lane l's slice of a weight token: the byte, with its scale code for block scales.
  const weightLane = p.scales === 'row' ? uint(8) : Record({ code: uint(9), byte: uint(8) });
  return {
    cfg: In(Stream(Record({ groupsM1: uint(z.groupBits), chunksM1: uint(z.chunkBits) }))),
    x: In(Stream(activations(p))),
    ...(p.scales === 'row' ? { scale: In(Stream(Vec(uint(9), L))) } : {}),
    w: In(Stream(Vec(weightLane, L))),
    y: Out(Stream(Vec(sint(32), L))),
  };
}

export function createShiftAddLlm(p: ShiftAddLlmParams) {
  const z = llmSizes(p);
  const rowScales = p.scales === 'row';
  const scaleAw = scaleAddrBits(z);
  const lane = createLane(p);
  return module(llmModuleName(p), llmPorts(p), (io, m) => {
    const state = m.reg('state_q', uint(3), { reset: IDLE });
    const groupsM1 = m.reg('groups_m1_q', uint(z.groupBits));
    const chunksM1 = m.reg('chunks_m1_q', uint(z.chunkBits));
    const inState = (s: number): Value => state.eq(s);

    // ---- configuration and loads ----------------------------------------------------------------
    io.cfg.ready.set(inState(IDLE));
    const cfgFire = io.cfg.fire;
    const xmem = m.mem('activations', { type: uint(8 * p.actWidth), depth: Math.max(2, z.gmax) });
    const loadCount = m.reg('load_count_q', uint(Math.max(z.groupBits, scaleAw)));
    io.x.ready.set(inState(LOAD_X));
    const xFire = io.x.fire;
    xmem.write(loadCount.trunc(z.groupBits), io.x.payload, xFire);
    const walk = weightWalk(m, p, z, groupsM1, chunksM1);
    let scaleFire: Value = io.cfg.valid.and(0);
    if (io.scale) {
      io.scale.ready.set(inState(LOAD_SCALES));
      scaleFire = io.scale.fire;
    }
    const tables = tableBuilder(m, p, z, xmem, inState(COMPUTE), groupsM1);

    // ---- lanes ----------------------------------------------------------------------------------
    const laneBank = walk.group.bit(0);
    io.w.ready.set(inState(COMPUTE).and(tables.ready(laneBank)));
    const wFire = io.w.fire.named('w_fire');
    tables.handOver(wFire.and(walk.lastPlane).and(walk.lastRow), laneBank);
    const out = readOut(m, z, inState(DRAIN), io.y.ready, chunksM1);
    const weights = io.w.fields.map((wl) => (wl instanceof Value ? { byte: wl, code: 0 as Operand } : wl));
    const scales = io.scale?.fields;
    const accs = weights.map((wl, l) => m.instance(`lane${l}`, lane, {
      tab: tables.writePort(),
      fire: wFire, bank: laneBank, wbyte: wl.byte, code: wl.code,
      first_plane: walk.plane.eq(0), last_plane: walk.lastPlane, first_group: walk.group.eq(0), row: walk.row,
      scale: { we: scaleFire, waddr: loadCount.trunc(scaleAw), wdata: scales?.[l] ?? 0, raddr: walk.pos },
      drain: { re: out.read, row: out.row },
    }).acc);
    io.y.valid.set(out.valid);
    io.y.setFields(accs.map((a) => a.extend(32)));

    // ---- sequencing -----------------------------------------------------------------------------
    m.switch(state)
      .is(IDLE, () => m.when(cfgFire, () => {
        const cfg = io.cfg.fields;
        groupsM1.set(cfg.groupsM1);
        chunksM1.set(cfg.chunksM1);
        loadCount.set(0);
        walk.restart();
        tables.restart();
        state.set(LOAD_X);
      }))
      .is(LOAD_X, () => m.when(xFire, () => {
        loadCount.set(loadCount.add(1).trunc(loadCount.width));
        m.when(loadCount.trunc(z.groupBits).eq(groupsM1), () => {
          loadCount.set(0);
          state.set(rowScales ? LOAD_SCALES : COMPUTE);
        });
      }))
      .is(LOAD_SCALES, () => m.when(scaleFire, () => {
        loadCount.set(loadCount.add(1).trunc(loadCount.width));
        walk.step();
        m.when(walk.lastPlane.and(walk.lastRow), () => state.set(COMPUTE));
      }))
      .is(COMPUTE, () => m.when(wFire, () => walk.advance(() => state.set(FLUSH))))
      .is(FLUSH, () => {
        out.start();
        state.set(DRAIN);
      })
      .is(DRAIN, () => out.drain(() => state.set(IDLE)))
      .default(() => state.set(IDLE));
    out.handshake(io.y.fire);
  });
}

/**
 * The lanes' walk over the weight stream, group → row chunk → bit-plane, and their position in the
 * per-row scale memory. The per-row scale load steps through (row, plane) in the same order.
 */
function weightWalk(m: ModuleBuilder, p: ShiftAddLlmParams, z: LlmSizes, groupsM1: Value, chunksM1: Value) {
  const scaleAw = scaleAddrBits(z);
  const group = m.reg('lane_group_q', uint(z.groupBits));
  const row = m.reg('lane_row_q', uint(z.chunkBits));
  const plane = m.reg('lane_plane_q', uint(z.planeBits));
  const pos = m.reg('lane_pos_q', uint(scaleAw));
  const lastPlane = plane.eq(p.q - 1);
  const lastRow = row.eq(chunksM1);
  const lastGroup = group.eq(groupsM1);
  /** The next (row, plane). */
  const step = (): void => {
    plane.set(mux(lastPlane, 0, plane.add(1).trunc(z.planeBits)));
    m.when(lastPlane, () => row.set(mux(lastRow, 0, row.add(1).trunc(z.chunkBits))));
  };
  return {
    group, row, plane, pos, lastPlane, lastRow,
    step,
    restart(): void {
      for (const r of [group, row, plane, pos]) r.set(0);
    },
    /** One weight token taken: the next (row, plane), the next group after the last row; `done` after the last group. */
    advance(done: () => void): void {
      step();
      pos.set(mux(lastPlane.and(lastRow), 0, pos.add(1).trunc(scaleAw)));
      m.when(lastPlane.and(lastRow), () => {
        group.set(group.add(1).trunc(z.groupBits));
        m.when(lastGroup, done);
      });
    },
  };
}

/**
 * The table builder: for each group, reads its 8 activations, sets `T[0] = −Σx` and walks the other
 * 255 entries in Gray-code order (one add or subtract of 2·x[t] per cycle), writing every entry into
 * all lanes' tables at `{bank, gray}`. Bank b (= group parity) is ready once built and free again
 * when the lanes have read its last token.
 */
function tableBuilder(m: ModuleBuilder, p: ShiftAddLlmParams, z: LlmSizes, xmem: Memory, compute: Value, groupsM1: Value) {
  const bState = m.reg('build_state_q', uint(2), { reset: 0 });
  const gb = m.reg('build_group_q', uint(z.groupBits));
  const bDone = m.reg('build_done_q', uint(1), { reset: 0 });
  const ready0 = m.reg('table0_ready_q', uint(1), { reset: 0 });
  const ready1 = m.reg('table1_ready_q', uint(1), { reset: 0 });
  const bankFree = mux(gb.bit(0), ready1, ready0).not();
  const bStart = compute.and(bState.eq(0)).and(bDone.not()).and(bankFree).named('build_start');
  const xs = unpack(activations(p), xmem.read(gb, bStart, 'xword_q'));
  const index = m.reg('build_index_q', uint(8));
  const gray = m.reg('build_gray_q', uint(8));
  const entry = m.reg('build_entry_q', sint(z.tableWidth));
  const building = bState.eq(2).named('building');
  // Next Gray code: exactly one bit flips; the entry gains 2·x[t] if it sets, loses it if it clears.
  const nextIndex = index.add(1).trunc(8);
  const nextGray = nextIndex.xor(nextIndex.shr(1).extend(8));
  const flip = gray.xor(nextGray);
  const picked = xs.map((x, t) => mux(flip.bit(t), x.asUInt(), 0)).reduce((a, b) => a.or(b)).asSInt();
  const twice = picked.shl(1).extend(z.tableWidth);
  const rising = nextGray.and(flip).orR();
  const stepped = mux(rising, entry.add(twice), entry.sub(twice)).trunc(z.tableWidth);
  m.switch(bState)
    .is(0, () => m.when(bStart, () => bState.set(1)))
    .is(1, () => {
      entry.set(sumTree(xs).neg().resize(z.tableWidth));
      index.set(0);
      gray.set(0);
      bState.set(2);
    })
    .is(2, () => {
      entry.set(stepped);
      index.set(nextIndex);
      gray.set(nextGray);
      m.when(index.eq(255), () => {
        bState.set(0);
        gb.set(gb.add(1).trunc(z.groupBits));
        m.when(gb.eq(groupsM1), () => bDone.set(1));
      });
    })
    .default(() => bState.set(0));
  const tableDone = building.and(index.eq(255));
  return {
    /** Whether the table in `bank` is built. */
    ready: (bank: Value): Value => mux(bank, ready1, ready0),
    /** A lane's table write port. */
    writePort: () => ({ we: building, waddr: cat(gb.bit(0), gray), wdata: entry }),
    /** A built table makes its bank ready; `groupEnd` (the lanes' last token of a group) frees `laneBank`. */
    handOver(groupEnd: Value, laneBank: Value): void {
      m.when(tableDone.and(gb.bit(0).not()), () => ready0.set(1)).elsewhen(groupEnd.and(laneBank.not()), () => ready0.set(0));
      m.when(tableDone.and(gb.bit(0)), () => ready1.set(1)).elsewhen(groupEnd.and(laneBank), () => ready1.set(0));
    },
    restart(): void {
      for (const r of [gb, bDone, ready0, ready1, bState]) r.set(0);
    },
  };
}

/** Read-out: after the last group, one accumulator row per cycle into the y output register. */
function readOut(m: ModuleBuilder, z: LlmSizes, draining: Value, yReady: Value, chunksM1: Value) {
  const row = m.reg('drain_row_q', uint(z.chunkBits));
  const pending = m.reg('drain_pending_q', uint(1), { reset: 0 });
  const valid: Signal = m.reg('out_valid_q', uint(1), { reset: 0 });
  const read = draining.and(pending).and(valid.not().or(yReady)).named('drain_read');
  return {
    row, valid, read,
    start(): void {
      row.set(0);
      pending.set(1);
    },
    /** Read the rows out; `done` once the last one is taken. */
    drain(done: () => void): void {
      m.when(read, () => {
        row.set(row.add(1).trunc(z.chunkBits));
        m.when(row.eq(chunksM1), () => pending.set(0));
      });
      m.when(pending.not().and(valid.not()), done);
    },
    /** The output register fills on a read and empties when y fires. */
    handshake(yFire: Value): void {
      m.when(read, () => valid.set(1)).elsewhen(yFire, () => valid.set(0));
    },
  };
}
