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
import { gcod } from '../generators/gcod/index.ts';
import { gcodPresets } from '../generators/gcod/params.ts';
import { macGemvAccelerator } from '../generators/shiftaddllm/baseline.ts';
import { shiftaddllmAccelerator } from '../generators/shiftaddllm/index.ts';

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
    ['a missing tensor', { W }, /lacks tensor 'X', which takes \[K 1\.\.64, N 1\.\.16\] of sint\(8\) \(-128\.\.127\)/],
    ['an unknown tensor', { W, X, Z: [[1]] }, /has a tensor 'Z' that the design does not take; its inputs: W, X/],
    ['a ragged nested array', { W: [[1, 2], [3]], X }, /tensor 'W' is ragged: element \[1\] has 1 entries, expected 2/],
    ['a value out of range', { W: [[1, 128], [3, 4]], X }, /tensor 'W' takes \[M 1\.\.16, K 1\.\.64\] of sint\(8\) \(-128\.\.127\); got W\[0, 1\] = 128 \(values are rejected, not wrapped\)/],
    ['a non-integer value', { W, X: [[1.5], [2]] }, /tensor 'X' value #0 is 1\.5; expected an integer/],
    ['the wrong rank', { W, X: [1, 2] }, /tensor 'X' takes \[K 1\.\.64, N 1\.\.16\] of sint\(8\) \(-128\.\.127\); got shape \[2\] \(1-D, expected 2-D\)/],
    ['inner sizes that disagree', { W, X: [[1], [2], [3]] }, /tensor 'X' takes .*; got shape \[3, 1\] with K = 3, but tensor 'W' has K = 2/],
    ['a size over the maximum', { W: Array(17).fill([1, 2]), X }, /tensor 'W' takes \[M 1\.\.16, K 1\.\.64\] .*; got shape \[17, 2\]: M = 17 is not in 1\.\.16/],
    ['data that does not fill the shape', { W, X: { shape: [2, 2], data: [1, 2, 3] } }, /tensor 'X' has 3 values in "data" but shape \[2, 2\] needs 4/],
    ['a tensor that is neither', { W, X: 'ones' }, /tensor 'X' must be nested arrays or \{"shape": \[\.\.\.\], "data": \[\.\.\.\]\}/],
  ];
  // The checks themselves run in-process (same code as the CLI); two cases go through the CLI below.
  it.each(cases)('the input check rejects %s with a message naming the tensor', (_what, content, message) => {
    expect(() => parseInputs(content, shiftadd.inputs(shiftAddPresets['ci-mul']!), 'input')).toThrow(message);
  });
  it.each([
    ['malformed JSON', '{"W": [[1, 2]', /input file '.*' is not valid JSON/],
    ['a value out of range', { W: [[1, 128], [3, 4]], X }, /error: tensor 'W' takes .* of sint\(8\) \(-128\.\.127\); got W\[0, 1\] = 128/],
  ])('the CLI rejects %s with a one-line error and exit code 2', async (_what, content, message) => {
    const r = await hwflow('run', 'shiftadd', '--preset', 'ci-mul', '--input', inputFile(content));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('rejects a shift exponent above P in a narrower preset', async () => {
    const r = await hwflow('run', 'shiftadd', '--param', 'p=7', '--input', inputFile({ W_sign: [[0]], W_exp: [[8]], X: [[1]] }));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/tensor 'W_exp' takes \[M 1\.\.16, K 1\.\.64\] of uint\(3\) \(0\.\.7\); got W_exp\[0, 0\] = 8/);
  });

  it('rejects a design that declares no tensors', async () => {
    const r = await hwflow('run', 'counter', '--input', inputFile({}));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/design 'counter' declares no input and output tensors/);
  });

  // The reproducer of issue 15: on a preset with binary features the hardware adds a W row for every
  // non-zero feature, so x = 2 gave 50 where the layer is 100. x now takes 0/1 there.
  it('rejects a non-binary gcod feature on a binary-feature preset, naming x and what it takes', async () => {
    const x = [Array.from({ length: 16 }, (_, k) => (k === 0 ? 2 : 0)), Array(16).fill(0)];
    const w = Array.from({ length: 16 }, (_, k) => [k === 0 ? 100 : 0, 0, 0, 0]);
    const r = await hwflow('run', 'gcod', '--preset', 'ci', '--no-check', '--input', inputFile({ edges: [[0, 1]], x, w }));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: tensor 'x' takes \[nodes 1\.\.64, features = 16\] of uint\(1\) \(0\.\.1\); got x\[0, 0\] = 2 \(values are rejected, not wrapped\)$/);
  });

  it('rejects shiftaddllm-mac with K = 20, naming x, its shape and type', async () => {
    const r = await hwflow('run', 'shiftaddllm-mac', '--input', inputFile({ x: Array(20).fill(1), W: [Array(20).fill(1)] }));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: tensor 'x' takes \[K 8\.\.64 \(a multiple of 8\)\] of sint\(8\) \(-128\.\.127\); got shape \[20\]: K = 20 is not a multiple of 8$/);
  });

  // Errors the accelerators raise themselves (in golden and encode, through the same checkInputs).
  const llm = shiftaddllmAccelerator.presets.ci!;
  const conv = shiftAddPresets['ci-conv']!;
  const zeros = (shape: number[]) => ({ shape, data: Array<bigint>(shape.reduce((a, b) => a * b, 1)).fill(0n) });
  it.each<[string, () => unknown, RegExp]>([
    ['shiftaddllm with 2 bit-planes on a q = 3 design', () => shiftaddllmAccelerator.golden(llm, shiftaddllmAccelerator.randomInputs({ ...llm, q: 2 }, 1)),
      /^tensor 'idx' takes \[Q = 3, N 1\.\.16, G 1\.\.8\] of uint\(8\) \(0\.\.255\); got shape \[2, 16, 8\]: Q = 2 is not 3$/],
    ['shiftaddllm with K ≠ 8·G', () => shiftaddllmAccelerator.encode(llm, { ...shiftaddllmAccelerator.randomInputs(llm, 1), x: zeros([32]) }),
      /^tensor 'idx' takes .*; got shape \[3, 16, 8\] with G = 8 groups, but x has K = 32/],
    ['shiftaddllm-mac with K = 20', () => macGemvAccelerator.golden(macGemvAccelerator.presets.ci!, { x: zeros([20]), W: zeros([1, 20]) }), /^tensor 'x' takes \[K 8\.\.64 \(a multiple of 8\)\]/],
    ['a 2×2 convolution kernel', () => shiftadd.golden(conv, { W_sign: zeros([1, 1, 2, 2]), W_exp: zeros([1, 1, 2, 2]), X: zeros([1, 4, 4]) }),
      /^tensor 'W_sign' takes \[M 1\.\.16, Cin 1\.\.16, R 1\.\.3, S 1\.\.3\] of uint\(1\) \(0\.\.1\); got shape \[1, 1, 2, 2\]: the kernel is 2×2/],
    ['a map smaller than the kernel', () => shiftadd.encode({ ...conv, pad: 0 }, { W_sign: zeros([1, 1, 3, 3]), W_exp: zeros([1, 1, 3, 3]), X: zeros([1, 2, 4]) }),
      /^tensor 'X' takes \[Cin 1\.\.16, H 1\.\.8, W 1\.\.8\] .*; got shape \[1, 2, 4\]: a 2×4 map with padding 0 is smaller than the 3×3 kernel/],
    ['a gcod edge naming a node past x', () => gcod.golden(gcodPresets.ci!, { edges: { shape: [1, 2], data: [0n, 5n] }, x: zeros([2, 16]), w: zeros([16, 4]) }),
      /^tensor 'edges' takes \[edges 0\.\.1048576, pair = 2\] of uint\(32\) .*; got edges\[0\] = \[0, 5\], naming node 5, but x has 2 nodes/],
    ['gcod int8 features above the binary range', () => gcod.encode(gcodPresets.ci!, { edges: zeros([0, 2]), x: { shape: [1, 16], data: [-1n, ...Array<bigint>(15).fill(0n)] }, w: zeros([16, 4]) }),
      /^tensor 'x' takes .* of uint\(1\) \(0\.\.1\); got x\[0, 0\] = -1/],
  ])('the accelerators reject %s, naming the tensor', (_what, call, message) => {
    expect(call).toThrow(message);
  });

  // A graph with no edges is legal: every node is isolated, its self loop's normalised 1.0 is stored
  // as 255/256 (u0.8 saturates), so y = (255·z) >> 8 with z = x·w, here worked out by hand.
  it('runs gcod on a graph with no edges (edges of shape [0, 2]) and gives the golden layer', async () => {
    const x = [[1, 1, ...Array(14).fill(0)], [0, 1, ...Array(14).fill(0)], Array(16).fill(0)];
    const w = Array.from({ length: 16 }, (_, k) => (k === 0 ? [100, -7, 1, 0] : k === 1 ? [20, -128, 3, 127] : [5, 5, 5, 5]));
    const r = await hwflow('run', 'gcod', '--preset', 'ci', '--stall', '0.2', '--input', inputFile({ edges: { shape: [0, 2], data: [] }, x, w }));
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.check).toBe('passed');
    const z = [[120, -135, 4, 127], [20, -128, 3, 127], [0, 0, 0, 0]];
    expect(report.outputs.y).toEqual({ shape: [3, 4], data: z.flat().map((v) => Math.floor((255 * v) / 256)) });
  });
});
