// `hwflow run` on the ShiftAddLLM engine and its multiply baseline, as a user runs them: JSON tensors
// at ragged run-time sizes in, Verilator under stalls, golden check, JSON report with op counts out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { macGemvAccelerator } from '../generators/shiftaddllm-mac/index.ts';
import { randomLlmInputs, shiftaddllmAccelerator } from '../generators/shiftaddllm/index.ts';
import { shiftAddLlmPresets } from '../generators/shiftaddllm/params.ts';
import type { Tensor } from '../dsl/generator.ts';
import { testSeed } from './support/rng.ts';

const seed = testSeed();
const bin = path.resolve('bin/hwflow.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-llm-run-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const json = (t: Record<string, Tensor>): string => {
  const f = path.join(tmp, `in-${Object.keys(t).join('-')}.json`);
  fs.writeFileSync(f, JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { shape: v.shape, data: v.data.map(Number) }]))));
  return f;
};

describe(`hwflow run shiftaddllm (seed ${seed})`, () => {
  it('K = 40, N = 11 on the row-scale preset: matches golden and reports the counts', async () => {
    const p = shiftAddLlmPresets['ci-row']!;
    const t = randomLlmInputs(p, seed, 40, 11);
    const out = path.join(tmp, 'llm.json');
    const r = await execa('node', [bin, 'run', 'shiftaddllm', '--preset', 'ci-row', '--input', json(t), '--output', out, '--stall', '0.2', '--seed', String(seed)], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { check: string; outputs: { y: { data: number[] } }; counts: Record<string, number>; cycles: number; idealCycles: number };
    expect(report.check).toBe('passed');
    expect(report.outputs.y.data).toEqual(shiftaddllmAccelerator.golden(p, t).outputs.y!.data.map(Number));
    expect(report.counts).toMatchObject({ tableBuilds: 5, lookups: 11 * 3 * 5, scaleCodes: 33 });
    expect(report.cycles).toBeGreaterThanOrEqual(report.idealCycles);
  }, 120_000);

  it('the multiply baseline runs the same way', async () => {
    const p = { kmax: 24, nmax: 5, lanes: 4, actWidth: 8 };
    const t = macGemvAccelerator.randomInputs(p, seed);
    const r = await execa('node', [bin, 'run', 'shiftaddllm-mac', '--input', json(t), '--stall', '0.2', '--seed', String(seed)], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/passed|matches golden/);
  }, 120_000);
});
