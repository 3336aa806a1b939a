/**
 * The island locator in hardware (generators/igcn/locator-hw.ts) in Verilator, under random stalls
 * on both streams, against the host locator (locator.ts): the same hubs in the same order and the
 * same islands (node ids and order) on random small graphs; and its cycles next to the cycle model.
 */
import { describe, expect, it } from 'vitest';
import { locateIslands } from '../generators/igcn/locator.ts';
import { csrTokens, type LocatorHwParams } from '../generators/igcn/locator-hw.ts';
import { Rng, testSeed } from './support/rng.ts';
import { runLocator } from './support/locator-run.ts';

/** A random graph of 1..maxN nodes as sorted symmetric neighbour lists (isolated nodes, hubs and chains all likely). */
function randomGraph(rng: Rng, maxN: number, maxEdges: number): number[][] {
  const n = rng.int(1, maxN);
  const sets = Array.from({ length: n }, () => new Set<number>());
  const edges = rng.int(0, Math.min(maxEdges / 2, n * 2));
  const hot = rng.int(0, n - 1);
  for (let e = 0; e < edges; e++) {
    const a = rng.next() < 0.3 ? hot : rng.int(0, n - 1);
    const b = rng.int(0, n - 1);
    if (a !== b) {
      sets[a]!.add(b);
      sets[b]!.add(a);
    }
  }
  return sets.map((s) => [...s].sort((x, y) => x - y));
}

const P: LocatorHwParams = { maxNodes: 32, maxEdges: 160, th0: 5, cMax: 4 };

describe('igcn locator (Verilator)', () => {
  it('random small graphs under random stalls: hubs and islands equal the host locator, in order', async () => {
    const seed = testSeed();
    const rng = new Rng(seed);
    const graphs = Array.from({ length: 40 }, () => randomGraph(rng, 24, P.maxEdges));
    const runs = await runLocator(P, graphs, { seed, stall: { in: 0.3, out: 0.3 } });
    expect(runs.length, `seed ${seed}`).toBe(graphs.length);
    let islands = 0;
    let abandoned = 0;
    graphs.forEach((adj, g) => {
      const want = locateIslands(adj, { ...P, bfsEngines: 1, hubLanes: 1 });
      expect(runs[g]!.hubs, `seed ${seed}, graph ${g}: hubs`).toEqual(want.hubs);
      expect(runs[g]!.islands, `seed ${seed}, graph ${g}: islands`).toEqual(want.islands);
      islands += want.islands.length;
      abandoned += want.abandoned;
    });
    // The graphs exercise the paths that matter: many islands and some abandoned BFS runs.
    expect(islands, `seed ${seed}`).toBeGreaterThan(40);
    expect(abandoned, `seed ${seed}`).toBeGreaterThan(0);
  });

  it('a graph larger than the module holds is an error naming the limit', () => {
    expect(() => csrTokens(P, Array.from({ length: 33 }, () => []))).toThrow(/33 nodes; this module holds 1\.\.32 \(maxNodes\)/);
    const star = [Array.from({ length: 31 }, (_, i) => i + 1), ...Array.from({ length: 31 }, () => [0])];
    expect(() => csrTokens({ ...P, maxEdges: 40 }, star)).toThrow(/62 neighbour entries; this module holds up to 40 \(maxEdges\)/);
  });
});
