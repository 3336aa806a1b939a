// The design in Verilator under random stalls, against a plain TypeScript model. The seed is printed
// in every failure; HWFLOW_SEED=<seed> npm test replays it.
import { expect, it } from 'vitest';
import { defaultSeed } from 'hwflow/testbenches';
import { describeDesign, withSim } from 'hwflow/vitest';
import scale from '../src/scale.ts';

/** What the hardware must compute, in plain TypeScript. */
const golden = (x: number): number => 3 * x + 1;

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
function randomInts(seed: number, n: number, lo: number, hi: number): number[] {
  let a = seed >>> 0;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return lo + Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * (hi - lo + 1));
  });
}

describeDesign('scale3', scale, (design) => {
  it('computes 3x + 1 for every token, in order, under 30% random stalls on both sides', async () => {
    const seed = defaultSeed();
    const xs = [-128, -1, 0, 1, 127, ...randomInts(seed, 300, -128, 127)];
    await withSim(design(), { seed, stall: { in: 0.3, out: 0.3 } }, async (sim) => {
      sim.send('x', xs);
      await sim.run({ until: { y: xs.length } });
      expect(sim.receivedFields('y')).toEqual(xs.map(golden));
      await sim.scoreboard('y', xs.map(golden));
    });
  });
});
