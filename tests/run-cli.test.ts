// `hwflow run` as a user runs it: JSON tensors in, Verilator, golden check, JSON report out; and the
// one-line errors for malformed, mis-shaped and out-of-range inputs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { randomShiftAddInputs, shiftadd } from '../generators/shiftadd/index.ts';
import { shiftAddPresets } from '../generators/shiftadd/params.ts';
import { testSeed } from './support/rng.ts';
import { parseInputs } from '../cli/tensors.ts';

const bin = path.resolve('bin/hwflow.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-run-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const hwflow = (...args: string[]) => execa('node', [bin, ...args], { reject: false });
let fileNo = 0;
const inputFile = (content: unknown): string => {
  const f = path.join(tmp, `in${fileNo++}.json`);
  fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
};

describe('hwflow run', () => {
  it('runs a small multiply layer given as nested arrays and as shape/data, and reports cycles', async () => {
    const input = inputFile({ W: [[1, -2, 3], [4, 5, -6]], X: { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] } });
    const out = path.join(tmp, 'out.json');
    const r = await hwflow('run', 'shiftadd', '--preset', 'ci-mul', '--input', input, '--output', out, '--stall', '0.3', '--seed', '7');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Y \[2×2\]: matches golden; \d+ cycles, ideal 1/);
    const report = JSON.parse(fs.readFileSync(out, 'utf8'));
    // By hand: [1 -2 3]·[1 3 5] = 10, [1 -2 3]·[2 4 6] = 12, [4 5 -6]·[1 3 5] = -11, [4 5 -6]·[2 4 6] = -8.
    expect(report.outputs.Y).toEqual({ shape: [2, 2], data: [10, 12, -11, -8] });
    expect(report).toMatchObject({ design: 'shiftadd', preset: 'ci-mul', check: 'passed', seed: 7, stall: 0.3, idealCycles: 1 });
    expect(report.counts).toEqual({ multiplies: 12, shifts: 0, adds: 12 });
    expect(report.cycles).toBeGreaterThan(3);
    expect(report.utilisation).toBeCloseTo(1 / report.cycles, 3);
  });

  const seed = testSeed();
  it(`runs a ragged shift layer with random data and stalls; Y equals the golden kernel (seed ${seed})`, async () => {
    const p = shiftAddPresets.ci!;
    const t = randomShiftAddInputs(p, { M: 9, K: 11, N: 3 }, seed);
    const json = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { shape: v.shape, data: v.data.map(Number) }]));
    const r = await hwflow('run', 'shiftadd', '--input', inputFile(json), '--stall', '0.25', '--seed', String(seed));
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.check).toBe('passed');
    expect(report.outputs.Y.data).toEqual(shiftadd.golden(p, t).outputs.Y!.data.map(Number));
  });

  it('--no-check skips the golden comparison but still reports the ideal bound', async () => {
    const r = await hwflow('run', 'shiftadd', '--preset', 'ci-adder', '--no-check', '--input', inputFile({ W: [[1, 5]], X: [[3], [-4]] }));
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ check: 'skipped', idealCycles: 1 });
    expect(report.outputs.Y.data).toEqual([-11]); // -(|3 - 1| + |-4 - 5|)
  });

  const W = [[1, 2], [3, 4]];
  const X = [[1], [2]];
  const cases: [string, unknown, RegExp][] = [
    ['a missing tensor', { W }, /lacks tensor 'X' \(K×N, sint\(8\), -128\.\.127\)/],
    ['an unknown tensor', { W, X, Z: [[1]] }, /has a tensor 'Z' that the design does not take; its inputs: W, X/],
    ['a ragged nested array', { W: [[1, 2], [3]], X }, /tensor 'W' is ragged: element \[1\] has 1 entries, expected 2/],
    ['a value out of range', { W: [[1, 128], [3, 4]], X }, /tensor 'W' value #1 = 128 is out of range for sint\(8\), -128\.\.127; values are rejected, not wrapped/],
    ['a non-integer value', { W, X: [[1.5], [2]] }, /tensor 'X' value #0 is 1\.5; expected an integer/],
    ['the wrong rank', { W, X: [1, 2] }, /tensor 'X' has shape \[2\]; expected 2-D \[K ≤ 64, N ≤ 16\]/],
    ['inner sizes that disagree', { W, X: [[1], [2], [3]] }, /tensor 'X' has K = 3 \(shape \[3, 1\]\) but tensor 'W' has K = 2/],
    ['a size over the maximum', { W: Array(17).fill([1, 2]), X }, /tensor 'W' has shape \[17, 2\]; dimension M = 17 must be 1\.\.16/],
    ['data that does not fill the shape', { W, X: { shape: [2, 2], data: [1, 2, 3] } }, /tensor 'X' has 3 values in "data" but shape \[2, 2\] needs 4/],
    ['a tensor that is neither', { W, X: 'ones' }, /tensor 'X' must be nested arrays or \{"shape": \[\.\.\.\], "data": \[\.\.\.\]\}/],
  ];
  // The checks themselves run in-process (same code as the CLI); two cases go through the CLI below.
  it.each(cases)('the input check rejects %s with a message naming the tensor', (_what, content, message) => {
    expect(() => parseInputs(content, shiftadd.inputs(shiftAddPresets['ci-mul']!), 'input')).toThrow(message);
  });
  it.each([
    ['malformed JSON', '{"W": [[1, 2]', /input file '.*' is not valid JSON/],
    ['a value out of range', { W: [[1, 128], [3, 4]], X }, /error: tensor 'W' value #1 = 128 is out of range for sint\(8\)/],
  ])('the CLI rejects %s with a one-line error and exit code 2', async (_what, content, message) => {
    const r = await hwflow('run', 'shiftadd', '--preset', 'ci-mul', '--input', inputFile(content));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects a shift exponent above P in a narrower preset', async () => {
    const r = await hwflow('run', 'shiftadd', '--param', 'p=7', '--input', inputFile({ W_sign: [[0]], W_exp: [[8]], X: [[1]] }));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/tensor 'W_exp' value #0 = 8 is out of range for uint\(3\), 0\.\.7/);
  });

  it('rejects a design that declares no tensors', async () => {
    const r = await hwflow('run', 'counter', '--input', inputFile({}));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/design 'counter' declares no input and output tensors/);
  });
});
