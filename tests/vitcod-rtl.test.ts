/**
 * The ViTCoD engine's RTL in Verilator against the golden kernel: random int8 Q/K/V with random
 * masks (CLS column, diagonal, random global columns, random sparse pairs) at the CI preset, ragged
 * N, several heads back to back, under seeded random stalls on every stream; the real DeiT-Tiny
 * masks of two heads (the one with the most global tokens and one with a single one) at d = 8;
 * the IR simulator on a tiny case; and the cycle count without stalls against the phase model.
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { elaborate } from '../dsl/index.ts';
import { checkInputs } from '../dsl/tensors.ts';
import { runAccelerator } from '../verify/run-accelerator.ts';
import type { Tensor } from '../dsl/generator.ts';
import { groupRows, headLoads, pipelineCycles, planHeads, randomVitcodInputs, toHeads, vitcodAccelerator as acc, vitcodTokens } from '../generators/vitcod/index.ts';
import { dataDir, readDeitMasks } from '../generators/vitcod/npy.ts';
import { vitcodPresets, type VitcodParams } from '../generators/vitcod/params.ts';
import { driveStreams } from './shiftaddllm-support.ts';
import { acceleratorSession, openAcceleratorSim, runJob } from './support/accelerator-sim.ts';
import { Rng, testSeed } from './support/rng.ts';
import type { Sim } from '../testbenches/stream/session.ts';

const seed = testSeed();
const ci = vitcodPresets.ci!;
const DATA = dataDir(resolve(import.meta.dirname, '..'));
if (!DATA) console.warn('vitcod-rtl: no ../shared/data (or HWFLOW_DATA) folder; the real-mask test is skipped');

/** Run the heads of `inputs` through an open session; tokens from `tokens` (default: the accelerator's). */
const run = (sim: Sim, p: VitcodParams, inputs: Record<string, Tensor>, tokens?: Record<string, bigint[]>) => runJob(sim, acc, p, inputs, 'out', tokens);

function check(got: Record<string, Tensor>, inputs: Record<string, Tensor>, p: VitcodParams, what: string): void {
  const want = acc.golden(p, inputs).outputs;
  expect(got.L!.data, `${what}: L, seed ${seed}`).toEqual(want.L!.data);
  expect(got.O!.data, `${what}: O, seed ${seed}`).toEqual(want.O!.data);
}

describe(`vitcod RTL, CI preset under random stalls (seed ${seed})`, () => {
  const sim = acceleratorSession(acc, ci, { seed, stall: 0.3 });

  it('random data and masks: 3 heads of N = 16, then ragged N back to back', async () => {
    const rng = new Rng(seed);
    const a = randomVitcodInputs(ci, seed, 3, 16, 0.2);
    check((await run(sim, ci, a)).got, a, ci, 'N = 16');
    for (const N of [1, 5, 16, 9]) {
      const t = randomVitcodInputs(ci, seed + N, rng.int(1, 2), N, rng.next() * 0.6);
      check((await run(sim, ci, t)).got, t, ci, `N = ${N}`);
    }
  });

  it('extremes: every pair kept with Q = K = −128 (the largest scores), V = −128, and an empty mask but the diagonal', async () => {
    const N = 16;
    const full = (v: bigint): Tensor => ({ shape: [1, N, ci.d], data: new Array(N * ci.d).fill(v) });
    const t = { Q: full(-128n), K: full(-128n), V: full(-128n), M: { shape: [1, N, N], data: new Array(N * N).fill(1n) } };
    check((await run(sim, ci, t)).got, t, ci, 'all kept');
    const diag = randomVitcodInputs(ci, seed, 1, N);
    diag.M = { shape: [1, N, N], data: Array.from({ length: N * N }, (_, x) => (Math.floor(x / N) === x % N ? 1n : 0n)) };
    check((await run(sim, ci, diag)).got, diag, ci, 'diagonal only');
  });
});

describe.skipIf(!DATA)(`vitcod RTL on real DeiT-Tiny masks at d = 8 (seed ${seed})`, () => {
  it('layer 2 head 0 (70 global tokens) and layer 0 head 0 (1 global token), 8 lines, under stalls', async () => {
    const p = vitcodPresets['deit-d8']!;
    const masks = readDeitMasks(DATA!);
    const picks = [[2, 0], [0, 0]] as const;
    const N = masks.N;
    const rng = new Rng(seed);
    const int8 = () => BigInt(rng.int(-128, 127));
    const H = picks.length;
    const inputs: Record<string, Tensor> = {
      Q: { shape: [H, N, p.d], data: Array.from({ length: H * N * p.d }, int8) },
      K: { shape: [H, N, p.d], data: Array.from({ length: H * N * p.d }, int8) },
      V: { shape: [H, N, p.d], data: Array.from({ length: H * N * p.d }, int8) },
      M: { shape: [H, N, N], data: picks.flatMap(([l, h]) => masks.keep(l, h).flat().map((k) => (k ? 1n : 0n))) },
    };
    const heads = toHeads(p, inputs);
    const plans = planHeads(p, heads, picks.map(([l, h]) => masks.globalCount(l, h)));
    const { sim, cleanup } = await openAcceleratorSim(acc, p, { seed, stall: 0.2 });
    try {
      const tokens = acc.encode(p, inputs); // the default plan (threshold) ...
      check((await run(sim, p, inputs, tokens)).got, inputs, p, 'threshold plan');
      // ... and the data's global counts: the same outputs from another split of the lines.
      const byCount = vitcodTokens(p, heads, plans);
      const bits = Object.fromEntries(Object.entries(byCount).map(([s, v]) => [s, v.map((x) => sim.codec(s).encode(x as never))]));
      check((await run(sim, p, inputs, bits)).got, inputs, p, 'global counts from the data');
    } finally {
      await cleanup();
    }
  });
});

describe(`vitcod RTL with the auto-encoder's decoder, an 8-byte port and 5 cycles of latency (seed ${seed})`, () => {
  const p = vitcodPresets['ci-ae']!;
  it('4 heads (a group of 3 sharing 2 Q and 2 K codes, then one head alone) under stalls, then without: golden on the decoded Q/K, the bytes counted, the cycles of the model', async () => {
    const { sim, cleanup } = await openAcceleratorSim(acc, p, { seed, stall: 0.3 });
    try {
      const t = randomVitcodInputs(p, seed, 4, 16, 0.3);
      const loads = headLoads(p, toHeads(p, t));
      expect(loads.map((l) => l.mode)).toEqual([1, 2, 2, 1]);
      check((await run(sim, p, t)).got, t, p, 'coded, stalls');
      // The hardware counter: every byte the port took (5 rows per token for a head bringing codes, else 1).
      const bytes = loads.reduce((a, l) => a + groupRows(l.mode) * 16 * p.d, 0);
      expect(await sim.peek('offchipBytes'), `seed ${seed}`).toBe(BigInt(bytes));
    } finally {
      await cleanup();
    }
    const quiet = await openAcceleratorSim(acc, p, { seed, stall: 0 });
    try {
      const t = randomVitcodInputs(p, seed + 1, 4, 16, 0.3);
      const { got, cycles } = await run(quiet.sim, p, t);
      check(got, t, p, 'coded, no stalls');
      const plans = planHeads(p, toHeads(p, t));
      const model = pipelineCycles(p, plans.map((pl, n) => ({ N: 16, steps: pl.steps, rows: groupRows(headLoads(p, toHeads(p, t))[n]!.mode) }))).total;
      expect(Math.abs(cycles - model), `cycles ${cycles}, model ${model}`).toBeLessThanOrEqual(2);
      // Raw Q/K/V (mode 0) through the same port: the exact kernel, 3 rows per token.
      const heads = toHeads(p, t);
      const raw = vitcodTokens(p, heads, plans, heads.map(() => ({ mode: 0, dq: [0, 0], sq: 0, dk: [0, 0], sk: 0 })));
      const before = await quiet.sim.peek('offchipBytes');
      const r = await run(quiet.sim, p, t, Object.fromEntries(Object.entries(raw).map(([s, v]) => [s, v.map((x) => quiet.sim.codec(s).encode(x as never))])));
      check(r.got, t, ci, 'raw on the decoder design'); // the ci preset's golden: the exact kernel, same d and σ
      expect(await quiet.sim.peek('offchipBytes') - before).toBe(BigInt(4 * 3 * 16 * p.d));
    } finally {
      await quiet.cleanup();
    }
  }, 240_000);
});

describe(`vitcod cycles and the IR simulator (seed ${seed})`, () => {
  it('without stalls, the run takes the pipeline model (load, compute = 1 + 2·steps·d/macs + N/R, read-out = N, overlapped), sparse and dense', async () => {
    const { sim, cleanup } = await openAcceleratorSim(acc, ci, { seed, stall: 0 });
    try {
      const t = randomVitcodInputs(ci, seed, 4, 16, 0.3);
      const { got, cycles } = await run(sim, ci, t);
      check(got, t, ci, 'no stalls');
      const plans = planHeads(ci, toHeads(ci, t));
      const model = pipelineCycles(ci, plans.map((pl) => ({ N: 16, steps: pl.steps }))).total;
      expect(Math.abs(cycles - model), `cycles ${cycles}, model ${model}`).toBeLessThanOrEqual(2);
      // The dense baseline: the same engine with every pair kept (the bench's model of it).
      const dense = { ...t, M: { shape: [4, 16, 16], data: new Array<bigint>(4 * 256).fill(1n) } };
      const d = await run(sim, ci, dense);
      check(d.got, dense, ci, 'every pair kept');
      const denseModel = pipelineCycles(ci, [0, 1, 2, 3].map(() => ({ N: 16, steps: 256 / ci.lines }))).total;
      expect(Math.abs(d.cycles - denseModel), `dense cycles ${d.cycles}, model ${denseModel}`).toBeLessThanOrEqual(2);
    } finally {
      await cleanup();
    }
  });

  it('the IR simulator agrees with golden on two small heads (no Verilator)', () => {
    const t = randomVitcodInputs(ci, seed, 2, 6, 0.3);
    const r = driveStreams(elaborate(acc.create(ci)), acc.encode(ci, t), acc.outputTokens!(ci, t), { seed, stall: 0.25, maxCycles: 5000 });
    check(acc.decode(ci, r.outputs, t), t, ci, 'IR simulator');
  });
});

describe(`vitcod at the edges of what hwflow run accepts, Verilator, stalls 0.2 (seed ${seed})`, () => {
  const full = (shape: number[], v: bigint | ((i: number) => bigint)): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return { shape, data: Array.from({ length: n }, (_, i) => (typeof v === 'bigint' ? v : v(i))) };
  };
  const cases: [string, () => Record<string, Tensor>][] = [
    ['one head of one token', () => ({ Q: full([1, 1, 16], 127n), K: full([1, 1, 16], -128n), V: full([1, 1, 16], -128n), M: full([1, 1, 1], 1n) })],
    ['3 heads of 16 tokens, every pair kept, every value −128 (largest S, O and L)', () => ({
      Q: full([3, 16, 16], -128n), K: full([3, 16, 16], -128n), V: full([3, 16, 16], -128n), M: full([3, 16, 16], 1n),
    })],
    ['rows that keep nothing, and a head that keeps nothing', () => {
      const t = randomVitcodInputs(ci, seed, 2, 16, 0.3);
      t.M = full([2, 16, 16], (x) => (x < 256 && Math.floor(x / 16) % 3 !== 1 ? t.M!.data[x]! : 0n));
      return t;
    }],
    ['the largest spread of scores: Q = 127, K alternating ±', () => ({
      Q: full([1, 16, 16], 127n), K: full([1, 16, 16], (x) => (Math.floor(x / 16) % 2 ? -128n : 127n)), V: full([1, 16, 16], (x) => BigInt((x % 256) - 128)), M: full([1, 16, 16], 1n),
    })],
  ];
  it.each(cases)('%s: accepted, and the hardware gives the golden integers', async (_what, make) => {
    const inputs = make();
    checkInputs(acc, ci, inputs);
    const report = await runAccelerator(acc, elaborate(acc.create(ci)), inputs, { seed, stall: 0.2, check: true, info: { generator: acc.name, params: ci } });
    expect(report.mismatch ?? null).toBeNull();
    expect(report.check).toBe('passed');
  });
  it('rejects, naming the tensor: a mask of the wrong size, d other than the design\'s, a value out of range, too many pairs per line', () => {
    const t = randomVitcodInputs(ci, seed, 1, 8);
    expect(() => checkInputs(acc, ci, { ...t, M: full([1, 8, 7], 0n) })).toThrow(/tensor 'M'/);
    expect(() => checkInputs(acc, ci, { ...t, Q: full([1, 8, 8], 0n) })).toThrow(/tensor 'Q'.*D = 8/);
    expect(() => checkInputs(acc, ci, { ...t, V: { ...t.V!, data: t.V!.data.map((x, i) => (i === 3 ? 128n : x)) } })).toThrow(/tensor 'V'.*= 128/);
    const few = { ...ci, lines: 1 };
    expect(() => checkInputs(acc, few, { ...randomVitcodInputs(ci, seed, 1, 16), M: full([1, 16, 16], 1n) })).toThrow(/tensor 'M'.*256 pairs but the design holds 64/);
  });
});
