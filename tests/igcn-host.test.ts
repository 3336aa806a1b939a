/**
 * I-GCN host side and golden: the locator's island invariants (random graphs, Cora, CiteSeer), the
 * island-by-island layer with shared-neighbour reuse against the plain kernel bit for bit, the work
 * it counts, and `igcn`'s tensors and errors being gcod's.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { neighbours, normalisedAdjacency, readCites, syntheticGraph } from '../generators/gcod/graph.ts';
import { gcod } from '../generators/gcod/index.ts';
import { gcodPresets } from '../generators/gcod/params.ts';
import { aggregate, combine, islandAggregate, islandCounts } from '../generators/igcn/golden.ts';
import { igcn } from '../generators/igcn/index.ts';
import { islandViolations, locateIslands } from '../generators/igcn/locator.ts';
import { igcnPresets } from '../generators/igcn/params.ts';
import { igcnSchedule } from '../generators/igcn/schedule.ts';
import { registry } from '../generators/registry.ts';
import { Rng, testSeed } from './support/rng.ts';

const DATA = process.env.HWFLOW_DATA ?? resolve(import.meta.dirname, '../../shared/data');
const haveData = existsSync(join(DATA, 'cora/cora.cites')) && existsSync(join(DATA, 'citeseer/citeseer.cites'));
if (!haveData) console.warn(`igcn-host: ${DATA} is missing; the Cora/CiteSeer tests are skipped`);

function layer(rng: Rng, n: number, f: number, h: number) {
  const x = Array.from({ length: n * f }, () => (rng.next() < 0.2 ? 1 : 0));
  const w = Array.from({ length: f * h }, () => rng.int(-128, 127));
  return combine(x, w, n, f, h);
}

describe('igcn locator and reuse', () => {
  it('random graphs: islands hold their invariants and the reuse layer equals the plain one bit for bit', () => {
    const seed = testSeed();
    const rng = new Rng(seed);
    for (let t = 0; t < 30; t++) {
      const n = rng.int(2, 80);
      const g = syntheticGraph(n, rng.int(0, 4 * n), rng.int(1, 1e6));
      const adj = neighbours(g);
      const a = normalisedAdjacency(g);
      const cMax = rng.int(1, 12);
      const isl = locateIslands(adj, { th0: rng.int(1, 12), cMax, bfsEngines: rng.int(1, 4), hubLanes: rng.int(1, 8) });
      expect(islandViolations(adj, isl, cMax), `seed ${seed}, graph ${t}`).toEqual([]);
      const z = layer(rng, n, 8, 3);
      const slots = rng.int(4, 12);
      const group = Math.floor(slots / 2);
      expect(islandAggregate(a, isl, z, 3, group), `seed ${seed}, graph ${t}`).toEqual(aggregate(a, z, 3));
      const c = islandCounts(a, adj, isl, cMax, group);
      // Every non-zero is applied once, except those the shared sums cover twice.
      expect(c.aggregationOps! + c.reuseSaved!, `seed ${seed}, graph ${t}`).toBe(a.rowPtr[n]);
      const s = igcnSchedule(a, isl, rng.int(1, 3), slots);
      expect(s.steps).toBe(c.aggregationOps);
    }
  });

  it('a breadth-first search past C_max is abandoned, and a smaller threshold later splits its component', () => {
    // Hub 6 (degree 3) on a path 0-1-2-3-4-5 and two leaves 7, 8: with C_max 3 the path is too big
    // at TH 3; at TH 2 nodes 0..4 become hubs and 5 is an island.
    const adj = [[1, 6], [0, 2], [1, 3], [2, 4], [3, 5], [4], [0, 7, 8], [6], [6]];
    const isl = locateIslands(adj, { th0: 3, cMax: 3, bfsEngines: 1, hubLanes: 1 });
    expect(islandViolations(adj, isl, 3)).toEqual([]);
    expect(isl.thresholds).toEqual([3, 2]);
    expect(isl.abandoned).toBe(1);
    expect(isl.islands).toEqual([[7], [8], [5]]);
    expect(isl.hubs).toEqual([6, 0, 1, 2, 3, 4]);
  });

  it.skipIf(!haveData).each([
    ['cora/cora.cites', 2708],
    ['citeseer/citeseer.cites', 3327],
  ])('%s: TH0 10, C_max 200: invariants, islands and the reuse saving', (file, nodes) => {
    const g = readCites(join(DATA, file));
    const adj = neighbours(g);
    const a = normalisedAdjacency(g);
    const isl = locateIslands(adj, { th0: 10, cMax: 200, bfsEngines: 4, hubLanes: 16 });
    expect(islandViolations(adj, isl, 200)).toEqual([]);
    const c = islandCounts(a, adj, isl, 200, 50);
    expect(c.islandNodes! + c.hubs!).toBe(nodes);
    expect(c.reuseSaved).toBeGreaterThan(0);
    console.log(`${file}: ${c.islands} islands covering ${c.islandNodes} of ${nodes} nodes, ${c.hubs} hubs, ${c.interHubNonZeros} inter-hub non-zeros; aggregation ${c.aggregationOps} of ${c.aggregationOpsPlain} vector MACs (${(100 * c.reuseSaved! / c.aggregationOpsPlain!).toFixed(1)}% saved); locator ${c.locatorCycles} cycles`);
  });
});

describe('igcn generator', () => {
  it('is registered and takes gcod\'s tensors with gcod\'s errors', () => {
    expect(registry.igcn).toBeDefined();
    const p = igcnPresets.ci!;
    const gp = gcodPresets.ci!;
    expect(igcn.inputs(p)).toEqual(gcod.inputs(gp));
    const inputs = igcn.randomInputs(p, 5);
    const badShape = { ...inputs, w: { shape: [3, 4], data: new Array(12).fill(0n) } };
    expect(() => igcn.encode(p, badShape)).toThrow(/^tensor 'w'/);
    expect(() => igcn.encode(p, badShape)).toThrow((() => { try { gcod.encode(gp, badShape); } catch (e) { return (e as Error).message; } return 'no error'; })());
    const n = inputs.x!.shape[0]!;
    const badEdge = { ...inputs, edges: { shape: [1, 2], data: [0n, BigInt(n)] } };
    const want = (() => { try { gcod.encode(gp, badEdge); } catch (e) { return (e as Error).message; } return 'no error'; })();
    expect(want).toMatch(/^tensor 'edges'/);
    expect(() => igcn.encode(p, badEdge)).toThrow(want);
    expect(() => igcn.validate!({ ...p, macs: 3 })).toThrow("parameter 'macs' = 3 must divide hidden (4)");
  });
});
