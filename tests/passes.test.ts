// The compiler passes between elaboration and Verilog: each does what its one line says on a small
// design, leaves its input untouched, can be skipped by name, and the fuzzer's per-pass check
// catches a pass that changes what the design computes or prints a value where it is not computed.
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { In, Out, elaborate, emitVerilog, module, printIR, u, uint } from '../dsl/index.ts';
import { constantFor } from '../dsl/ir/copy.ts';
import { OPS } from '../dsl/ir/ops.ts';
import type { AnalysisPass, Pass, TransformPass } from '../dsl/passes/pass.ts';
import { PASSES, runPasses, selectPasses } from '../dsl/passes/pipeline.ts';
import { batchModule } from './fuzz/build.ts';
import { campaignBatch } from './fuzz/campaign.ts';
import { describeMismatch } from './fuzz/driver.ts';
import { checkPasses } from './fuzz/passes.ts';
import { simulateBatch } from './fuzz/reference.ts';
import { batchVectors } from './fuzz/stimulus.ts';

const demo = module('pass_demo', {
  x: In(uint(3)), y: In(uint(8)), go: In(uint(1)), rd: In(uint(2)),
  below: Out(uint(1)), w: Out(uint(8)), acc: Out(uint(16)), word: Out(uint(8)),
}, (io, m) => {
  io.below.set(io.x.resize(8).lt(12)); // a zero-extended 3-bit value is always < 12
  const w = m.wire('w_sel', uint(8));
  w.set(io.y); // overridden on every path below
  m.when(io.go, () => w.set(io.y.add(1).trunc(8))).otherwise(() => w.set(u(8, 0)));
  io.w.set(w);
  const acc = m.reg('acc_q', uint(16), { reset: 0 });
  m.when(io.go, () => acc.set(acc.add(io.y.mul(io.y)).trunc(16))); // logic only this branch reads
  io.acc.set(acc);
  const mem = m.mem('lut', { type: uint(8), depth: 4, init: [1n, 2n, 3n, 4n] });
  io.word.set(mem.read(io.rd));
});

const run = (name: string): ReturnType<typeof runPasses> => runPasses(elaborate(demo), [PASSES.find((p) => p.name === name)!]);

describe('compiler passes', () => {
  it('have unique kebab-case names and a one-line purpose, transforms before analyses', () => {
    const names = PASSES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of PASSES) {
      expect(p.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(p.purpose).not.toContain('\n');
    }
    const kinds = PASSES.map((p) => p.kind).join(' ');
    expect(kinds).toMatch(/^(transform )*(analysis ?)*$/);
  });

  it('rejects an unknown pass name, listing the valid ones', () => {
    expect(() => selectPasses(['fold-everything'])).toThrow(`unknown pass 'fold-everything'; passes: ${PASSES.map((p) => p.name).join(', ')}`);
    expect(selectPasses(['branch-local-logic']).map((p) => p.name)).not.toContain('branch-local-logic');
  });

  it('fold-comparisons turns a comparison the ranges decide into a constant, on a copy', () => {
    const c = elaborate(demo);
    const before = printIR(c.top);
    const after = runPasses(c, [PASSES.find((p) => p.name === 'fold-comparisons')!]).circuit;
    expect(before).toMatch(/= lt\(/);
    expect(printIR(after.top)).not.toMatch(/= lt\(/);
    expect(printIR(after.top)).toMatch(/below = uint\(1\)'1/);
    expect(printIR(c.top)).toBe(before);
  });

  it('prune-dead-assignments drops the wire assignment the when/otherwise always overrides', () => {
    const count = (ir: string): number => ir.split('\n').filter((l) => /^\s+when .*: w_sel = /.test(l)).length;
    expect(count(printIR(elaborate(demo).top))).toBe(3);
    expect(count(printIR(run('prune-dead-assignments').circuit.top))).toBe(2);
  });

  it('the analyses find the branch-local multiply-accumulate and the synchronous read', () => {
    const { circuit, hints } = runPasses(elaborate(demo), PASSES.filter((p) => p.kind === 'analysis'));
    const h = hints.get(circuit.top)!;
    expect([...h.branchLocal!.values()].flat().map((e) => (e.kind === 'op' ? e.op : e.kind)).sort()).toEqual(['add', 'mul', 'resize']);
    expect(h.inlineReads!.size).toBe(1);
  });

  it('hwflow gen --no-pass changes only what that pass decides', () => {
    const text = (skip: string[]): string => emitVerilog(elaborate(demo), { skipPasses: skip })[0]!.text;
    expect(text([])).toContain('lint_off BLKSEQ');
    expect(text(['branch-local-logic'])).not.toContain('lint_off BLKSEQ');
    expect(text(['inline-sync-reads'])).toMatch(/wire \[7:0\] lut_word_0 = lut\[rd\];/);
    expect(text([])).not.toContain('lut_word_0');
  });
});

describe('per-pass fuzz check', () => {
  const { programs, stims, rst } = campaignBatch(5, 0, 120, 16);
  const circuit = elaborate(batchModule(programs, 'pass_check'));
  const rows = batchVectors(programs, stims, rst);
  const expected = simulateBatch(circuit, rows);

  it('finds nothing on the real pass list', () => {
    expect(checkPasses(circuit, rows, expected).map(describeMismatch)).toEqual([]);
  });

  it('catches a transform that changes what the design computes', () => {
    const wrong: TransformPass = {
      kind: 'transform', name: 'fold-all-comparisons', purpose: 'every comparison is true (wrong)',
      rewrite: () => ({ replace: (e) => (e.kind === 'op' && OPS[e.op].class === 'compare' ? constantFor(e, 1n) : undefined) }),
    };
    const found = checkPasses(circuit, rows, expected, [...PASSES.slice(0, 1), wrong]);
    expect(found.length).toBeGreaterThan(5);
    expect(found.every((m) => m.pass === 'fold-all-comparisons'), found.map(describeMismatch).join('\n')).toBe(true);
  });

  it('catches an analysis that computes shared logic inside one branch, or inlines a shared read', () => {
    const everythingInBranch: AnalysisPass = {
      kind: 'analysis', name: 'everything-in-branch', purpose: 'all logic inside the first conditional register branch (wrong)',
      analyze: (m) => {
        const reg = m.signals.find((s) => s.kind === 'reg' && s.assigns.some((a) => a.path.length > 0));
        const a = reg?.assigns.find((x) => x.path.length > 0);
        const ops = m.signals.flatMap((s) => s.assigns.map((x) => x.value)).filter((e) => e.kind === 'op');
        return a ? { branchLocal: new Map([[a, ops]]) } : {};
      },
    };
    const allInline: AnalysisPass = {
      kind: 'analysis', name: 'all-reads-inline', purpose: 'every memory read prints inline (wrong)',
      analyze: (m) => ({ inlineReads: new Set(m.signals.flatMap((s) => s.assigns.map((x) => x.value)).filter((e) => e.kind === 'memread').map((e) => e.id)) }),
    };
    for (const wrong of [everythingInBranch, allInline] as Pass[]) {
      const found = checkPasses(circuit, rows, expected, [wrong]);
      expect(found.length, wrong.name).toBeGreaterThan(0);
      expect(found.every((m) => m.pass === wrong.name)).toBe(true);
    }
  });
});

describe('hwflow gen pass flags', () => {
  const hwflow = (...args: string[]) => execa('node', [path.resolve('bin/hwflow.mjs'), ...args], { reject: false });
  it('--passes prints the pass list in order with each purpose', async () => {
    const r = await hwflow('gen', '--passes');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(PASSES.map((p) => p.name));
    for (const p of PASSES) expect(r.stdout).toContain(p.purpose);
  });
  it('--no-pass with an unknown name is a one-line error listing the passes', async () => {
    const r = await hwflow('gen', 'mac', '--no-pass', 'nosuch');
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: unknown pass 'nosuch'; passes: fold-comparisons, .*branch-local-logic$/);
  });
});
