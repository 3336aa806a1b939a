/**
 * The ShiftAddViT engine's RTL in Verilator against the golden kernels, CI preset, under seeded random
 * stalls on every stream: the binary-code attention on random heads (ragged N, sparse and dense codes,
 * the extremes: every bit set and every V −128, no bit set); the MLP's token router with its multiply
 * and shift experts (mixed routes, every token to one expert, ragged N, jobs queued back to back,
 * the extremes); then, without stalls, its cycles against
 * the run model (`attentionCycles`) and the bound (`attentionBound`).
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../dsl/generator.ts';
import { shiftAddVitAccelerator as acc, randomAttentionInputs, randomMlpInputs } from '../generators/shiftaddvit/index.ts';
import { attentionBound, attentionCycles, shiftAddVitPresets } from '../generators/shiftaddvit/params.ts';
import { acceleratorSession, openAcceleratorSim, runJob } from './support/accelerator-sim.ts';
import { Rng, testSeed } from './support/rng.ts';

const seed = testSeed();
const ci = shiftAddVitPresets.ci!;
const ciMlp = { ...ci, part: 'mlp' };

function check(got: Record<string, Tensor>, inputs: Record<string, Tensor>, what: string): void {
  const want = acc.golden(ci, inputs).outputs;
  expect(got.O!.data, `${what}: O, seed ${seed}`).toEqual(want.O!.data);
  expect(got.L!.data, `${what}: L, seed ${seed}`).toEqual(want.L!.data);
}

const full = (shape: number[], v: bigint): Tensor => ({ shape, data: new Array<bigint>(shape.reduce((a, b) => a * b, 1)).fill(v) });

describe(`shiftaddvit RTL, CI preset under random stalls 0.3 (seed ${seed})`, () => {
  const sim = acceleratorSession(acc, ci, { seed, stall: 0.3 });

  it('attention: random heads, ragged N, sparse and dense codes', async () => {
    const rng = new Rng(seed);
    for (const N of [16, 1, 7, 16, 3]) {
      const t = randomAttentionInputs(ci, seed + N, rng.int(1, 3), N, rng.next());
      check((await runJob(sim, acc, ci, t, 'out')).got, t, `N = ${N}`);
    }
  });

  it('attention extremes: every bit set and V = −128 at N = 16 (the widest O and L); no bit set', async () => {
    const all = { Qc: full([1, 16], 0xffffn), Kc: full([1, 16], 0xffffn), V: full([1, 16, 8], -128n) };
    check((await runJob(sim, acc, ci, all, 'out')).got, all, 'all bits, −128');
    const none = { ...randomAttentionInputs(ci, seed, 1, 16), Qc: full([1, 16], 0n) };
    check((await runJob(sim, acc, ci, none, 'out')).got, none, 'no query bit');
  });
});

function checkMlp(got: Record<string, Tensor>, inputs: Record<string, Tensor>, what: string): void {
  expect(got.Y!.data, `${what}: Y, seed ${seed}`).toEqual(acc.golden(ciMlp, inputs).outputs.Y!.data);
}

describe(`shiftaddvit MLP router RTL, CI preset under random stalls 0.3 (seed ${seed})`, () => {
  const sim = acceleratorSession(acc, ciMlp, { seed, stall: 0.3 });

  it('random routes, ragged N; every token to one expert (the other gets no cfg and no weights)', async () => {
    const rng = new Rng(seed);
    for (const [N, toShift] of [[16, 0.5], [1, 1], [9, 0], [16, rng.next()], [5, 1], [13, 0.5]] as const) {
      const t = randomMlpInputs(ciMlp, seed + N, N, toShift);
      checkMlp((await runJob(sim, acc, ciMlp, t, 'y')).got, t, `N = ${N}, toShift ${toShift}`);
    }
  });

  it('jobs queued back to back; the extremes (x = −128, weights −128, exponents 0)', async () => {
    const jobs = [randomMlpInputs(ciMlp, seed + 1, 16), randomMlpInputs(ciMlp, seed + 2, 3, 1), randomMlpInputs(ciMlp, seed + 3, 7, 0)];
    const ext = randomMlpInputs(ciMlp, seed + 4, 16);
    jobs.push({ ...ext, X: full([16, 8], -128n), Wm: full([4, 8], -128n), Ws_sign: full([4, 8], 0n), Ws_exp: full([4, 8], 0n) });
    const before = sim.received('y').length;
    for (const t of jobs) for (const [s, list] of Object.entries(acc.encode(ciMlp, t))) sim.send(s, list);
    const total = jobs.reduce((a, t) => a + t.X!.shape[0]!, 0);
    await sim.run({ until: { y: before + total } });
    let at = before;
    for (const [i, t] of jobs.entries()) {
      const n = t.X!.shape[0]!;
      checkMlp(acc.decode(ciMlp, { y: sim.received('y').slice(at, at + n) }, t), t, `queued job ${i}`);
      at += n;
    }
  });
});

describe(`shiftaddvit RTL cycles without stalls (seed ${seed})`, () => {
  it('attention cycles = the run model exactly; ≤ 1.10× the bound', async () => {
    const { sim, cleanup } = await openAcceleratorSim(acc, ci, { seed, stall: 0 });
    try {
      for (const [H, N] of [[3, 16], [1, 16], [2, 11]] as const) {
        const t = randomAttentionInputs(ci, seed + H, H, N);
        const { got, cycles } = await runJob(sim, acc, ci, t, 'out');
        check(got, t, `H = ${H}, N = ${N}`);
        const heads = new Array<number>(H).fill(N);
        expect(cycles, `H = ${H}, N = ${N}`).toBe(attentionCycles(heads));
        if (N === 16) expect(cycles / attentionBound(heads)).toBeLessThanOrEqual(1.1);
      }
    } finally {
      await cleanup();
    }
  }, 240_000);
});
