/**
 * The island locator in hardware (generators/igcn/locator-hw.ts) in Verilator, under random stalls
 * on both streams, against the host locator (locator.ts): the same hubs in the same order and the
 * same islands (node ids and order) on random small graphs, with P2 = 1..3 BFS engines and 1..4 hub
 * lanes; and without stalls its locate cycles equal the cycle model's (`locatorTiming`) exactly.
 */
import { describe, expect, it } from 'vitest';
import { locateIslands, locatorTiming } from '../generators/igcn/locator.ts';
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
const CONFIGS: LocatorHwParams[] = [
  { ...P, bfsEngines: 1, hubLanes: 1 },
  { ...P, bfsEngines: 2, hubLanes: 4 },
  { ...P, bfsEngines: 3, hubLanes: 3 },
];
const host = (c: LocatorHwParams) => ({ th0: c.th0, cMax: c.cMax, bfsEngines: c.bfsEngines!, hubLanes: c.hubLanes! });

describe('igcn locator (Verilator)', () => {
  it.each(CONFIGS.map((c) => [`P2 ${c.bfsEngines}, ${c.hubLanes} lanes`, c] as const))('%s: islands equal the host locator under random stalls; cycles equal the model without', async (_, c) => {
    const seed = testSeed();
    console.info(`igcn locator RTL (${_}): seed ${seed} (HWFLOW_SEED=${seed} repeats it)`);
    const rng = new Rng(seed);
    const graphs = Array.from({ length: 40 }, () => randomGraph(rng, 24, c.maxEdges));
    const runs = await runLocator(c, graphs, { seed, stall: { in: 0.3, out: 0.3 } });
    expect(runs.length, `seed ${seed}`).toBe(graphs.length);
    let islands = 0;
    let abandoned = 0;
    graphs.forEach((adj, g) => {
      const want = locateIslands(adj, host(c));
      expect(runs[g]!.hubs, `seed ${seed}, graph ${g}: hubs`).toEqual(want.hubs);
      expect(runs[g]!.islands, `seed ${seed}, graph ${g}: islands`).toEqual(want.islands);
      islands += want.islands.length;
      abandoned += want.abandoned;
    });
    // The graphs exercise the paths that matter: many islands and some abandoned BFS runs.
    expect(islands, `seed ${seed}`).toBeGreaterThan(40);
    expect(abandoned, `seed ${seed}`).toBeGreaterThan(0);
    // Parallel engines meet in one component (a run dropped at commit) on these graphs (counted by
    // the cycle model, which the next check ties to the hardware).
    const dropped = graphs.reduce((k, adj) => k + locatorTiming(adj, host(c)).dropped, 0);
    if (c.bfsEngines! > 1) expect(dropped, `seed ${seed}`).toBeGreaterThan(0);
    // Without stalls, one graph a run (END's cycle counts from the first CSR token): the model's cycles.
    for (const adj of graphs.slice(0, 12)) {
      const [r] = await runLocator(c, [adj], { seed });
      const load = adj.length + 1 + adj.reduce((k, l) => k + l.length, 0);
      expect(r!.endCycle - load, `seed ${seed}: cycles of ${JSON.stringify(adj)}`).toBe(locatorTiming(adj, host(c)).cycles);
    }
  });

  it('a graph larger than the module holds is an error naming the limit', () => {
    expect(() => csrTokens(P, Array.from({ length: 33 }, () => []))).toThrow(/33 nodes; this module holds 1\.\.32 \(maxNodes\)/);
    const star = [Array.from({ length: 31 }, (_, i) => i + 1), ...Array.from({ length: 31 }, () => [0])];
    expect(() => csrTokens({ ...P, maxEdges: 40 }, star)).toThrow(/62 neighbour entries; this module holds up to 40 \(maxEdges\)/);
  });
});
