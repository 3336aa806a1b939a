/**
 * Host compiler of the island consumer: the islands (in queue order) and the hub pass as one command
 * stream per consumer, in the command set of GCoD's sub-engine (generators/gcod/engine.ts) with its
 * `keep` bit. The locator's queue feeds the consumers in order: each island goes whole to the
 * consumer with the least work so far (steps; ties: lower index), the hub pass's rows after them.
 *
 * Z rows: each consumer's `slots` rows are a cache the host manages. A consumer's steps are cut into
 * chunks touching at most slots/2 distinct rows; the rows a chunk misses are loaded (into the least
 * recently used slots not used by this chunk or the one before) BEFORE the previous chunk's steps, so
 * the loads of one chunk overlap the multiply-adds of the one before. Commands run in order, so a load
 * never overtakes the steps still reading its slot's old row. Rows that stay (hubs shared by many
 * islands) are not read again.
 */
import type { Csr } from '../gcod/graph.ts';
import { OP_EMIT, OP_END, OP_LOAD, OP_MAC } from '../gcod/engine.ts';
import type { Islands } from './locator.ts';
import { hubOps, islandOps, type Op } from './reuse.ts';

export interface IgcnCommand {
  op: number;
  a: number;
  slot: number;
  r: number;
  v: number;
  keep: number;
}

export interface IgcnSchedule {
  commands: Record<string, IgcnCommand[]>;
  /** Off-chip Z-row reads (LOAD commands) in all. */
  loads: number;
  /** Vector multiply-adds (MAC and EMIT commands) in all. */
  steps: number;
  /** Multiply-adds the shared-neighbour reuse saved. */
  saved: number;
  /** Island index of each consumer's islands, in order. */
  islandsOf: number[][];
  /** Multiply-add steps of each island (its rows and its hubs' partial rows). */
  stepsOfIsland: number[];
}

/** Compile the consumers' command streams `cmd_0..cmd_{engines-1}`. */
export function igcnSchedule(a: Csr, isl: Islands, engines: number, slots: number): IgcnSchedule {
  const work = new Array<number>(engines).fill(0);
  const ops: Op[][] = Array.from({ length: engines }, () => []);
  const islandsOf: number[][] = Array.from({ length: engines }, () => []);
  const least = (): number => work.reduce((best, w, i) => (w < work[best]! ? i : best), 0);
  let saved = 0;
  const stepsOfIsland: number[] = [];
  isl.islands.forEach((island, i) => {
    const e = least();
    const r = islandOps(a, island, isl.isHub);
    saved += r.saved;
    stepsOfIsland.push(r.ops.length);
    ops[e]!.push(...r.ops);
    work[e]! += r.ops.length;
    islandsOf[e]!.push(i);
  });
  for (const h of isl.hubs) {
    const e = least();
    const r = hubOps(a, h, isl.isHub);
    ops[e]!.push(...r);
    work[e]! += r.length;
  }
  const commands: Record<string, IgcnCommand[]> = {};
  let loads = 0;
  let steps = 0;
  ops.forEach((list, e) => {
    const c = compileConsumer(list, slots);
    commands[`cmd_${e}`] = c;
    for (const x of c) {
      if (x.op === OP_LOAD) loads++;
      if (x.op === OP_MAC || x.op === OP_EMIT) steps++;
    }
  });
  return { commands, loads, steps, saved, islandsOf, stepsOfIsland };
}

/** One consumer's steps as commands, with its Z rows cached and loaded a chunk ahead. */
function compileConsumer(list: readonly Op[], slots: number): IgcnCommand[] {
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
  const out: IgcnCommand[] = [];
  const stepsOf = (ch: { ops: Op[] }): IgcnCommand[] =>
    ch.ops.map((op) => ({
      op: op.emit ? OP_EMIT : OP_MAC,
      a: op.a,
      slot: slotOf.get(op.u)!,
      r: 0,
      v: op.emit?.v ?? 0,
      keep: op.emit?.keep ? 1 : 0,
    }));
  let pending: IgcnCommand[] = [];
  let prevNeed = new Set<number>();
  chunks.forEach((ch, t) => {
    const victims = [...Array(slots).keys()]
      .filter((s) => !prevNeed.has(nodeIn[s]!) && !ch.need.has(nodeIn[s]!))
      .sort((x, y) => lastUse[x]! - lastUse[y]! || x - y);
    let vi = 0;
    for (const u of ch.need) {
      if (slotOf.has(u)) continue;
      const s = victims[vi++]!; // enough: slots - |prev| - |resident of this chunk| >= |misses|
      if (nodeIn[s]! >= 0) slotOf.delete(nodeIn[s]!);
      nodeIn[s] = u;
      slotOf.set(u, s);
      out.push({ op: OP_LOAD, a: 0, slot: s, r: 0, v: u, keep: 0 });
    }
    for (const u of ch.need) lastUse[slotOf.get(u)!] = t;
    out.push(...pending);
    pending = stepsOf(ch);
    prevNeed = ch.need;
  });
  out.push(...pending, { op: OP_END, a: 0, slot: 0, r: 0, v: 0, keep: 0 });
  return out;
}
