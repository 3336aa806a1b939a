/**
 * The SmartExchange engine's RTL in Verilator against the golden kernel (CI preset): random bases,
 * Ce codes and activations at activation sparsities 0, 0.5 and 0.7, ragged M, G, N, several jobs
 * back to back, under seeded random stalls on every stream; the cycle count without stalls against
 * the control's model (`seCycles`); and the input checks (every bad tensor named).
 */
import { describe, expect, it } from 'vitest';
import { checkInputs } from '../dsl/tensors.ts';
import type { Tensor } from '../dsl/generator.ts';
import { randomSeInputs, seAccelerator as acc, seCycles } from '../generators/smartexchange/index.ts';
import { sePresets, type SeParams } from '../generators/smartexchange/params.ts';
import { acceleratorSession, runJob } from './support/accelerator-sim.ts';
import { testSeed } from './support/rng.ts';
import type { Sim } from '../testbenches/stream/session.ts';

const seed = testSeed();
const ci = sePresets.ci!;

const run = (sim: Sim, p: SeParams, inputs: Record<string, Tensor>) => runJob(sim, acc, p, inputs, 'y');

function check(got: Record<string, Tensor>, inputs: Record<string, Tensor>, what: string): void {
  expect(got.Y!.data, `${what}, seed ${seed}`).toEqual(acc.golden(ci, inputs).outputs.Y!.data);
}

describe(`smartexchange RTL, CI preset under random stalls (seed ${seed})`, () => {
  const sim = acceleratorSession(acc, ci, { seed, stall: 0.3 });

  it.each([0, 0.5, 0.7])('activation sparsity %s: full-size and ragged jobs back to back', async (xZero) => {
    const sizes = [{ M: 16, G: 8, N: 8 }, { M: 5, G: 3, N: 7 }, { M: 1, G: 1, N: 1 }, { M: 9, G: 8, N: 2 }];
    for (const [i, s] of sizes.entries()) {
      const t = randomSeInputs(seed + i * 7 + Math.round(xZero * 10), { ...s, xZero, ceZero: 0.4 });
      check((await run(sim, ci, t)).got, t, `M ${s.M} G ${s.G} N ${s.N} x-sparsity ${xZero}`);
    }
  });

  it('extremes: B = −128 and Ce = ±32 everywhere (|W| = 12288), X = −128; all-zero Ce; all-zero X', async () => {
    const M = 4, G = 8, N = 8;
    const full = (shape: number[], v: bigint): Tensor => ({ shape, data: new Array(shape.reduce((a, b) => a * b, 1)).fill(v) });
    const big = { B: full([M, 3, 3], -128n), C: full([M, G, 3], 32n), X: full([3 * G, N], -128n) };
    check((await run(sim, ci, big)).got, big, 'largest');
    const neg = { ...big, C: full([M, G, 3], -32n), X: full([3 * G, N], 127n) };
    check((await run(sim, ci, neg)).got, neg, 'largest negative');
    const noW = { ...big, C: full([M, G, 3], 0n) };
    check((await run(sim, ci, noW)).got, noW, 'all-zero Ce');
    const noX = { ...big, X: full([3 * G, N], 0n) };
    check((await run(sim, ci, noX)).got, noX, 'all-zero X');
  });
});

// The model is exact, not a bound: both control units are registered state machines whose every
// step (token taken, column ended, bank freed) is a fixed number of cycles; without stalls nothing
// else varies. Checked on two banks (ci: 3 groups, so group 2 waits for its bank) and on one.
describe.each([
  ['ci (2 weight banks, xw 2)', ci],
  ['1 weight bank, xw 1', { ...ci, xw: 1, xdepth: 64, wbanks: 1 } as SeParams],
])(`smartexchange cycles without stalls, %s (seed ${seed})`, (what, p) => {
  const sim = acceleratorSession(acc, p, { seed, stall: 0 });

  it('equal the control model cycle for cycle (load, rebuild, max(1, ceil(work / 3)) per column)', async () => {
    for (const [xZero, s] of [[0, { M: 12, G: 8, N: 8 }], [0.7, { M: 12, G: 8, N: 8 }], [0.5, { M: 16, G: 3, N: 5 }]] as const) {
      const t = randomSeInputs(seed + 99, { ...s, xZero, ceZero: 0.5 });
      const { got, cycles } = await run(sim, p, t);
      expect(got.Y!.data, `${what}, no stalls, x-sparsity ${xZero}, seed ${seed}`).toEqual(acc.golden(p, t).outputs.Y!.data);
      const model = seCycles(p, t).total;
      console.log(`smartexchange ${what}, M ${s.M} G ${s.G} N ${s.N}, x-sparsity ${xZero}: ${cycles} cycles, model ${model}, ideal ${acc.golden(p, t).idealCycles}`);
      expect(cycles, `${what}: cycles ${cycles} vs model ${model}, seed ${seed}`).toBe(model);
    }
  });
});

describe(`smartexchange RTL, one triple per x token (xw = 1), one weight bank, under stalls (seed ${seed})`, () => {
  const p1: SeParams = { ...ci, xw: 1, xdepth: 64, wbanks: 1 };
  const sim = acceleratorSession(acc, p1, { seed, stall: 0.3 });

  it('two jobs, equal to golden', async () => {
    for (const s of [{ M: 7, G: 8, N: 8 }, { M: 4, G: 3, N: 5 }]) {
      const t = randomSeInputs(seed + s.G, { ...s, xZero: 0.5 });
      const { got } = await run(sim, p1, t);
      expect(got.Y!.data, `xw 1, M ${s.M} G ${s.G} N ${s.N}, seed ${seed}`).toEqual(acc.golden(p1, t).outputs.Y!.data);
    }
  });
});

describe('smartexchange input checks', () => {
  const good = () => randomSeInputs(1, { M: 3, G: 2, N: 4 });
  it('bad shapes, codes and values are errors naming the tensor', () => {
    expect(() => checkInputs(acc, ci, good())).not.toThrow();
    const t1 = good();
    t1.C!.data[4] = 3n;
    expect(() => checkInputs(acc, ci, t1)).toThrow(/tensor 'C'.*C\[0, 1, 1\] = 3, not 0 or ±2\^k/);
    const t2 = good();
    t2.C!.data[0] = 64n;
    expect(() => checkInputs(acc, ci, t2)).toThrow(/tensor 'C'.*= 64/);
    const t3 = good();
    t3.X!.data[0] = 128n;
    expect(() => checkInputs(acc, ci, t3)).toThrow(/tensor 'X'/);
    const t4 = good();
    t4.X = { shape: [9, 4], data: new Array(36).fill(0n) };
    expect(() => checkInputs(acc, ci, t4)).toThrow(/tensor 'X'.*K = 9 but C has G = 2/);
    const t5 = good();
    t5.B = { shape: [4, 3, 3], data: new Array(36).fill(0n) };
    expect(() => acc.encode(ci, t5)).toThrow(/tensor '(B|C)'.*M = /);
    const t6 = randomSeInputs(1, { M: 1, G: 8, N: 9 });
    expect(() => checkInputs(acc, ci, t6)).toThrow(/tensor 'X'/);
  });
});
