// The ShiftAddLLM engine's RTL in Verilator against the golden kernel: the CI preset (K = 64, N = 16,
// q = 3), ragged sizes (K not a multiple of 8·lanes, N not a multiple of L, a single row, a single
// group) with both scale granularities, quantised "real" weights, and back-to-back problems in one
// session, all under seeded random stalls on every stream. Also the cycle count against the ideal.
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../dsl/generator.ts';
import { elaborate } from '../dsl/index.ts';
import { macGemvAccelerator as mac } from '../generators/shiftaddllm-mac/index.ts';
import { macGemvPresets } from '../generators/shiftaddllm-mac/create.ts';
import { randomLlmInputs, shiftaddllmAccelerator as acc } from '../generators/shiftaddllm/index.ts';
import { shiftAddLlmPresets, type ShiftAddLlmParams } from '../generators/shiftaddllm/params.ts';
import { quantizeWeights } from '../generators/shiftaddllm/quantize.ts';
import { driveStreams, runOnSim } from './shiftaddllm-support.ts';
import { acceleratorSession, openAcceleratorSim } from './support/accelerator-sim.ts';
import { Rng, testSeed } from './support/rng.ts';
import type { Sim } from '../testbenches/stream/session.ts';

const seed = testSeed();
const ci = shiftAddLlmPresets.ci!;
const ciRow = shiftAddLlmPresets['ci-row']!;

/** Tensors from a float matrix quantised on the host (the realistic case). */
function quantisedInputs(p: ShiftAddLlmParams, K: number, N: number, s: number): Record<string, Tensor> {
  const rng = new Rng(s);
  const W = Array.from({ length: N }, () => Array.from({ length: K }, () => rng.next() + rng.next() + rng.next() - 1.5));
  const qz = quantizeWeights(W, { q: p.q, mode: p.scales });
  const half = 2 ** (p.actWidth - 1);
  const G = K / 8;
  return {
    x: { shape: [K], data: Array.from({ length: K }, () => BigInt(rng.int(-half, half - 1))) },
    idx: { shape: [p.q, N, G], data: qz.idx.flat(2).map(BigInt) },
    scales: { shape: [p.q, N, p.scales === 'block' ? G : 1], data: qz.scales.flat(2).map(BigInt) },
  };
}

async function check(sim: Sim, p: ShiftAddLlmParams, inputs: Record<string, Tensor>, what: string): Promise<number> {
  const want = acc.golden(p, inputs);
  const got = await runOnSim(sim, acc, p, inputs);
  expect(got.y, `${what}, seed ${seed}`).toEqual(want.outputs.y!.data);
  return got.cycles;
}

describe.each([
  ['block scales', ci],
  ['row scales', ciRow],
] as const)(`shiftaddllm RTL, %s (seed ${seed})`, (_name, p) => {
  const sim = acceleratorSession(acc, p, { seed, stall: 0.3 }, 120_000);

  it('CI size K = 64, N = 16, q = 3: random bytes and codes, then quantised weights', async () => {
    await check(sim, p, randomLlmInputs(p, seed), 'random');
    await check(sim, p, quantisedInputs(p, 64, 16, seed + 1), 'quantised');
  }, 120_000);

  it.each([
    [24, 7], [8, 1], [64, 13], [40, 16], [16, 5],
  ])('ragged K = %i, N = %i back to back in one session', async (K, N) => {
    await check(sim, p, randomLlmInputs(p, seed + K * 17 + N, K, N), `K=${K} N=${N}`);
  }, 120_000);

  it('extreme values: all activations −128 and all scales 3·2^7 stay exact', async () => {
    const inputs = randomLlmInputs(p, seed, 64, 16);
    inputs.x!.data = inputs.x!.data.map(() => -128n);
    inputs.scales!.data = inputs.scales!.data.map(() => 511n);
    inputs.idx!.data = inputs.idx!.data.map((v, i) => (i % 3 === 0 ? 0n : v));
    await check(sim, p, inputs, 'extremes');
  }, 120_000);
});

describe(`shiftaddllm cycles (seed ${seed})`, () => {
  it('without stalls, the CI preset finishes within 5% of the ideal plus loading and read-out', async () => {
    const { sim, cleanup } = await openAcceleratorSim(acc, ci, { seed, stall: 0 });
    try {
      const inputs = randomLlmInputs(ci, seed);
      const cycles = await check(sim, ci, inputs, 'no stalls');
      const ideal = acc.golden(ci, inputs).idealCycles;
      // Overheads: cfg + 8 x tokens + the first table's fetch, 2 pipeline cycles, 4 read-out tokens.
      expect(cycles).toBeGreaterThanOrEqual(ideal);
      expect(cycles).toBeLessThanOrEqual(Math.ceil(1.05 * ideal));
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('the IR simulator agrees with golden on a one-group problem (no Verilator)', () => {
    const inputs = randomLlmInputs(ci, seed, 8, 6);
    const r = driveStreams(elaborate(acc.create(ci)), acc.encode(ci, inputs), { y: 2 }, { seed, stall: 0.25, maxCycles: 5000 });
    expect(acc.decode(ci, r.outputs, inputs).y!.data, `seed ${seed}`).toEqual(acc.golden(ci, inputs).outputs.y!.data);
  }, 60_000);
});

describe(`multiply baseline RTL (seed ${seed})`, () => {
  it('int8 GEMV on 4 MAC lanes: CI size and ragged sizes under stalls, then cycles without stalls', async () => {
    const p = macGemvPresets.ci!;
    const sized = (K: number, N: number, s: number): Record<string, Tensor> => mac.randomInputs({ ...p, kmax: K, nmax: N }, s);
    const { sim, cleanup } = await openAcceleratorSim(mac, p, { seed, stall: 0.3 });
    try {
      for (const [K, N] of [[64, 16], [8, 1], [24, 7], [64, 13]] as const) {
        const inputs = sized(K, N, seed + K + N);
        const got = await runOnSim(sim, mac, p, inputs);
        expect(got.y, `K=${K} N=${N}, seed ${seed}`).toEqual(mac.golden(p, inputs).outputs.y!.data);
      }
    } finally {
      await cleanup();
    }
    const quiet = await openAcceleratorSim(mac, p, { seed, stall: 0 });
    try {
      const inputs = sized(64, 16, seed);
      const got = await runOnSim(quiet.sim, mac, p, inputs);
      expect(got.y).toEqual(mac.golden(p, inputs).outputs.y!.data);
      const ideal = mac.golden(p, inputs).idealCycles;
      expect(got.cycles).toBeGreaterThanOrEqual(ideal);
      expect(got.cycles).toBeLessThanOrEqual(ideal + 16);
    } finally {
      await quiet.cleanup();
    }
  }, 180_000);
});
