// NASA's chunk accelerator in Verilator: the tiny chain (multiply → shift → adder chunks) on the ci
// preset, a batch of images under seeded random stalls against the plain layer chain, and, without
// stalls, the steady-state cycles per image against the mapper's prediction (within 10%).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareTensors } from '../verify/compare.ts';
import { writeDesign } from '../dsl/output.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { loadCostTable } from '../generators/nasa/cost-table.ts';
import { nasaTyped as nasa, randomNasaInputs } from '../generators/nasa/index.ts';
import { mapNetwork } from '../generators/nasa/mapper.ts';
import { TINY_CHAIN } from '../generators/nasa/network.ts';
import { nasaPresets, type NasaParams } from '../generators/nasa/params.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { testSeed } from './support/rng.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-nasa-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const seed = testSeed();
const p: NasaParams = nasaPresets.ci!;
const dir = (() => {
  const c = elaborate(nasa.create(p));
  return writeDesign(c, path.join(tmp, c.top.name), { generator: 'nasa', params: p }).dir;
})();

/** Send every image at once; return the decoded outputs and each image's last output cycle. */
async function run(t: ReturnType<typeof randomNasaInputs>, stall: number) {
  const sim = await openSim(dir, { seed, stall: { in: stall, out: stall } });
  try {
    for (const [stream, tokens] of Object.entries(nasa.encode(p, t))) sim.send(stream, tokens);
    const total = nasa.outputTokens!(p, t).y!;
    const start = sim.cycle;
    await sim.run({ until: { y: total } });
    const per = total / t.X!.shape[0]!;
    const cycles = sim.cycles('y').map((c) => c - start);
    return { got: nasa.decode(p, { y: sim.received('y') }, t), imageEnds: Array.from({ length: t.X!.shape[0]! }, (_, b) => cycles[(b + 1) * per - 1]!) };
  } finally {
    await sim.close();
  }
}

describe(`nasa chunk accelerator (Verilator, seed ${seed})`, () => {
  it('matches the layer chain image by image under random stalls (full and ragged sizes)', async () => {
    for (const [i, sizes] of [{ B: 3 }, { B: 2, M0: 13, K0: 21, M1: 27, M2: 6, N: 11 }].entries()) {
      const t = randomNasaInputs(p, seed + i, sizes);
      const { got } = await run(t, 0.3);
      expect(compareTensors(got, nasa.golden(p, t).outputs), `sizes ${JSON.stringify(sizes)}, seed ${seed}`).toBeNull();
    }
  }, 120_000);

  it('runs at the mapper-predicted cycles per image (within 10%) with the chunks the mapper picks', async () => {
    const mapping = mapNetwork(TINY_CHAIN, { pes: 96 }, loadCostTable(), { chain: true, sides: [2, 4, 8] });
    expect(mapping.chunks.map((c) => [c.form, c.rows, c.cols])).toEqual([['mul', p.mulRows, p.mulCols], ['shift', p.shiftRows, p.mulRows], ['adder', p.adderRows, p.shiftRows]]);
    const [l0, l1, l2] = TINY_CHAIN;
    const B = 5;
    const t = randomNasaInputs(p, seed, { B, M0: l0!.cout, K0: l0!.cin, M1: l1!.cout, M2: l2!.cout, N: l0!.hw * l0!.hw });
    const { got, imageEnds } = await run(t, 0);
    expect(compareTensors(got, nasa.golden(p, t).outputs), `seed ${seed}`).toBeNull();
    const measured = (imageEnds[B - 1]! - imageEnds[0]!) / (B - 1);
    console.log(`nasa ci: predicted ${mapping.cyclesPerImage} cycles/image, measured ${measured} (image ends ${imageEnds.join(', ')})`);
    expect(Math.abs(measured - mapping.cyclesPerImage) / mapping.cyclesPerImage).toBeLessThan(0.1);
  }, 120_000);
});
