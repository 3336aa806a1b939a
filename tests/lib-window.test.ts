// window(s, n) (issue 16, item 4, first part): the last n tokens as a vector, element 0 the newest;
// checked token for token in the IR simulator under random stalls, and an 8-tap FIR written with it
// and constant coefficients (mulConst, shift-and-add) checked in Verilator under random stalls against a plain model.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { In, Out, ParamError, Stream, Vec, connect, elaborate, module, mulConst, sint, sumTree, uint, window, type Value } from '../dsl/index.ts';
import { withSim, writeTempDesign } from '../testbenches/vitest.ts';
import { defaultSeed } from '../testbenches/index.ts';
import { makeRng, randomBits, runStreams, simulate, streamElement } from './lib-support.ts';

const STALLS = [[61, 0.3, 0.3], [62, 0.7, 0.2], [63, 0.2, 0.7]] as const;

describe('window', () => {
  it.each([1, 2, 4])('n = %i: one vector per token once n - 1 came before, element k the token k back, under stalls', (n) => {
    const rng = makeRng(60 + n);
    const xs = Array.from({ length: 40 }, () => randomBits(rng, 6));
    const want = xs.slice(n - 1).map((_, i) => Array.from({ length: n }, (_, k) => xs[i + n - 1 - k]!).reduce((acc, e, k) => acc | (e << BigInt(6 * k)), 0n));
    const { sim } = simulate(streamElement(`op_win${n}`, uint(6), Vec(uint(6), n), (st) => window(st, n)));
    for (const [seed, inStall, outStall] of STALLS) {
      const r = runStreams(sim, { inputs: { in: xs }, expect: { out: want.length }, inStall, outStall, seed });
      expect(r.outputs.out, `seed ${seed}`).toEqual(want);
    }
  });

  it('rejects a length that is not a positive integer, at the caller\'s line', () => {
    expect(() => elaborate(streamElement('op_win0', uint(6), Vec(uint(6), 1), (st) => window(st, 0) as never))).toThrow(ParamError);
    expect(() => elaborate(streamElement('op_win0', uint(6), Vec(uint(6), 1), (st) => window(st, 0) as never))).toThrow(/lib-window\.test\.ts:\d+: window needs an integer length >= 1, got 0/);
  });
});

// ---- the FIR of the issue: 8 taps, constant coefficients -----------------------------------------
const TAPS = [3, -5, 12, 27, 27, 12, -5, 3];
const fir8 = module('fir8_window', { x: In(Stream(sint(8))), y: Out(Stream(sint(19))) }, (io) => {
  const taps = window(io.x, TAPS.length);
  // y[t] = Σ h[k]·x[t-k]: element k of the window is x[t-k]; each constant product by shifts and adds (CSD).
  connect(taps.map(sint(19), (w: Value[]) => sumTree(w.map((x, k) => mulConst(x, TAPS[k]!).resize(14))).resize(19)), io.y);
});
const firModel = (xs: number[]): number[] => xs.slice(TAPS.length - 1).map((_, i) => TAPS.reduce((acc, h, k) => acc + h * xs[i + TAPS.length - 1 - k]!, 0));

describe('an 8-tap FIR written with window', () => {
  const design = writeTempDesign(fir8);
  afterAll(() => rmSync(join(design.dir, '..'), { recursive: true, force: true }));
  it('matches its model in Verilator under 30% random stalls', async () => {
    const seed = defaultSeed();
    const rng = makeRng(seed);
    const xs = [127, -128, 127, -128, ...Array.from({ length: 300 }, () => Math.floor(rng() * 256) - 128), ...Array(8).fill(-128)];
    await withSim(design, { seed, stall: { in: 0.3, out: 0.3 } }, async (sim) => {
      sim.send('x', xs);
      await sim.run({ until: { y: xs.length - 7 } });
      await sim.scoreboard('y', firModel(xs));
    });
  }, 300_000);
});
