// The ShiftAdd engines in the IR simulator against the golden kernels: every PE kind and the fused
// pair, on ragged sizes (M, K, N not multiples of the array) with random stalls on every stream.
// The same designs run in Verilator in shiftadd-rtl.test.ts; this suite pins the design's logic
// without the C++ build, and checks the cycle count against the ideal bound.
import { describe, expect, it } from 'vitest';
import { elaborate } from '../dsl/passes/elaborate.ts';
import type { Tensor } from '../dsl/generator.ts';
import { randomShiftAddInputs, shiftadd } from '../generators/shiftadd/index.ts';
import { shiftAddPresets, type ShiftAddParams } from '../generators/shiftadd/params.ts';
import { testSeed } from './support/rng.ts';
import { runStreams } from './support/shiftadd-sim.ts';

const seed = testSeed();

function check(p: ShiftAddParams, t: Record<string, Tensor>, stall: number, where: string) {
  const circuit = elaborate(shiftadd.create(p));
  const g = shiftadd.golden(p, t);
  const y = g.outputs.Y!;
  const tokens = Math.ceil(y.shape[0]! / p.rows) * y.shape[1]!;
  const run = runStreams(circuit, shiftadd.encode(p, t), { y: tokens }, { seed, stall });
  const got = shiftadd.decode(p, run.outputs, t).Y!;
  const bad = got.data.findIndex((v, i) => v !== y.data[i]);
  expect(bad, `${where}, seed ${seed}: first difference at Y[${Math.floor(bad / y.shape[1]!)},${bad % y.shape[1]!}]: got ${got.data[bad]}, expected ${y.data[bad]}`).toBe(-1);
  return { cycles: run.cycles, ideal: g.idealCycles };
}

describe('shiftadd engines in the IR simulator', () => {
  const kinds = ['ci', 'ci-mul', 'ci-adder'] as const;
  it.each(kinds)(`preset %s: ragged sizes under 30 percent stalls (seed ${seed})`, (preset) => {
    const p = shiftAddPresets[preset]!;
    for (const [i, sizes] of [{ M: 11, K: 19, N: 5 }, { M: 1, K: 1, N: 1 }, { M: 16, K: 9, N: 16 }].entries())
      check(p, randomShiftAddInputs(p, sizes, seed + i), 0.3, `${preset} ${JSON.stringify(sizes)}`);
  });

  it(`fused pair: ragged sizes under stalls (seed ${seed})`, () => {
    const p = shiftAddPresets['ci-pair']!;
    check(p, randomShiftAddInputs(p, { M: 10, K: 13, N: 3, M2: 9 }, seed), 0.3, 'pair');
  });

  it('without stalls a tile costs N + 1 cycles: near the ideal bound on the CI workload', () => {
    const p = shiftAddPresets['ci-mul']!;
    const { cycles, ideal } = check(p, randomShiftAddInputs(p, { M: 16, K: 64, N: 16 }, seed), 0, 'ci-mul full');
    // 2 m-tiles × 8 k-tiles × (16 + 1) cycles, plus weight fill (8) and the pipeline (about 5).
    expect(ideal).toBe(256);
    expect(cycles).toBeGreaterThanOrEqual(16 * 17);
    expect(cycles).toBeLessThanOrEqual(16 * 17 + 20);
  });

  it('the encoder rejects a tensor whose inner size disagrees', () => {
    const p = shiftAddPresets['ci-mul']!;
    const t = randomShiftAddInputs(p, { M: 3, K: 4, N: 2 }, 1);
    t.X = { shape: [5, 2], data: Array(10).fill(0n) };
    expect(() => shiftadd.golden(p, t)).toThrow(/weights are 3×4 but activations are 5×2/);
  });
});
