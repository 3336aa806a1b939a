/**
 * The Bit Fusion array's RTL in Verilator against the plain integer dot products (CI preset, 2
 * units): every brick mode (precisions 2..8, so 3 → 4 and 5, 6, 7 → 8 are rounded up), ragged M, N, K,
 * extreme values, jobs back to back under seeded random stalls on every stream; the cycles without
 * stalls against the model (one x/w pair a cycle) and the products per unit per cycle of each mode;
 * the baseline preset (fixed int8 multipliers); and the input checks.
 */
import { describe, expect, it } from 'vitest';
import { checkInputs } from '../dsl/tensors.ts';
import type { Tensor } from '../dsl/generator.ts';
import { bitFusionAccelerator as acc, bitFusionCycles, bitFusionShape, randomBitFusionInputs } from '../generators/bitfusion/index.ts';
import { digitsOf, operandWord } from '../generators/bitfusion/modes.ts';
import { bitFusionPresets, type BitFusionParams } from '../generators/bitfusion/params.ts';
import { acceleratorSession, runJob } from './support/accelerator-sim.ts';
import { testSeed } from './support/rng.ts';
import type { Sim } from '../testbenches/stream/session.ts';

const seed = testSeed();
const ci = bitFusionPresets.ci!;
const run = (sim: Sim, p: BitFusionParams, t: Record<string, Tensor>) => runJob(sim, acc, p, t, 'y');
const check = (p: BitFusionParams, got: Record<string, Tensor>, t: Record<string, Tensor>, what: string) =>
  expect(got.Y!.data, `${what}, seed ${seed}`).toEqual(acc.golden(p, t).outputs.Y!.data);
const full = (shape: number[], v: number): Tensor => ({ shape, data: new Array(shape[0]! * shape[1]!).fill(BigInt(v)) });
const extremes = (bits: number, M: number, N: number, K: number): Record<string, Tensor>[] => {
  const lo = -(2 ** (bits - 1));
  const b: Tensor = { shape: [1], data: [BigInt(bits)] };
  return [
    { X: full([M, K], lo), W: full([N, K], lo), bits: b },
    { X: full([M, K], lo), W: full([N, K], -lo - 1), bits: b },
    { X: full([M, K], -lo - 1), W: full([N, K], -lo - 1), bits: b },
  ];
};

describe('bitfusion host layout', () => {
  it('digits are two\'s complement, least significant first, element e at e·B/2', () => {
    expect(digitsOf(-1, 4)).toEqual([3, 3]);
    expect(digitsOf(-128, 8)).toEqual([0, 0, 0, 2]);
    expect(digitsOf(5, 8)).toEqual([1, 1, 0, 0]);
    expect(operandWord([1, -2], 2)).toEqual([1, 2, ...new Array(14).fill(0)]);
    expect(operandWord([-8, 7], 4)).toEqual([0, 2, 3, 1, ...new Array(12).fill(0)]);
  });
});

describe(`bitfusion RTL, CI preset under random stalls (seed ${seed})`, () => {
  const sim = acceleratorSession(acc, ci, { seed, stall: 0.3 });

  it.each([2, 3, 4, 5, 6, 8])('precision %i bits: full-size, ragged and extreme jobs back to back', async (bits) => {
    const sizes = [{ M: 4, N: 4, K: 40 }, { M: 3, N: 3, K: 17 }, { M: 1, N: 1, K: 1 }, { M: 2, N: 4, K: 5 }];
    for (const [i, s] of sizes.entries()) {
      const t = randomBitFusionInputs(seed + 31 * bits + i, { ...s, bits });
      check(ci, (await run(sim, ci, t)).got, t, `${bits} bits, M ${s.M} N ${s.N} K ${s.K}`);
    }
    for (const [i, t] of extremes(bits, 2, 3, 40).entries()) check(ci, (await run(sim, ci, t)).got, t, `${bits} bits, extremes ${i}`);
  });

  it('FracTrain\'s schedule 3, 4, 4, 6, 6: five jobs queued at once, the mode switching between them', async () => {
    const jobs = [3, 4, 4, 6, 6].map((bits, i) => randomBitFusionInputs(seed + 500 + i, { M: 3, N: 4, K: 21, bits }));
    const before = sim.received('y').length;
    for (const t of jobs) for (const [s, list] of Object.entries(acc.encode(ci, t))) sim.send(s, list);
    const counts = jobs.map((t) => acc.outputTokens!(ci, t).y!);
    await sim.run({ until: { y: before + counts.reduce((a, b) => a + b, 0) } });
    let at = before;
    for (const [i, t] of jobs.entries()) {
      const got = acc.decode(ci, { y: sim.received('y').slice(at, at + counts[i]!) }, t);
      at += counts[i]!;
      check(ci, got, t, `schedule job ${i} (${t.bits!.data[0]} bits)`);
    }
  });
});

describe(`bitfusion cycles without stalls (seed ${seed})`, () => {
  const sim = acceleratorSession(acc, ci, { seed, stall: 0 });

  it('one x/w pair a cycle: 1, 4, 16 products per unit per cycle at 8, 4, 2 bits', async () => {
    const perUnit: Record<number, number> = {};
    for (const bits of [8, 4, 2]) {
      const t = randomBitFusionInputs(seed + bits, { M: 4, N: 4, K: 32, bits });
      const { got, cycles } = await run(sim, ci, t);
      check(ci, got, t, `no stalls, ${bits} bits`);
      const model = bitFusionCycles(ci, t);
      expect(cycles, `${bits} bits: cycles ${cycles} vs model ${model.total}`).toBe(model.total);
      const s = bitFusionShape(ci, t);
      perUnit[bits] = (s.M * s.N * s.K) / (ci.units * model.tokens);
      console.log(`bitfusion ci, ${bits} bits: ${cycles} cycles (model ${model.total}, bound ${model.bound}), ${perUnit[bits]} products per unit per cycle`);
    }
    expect(perUnit).toEqual({ 8: 1, 4: 4, 2: 16 });
  });
});

describe(`bitfusion baseline (ci-mac: one int8 multiplier a unit) under random stalls (seed ${seed})`, () => {
  const p = bitFusionPresets['ci-mac']!;
  const sim = acceleratorSession(acc, p, { seed, stall: 0.3 });

  it('every precision at the 8-bit rate, equal to golden', async () => {
    for (const bits of [2, 4, 8]) {
      const t = randomBitFusionInputs(seed + 7 * bits, { M: 3, N: 3, K: 9, bits });
      expect(bitFusionShape(p, t).E).toBe(1);
      check(p, (await run(sim, p, t)).got, t, `baseline, ${bits} bits`);
    }
    const [t] = extremes(8, 2, 2, 40);
    check(p, (await run(sim, p, t!)).got, t!, 'baseline, −128·−128 everywhere');
  });
});

describe('bitfusion input checks', () => {
  const good = (bits = 4) => randomBitFusionInputs(1, { M: 2, N: 3, K: 5, bits });
  it('values out of the job\'s width, a bad precision and bad shapes name the tensor', () => {
    expect(() => checkInputs(acc, ci, good())).not.toThrow();
    const t1 = good(4);
    t1.X!.data[6] = 8n;
    expect(() => checkInputs(acc, ci, t1)).toThrow(/tensor 'X'.*X\[1, 1\] = 8, out of the job's 4-bit range -8\.\.7/);
    const t2 = good(2);
    t2.W!.data[0] = -3n;
    expect(() => acc.encode(ci, t2)).toThrow(/tensor 'W'.*W\[0, 0\] = -3, out of the job's 2-bit range -2\.\.1/);
    const t3 = good();
    t3.bits = { shape: [1], data: [9n] };
    expect(() => acc.golden(ci, t3)).toThrow(/tensor 'bits'.*bits = 9: the precision of a job is 2\.\.8/);
    const t4 = good();
    t4.W = { shape: [3, 6], data: new Array(18).fill(0n) };
    expect(() => checkInputs(acc, ci, t4)).toThrow(/tensor 'W'.*K = 6, but tensor 'X' has K = 5/);
    const t5 = good();
    t5.X = { shape: [5, 5], data: new Array(25).fill(0n) };
    expect(() => checkInputs(acc, ci, t5)).toThrow(/tensor 'X'.*M = 5 is not in 1\.\.4/);
  });
});
