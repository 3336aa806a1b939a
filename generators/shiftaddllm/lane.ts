/**
 * One lookup lane of the ShiftAddLLM engine: its own copy of the double-buffered table (2 × 256
 * entries, one block RAM, written by the shared table builder, read at `{bank, weight byte}`), a
 * three-term shift-add scaler, and the accumulators of the rows it serves (one memory word per row).
 *
 * Two stages. Stage 0 (a weight byte is accepted): the table and, for the first bit-plane of a row,
 * the row's accumulator are read (synchronous reads, so both map to block RAM). Stage 1: the entry is
 * shifted by the three scale exponents and summed, added to the running sum of the row (the old
 * accumulator for plane 0 of group > 0, zero for group 0), and written back after the last plane.
 * A row is read again only in the next group, at least a table-build time (258 cycles) later, so the
 * read-after-write gap of the accumulator never needs forwarding.
 */
import { In, Out, Record, Vec, module, sint, uint, unpack, cat, mux } from '../../dsl/index.ts';
import { type ShiftAddLlmParams, llmSizes } from './params.ts';

/** A 9-bit scale code `a1 | a2<<3 | a3<<6`: the three shift amounts, a1 least significant. */
const scaleCode = Vec(uint(3), 3);

/** The lane module for a parameter set (one definition shared by every lane instance). */
export function createLane(p: ShiftAddLlmParams) {
  const z = llmSizes(p);
  const rowScales = p.scales === 'row';
  const scaleAw = Math.max(1, Math.ceil(Math.log2(z.scaleDepth)));
  const name = `shiftaddllm_lane_n${p.nmax}_l${p.lanes}_q${p.q}_${rowScales ? 'row' : 'blk'}_a${p.actWidth}_acc${z.accWidth}`;
  return module(name, {
    // Table write port, driven by the shared builder (ports tab_we, tab_waddr, tab_wdata).
    tab: In(Record({ we: uint(1), waddr: uint(9), wdata: sint(z.tableWidth) })),
    // Stage 0: one weight byte (and, for block scales, its scale code) per accepted token.
    fire: In(uint(1)),
    bank: In(uint(1)),
    wbyte: In(uint(8)),
    code: In(uint(9)),
    first_plane: In(uint(1)),
    last_plane: In(uint(1)),
    first_group: In(uint(1)),
    row: In(uint(z.chunkBits)),
    // Per-row scales: a write port for loading and the read address of the current (row, plane).
    scale: In(Record({ we: uint(1), waddr: uint(scaleAw), wdata: uint(9), raddr: uint(scaleAw) })),
    // Read-out of the accumulators after the last group.
    drain: In(Record({ re: uint(1), row: uint(z.chunkBits) })),
    acc: Out(sint(z.accWidth)),
  }, (io, m) => {
    const table = m.mem('lut', { type: sint(z.tableWidth), depth: 512 });
    table.write(io.tab.waddr, io.tab.wdata, io.tab.we);
    const entry = table.read(cat(io.bank, io.wbyte), io.fire, 'entry_q');

    // The scale code of this byte: carried with it (block) or read from the lane's scale memory (row).
    let code1;
    if (rowScales) {
      const scales = m.mem('scales', { type: uint(9), depth: z.scaleDepth });
      scales.write(io.scale.waddr, io.scale.wdata, io.scale.we);
      code1 = scales.read(io.scale.raddr, io.fire, 'code_q');
    } else {
      code1 = m.reg('code_q', uint(9), { enable: io.fire });
      code1.set(io.code);
    }

    const accMem = m.mem('accumulators', { type: sint(z.accWidth), depth: Math.max(2, z.chunksMax) });
    const readRow = mux(io.drain.re, io.drain.row, io.row);
    const accOld = accMem.read(readRow, io.fire.and(io.first_plane).or(io.drain.re), 'acc_q');
    io.acc.set(accOld);

    // Stage-1 control travels with the byte.
    const valid1 = m.delay(io.fire, { reset: 0, name: 'valid_q' });
    const first1 = m.delay(io.first_plane, { enable: io.fire, name: 'first_plane_q' });
    const last1 = m.delay(io.last_plane, { enable: io.fire, name: 'last_plane_q' });
    const group0 = m.delay(io.first_group, { enable: io.fire, name: 'first_group_q' });
    const row1 = m.delay(io.row, { enable: io.fire, name: 'row_q' });

    // entry · (2^a1 + 2^a2 + 2^a3) as three shifts and two adds; |entry| < 2^(tw−1), a ≤ 7.
    const wide = entry.extend(z.tableWidth + 7);
    const scaled = unpack(scaleCode, code1).map((a) => wide.shlBy(a)).reduce((a, b) => a.add(b)).named('scaled');

    const partial = m.reg('partial_q', sint(z.accWidth));
    const base = mux(first1, mux(group0, 0, accOld), partial);
    const sum = base.add(scaled.resize(z.accWidth)).trunc(z.accWidth).named('sum');
    m.when(valid1, () => partial.set(sum));
    accMem.write(row1, sum, valid1.and(last1));
  });
}
