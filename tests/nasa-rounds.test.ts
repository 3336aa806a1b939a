// NASA's chunk accelerator with several layers per chunk (`ci-rounds`: two rounds of the multiply →
// shift → adder chain, each chunk running two layers an image, the adder chunk's requantised output
// fed back to the multiply chunk): a batch under seeded random stalls against the golden chain,
// and without stalls the steady-state cycles per image against the mapper's prediction for the
// six-layer network on these chunks (within 10%); rounds that cannot be wired are refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareTensors } from '../verify/compare.ts';
import { writeDesign } from '../dsl/output.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { loadCostTable } from '../generators/nasa/cost-table.ts';
import { jobOrder, nasaTyped as nasa, randomNasaInputs } from '../generators/nasa/index.ts';
import { predictChunks } from '../generators/nasa/mapper.ts';
import { TINY_ROUNDS } from '../generators/nasa/network.ts';
import { nasaPresets, validateNasa, type NasaParams } from '../generators/nasa/params.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { testSeed } from './support/rng.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-nasa-rounds-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const seed = testSeed();
const p: NasaParams = nasaPresets['ci-rounds']!;
const dir = (() => {
  const c = elaborate(nasa.create(p));
  return writeDesign(c, path.join(tmp, c.top.name), { generator: 'nasa', params: p }).dir;
})();
const [l0, l1, l2] = TINY_ROUNDS;
const sizes = { M0: l0!.cout, K0: l0!.cin, M1: l1!.cout, M2: l2!.cout, N: l0!.hw * l0!.hw };

async function run(t: ReturnType<typeof randomNasaInputs>, stall: number) {
  const sim = await openSim(dir, { seed, stall: { in: stall, out: stall } });
  try {
    for (const [stream, tokens] of Object.entries(nasa.encode(p, t))) sim.send(stream, tokens);
    const total = nasa.outputTokens!(p, t).y!;
    await sim.run({ until: { y: total } });
    const per = total / t.X!.shape[0]!;
    return { got: nasa.decode(p, { y: sim.received('y') }, t), imageEnds: Array.from({ length: t.X!.shape[0]! }, (_, b) => sim.cycles('y')[(b + 1) * per - 1]!) };
  } finally {
    await sim.close();
  }
}

describe(`nasa with several layers per chunk (Verilator, seed ${seed})`, () => {
  it('matches two rounds of the chain under random stalls, and one round on the same hardware', async () => {
    for (const [i, s] of [{ B: 4, ...sizes }, { B: 2, R: 1, M0: 5, K0: 11, M1: 9, M2: 7, N: 6 }].entries()) {
      const t = randomNasaInputs(p, seed + i, s);
      const { got } = await run(t, 0.3);
      expect(compareTensors(got, nasa.golden(p, t).outputs), `sizes ${JSON.stringify(s)}, seed ${seed}`).toBeNull();
    }
  }, 300_000); // the Verilator build of the model happens here (minutes of wall time on a loaded machine)

  it('runs the six-layer network at the mapper-predicted cycles per image (within 10%)', async () => {
    const predicted = predictChunks(TINY_ROUNDS, { mul: { rows: p.mulRows, cols: p.mulCols }, shift: { rows: p.shiftRows, cols: p.mulRows }, adder: { rows: p.adderRows, cols: p.shiftRows } }, loadCostTable()).cycles;
    // Images run in groups of three (jobOrder): the steady state is a group's period over its images.
    const B = 6;
    const t = randomNasaInputs(p, seed, { B, ...sizes });
    const { got, imageEnds } = await run(t, 0);
    expect(compareTensors(got, nasa.golden(p, t).outputs), `seed ${seed}`).toBeNull();
    const measured = (imageEnds[5]! - imageEnds[2]!) / 3;
    console.log(`nasa ci-rounds: predicted ${predicted} cycles/image, measured ${measured} (image ends ${imageEnds.join(', ')})`);
    expect(Math.abs(measured - predicted) / predicted).toBeLessThan(0.1);
  }, 120_000);

  it('orders jobs by groups of three images and refuses rounds the hardware cannot wire', () => {
    expect(jobOrder(4, 2).map(({ b, r }) => `${b}.${r}`)).toEqual(['0.0', '1.0', '2.0', '0.1', '1.1', '2.1', '3.0', '3.1']);
    expect(() => validateNasa({ ...p, adderRows: 8 })).toThrow(/'adderRows' \(8\) must equal 'mulCols' \(4\)/);
    expect(() => validateNasa({ ...p, k0Max: 8 })).toThrow(/'k0Max' \(8\) must be at least 'm2Max' \(16\)/);
    const t = randomNasaInputs(p, seed, { B: 1, ...sizes, K0: 12 });
    expect(() => nasa.toTokens(p, t)).toThrow(/K0 must equal M2 = 16/);
  });
});
