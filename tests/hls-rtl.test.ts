// HLS output in Verilator: the dot-product kernel under random stalls on both sides, compared token
// by token with calling the TS function in Node (what `hwflow hls --check` does), and a seeded batch
// of random kernels from the fuzzer sharing one Verilator build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { hls, parseTypes } from '../hls/index.ts';
import { checkKernel } from '../cli/commands/hls.ts';
import { fuzzBatch } from '../scripts/fuzz-hls.ts';
import { dot } from '../hls/examples/dot.ts';
import { testSeed } from './support/rng.ts';

it('dot product: 300 random argument sets under 30% stalls equal dot() in Node; a wrong model is caught', async () => {
  const seed = testSeed();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hls-rtl-'));
  try {
    const r = hls('hls/examples/dot.ts', 'dot', parseTypes('{ x: Vec(sint(8), 8), w: Vec(sint(8), 8) }'), { clockMHz: 60 });
    const w = writeDesign(elaborate(r.def), dir, { generator: 'hls' });
    expect(w.manifest.notes.find((n) => n.element === 'hls')).toMatchObject({ ii: 1, stages: r.schedule.stages });
    const res = await checkKernel(r, w.dir, [{ f: dot as (...a: unknown[]) => unknown, name: 'dot' }], 300, seed, 'quick');
    expect(res.tokens).toBe(300);
    const wrong = (x: number[], v: number[]) => dot(x, v) + (x[3] === 5 ? 1 : 0);
    await expect(checkKernel(r, w.dir, [{ f: wrong as (...a: unknown[]) => unknown, name: 'dot' }], 2000, seed, 'quick')).rejects.toThrow(/hardware gave .* Node gave/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);

it('a seeded batch of 12 random kernels: Verilator == Node', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hls-rtl-fuzz-'));
  try {
    const seed = testSeed();
    const st = await fuzzBatch(Array.from({ length: 12 }, (_, i) => seed * 1000 + i), { args: 10, dir, rtl: true, stallSeed: seed });
    expect(st.rtlKernels + st.rejected).toBe(12);
    expect(st.rtlTokens).toBe(st.rtlKernels * 10);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
