/**
 * The differential fuzzer in CI: the generator covers every op and construct it promises, saved
 * regression cases replay clean on both simulators and through every compiler pass, a seeded sample
 * of random programs agrees bit for bit between the IR simulator and Verilator (200 programs) and
 * Icarus (60 programs), and every compiler pass keeps the IR simulator's outputs (300 programs).
 * Seeds are fixed (override with HWFLOW_FUZZ_SEED) and printed in every failure message.
 */
import { describe, expect, it } from 'vitest';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { walkExpr, moduleRoots } from '../dsl/ir/nodes.ts';
import { OPS, type OpName } from '../dsl/ir/ops.ts';
import { batchModule, programTypes } from './fuzz/build.ts';
import { campaignBatch, runCampaign } from './fuzz/campaign.ts';
import { describeMismatch, runCases, simulate } from './fuzz/driver.ts';
import { useFastFuzzBuilds } from './fuzz/env.ts';
import { collectGarbage, validateProgram, walkStmts } from './fuzz/program.ts';
import { loadRegressions } from './fuzz/regressions.ts';
import { batchVectors } from './fuzz/stimulus.ts';

const SEED = Number(process.env.HWFLOW_FUZZ_SEED ?? 20261127);
useFastFuzzBuilds();

describe('fuzz program generator', () => {
  const { programs, stims, rst } = campaignBatch(SEED, 0, 200, 8);

  it(`generates every IR op, memories, when chains and registers (seed ${SEED})`, () => {
    const circuit = elaborate(batchModule(programs, 'fuzz_cover'));
    const ops = new Set<OpName>();
    let syncReads = 0, asyncReads = 0, writes = 0, enabled = 0, resets = 0, elsewhens = 0;
    for (const m of circuit.modules) {
      const seen = new Set<number>();
      for (const r of moduleRoots(m)) walkExpr(r, (e) => {
        if (e.kind === 'op') ops.add(e.op);
        if (e.kind === 'memread') asyncReads++;
      }, seen);
      for (const mem of m.memories) writes += mem.writes.length;
      for (const s of m.signals) {
        if (s.kind === 'reg' && s.assigns.some((a) => a.value.kind === 'memread')) syncReads++;
        if (s.kind === 'reg' && s.reset !== undefined) resets++;
      }
    }
    for (const p of programs) {
      enabled += p.nodes.filter((n) => n.k === 'reg' && n.a.length > 0).length;
      walkStmts(p.body, (s) => { if (s.k === 'when' && s.arms.length > 1) elsewhens++; });
    }
    const missing = (Object.keys(OPS) as OpName[]).filter((op) => !ops.has(op));
    expect(missing, `ops never generated (seed ${SEED})`).toEqual([]);
    expect(Math.min(syncReads, asyncReads, writes, enabled, resets, elsewhens), `seed ${SEED}`).toBeGreaterThan(3);
    // The simulator runs the whole batch (and so every program builds and elaborates).
    expect(simulate(circuit, batchVectors(programs, stims, rst)).length).toBe(8);
  });

  it('keeps its invariants, and dead-code removal keeps the outputs', () => {
    for (const [i, p] of programs.entries()) {
      expect(validateProgram(p), `seed ${SEED} program ${i}`).toBeUndefined();
      const g = collectGarbage(p);
      expect(validateProgram(g), `seed ${SEED} program ${i} after GC`).toBeUndefined();
      const before = programTypes(p);
      const after = programTypes(g);
      expect(g.outs.map((o) => after[o]), `seed ${SEED} program ${i}`).toEqual(p.outs.map((o) => before[o]));
    }
  });
});

describe('fuzz regressions', () => {
  const saved = loadRegressions();
  it('has saved cases', () => expect(saved.length).toBeGreaterThan(0));
  it.each(['verilator', 'icarus', 'passes'] as const)('replay clean on %s', async (backend) => {
    const mismatches = await runCases(saved.map((s) => s.data.case), [backend], `fuzz_reg_${backend}`);
    const open = new Set(saved.flatMap((s, i) => (s.data.knownMismatch?.backend === backend ? [i] : [])));
    // Cases marked as open bugs must still fail (so a fix is noticed); every other case must pass.
    expect(mismatches.filter((m) => !open.has(m.program)).map((m) => `${saved[m.program]!.file}: ${describeMismatch(m)}`)).toEqual([]);
    expect([...open].filter((i) => !mismatches.some((m) => m.program === i)).map((i) => `${saved[i]!.file} passes now: remove its knownMismatch`)).toEqual([]);
  }, 900_000);
});

describe('differential fuzzing', () => {
  it.each([
    ['verilator', 200],
    ['icarus', 60],
  ] as const)(`IR simulator and %s agree on %i random programs (seed ${SEED})`, async (backend, count) => {
    const r = await runCampaign({ count, seed: SEED, backends: [backend], batch: count, cycles: 24, shrink: false });
    expect(r.programs).toBe(count);
    expect(r.failures.map((f) => `seed ${SEED} program ${f.index}: ${describeMismatch(f.mismatch)}`)).toEqual([]);
  }, 900_000); // about half a minute on an idle 2-core machine; much more when it is shared

  it(`every compiler pass keeps the IR simulator's outputs, cycle by cycle, on 300 random programs (seed ${SEED})`, async () => {
    const r = await runCampaign({ count: 300, seed: SEED, backends: ['passes'], batch: 150, cycles: 24, shrink: false });
    expect(r.programs).toBe(300);
    expect(r.failures.map((f) => `seed ${SEED} program ${f.index}: ${describeMismatch(f.mismatch)}`)).toEqual([]);
  }, 300_000); // a few seconds: the IR simulator only
});
