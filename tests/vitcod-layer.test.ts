/**
 * `hwflow run vitcod --layer L`: the real DeiT-Tiny mask of layer L with random or given Q/K/V
 * (vitcodLayerInputs, no Verilator), and the CLI's one-line errors for a bad layer and a design
 * too small for N = 197. Skips, saying so, without ../shared/data (or HWFLOW_DATA).
 */
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { checkInputs } from '../dsl/tensors.ts';
import { vitcodAccelerator as acc } from '../generators/vitcod/index.ts';
import { vitcodLayerInputs } from '../generators/vitcod/layer.ts';
import { dataDir, readDeitMasks } from '../generators/vitcod/npy.ts';
import { vitcodPresets } from '../generators/vitcod/params.ts';
import { testSeed } from './support/rng.ts';

const seed = testSeed();
const DATA = dataDir(path.resolve(import.meta.dirname, '..'));
if (!DATA) console.warn('vitcod-layer: no ../shared/data (or HWFLOW_DATA) folder; the --layer tests are skipped');
const p = vitcodPresets['deit-d8']!;

describe.skipIf(!DATA)(`vitcod --layer: the real masks as M (seed ${seed})`, () => {
  it('layer 2: M is the kept mask of its 3 heads, Q/K/V random int8 from the seed or as given; the inputs pass checkInputs', () => {
    const masks = readDeitMasks(DATA!);
    const t = vitcodLayerInputs(p, { layer: '2', dataDir: DATA, given: {}, seed });
    expect(t.M!.shape).toEqual([3, 197, 197]);
    expect(t.Q!.shape).toEqual([3, 197, p.d]);
    const head1 = masks.keep(2, 1).flat().map((k) => (k ? 1n : 0n));
    expect(t.M!.data.slice(197 * 197, 2 * 197 * 197)).toEqual(head1);
    expect(t.Q!.data.some((x) => x !== t.Q!.data[0])).toBe(true);
    expect(vitcodLayerInputs(p, { layer: '2', dataDir: DATA, given: {}, seed }).K!.data).toEqual(t.K!.data); // seeded
    const Q = { shape: [3, 197, p.d], data: new Array<bigint>(3 * 197 * p.d).fill(-7n) };
    expect(vitcodLayerInputs(p, { layer: '2', dataDir: DATA, given: { Q }, seed }).Q).toBe(Q);
    checkInputs(acc, p, t);
  });

  it('errors name what is valid: the layer range, nmax, an M given twice, the data folder', () => {
    const req = { dataDir: DATA, given: {}, seed };
    for (const layer of ['12', '-1', 'x', '1.5']) expect(() => vitcodLayerInputs(p, { ...req, layer })).toThrow(/layers 0\.\.11 \(3 heads each\)/);
    expect(() => vitcodLayerInputs(vitcodPresets.ci!, { ...req, layer: '0' })).toThrow(/N = 197 tokens but the design takes N ≤ 16 \(parameter 'nmax'\)/);
    const M = { shape: [3, 197, 197], data: [] };
    expect(() => vitcodLayerInputs(p, { ...req, layer: '0', given: { M } })).toThrow(/takes the mask M from the data/);
    expect(() => vitcodLayerInputs(p, { ...req, layer: '0', dataDir: '/nonexistent-hwflow' })).toThrow(/cannot read the DeiT-Tiny masks under '\/nonexistent-hwflow\/vitcod-deit-tiny'/);
  });

  it('hwflow run vitcod --layer 12 (CI preset: a fast elaboration) fails in one line naming the valid layers (exit 2)', async () => {
    const r = await execa('node', [path.resolve('bin/hwflow.mjs'), 'run', 'vitcod', '--layer', '12', '--data', DATA!], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: --layer '12' is not a layer of DeiT-Tiny: layers 0\.\.11 \(3 heads each\)$/);
  }, 120_000);
});
