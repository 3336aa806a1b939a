/**
 * One MAC line of the ViTCoD engine: `macs` multipliers and an adder tree, its pair list
 * (double-buffered: one half loads while the other is walked), its scores, its 256-entry exp table,
 * and its partial row state (row maxima, O rows and L, double-buffered: one half is computed while
 * the read-out drains the other). One definition, instantiated once per line by `create.ts`.
 *
 * Per cycle of the shared walker (step t, chunk c):
 *   SCORE  dot += Σ_k Q[i, c·macs + k] · K[j, c·macs + k]; at the last chunk S[t] = dot, the line's
 *          maximum of row i updated (set on the line's first pair of row i), row i marked as held.
 *   SV     P = E[min(255, (m[i] − S[t]) >> σ)] (m[i] merged over the lines, given by the parent);
 *          O[i, chunk c] += P · V[j, chunk c] (macs MACs), and at chunk 0 L[i] += P.
 * The line names the row and key it needs (`at`); the parent reads them from the shared Q/K/V
 * buffers and the merged maxima and gives them back in the same cycle (`data`).
 */
import { In, Out, Record, Vec, module, sint, uint, unpack, pack, mux, select, sumTree } from '../../dsl/index.ts';
import type { Value } from '../../dsl/index.ts';
import { expTable } from './exp-table.ts';
import { lineEntry, tokenRow } from './create.ts';
import { vitcodModuleName, vitcodSizes, type VitcodParams } from './params.ts';

/** Address of word `a` in half `bank` of a double-buffered memory of 2 × `depth` words. */
export function banked(bank: Value, a: Value, depth: number): Value {
  const w = Math.max(1, Math.ceil(Math.log2(2 * depth)));
  return mux(bank, a.extend(w).add(depth).trunc(w), a.extend(w));
}

/** Rows of line state kept: whole merge groups of `mergeRows` rows. */
export const paddedRows = (p: VitcodParams): number => Math.ceil(p.nmax / p.mergeRows) * p.mergeRows;

export function createLine(p: VitcodParams) {
  const z = vitcodSizes(p);
  const rb = z.rowBits;
  const nPad = paddedRows(p);
  const row = tokenRow(p);
  const oRow = Vec(sint(32), p.d);
  return module(`${vitcodModuleName(p)}_line`, {
    // The shared walker and the halves in use.
    ctl: In(Record({ score: uint(1), sv: uint(1), c: uint(z.chunkBits), t: uint(z.stepBits), inBank: uint(1), stateBank: uint(1) })),
    // The list load: this line's entry of a pairs token.
    load: In(Record({ we: uint(1), bank: uint(1), addr: uint(z.stepBits), entry: lineEntry(p) })),
    // Rows of the shared buffers at `at` (each a packed tokenRow, as the buffers hold them), and the
    // merged maximum of row `at.row`.
    data: In(Record({ q: uint(8 * p.d), k: uint(8 * p.d), v: uint(8 * p.d), m: sint(32) })),
    // MERGE: the rows of the group being merged (in half ctl.stateBank).
    merge: In(Vec(uint(rb), p.mergeRows)),
    // Read-out: row and half read, and the token taken (clears the row's held mark).
    drain: In(Record({ row: uint(rb), bank: uint(1), fire: uint(1) })),
    // The chains through the lines: the group's maxima so far, and the read-out row's sums so far
    // (o is a packed Vec(sint(32), d)). Each line passes on the max / the sum with its own part.
    maxIn: In(Vec(sint(32), p.mergeRows)),
    sumIn: In(Record({ l: uint(32), o: uint(32 * p.d) })),
    at: Out(Record({ row: uint(rb), key: uint(rb) })),
    maxOut: Out(Vec(sint(32), p.mergeRows)),
    sumOut: Out(Record({ l: uint(32), o: uint(32 * p.d) })),
  }, (io, m) => {
    const { c, t } = io.ctl;
    const [qRow, kRow, vRow] = [io.data.q, io.data.k, io.data.v].map((w) => unpack(row, w));
    const lastC = c.eq(z.chunks - 1);
    const list = m.mem('list', { type: uint(2 + 2 * rb), depth: 2 * p.steps });
    list.write(banked(io.load.bank, io.load.addr, p.steps), pack(lineEntry(p), io.load.entry), io.load.we);
    const e = unpack(lineEntry(p), list.readAsync(banked(io.ctl.inBank, t, p.steps)));
    io.at.row.set(e.row);
    io.at.key.set(e.key);
    const scores = m.mem('scores', { type: sint(32), depth: p.steps });
    const rowMax = m.mem('row_max', { type: sint(32), depth: nPad });
    const held = m.mem('held', { type: uint(1), depth: 2 * nPad, init: new Array<number>(2 * nPad).fill(0) });
    const oAcc = m.mem('o', { type: uint(32 * p.d), depth: 2 * nPad });
    const lAcc = m.mem('l', { type: uint(32), depth: 2 * nPad });
    const etab = m.rom('exp_table', uint(8), expTable());
    const here = banked(io.ctl.stateBank, e.row, nPad);
    const chunkOf = (r: Value[], lane: number) => select(c, Array.from({ length: z.chunks }, (_, ch) => r[ch * p.macs + lane]!));

    // SCORE: macs products of this chunk, summed; the running dot product over the chunks.
    const partial = sumTree(Array.from({ length: p.macs }, (_, k) => chunkOf(qRow!, k).mul(chunkOf(kRow!, k))));
    const acc = m.reg('dot_q', sint(32));
    const dotNow = mux(c.eq(0), 0, acc).add(partial.resize(32)).trunc(32);
    const oldMax = rowMax.readAsync(e.row);
    m.when(io.ctl.score.eq(1), () => {
      acc.set(dotNow);
      m.when(e.valid.and(lastC), () => {
        scores.write(t, dotNow);
        rowMax.write(e.row, mux(e.first.or(dotNow.gt(oldMax)), dotNow, oldMax));
        held.write(here, 1);
      });
    });

    // SV: P from the table, then macs MACs of P·V into the partial O row, P into L.
    const diff = io.data.m.sub(scores.readAsync(t)).trunc(32).asUInt().shr(p.sigma);
    const prob = etab.readAsync(mux(diff.gt(255), 255, diff.resize(8)));
    const olds = unpack(oRow, oAcc.readAsync(here));
    const updated = olds.map((old, x) => {
      const sum = mux(e.first, 0, old).add(prob.toSigned().mul(vRow![x]!).resize(32)).trunc(32);
      return mux(c.eq(Math.floor(x / p.macs)), sum, old);
    });
    const lOld = lAcc.readAsync(here);
    m.when(io.ctl.sv.eq(1).and(e.valid), () => {
      oAcc.write(here, pack(oRow, updated));
      m.when(c.eq(0), () => lAcc.write(here, mux(e.first, 0, lOld).add(prob.extend(32)).trunc(32)));
    });

    // MERGE reads the group's rows in the half being computed; the read-out reads the other half.
    io.merge.forEach((r, k) => {
      const mine = rowMax.readAsync(r);
      const has = held.readAsync(banked(io.ctl.stateBank, r, nPad)).eq(1);
      io.maxOut[k]!.set(mux(has.and(mine.gt(io.maxIn[k]!)), mine, io.maxIn[k]!));
    });
    const outAt = banked(io.drain.bank, io.drain.row, nPad);
    m.when(io.drain.fire.eq(1), () => held.write(outAt, 0));
    const has = held.readAsync(outAt).eq(1);
    io.sumOut.l.set(io.sumIn.l.add(mux(has, lAcc.readAsync(outAt), 0)).trunc(32));
    const mine = unpack(oRow, oAcc.readAsync(outAt));
    const sums = unpack(oRow, io.sumIn.o).map((x, n) => x.add(mux(has, mine[n]!, 0)).trunc(32));
    io.sumOut.o.set(pack(oRow, sums));
  });
}
