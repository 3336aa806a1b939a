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
import type { Op } from './steps.ts';

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
const withoutKeep = ({ keep, ...c }: CachedCommand): Command => (void keep, c);

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

/**
 * Command streams of the `resident` variant: GCoD's polarised graph, but every non-zero (v, u) is
 * applied by the engine that holds u's block, while the block's Z rows are in its buffer. A block is
 * a column block: for each row v with non-zeros in the block's columns (its own rows first, then the
 * off-diagonal rows, ascending), the MACs and one EMIT of the partial row to v; the merge adds the
 * partial rows. So each Z row is read once (the sparser branch reads none of its own), and every
 * engine, the sparser branch's too, takes blocks (least work first), each engine's Z buffer a cache
 * compiled a chunk ahead (`compileCached`: blocks of at most slots/2 nodes load while the previous
 * block computes). `engines` lists each engine's stream and Z buffer rows, in priority order.
 */
export function residentSchedule(p: Polarised, engines: readonly { stream: string; slots: number }[]): Record<string, Command[]> {
  const s = p.sparse;
  const work = new Array<number>(engines.length).fill(0);
  const ops: Op[][] = engines.map(() => []);
  for (const b of p.blocks) {
    const rows = new Map<number, Op[]>();
    const add = (v: number, u: number, a: number): void => void (rows.get(v) ?? rows.set(v, []).get(v)!).push({ u, a });
    for (let k = 0; k < b.vals.length; k++) add(b.start + b.rows[k]!, b.start + b.cols[k]!, b.vals[k]!);
    for (let u = b.start; u < b.start + b.size; u++) for (let k = s.colPtr[u]!; k < s.colPtr[u + 1]!; k++) add(s.row[k]!, u, s.val[k]!);
    const inBlock = (v: number): boolean => v >= b.start && v < b.start + b.size;
    const order = [...rows.keys()].sort((x, y) => Number(inBlock(y)) - Number(inBlock(x)) || x - y);
    let e = 0;
    for (let i = 1; i < engines.length; i++) if (work[i]! < work[e]!) e = i;
    for (const v of order) {
      const list = rows.get(v)!;
      list[list.length - 1]!.emit = { v, keep: false };
      ops[e]!.push(...list);
      work[e]! += list.length;
    }
  }
  return Object.fromEntries(engines.map((en, i) => [en.stream, compileCached(ops[i]!, en.slots).map(withoutKeep)]));
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

export type { Op } from './steps.ts';

/** A command with the keep bit (I-GCN's format; `withoutKeep` drops it for GCoD's). */
export interface CachedCommand extends Command {
  keep: number;
}

/**
 * One engine's steps as commands, its `slots` Z rows a cache the host manages: the steps are cut into
 * chunks touching at most slots/2 distinct rows; the rows a chunk misses are loaded (into the least
 * recently used slots not used by this chunk or the one before) interleaved with the previous chunk's
 * steps, so the loads of one chunk overlap the multiply-adds of the one before. Commands run in order, so a load
 * never overtakes the steps still reading its slot's old row. One accumulator row (r = 0).
 */
export function compileCached(list: readonly Op[], slots: number): CachedCommand[] {
  const half = Math.max(1, Math.floor(slots / 2));
  const chunks: { ops: Op[]; need: Set<number> }[] = [];
  let cur = { ops: [] as Op[], need: new Set<number>() };
  for (const op of list) {
    if (!cur.need.has(op.u) && cur.need.size === half) {
      chunks.push(cur);
      cur = { ops: [], need: new Set() };
    }
    cur.need.add(op.u);
    cur.ops.push(op);
  }
  if (cur.ops.length > 0) chunks.push(cur);

  const nodeIn = new Int32Array(slots).fill(-1);
  const lastUse = new Int32Array(slots).fill(-1);
  const slotOf = new Map<number, number>();
  const out: CachedCommand[] = [];
  const stepsOf = (ch: { ops: Op[] }): CachedCommand[] =>
    ch.ops.map((op) => ({
      op: op.emit ? OP_EMIT : OP_MAC,
      a: op.a,
      slot: slotOf.get(op.u)!,
      r: 0,
      v: op.emit?.v ?? 0,
      keep: op.emit?.keep ? 1 : 0,
    }));
  let pending: CachedCommand[] = [];
  let prevNeed = new Set<number>();
  chunks.forEach((ch, t) => {
    const victims = [...Array(slots).keys()]
      .filter((s) => !prevNeed.has(nodeIn[s]!) && !ch.need.has(nodeIn[s]!))
      .sort((x, y) => lastUse[x]! - lastUse[y]! || x - y);
    let vi = 0;
    const loads: CachedCommand[] = [];
    for (const u of ch.need) {
      if (slotOf.has(u)) continue;
      const s = victims[vi++]!; // enough: slots - |prev| - |resident of this chunk| >= |misses|
      if (nodeIn[s]! >= 0) slotOf.delete(nodeIn[s]!);
      nodeIn[s] = u;
      slotOf.set(u, s);
      loads.push({ op: OP_LOAD, a: 0, slot: s, r: 0, v: u, keep: 0 });
    }
    for (const u of ch.need) lastUse[slotOf.get(u)!] = t;
    // The loads spread evenly over the previous chunk's steps (load k before step k·S/L): an engine
    // waits at a LOAD until the shared port takes it, so a burst of loads would idle its MACs.
    let k = 0;
    pending.forEach((step, j) => {
      while (k < loads.length && Math.floor((k * pending.length) / loads.length) <= j) out.push(loads[k++]!);
      out.push(step);
    });
    out.push(...loads.slice(k));
    pending = stepsOf(ch);
    prevNeed = ch.need;
  });
  out.push(...pending, { op: OP_END, a: 0, slot: 0, r: 0, v: 0, keep: 0 });
  return out;
}
