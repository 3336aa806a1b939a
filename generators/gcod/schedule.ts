/**
 * Host compiler: the layer's aggregation as one command stream per engine (see engine.ts for the
 * commands). This is where the two dataflows differ; the hardware only executes.
 *
 * GCoD: blocks go to the denser sub-engine with the least work so far (non-zeros; ties: lower
 * index). For each block: LOAD its Z rows into slots 0..size-1, then every row's in-block non-zeros
 * as MACs, the row's last one as EMIT. The sparser branch walks the non-empty off-diagonal columns
 * in order; column k uses ring slot k mod `sparseSlots`, and its LOAD is issued `sparseSlots`
 * columns ahead (right after the column that last used the slot), so loads overlap MACs.
 *
 * Baseline: rows in the original order; row u of Z lives in slot u mod bufferRows (direct mapped);
 * a miss is a LOAD. A row's misses are issued before its MACs, except that a second miss on a slot
 * the row already touched waits until that slot's MAC is done.
 */
import type { Csr } from './graph.ts';
import type { Polarised } from './partition.ts';
import { OP_EMIT, OP_END, OP_LOAD, OP_MAC } from './engine.ts';

export interface Command {
  op: number;
  a: number;
  slot: number;
  r: number;
  v: number;
}

const load = (v: number, slot: number): Command => ({ op: OP_LOAD, a: 0, slot, r: 0, v });
const mac = (r: number, slot: number, a: number, emitRow?: number): Command =>
  emitRow === undefined ? { op: OP_MAC, a, slot, r, v: 0 } : { op: OP_EMIT, a, slot, r, v: emitRow };
const end: Command = { op: OP_END, a: 0, slot: 0, r: 0, v: 0 };

/** Command streams of the GCoD design: `cmd_s` (sparser branch) and `cmd_0..` (sub-engines). */
export function gcodSchedule(p: Polarised, engines: number, sparseSlots: number): Record<string, Command[]> {
  const out: Record<string, Command[]> = {};
  const work = new Array<number>(engines).fill(0);
  const lists: Command[][] = Array.from({ length: engines }, () => []);
  for (const b of p.blocks) {
    let e = 0;
    for (let i = 1; i < engines; i++) if (work[i]! < work[e]!) e = i;
    work[e]! += b.vals.length + b.size;
    const cmds = lists[e]!;
    for (let i = 0; i < b.size; i++) cmds.push(load(b.start + i, i));
    for (let k = 0; k < b.vals.length; k++) {
      const r = b.rows[k]!;
      const lastOfRow = k + 1 === b.vals.length || b.rows[k + 1] !== r;
      cmds.push(mac(r, b.cols[k]!, b.vals[k]!, lastOfRow ? b.start + r : undefined));
    }
  }
  lists.forEach((l, e) => (out[`cmd_${e}`] = [...l, end]));

  const s = p.sparse;
  const columns: number[] = [];
  for (let u = 0; u < s.n; u++) if (s.colPtr[u + 1]! > s.colPtr[u]!) columns.push(u);
  const sp: Command[] = [];
  for (let k = 0; k < Math.min(sparseSlots, columns.length); k++) sp.push(load(columns[k]!, k % sparseSlots));
  columns.forEach((u, k) => {
    const slot = k % sparseSlots;
    for (let j = s.colPtr[u]!; j < s.colPtr[u + 1]!; j++) sp.push(mac(0, slot, s.val[j]!, s.row[j]!));
    const ahead = k + sparseSlots;
    if (ahead < columns.length) sp.push(load(columns[ahead]!, slot));
  });
  out.cmd_s = [...sp, end];
  return out;
}

/** Command stream of the baseline: one row-wise engine, direct-mapped Z buffer of `slots` rows. */
export function baselineSchedule(a: Csr, slots: number): Record<string, Command[]> {
  const tag = new Int32Array(slots).fill(-1);
  const cmds: Command[] = [];
  for (let v = 0; v < a.n; v++) {
    let loads: Command[] = [];
    let macs: Command[] = [];
    const touched = new Set<number>();
    for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) {
      const u = a.col[k]!;
      const slot = u % slots;
      if (tag[slot] !== u) {
        if (touched.has(slot)) {
          cmds.push(...loads, ...macs);
          loads = [];
          macs = [];
          touched.clear();
        }
        tag[slot] = u;
        loads.push(load(u, slot));
      }
      touched.add(slot);
      macs.push(mac(0, slot, a.val[k]!, k + 1 === a.rowPtr[v + 1]! ? v : undefined));
    }
    cmds.push(...loads, ...macs);
  }
  return { cmd_0: [...cmds, end] };
}
