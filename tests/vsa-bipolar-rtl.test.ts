/**
 * The VSA engine's bipolar mode (elemBits = 4: 64 signed 4-bit elements per 256-bit vector, 8 lanes
 * per 32-bit word) in Verilator against the golden bipolar algebra at that element width
 * (bipolarAlgebraBits: bind = product, bundle = sum, both wrapping to 4 bits; sim = dot product;
 * clean-up = argmax dot product, ties to the lowest index): every op in random programs under seeded
 * random stalls, extremes (elements −8 and 7, wrapping products and sums, a codebook of equal items),
 * and the cycles without stalls equal to the per-instruction model (the same as the binary mode's).
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../dsl/generator.ts';
import { elaborate } from '../dsl/index.ts';
import { driveStreams } from './shiftaddllm-support.ts';
import { bipolarAlgebraBits, packElems, unpackElems } from '../generators/vsa/golden.ts';
import { fromHvs, fromProgram, randomHvs, randomProgram, runCycles, toProgram, vsaAccelerator as acc } from '../generators/vsa/index.ts';
import { OP } from '../generators/vsa/ops.ts';
import { validateVsa, vsaPresets, type VsaParams } from '../generators/vsa/params.ts';
import { acceleratorSession, openAcceleratorSim, runJob } from './support/accelerator-sim.ts';
import { testSeed } from './support/rng.ts';

const seed = testSeed();
const p = vsaPresets['ci-bipolar']!;
const elems = p.D / p.elemBits;

function check(got: Record<string, Tensor>, inputs: Record<string, Tensor>, q: VsaParams, what: string): void {
  const want = acc.golden(q, inputs).outputs;
  expect(got.R!.data, `${what}: R (index, dot product), seed ${seed}`).toEqual(want.R!.data);
  expect(got.O!.data, `${what}: O (stored registers), seed ${seed}`).toEqual(want.O!.data);
}

describe(`vsa bipolar RTL (elemBits 4) under random stalls (seed ${seed})`, () => {
  const sim = acceleratorSession(acc, p, { seed, stall: 0.3 });

  it('the golden bipolar algebra wraps bind and bundle to 4 bits and keeps the dot product exact', () => {
    const alg = bipolarAlgebraBits(4);
    const a = Int32Array.from([-8, 7, -8, 3]);
    const b = Int32Array.from([-8, 7, 1, -3]);
    expect(Array.from(alg.bind(a, b))).toEqual([0, 1, -8, 7]); // 64, 49, −8, −9 wrapped
    expect(Array.from(alg.bundle([a, b]))).toEqual([0, -2, -7, 0]); // −16, 14, −7, 0 wrapped
    expect(alg.similarity(a, b)).toBe(64 + 49 - 8 - 9);
    const eight = Int32Array.from([-8, 7, -8, 3, 0, -1, 1, -2]); // one 32-bit word of 4-bit elements
    expect(packElems(eight, 4)[0]).toBe(0xe1f03878);
    expect(Array.from(unpackElems(packElems(eight, 4), 4))).toEqual(Array.from(eight));
  });

  it('random programs over every op, back to back in one session', async () => {
    for (let s = 0; s < 3; s++) {
      const t = randomProgram(p, seed + s, 40, [8, 3, 1][s]!);
      const ops = new Set(toProgram(t.P!).map((x) => x.op));
      const r = await runJob(sim, acc, p, t, 'out');
      check(r.got, t, p, `program ${s} (ops ${[...ops].sort().join(',')})`);
    }
  });

  it('extremes: all −8 and all 7 (dot products ±64·D/4 range), wrapping products and sums, equal codebook items (index 0), rotations 0, a lane-word and D/4 − 1 elements', async () => {
    const fill = (v: number) => packElems(new Int32Array(elems).fill(v), p.elemBits);
    const neg = fill(-8);
    const pos = fill(7);
    const [x] = randomHvs(p.D, 1, seed);
    const vs = [neg, pos, x!, neg, x!, pos, neg, x!];
    const lanes = p.w / p.elemBits;
    const prog = [
      ...vs.map((_, k) => ({ op: OP.LOAD, dst: k, a: 0, b: 0, imm: 0 })),
      { op: OP.SIM, dst: 0, a: 0, b: 0, imm: 0 }, // 64 per element: the largest dot product
      { op: OP.SIM, dst: 0, a: 0, b: 1, imm: 0 }, // −56 per element: the smallest of these
      { op: OP.CLEANUP, dst: 0, a: 2, b: 0, imm: p.C },
      { op: OP.BIND, dst: 3, a: 0, b: 1, imm: 0 }, // −56 wraps to 8 → −8
      { op: OP.PERM, dst: 4, a: 2, b: 0, imm: 0 },
      { op: OP.PERM, dst: 5, a: 2, b: 0, imm: lanes },
      { op: OP.PERM, dst: 6, a: 2, b: 0, imm: elems - 1 },
      { op: OP.STORE, dst: 0, a: 3, b: 0, imm: 0 },
      { op: OP.STORE, dst: 0, a: 4, b: 0, imm: 0 },
      { op: OP.STORE, dst: 0, a: 5, b: 0, imm: 0 },
      { op: OP.STORE, dst: 0, a: 6, b: 0, imm: 0 },
      { op: OP.BUNDLE, dst: 7, a: 0, b: 0, imm: 8 },
      { op: OP.BUNDLE, dst: 1, a: 0, b: 0, imm: 2 },
      { op: OP.STORE, dst: 0, a: 7, b: 0, imm: 0 },
      { op: OP.STORE, dst: 0, a: 1, b: 0, imm: 0 },
    ];
    const t = { P: fromProgram(prog), V: fromHvs(vs, p.D), CB: fromHvs(new Array(p.C).fill(x!), p.D) };
    const r = await runJob(sim, acc, p, t, 'out');
    check(r.got, t, p, 'extremes');
    expect(r.got.R!.data.slice(0, 5).map(Number)).toEqual([0, 64 * elems, 0, -56 * elems, 0]);
  });
});

describe(`vsa bipolar cycles without stalls (seed ${seed})`, () => {
  it('a clean-up of all C items takes D·C/w + 3 cycles; a random program its model (walk + 3 per instruction)', async () => {
    const { sim, cleanup } = await openAcceleratorSim(acc, p, { seed, stall: 0 });
    try {
      const one = { P: fromProgram([{ op: OP.LOAD, dst: 0, a: 0, b: 0, imm: 0 }, { op: OP.CLEANUP, dst: 0, a: 0, b: 0, imm: p.C }]), V: fromHvs(randomHvs(p.D, 1, seed + 9), p.D), CB: fromHvs(randomHvs(p.D, p.C, seed + 3), p.D) };
      const c = await runJob(sim, acc, p, one, 'out');
      check(c.got, one, p, 'one clean-up');
      const words = p.D / p.w;
      expect(c.cycles, `clean-up run ${c.cycles} cycles`).toBe(runCycles(p, toProgram(one.P), p.C));
      expect(c.cycles - p.C * (1 + words) - (1 + words)).toBe((p.D * p.C) / p.w + 3);
      const t = randomProgram(p, seed, 30, p.C);
      t.P = fromProgram([...toProgram(t.P!), { op: OP.SIM, dst: 0, a: 0, b: 1, imm: 0 }]);
      const r = await runJob(sim, acc, p, t, 'out');
      check(r.got, t, p, 'no stalls');
      const model = runCycles(p, toProgram(t.P!), p.C);
      expect(r.cycles, `cycles ${r.cycles}, model ${model}`).toBe(model);
    } finally {
      await cleanup();
    }
  }, 240_000);
});

describe(`vsa bipolar at 2- and 8-bit elements in the IR simulator, and bad element widths (seed ${seed})`, () => {
  it('elemBits 2 and 8 (D = 96: 48 or 12 elements, 16 or 4 lanes) agree with golden under stalls; no Verilator', () => {
    for (const elemBits of [2, 8]) {
      const q: VsaParams = { D: 96, w: 32, C: 5, regs: 6, elemBits };
      const t = randomProgram(q, seed + elemBits, 30, 5);
      const r = driveStreams(elaborate(acc.create(q)), acc.encode(q, t), acc.outputTokens!(q, t), { seed, stall: 0.25, maxCycles: 20000 });
      check(acc.decode(q, r.outputs, t), t, q, `IR simulator, elemBits ${elemBits}`);
    }
  });

  it('elemBits 3 is refused, naming the valid widths', () => {
    expect(() => validateVsa({ ...p, elemBits: 3 })).toThrow(/'elemBits' = 3 must be 1 \(binary\) or 2, 4, 8/);
  });
});
