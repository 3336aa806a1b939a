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
 * Streams, in the order the host sends them:
 *   cfg   one token: {groups − 1, chunks − 1} (groups = K/8, chunks = ceil(N/L)), groups in the high bits
 *   x     `groups` tokens of 8 activations, x[8g+t] in bits [aw·t + aw − 1 : aw·t]
 *   scale ('row' scales only) chunks·q tokens of L 9-bit codes (row chunk-major, plane-minor)
 *   w     groups·chunks·q tokens of L lanes; lane l in bits [s·l + s − 1 : s·l] with s = 17 ({code, byte},
 *         byte low) for block scales, s = 8 (byte) for row scales
 *   y     out: chunks tokens of L int32, lane l in bits [32l + 31 : 32l]
 */
import { declareStream, fieldsRecord, module, record, sint, streamPorts, uint, vector, cat, mux, sumTree, type Value } from '../../dsl/index.ts';
import type { Signal } from '../../dsl/index.ts';
import { createLane } from './lane.ts';
import { llmModuleName, llmSizes, type ShiftAddLlmParams } from './params.ts';

const IDLE = 0;
const LOAD_X = 1;
const LOAD_SCALES = 2;
const COMPUTE = 3;
const FLUSH = 4;
const DRAIN = 5;

/** Bits of one lane's slice of a weight token. */
export const weightLaneBits = (p: ShiftAddLlmParams): number => (p.scales === 'block' ? 17 : 8);

export function createShiftAddLlm(p: ShiftAddLlmParams) {
  const z = llmSizes(p);
  const L = p.lanes;
  const aw = p.actWidth;
  const rowScales = p.scales === 'row';
  const scaleAw = Math.max(1, Math.ceil(Math.log2(z.scaleDepth)));
  const lane = createLane(p);
  const weightLane = rowScales ? uint(8) : record({ code: uint(9), byte: uint(8) });
  const ports = {
    ...streamPorts('cfg', 'in', fieldsRecord({ groupsM1: z.groupBits, chunksM1: z.chunkBits })),
    ...streamPorts('x', 'in', vector(sint(aw), 8)),
    ...(rowScales ? streamPorts('scale', 'in', vector(uint(9), L)) : {}),
    ...streamPorts('w', 'in', vector(weightLane, L)),
    ...streamPorts('y', 'out', vector(sint(32), L)),
  };
  return module(llmModuleName(p), ports, (io, m) => {
    const port = (n: string): Signal => (io as Record<string, Signal>)[n]!;
    for (const s of ['cfg', 'x', ...(rowScales ? ['scale'] : []), 'w']) declareStream(io, s, 'in');
    declareStream(io, 'y', 'out');

    const state = m.reg('state_q', uint(3), { reset: IDLE });
    const groupsM1 = m.reg('groups_m1_q', uint(z.groupBits));
    const chunksM1 = m.reg('chunks_m1_q', uint(z.chunkBits));
    const inState = (s: number): Value => state.eq(s);

    // ---- configuration and loads ----------------------------------------------------------------
    io.cfg_ready.set(inState(IDLE));
    const cfgFire = io.cfg_valid.and(io.cfg_ready);
    const xmem = m.mem('activations', { type: uint(8 * aw), depth: Math.max(2, z.gmax) });
    const loadCount = m.reg('load_count_q', uint(Math.max(z.groupBits, scaleAw)));
    io.x_ready.set(inState(LOAD_X));
    const xFire = io.x_valid.and(io.x_ready);
    xmem.write(loadCount.trunc(z.groupBits), io.x_payload, xFire);

    // Lane-side counters (also step through the per-row scale load, which has the same order).
    const gl = m.reg('lane_group_q', uint(z.groupBits));
    const row = m.reg('lane_row_q', uint(z.chunkBits));
    const plane = m.reg('lane_plane_q', uint(z.planeBits));
    const pos = m.reg('lane_pos_q', uint(scaleAw));
    const lastPlane = plane.eq(p.q - 1);
    const lastRow = row.eq(chunksM1);
    const lastGroup = gl.eq(groupsM1);
    const step = (): void => {
      plane.set(mux(lastPlane, 0, plane.add(1).trunc(z.planeBits)));
      m.when(lastPlane, () => row.set(mux(lastRow, 0, row.add(1).trunc(z.chunkBits))));
    };

    let scaleFire: Value = io.cfg_valid.and(0);
    if (rowScales) {
      io.scale_ready!.set(inState(LOAD_SCALES));
      scaleFire = port('scale_valid').and(port('scale_ready'));
    }

    // ---- table builder --------------------------------------------------------------------------
    const bState = m.reg('build_state_q', uint(2), { reset: 0 });
    const gb = m.reg('build_group_q', uint(z.groupBits));
    const bDone = m.reg('build_done_q', uint(1), { reset: 0 });
    const ready0 = m.reg('table0_ready_q', uint(1), { reset: 0 });
    const ready1 = m.reg('table1_ready_q', uint(1), { reset: 0 });
    const bankFree = mux(gb.bit(0), ready1, ready0).not();
    const bStart = inState(COMPUTE).and(bState.eq(0)).and(bDone.not()).and(bankFree).named('build_start');
    const xword = xmem.read(gb, bStart, 'xword_q');
    const xs = Array.from({ length: 8 }, (_, t) => xword.slice(aw * t + aw - 1, aw * t).asSInt());
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

    // ---- lanes ----------------------------------------------------------------------------------
    const laneBank = gl.bit(0);
    const tableReady = mux(laneBank, ready1, ready0);
    io.w_ready.set(inState(COMPUTE).and(tableReady));
    const wFire = io.w_valid.and(io.w_ready).named('w_fire');
    const groupEnd = wFire.and(lastPlane).and(lastRow);
    m.when(tableDone.and(gb.bit(0).not()), () => ready0.set(1)).elsewhen(groupEnd.and(laneBank.not()), () => ready0.set(0));
    m.when(tableDone.and(gb.bit(0)), () => ready1.set(1)).elsewhen(groupEnd.and(laneBank), () => ready1.set(0));

    // ---- read-out -------------------------------------------------------------------------------
    const drainRow = m.reg('drain_row_q', uint(z.chunkBits));
    const drainPending = m.reg('drain_pending_q', uint(1), { reset: 0 });
    const outValid = m.reg('out_valid_q', uint(1), { reset: 0 });
    const drainRead = inState(DRAIN).and(drainPending).and(outValid.not().or(io.y_ready)).named('drain_read');

    const wBits = weightLaneBits(p);
    const accs = Array.from({ length: L }, (_, l) => {
      const slice = io.w_payload.slice(wBits * l + wBits - 1, wBits * l);
      return m.instance(`lane${l}`, lane, {
        tab_we: building, tab_waddr: cat(gb.bit(0), gray), tab_wdata: entry,
        fire: wFire, bank: laneBank, wbyte: slice.slice(7, 0), code: rowScales ? 0 : slice.slice(16, 8),
        first_plane: plane.eq(0), last_plane: lastPlane, first_group: gl.eq(0), row,
        scale_we: scaleFire, scale_waddr: loadCount.trunc(scaleAw),
        scale_wdata: rowScales ? port('scale_payload').slice(9 * l + 8, 9 * l) : 0, scale_raddr: pos,
        drain_re: drainRead, drain_row: drainRow,
      }).acc!;
    });
    io.y_valid.set(outValid);
    io.y_payload.set(cat(...accs.slice().reverse().map((a) => a.extend(32).asUInt())));

    // ---- sequencing -----------------------------------------------------------------------------
    m.switch(state)
      .is(IDLE, () => m.when(cfgFire, () => {
        groupsM1.set(io.cfg_payload.slice(z.groupBits + z.chunkBits - 1, z.chunkBits));
        chunksM1.set(io.cfg_payload.slice(z.chunkBits - 1, 0));
        for (const r of [loadCount, gl, row, plane, pos, gb]) r.set(0);
        for (const r of [bDone, ready0, ready1, bState]) r.set(0);
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
        step();
        m.when(lastPlane.and(lastRow), () => state.set(COMPUTE));
      }))
      .is(COMPUTE, () => m.when(wFire, () => {
        step();
        pos.set(mux(lastPlane.and(lastRow), 0, pos.add(1).trunc(scaleAw)));
        m.when(lastPlane.and(lastRow), () => {
          gl.set(gl.add(1).trunc(z.groupBits));
          m.when(lastGroup, () => state.set(FLUSH));
        });
      }))
      .is(FLUSH, () => {
        drainRow.set(0);
        drainPending.set(1);
        state.set(DRAIN);
      })
      .is(DRAIN, () => {
        m.when(drainRead, () => {
          drainRow.set(drainRow.add(1).trunc(z.chunkBits));
          m.when(drainRow.eq(chunksM1), () => drainPending.set(0));
        });
        m.when(drainPending.not().and(outValid.not()), () => state.set(IDLE));
      })
      .default(() => state.set(IDLE));
    m.when(drainRead, () => outValid.set(1)).elsewhen(io.y_valid.and(io.y_ready), () => outValid.set(0));
  });
}
