/**
 * GCoD host side and golden kernel: graph reading (on the real Cora and CiteSeer files), the
 * quantised normalised adjacency, the deterministic partitioner, and the split layer against the
 * plain kernel. The real graphs are read from ../shared/data; those tests skip (saying so) without it.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphFormatError, normalisedAdjacency, parseCites, quantiseInvSqrt, readCites, syntheticGraph } from '../generators/gcod/graph.ts';
import { identitySplit, polarise } from '../generators/gcod/partition.ts';
import { aggregate, aggregateSplit, baselineReads, combine, gcodReads } from '../generators/gcod/golden.ts';
import { Rng, testSeed } from './support/rng.ts';

// The workloads live outside the repo (../shared/data); HWFLOW_DATA points elsewhere.
const DATA = process.env.HWFLOW_DATA ?? resolve(import.meta.dirname, '../../shared/data');
const haveData = existsSync(join(DATA, 'cora/cora.cites')) && existsSync(join(DATA, 'citeseer/citeseer.cites'));
if (!haveData) console.warn(`gcod-host: ${DATA} is missing; the Cora/CiteSeer tests are skipped`);

function randomLayer(rng: Rng, n: number, f: number, h: number, density: number) {
  const x = Array.from({ length: n * f }, () => (rng.next() < density ? 1 : 0));
  const w = Array.from({ length: f * h }, () => rng.int(-128, 127));
  return { x, w };
}

describe('gcod graph reading', () => {
  it('rounds 256/sqrt(p) half up, exactly, saturating at 255', () => {
    expect(quantiseInvSqrt(1)).toBe(255); // 1.0 does not fit u0.8
    expect(quantiseInvSqrt(4)).toBe(128);
    expect(quantiseInvSqrt(512 * 512)).toBe(1); // exactly 0.5 LSB: half up
    expect(quantiseInvSqrt(512 * 512 + 1)).toBe(0);
    for (let p = 2; p < 20000; p += 7) {
      const exact = 256 / Math.sqrt(p);
      const q = quantiseInvSqrt(p);
      expect(Math.abs(q - exact)).toBeLessThanOrEqual(0.5 + 1e-9);
    }
  });

  it('names the file, the line and what was expected for a malformed line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcod-'));
    const file = join(dir, 'bad.cites');
    writeFileSync(file, '1\t2\n3\t4\n5 6\n');
    expect(() => readCites(file)).toThrow(GraphFormatError);
    expect(() => readCites(file)).toThrow(`${file}:3: expected two paper ids separated by one tab`);
    expect(() => parseCites('', 'empty.cites')).toThrow('empty.cites:1: expected at least one edge line');
  });

  it('remaps ids in order of first appearance, drops duplicates and self loops', () => {
    const g = parseCites('b\ta\na\tb\nc\tc\nc\ta\n', 'mem');
    expect(g.ids).toEqual(['b', 'a', 'c']);
    expect(g.edges).toEqual([[0, 1], [1, 2]]);
    const a = normalisedAdjacency(g);
    // degrees with self loop: b 2, a 3, c 2
    expect(Array.from(a.col)).toEqual([0, 1, 0, 1, 2, 1, 2]);
    expect(Array.from(a.val)).toEqual([128, quantiseInvSqrt(6), quantiseInvSqrt(6), quantiseInvSqrt(9), quantiseInvSqrt(6), quantiseInvSqrt(6), 128]);
  });

  it.skipIf(!haveData).each([
    ['cora/cora.cites', 2708, 5278],
    ['citeseer/citeseer.cites', 3327, 4552],
  ])('%s has the counts of the data README', (file, nodes, edges) => {
    const g = readCites(join(DATA, file));
    expect(g.n).toBe(nodes);
    expect(g.edges.length).toBe(edges);
    const a = normalisedAdjacency(g);
    expect(a.rowPtr[g.n]).toBe(2 * edges + nodes);
    // Symmetric: the value at (v,u) equals the value at (u,v).
    const at = new Map<number, number>();
    for (let v = 0; v < a.n; v++) for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) at.set(v * 8192 + a.col[k]!, a.val[k]!);
    for (const [key, val] of at) expect(at.get((key % 8192) * 8192 + Math.floor(key / 8192))).toBe(val);
  });
});

describe('gcod partitioner', () => {
  it.skipIf(!haveData).each([
    ['cora/cora.cites', 128],
    ['citeseer/citeseer.cites', 128],
  ])('%s: blocks of %i concentrate non-zeros on the diagonal', (file, blockRows) => {
    const a = normalisedAdjacency(readCites(join(DATA, file)));
    const p = polarise(a, { blockRows, degreeClasses: 2 });
    const plain = identitySplit(a, blockRows);
    // A permutation, blocks within size, every non-zero in exactly one of the two parts.
    expect([...p.perm].sort((x, y) => x - y)).toEqual(Array.from({ length: a.n }, (_, i) => i));
    for (const b of p.blocks) expect(b.size).toBeLessThanOrEqual(blockRows);
    expect(p.denseNnz + p.sparse.row.length).toBe(p.nnz);
    console.log(`${file}: diagonal blocks of ${blockRows} capture ${(100 * p.denseShare).toFixed(1)}% of ${p.nnz} non-zeros (unreordered: ${(100 * plain.denseShare).toFixed(1)}%); Z reads GCoD ${gcodReads(p).total}, baseline ${baselineReads(a, 4 * blockRows)}`);
    expect(p.denseShare).toBeGreaterThan(plain.denseShare + 0.1);
    // Deterministic: a second run gives the same order.
    expect(Array.from(polarise(a, { blockRows, degreeClasses: 2 }).perm)).toEqual(Array.from(p.perm));
  });

  it('the split layer equals the plain kernel on synthetic graphs', () => {
    const seed = testSeed();
    const rng = new Rng(seed);
    for (let t = 0; t < 6; t++) {
      const n = rng.int(5, 60);
      const g = syntheticGraph(n, rng.int(n, 4 * n), rng.int(1, 1e6));
      const a = normalisedAdjacency(g);
      const { x, w } = randomLayer(rng, n, 12, 4, 0.3);
      const z = combine(x, w, n, 12, 4);
      const p = polarise(a, { blockRows: rng.int(1, 9), degreeClasses: rng.int(1, 3) });
      expect(aggregateSplit(p, z, 4), `seed ${seed}`).toEqual(aggregate(a, z, 4));
    }
  });

  it.skipIf(!haveData)('the split layer equals the plain kernel on Cora (64 features, hidden 16)', () => {
    const seed = testSeed();
    const rng = new Rng(seed);
    const a = normalisedAdjacency(readCites(join(DATA, 'cora/cora.cites')));
    const { x, w } = randomLayer(rng, a.n, 64, 16, 0.05);
    const z = combine(x, w, a.n, 64, 16);
    const y = aggregate(a, z, 16);
    expect(aggregateSplit(polarise(a, { blockRows: 128, degreeClasses: 2 }), z, 16), `seed ${seed}`).toEqual(y);
    expect(y.some((v) => v !== 0n)).toBe(true);
  });
});
