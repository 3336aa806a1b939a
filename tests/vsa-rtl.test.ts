/**
 * The VSA engine's RTL in Verilator against the golden kernels at the CI preset (D = 256, 32 bits
 * per cycle, 16 codebook items, 8 registers): every op in random programs (random registers,
 * rotations within and across words, bundles of 1..5 with ties, clean-ups over codebooks with
 * repeated items, so ties to the lowest index), a record encoding and its queries, under seeded
 * random stalls on every stream; the cycles without stalls against the per-instruction model (a
 * clean-up within 3 cycles of D·C/w); the IR simulator on a small case; `hwflow run`'s checks.
 */
import { describe, expect, it } from 'vitest';
import { elaborate } from '../dsl/index.ts';
import { checkInputs } from '../dsl/tensors.ts';
import type { Tensor } from '../dsl/generator.ts';
import { runAccelerator } from '../verify/run-accelerator.ts';
import { fromHvs, fromProgram, randomHvs, randomProgram, recordProgram, runCycles, toHvs, toProgram, vsaAccelerator as acc } from '../generators/vsa/index.ts';
import { OP } from '../generators/vsa/ops.ts';
import { vsaPresets, type VsaParams } from '../generators/vsa/params.ts';
import { driveStreams } from './shiftaddllm-support.ts';
import { acceleratorSession, openAcceleratorSim, runJob } from './support/accelerator-sim.ts';
import { testSeed } from './support/rng.ts';

const seed = testSeed();
const ci = vsaPresets.ci!;

function check(got: Record<string, Tensor>, inputs: Record<string, Tensor>, p: VsaParams, what: string): void {
  const want = acc.golden(p, inputs).outputs;
  expect(got.R!.data, `${what}: R (index, sim), seed ${seed}`).toEqual(want.R!.data);
  expect(got.O!.data, `${what}: O (stored registers), seed ${seed}`).toEqual(want.O!.data);
}

describe(`vsa RTL, CI preset under random stalls (seed ${seed})`, () => {
  const sim = acceleratorSession(acc, ci, { seed, stall: 0.3 });

  it('random programs over every op, back to back in one session', async () => {
    for (let s = 0; s < 4; s++) {
      const t = randomProgram(ci, seed + s, 40, [16, 8, 3, 1][s]!);
      const ops = new Set(toProgram(t.P!).map((x) => x.op));
      const r = await runJob(sim, acc, ci, t, 'out');
      check(r.got, t, ci, `program ${s} (ops ${[...ops].sort().join(',')})`);
    }
  });

  it('a record of three role-filler pairs: bound, bundled, rotated and back, each role queried and cleaned up to its filler', async () => {
    const t = recordProgram(ci, seed, 16);
    const r = await runJob(sim, acc, ci, t, 'out');
    check(r.got, t, ci, 'record');
    const cb = toHvs(t.CB!);
    const fillers = toHvs(t.V!).slice(3);
    const res = r.got.R!.data.map(Number);
    expect(res[1], 'SIM of the record with its rotation undone').toBe(ci.D);
    for (let k = 0; k < 3; k++) expect(cb[res[2 + 2 * k]!], `role ${k} → its filler`).toEqual(fillers[k]);
  });

  it('extremes: all-zero and all-one vectors (sim ±D), a full codebook of equal items (index 0), rotations 0, w and D − 1, a bundle of all 8 registers', async () => {
    const zero = new Uint32Array(ci.D / 32);
    const ones = zero.map(() => 0xffffffff);
    const [x] = randomHvs(ci.D, 1, seed);
    const prog = [
      ...[zero, ones, x!, x!, zero, ones, x!, ones].map((_, k) => ({ op: OP.LOAD, dst: k, a: 0, b: 0, imm: 0 })),
      { op: OP.SIM, dst: 0, a: 0, b: 1, imm: 0 },
      { op: OP.SIM, dst: 0, a: 1, b: 1, imm: 0 },
      { op: OP.CLEANUP, dst: 0, a: 2, b: 0, imm: ci.C },
      { op: OP.PERM, dst: 3, a: 2, b: 0, imm: 0 },
      { op: OP.PERM, dst: 4, a: 2, b: 0, imm: ci.w },
      { op: OP.PERM, dst: 5, a: 2, b: 0, imm: ci.D - 1 },
      { op: OP.STORE, dst: 0, a: 3, b: 0, imm: 0 },
      { op: OP.STORE, dst: 0, a: 4, b: 0, imm: 0 },
      { op: OP.STORE, dst: 0, a: 5, b: 0, imm: 0 },
      { op: OP.BUNDLE, dst: 7, a: 0, b: 0, imm: 8 },
      { op: OP.BUNDLE, dst: 6, a: 0, b: 0, imm: 2 },
      { op: OP.STORE, dst: 0, a: 7, b: 0, imm: 0 },
      { op: OP.STORE, dst: 0, a: 6, b: 0, imm: 0 },
    ];
    const t = { P: fromProgram(prog), V: fromHvs([zero, ones, x!, x!, zero, ones, x!, ones], ci.D), CB: fromHvs(new Array(ci.C).fill(x!), ci.D) };
    const r = await runJob(sim, acc, ci, t, 'out');
    check(r.got, t, ci, 'extremes');
    expect(r.got.R!.data.slice(0, 6).map(Number)).toEqual([0, -ci.D, 0, ci.D, 0, ci.D]);
  });
});

describe(`vsa cycles and the IR simulator (seed ${seed})`, () => {
  it('without stalls: every instruction takes the model (walk + 3), a clean-up of 16 items 3 cycles over D·C/w', async () => {
    const { sim, cleanup } = await openAcceleratorSim(acc, ci, { seed, stall: 0 });
    try {
      // One clean-up first (nothing runs before it): load the query, then D·C/w + 3 cycles to its result.
      const q = randomHvs(ci.D, 1, seed + 9);
      const one = { P: fromProgram([{ op: OP.LOAD, dst: 0, a: 0, b: 0, imm: 0 }, { op: OP.CLEANUP, dst: 0, a: 0, b: 0, imm: ci.C }]), V: fromHvs(q, ci.D), CB: fromHvs(randomHvs(ci.D, ci.C, seed + 3), ci.D) };
      const c = await runJob(sim, acc, ci, one, 'out');
      check(c.got, one, ci, 'one clean-up');
      const words = ci.D / ci.w;
      const bound = (ci.D * ci.C) / ci.w;
      const expected = runCycles(ci, toProgram(one.P), ci.C);
      expect(c.cycles, `clean-up run ${c.cycles} cycles, model ${expected}`).toBe(expected);
      expect(c.cycles - ci.C * (1 + words) - (1 + words)).toBe(bound + 3);
    } finally {
      await cleanup();
    }
    // A random program ending in a SIM (its result leaves in the instruction's last cycle, so the
    // run ends with it; a STORE's last word leaves a cycle earlier), first in a new session like
    // the clean-up: every op.
    const fresh = await openAcceleratorSim(acc, ci, { seed, stall: 0 });
    try {
      const t = randomProgram(ci, seed, 30, 16);
      t.P = fromProgram([...toProgram(t.P!), { op: OP.SIM, dst: 0, a: 0, b: 1, imm: 0 }]);
      const r = await runJob(fresh.sim, acc, ci, t, 'out');
      check(r.got, t, ci, 'no stalls');
      const model = runCycles(ci, toProgram(t.P!), 16);
      expect(r.cycles, `cycles ${r.cycles}, model ${model}`).toBe(model);
    } finally {
      await fresh.cleanup();
    }
  });

  it('the IR simulator agrees with golden on a small design (D = 96: 3 words of 32 bits, 5 items, 6 registers; no Verilator)', () => {
    const p: VsaParams = { D: 96, w: 32, C: 5, regs: 6, elemBits: 1 };
    const t = randomProgram(p, seed, 30, 5);
    const r = driveStreams(elaborate(acc.create(p)), acc.encode(p, t), acc.outputTokens!(p, t), { seed, stall: 0.25, maxCycles: 20000 });
    check(acc.decode(p, r.outputs, t), t, p, 'IR simulator');
  });
});

describe(`vsa through hwflow run's path (seed ${seed})`, () => {
  it('the record program: accepted, and the hardware gives the golden integers under stalls', async () => {
    const inputs = recordProgram(ci, seed);
    checkInputs(acc, ci, inputs);
    const report = await runAccelerator(acc, elaborate(acc.create(ci)), inputs, { seed, stall: 0.2, check: true, info: { generator: acc.name, params: ci } });
    expect(report.mismatch ?? null).toBeNull();
    expect(report.check).toBe('passed');
  });
});
