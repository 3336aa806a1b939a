// The audit of issue 15, kept as a test: what `hwflow run` accepts, the hardware computes exactly.
// Each registered Accelerator runs, through the same path as `hwflow run` (checkInputs, then
// runAccelerator in Verilator under random stalls), at the edges of what its specs accept: the
// smallest sizes, the largest sizes with every value at its extreme (the accumulators' widths),
// odd convolution maps, graphs with no edge, one node, a hub, duplicate and self-citing edges.
import { describe, expect, it } from 'vitest';
import { runAccelerator } from '../verify/run-accelerator.ts';
import type { Accelerator, ParamValue, Tensor } from '../dsl/generator.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { checkInputs } from '../dsl/tensors.ts';
import { gcod } from '../generators/gcod/index.ts';
import { gcodPresets } from '../generators/gcod/params.ts';
import { macGemvAccelerator } from '../generators/shiftaddllm/baseline.ts';
import { shiftaddllmAccelerator } from '../generators/shiftaddllm/index.ts';
import { randomConvInputs, randomShiftAddInputs, shiftadd } from '../generators/shiftadd/index.ts';
import { shiftAddPresets, type ShiftAddParams } from '../generators/shiftadd/params.ts';
import { testSeed } from './support/rng.ts';

const full = (shape: number[], v: bigint | ((i: number) => bigint)): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Array.from({ length: n }, (_, i) => (typeof v === 'bigint' ? v : v(i))) };
};
const seed = testSeed();

type Case = [string, Accelerator, Record<string, ParamValue>, () => Record<string, Tensor>];
const sa = (preset: string, over: Partial<ShiftAddParams> = {}) => ({ ...shiftAddPresets[preset]!, ...over }) as ShiftAddParams;
const llm = shiftaddllmAccelerator.presets.ci!;
const llmRow = shiftaddllmAccelerator.presets['ci-row']!;
const mac = macGemvAccelerator.presets.ci!;
const g = gcodPresets.ci!;
const gInt8 = { ...g, binaryFeatures: false };

const cases: Case[] = [
  ['shiftadd shift, 1×1·1×1', shiftadd, sa('ci'), () => randomShiftAddInputs(sa('ci'), { M: 1, K: 1, N: 1 }, seed)],
  ['shiftadd mul, largest sizes, every value −128', shiftadd, sa('ci-mul'), () => ({ W: full([16, 64], -128n), X: full([64, 16], -128n) })],
  ['shiftadd adder, largest sizes, |x − w| = 255 everywhere', shiftadd, sa('ci-adder'), () => ({ W: full([16, 64], 127n), X: full([64, 16], -128n) })],
  ['shiftadd shift, largest sizes, e = 0 and x = −128 everywhere', shiftadd, sa('ci'), () => ({ W_sign: full([16, 64], 1n), W_exp: full([16, 64], 0n), X: full([64, 16], -128n) })],
  ['shiftadd pair, saturating requantisation both ways', shiftadd, sa('ci-pair'), () => ({
    W1_sign: full([16, 64], (i) => BigInt((i >> 6) & 1)), W1_exp: full([16, 64], 0n), X: full([64, 16], -128n), W2: full([16, 16], (i) => (i % 2 ? 127n : -128n)),
  })],
  ['shiftadd pair, 1×1 layers', shiftadd, sa('ci-pair'), () => randomShiftAddInputs(sa('ci-pair'), { M: 1, K: 1, N: 1, M2: 1 }, seed)],
  ['shiftadd conv adder, 1×1 map padded to 3×3', shiftadd, sa('ci-conv', { kind: 'adder' }), () => randomConvInputs(sa('ci-conv', { kind: 'adder' }), { M: 3, Cin: 1, R: 3, H: 1, W: 1 }, seed)],
  ['shiftadd conv, 7×5 map, stride 2, no padding', shiftadd, sa('ci-conv', { stride: 2, pad: 0 }), () => randomConvInputs(sa('ci-conv', { stride: 2, pad: 0 }), { M: 9, Cin: 11, R: 3, H: 7, W: 5 }, seed)],
  ['shiftadd conv, 1×1 kernel, stride 2, padding 1, odd map', shiftadd, sa('ci-conv', { stride: 2, pad: 1 }), () => randomConvInputs(sa('ci-conv', { stride: 2, pad: 1 }), { M: 5, Cin: 16, R: 1, H: 7, W: 8 }, seed)],
  ['shiftadd conv mul, largest map and channels, every value −128', shiftadd, sa('ci-conv', { kind: 'mul' }), () => ({ W: full([16, 16, 3, 3], -128n), X: full([16, 8, 8], -128n) })],
  ['shiftaddllm, K = 8, N = 1', shiftaddllmAccelerator, llm, () => ({ x: full([8], -128n), idx: full([3, 1, 1], 0n), scales: full([3, 1, 1], 511n) })],
  ['shiftaddllm, largest sizes at the largest |y|', shiftaddllmAccelerator, llm, () => ({ x: full([64], -128n), idx: full([3, 16, 8], 0n), scales: full([3, 16, 8], 511n) })],
  ['shiftaddllm row scales, largest sizes at the largest |y|', shiftaddllmAccelerator, llmRow, () => ({ x: full([64], -128n), idx: full([3, 16, 8], 255n), scales: full([3, 16, 1], 511n) })],
  ['shiftaddllm-mac, K = 8, N = 1', macGemvAccelerator, mac, () => ({ x: full([8], 127n), W: full([1, 8], -128n) })],
  ['shiftaddllm-mac, largest sizes, every value −128', macGemvAccelerator, mac, () => ({ x: full([64], -128n), W: full([16, 64], -128n) })],
  ['gcod, one node, no edge', gcod, g, () => ({ edges: full([0, 2], 0n), x: full([1, 16], 1n), w: full([16, 4], 127n) })],
  ['gcod, a 64-node star with duplicate, reversed and self-citing edges', gcod, g, () => ({
    edges: { shape: [130, 2], data: [...Array.from({ length: 63 }, (_, i) => [0n, BigInt(i + 1)]).flat(), ...Array.from({ length: 63 }, (_, i) => [BigInt(i + 1), 0n]).flat(), 5n, 5n, 0n, 0n, 0n, 1n, 1n, 0n] },
    x: full([64, 16], 1n), w: full([16, 4], -128n),
  })],
  ['gcod baseline, the same star', gcod, gcodPresets['ci-baseline']!, () => ({
    edges: { shape: [63, 2], data: Array.from({ length: 63 }, (_, i) => [BigInt(i + 1), 0n]).flat() }, x: full([64, 16], 1n), w: full([16, 4], 127n),
  })],
  ['gcod int8 features, a star, every value −128', gcod, gInt8, () => ({
    edges: { shape: [63, 2], data: Array.from({ length: 63 }, (_, i) => [0n, BigInt(i + 1)]).flat() }, x: full([64, 16], -128n), w: full([16, 4], -128n),
  })],
];

describe(`accelerators at the edges of their inputs, Verilator, stalls 0.2 (seed ${seed})`, () => {
  it.each(cases)('%s: accepted, and the hardware gives the golden integers', async (_what, acc, params, make) => {
    const inputs = make();
    checkInputs(acc, params, inputs);
    const report = await runAccelerator(acc, elaborate(acc.create(params)), inputs, { seed, stall: 0.2, check: true, info: { generator: acc.name, params } });
    expect(report.mismatch ?? null).toBeNull();
    expect(report.check).toBe('passed');
  });
});
