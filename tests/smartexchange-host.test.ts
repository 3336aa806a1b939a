/**
 * `hwflow run smartexchange --decompose` on the host side (no simulator): float weights W become
 * B and C that pass the tensor checks, golden on them times the printed per-filter scales is close
 * to the float W·X, and bad W / B / C inputs are errors naming the tensor; and the command itself
 * once (Verilator, CI preset) and its errors.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInputs } from '../cli/tensors.ts';
import { seAccelerator as acc } from '../generators/smartexchange/index.ts';
import { decomposeLayer, gaussianWeights } from '../generators/smartexchange/golden.ts';
import { sePresets } from '../generators/smartexchange/params.ts';
import { mulberry32 } from '../generators/random.ts';
import { testSeed } from './support/rng.ts';

const seed = testSeed();
const ci = sePresets.ci!;

describe(`smartexchange --decompose (seed ${seed})`, () => {
  it('float W [M, c_in, 3, 3] → B, C that pass the checks; scale_m · Y ≈ W·X', () => {
    const M = 5;
    const cin = 2; // K = 18, G = 6
    const W = gaussianWeights(seed, M, 9 * cin);
    const r = mulberry32(seed + 1);
    const X = Array.from({ length: 9 * cin }, () => Array.from({ length: 4 }, () => Math.floor(r() * 256) - 128));
    const nested = W.map((w) => Array.from({ length: cin }, (_, ci) => [0, 1, 2].map((dy) => w.slice(ci * 9 + dy * 3, ci * 9 + dy * 3 + 3))));
    const out = acc.decompose!(ci, { W: nested, X });
    expect(out.notes.join('\n')).toMatch(/W \[5, 18\] decomposed .* C \[5, 6, 3\].*relative error/s);
    const t = parseInputs(out.json, acc.inputs(ci));
    acc.checkRelations!(ci, t);
    const Y = acc.golden(ci, t).outputs.Y!.data.map(Number);
    const scales = decomposeLayer(W, { threshold: 1, iterations: 10 }).blocks.map((b) => b.scale);
    let err = 0;
    let norm = 0;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < 4; n++) {
        const exact = W[m]!.reduce((s, w, k) => s + w * X[k]![n]!, 0);
        err += (scales[m]! * Y[m * 4 + n]! - exact) ** 2;
        norm += exact ** 2;
      }
    // The decomposition's weight error on Gaussian weights is ~0.2; the product's error is of that order.
    expect(Math.sqrt(err / norm), `seed ${seed}`).toBeLessThan(0.4);
  });

  it('bad W, or B / C given with --decompose, are errors naming the tensor', () => {
    const X = [[1], [2], [3]];
    const dec = (json: Record<string, unknown>) => () => acc.decompose!(ci, json);
    expect(dec({ X })).toThrow(/tensor 'W'.*no tensor W/);
    expect(dec({ W: [[1, 2], [3]], X })).toThrow(/tensor 'W'.*ragged/);
    expect(dec({ W: [[1, 'a', 3]], X })).toThrow(/tensor 'W'.*value #1 = "a", not a finite number/);
    expect(dec({ W: { shape: [1, 3], data: [1, 2] }, X })).toThrow(/tensor 'W'.*shape \[1,3\] with 2 values/);
    expect(dec({ W: Array.from({ length: 17 }, () => [1, 2, 3]), X })).toThrow(/tensor 'W'.*M = 17/);
    expect(dec({ W: [new Array(25).fill(1)], X })).toThrow(/tensor 'W'.*K = 25/);
    expect(dec({ W: [[1, 2, 3]], B: [], X })).toThrow(/tensor 'B' is given/);
    // W's K must match X's rows: the relation check names X.
    const t = parseInputs(acc.decompose!(ci, { W: [[1, 2, 3, 4, 5, 6]], X }).json, acc.inputs(ci));
    expect(() => acc.checkRelations!(ci, t)).toThrow(/tensor 'X'.*K = 3 but C has G = 2/);
  });
});

describe('hwflow run smartexchange --decompose', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-se-host-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const hwflow = (...args: string[]) => execa('node', [path.resolve('bin/hwflow.mjs'), ...args], { reject: false });
  const file = (name: string, content: unknown): string => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, JSON.stringify(content));
    return f;
  };

  it('runs float W through the RTL (matches golden), prints the scales; errors name W or the option', async () => {
    const X = [[1, 2], [0, -3], [4, 5], [6, 7], [-8, 9], [10, 0]];
    const ok = await hwflow('run', 'smartexchange', '--decompose', '--input', file('ok.json', { W: [[0.1, -0.2, 0.3, 0.05, 0, -0.4], [1, 2, 3, 4, 5, 6]], X }));
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/W \[2, 6\] decomposed .*scales: /s);
    expect(JSON.parse(ok.stdout).check).toBe('passed');
    const bad = await hwflow('run', 'smartexchange', '--decompose', '--input', file('bad.json', { W: [[1, null, 3]], X }));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/tensor 'W'.*value #1 = null/);
    const none = await hwflow('run', 'shiftadd', '--decompose', '--input', file('c.json', {}));
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/design 'shiftadd' has no host-side decomposition/);
  }, 240_000);
});
