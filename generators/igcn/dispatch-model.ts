/**
 * Host model of the hardware dispatcher (dispatch.ts): the same units in the locator's order, the
 * same ring slots and the same commands, given which consumer took each unit. The hardware gives a
 * unit to the consumer with the least outstanding work (ops taken in, less the ops its engine has
 * taken), which depends on how fast each engine runs (the merge serves them in fixed priority): so
 * the choice is an input here (`assign`, e.g. read off a run's command streams); without it, each
 * unit goes to the consumer with the least ops so far (ties: lowest index), the hardware's choice
 * when every engine takes ops at the same rate. Given the choice, each consumer's LOADs and its ops
 * are exactly the hardware's, in order; the hardware's front end interleaves the two at run time
 * (a unit's ops after all its LOADs; a LOAD once its ring slot is released), so the model gives each
 * unit's LOADs and ops apart (`units`) and, for a plain command stream, the LOADs of a unit right
 * before its ops. Imports nothing from dsl/ (the golden side may use it).
 *
 * Unit of island I (nodes in BFS order): LOAD each node into the consumer's next ring slot; per node
 * v: a MAC for the self loop and each non-hub entry, the last of them an EMIT to v (row 0); each hub
 * entry h an EMIT of Â[h][v]·Z[v] to h alone (row 1). Unit of hub h: LOAD Z[h]; an EMIT to every
 * neighbour u of Â[u][h]·Z[h] (row 1), then the self loop's EMIT to h. No shared-neighbour reuse.
 */
import type { Csr } from '../gcod/graph.ts';
import { ACC_BITS, OUT_BITS } from '../gcod/widths.ts';
import type { Islands } from './locator.ts';

export const D_LOAD = 0;
export const D_MAC = 1;
export const D_EMIT = 2;

export interface DispatchCommand {
  op: number;
  a: number;
  slot: number;
  r: number;
  v: number;
}

export interface DispatchUnit {
  consumer: number;
  loads: DispatchCommand[];
  ops: DispatchCommand[];
}

export interface DispatchPlan {
  units: DispatchUnit[];
  /** Each consumer's commands (a unit's LOADs, then its ops), without END. */
  commands: DispatchCommand[][];
  loads: number;
  ops: number;
}

/**
 * The dispatcher's commands for a graph's Â (CSR with self loops) and the locator's result; unit k
 * (in `isl.units` order) goes to consumer `assign[k]` when given.
 */
export function dispatchModel(a: Csr, isl: Islands, engines: number, slots: number, assign?: readonly number[]): DispatchPlan {
  const work = new Array<number>(engines).fill(0);
  const alloc = new Array<number>(engines).fill(0);
  const slotOf = new Int32Array(a.n);
  const units: DispatchUnit[] = [];
  const commands: DispatchCommand[][] = Array.from({ length: engines }, () => []);
  for (const [unit, code] of isl.units.entries()) {
    const hub = code < 0;
    const nodes = hub ? [-code - 1] : isl.islands[code]!;
    let e = 0;
    for (let i = 1; i < engines; i++) if (work[i]! < work[e]!) e = i;
    if (assign) e = assign[unit]!;
    if (!(e >= 0 && e < engines)) throw new Error(`dispatchModel: unit ${unit} assigned to consumer ${e}; valid: 0..${engines - 1}`);
    if (nodes.length > slots) throw new Error(`dispatchModel: an island of ${nodes.length} nodes does not fit ${slots} slots`);
    const loads = nodes.map((v) => {
      slotOf[v] = alloc[e]!;
      alloc[e] = (alloc[e]! + 1) % slots;
      return { op: D_LOAD, a: 0, slot: slotOf[v]!, r: 0, v };
    });
    const ops: DispatchCommand[] = [];
    for (const v of nodes) {
      let pend = { slot: slotOf[v]!, a: 0 };
      for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) if (a.col[k] === v) pend = { slot: slotOf[v]!, a: a.val[k]! };
      for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) {
        const u = a.col[k]!;
        if (u === v) continue;
        if (hub || isl.isHub[u]) ops.push({ op: D_EMIT, a: a.val[k]!, slot: slotOf[v]!, r: 1, v: u });
        else {
          ops.push({ op: D_MAC, a: pend.a, slot: pend.slot, r: 0, v: 0 });
          pend = { slot: slotOf[u]!, a: a.val[k]! };
        }
      }
      ops.push({ op: D_EMIT, a: pend.a, slot: pend.slot, r: 0, v });
    }
    work[e]! += ops.length;
    units.push({ consumer: e, loads, ops });
    commands[e]!.push(...loads, ...ops);
  }
  return { units, commands, loads: units.reduce((s, u) => s + u.loads.length, 0), ops: units.reduce((s, u) => s + u.ops.length, 0) };
}

/** Run the model's commands (each consumer: ring of Z slots, accumulator rows 0 and 1) into the layer's output Y. */
export function runDispatch(plan: DispatchPlan, z: Int32Array, n: number, h: number, slots: number): bigint[] {
  const wrap = (v: bigint): bigint => BigInt.asIntN(ACC_BITS, v);
  const sums: bigint[] = new Array<bigint>(n * h).fill(0n);
  for (const list of plan.commands) {
    const buf: number[][] = Array.from({ length: slots }, () => []);
    const acc = [new Array<bigint>(h).fill(0n), new Array<bigint>(h).fill(0n)];
    for (const c of list) {
      if (c.op === D_LOAD) {
        buf[c.slot] = Array.from({ length: h }, (_, j) => z[c.v * h + j]!);
        continue;
      }
      const row = acc[c.r]!;
      for (let j = 0; j < h; j++) row[j] = wrap(row[j]! + BigInt(c.a) * BigInt(buf[c.slot]![j]!));
      if (c.op === D_EMIT) {
        for (let j = 0; j < h; j++) sums[c.v * h + j] = wrap(sums[c.v * h + j]! + row[j]!);
        row.fill(0n);
      }
    }
  }
  return sums.map((s) => BigInt.asIntN(OUT_BITS, s >> 8n));
}
