/**
 * Host compiler of the island consumer: the islands (in queue order) and the hub pass as one command
 * stream per consumer, in the command set of GCoD's sub-engine (generators/gcod/engine.ts) with its
 * `keep` bit. The locator's queue feeds the consumers in order: each island goes whole to the
 * consumer with the least work so far (steps; ties: lower index), then the hub pass's groups (hub
 * columns, slots/2 hubs a group, every row's entries in them) the same way.
 *
 * Z rows: each consumer's `slots` rows are a cache the host manages (`compileCached` of
 * generators/gcod/schedule.ts: chunks of at most slots/2 rows, each chunk's misses loaded while the
 * chunk before computes); rows that stay (hubs shared by many islands) are not read again.
 */
import type { Csr } from '../gcod/graph.ts';
import { OP_EMIT, OP_LOAD, OP_MAC } from '../gcod/engine.ts';
import { compileCached, type CachedCommand } from '../gcod/schedule.ts';
import type { Islands } from './locator.ts';
import { hubPassOps, islandOps } from './reuse.ts';
import type { Op } from '../gcod/steps.ts';

export type IgcnCommand = CachedCommand;

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
  for (const g of hubPassOps(a, isl.hubs, isl.islandOf, Math.max(1, Math.floor(slots / 2)))) {
    const e = least();
    saved += g.saved;
    ops[e]!.push(...g.ops);
    work[e]! += g.ops.length;
  }
  const commands: Record<string, IgcnCommand[]> = {};
  let loads = 0;
  let steps = 0;
  ops.forEach((list, e) => {
    const c = compileCached(list, slots);
    commands[`cmd_${e}`] = c;
    for (const x of c) {
      if (x.op === OP_LOAD) loads++;
      if (x.op === OP_MAC || x.op === OP_EMIT) steps++;
    }
  });
  return { commands, loads, steps, saved, islandsOf, stepsOfIsland };
}
