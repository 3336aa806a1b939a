// HLS tables in block RAM (hls/backend.ts bramRead): a 512-entry table read at two data indices, at a
// threshold of 512 entries, becomes two synchronous ROM reads one stage after their indices; checked
// in Verilator against lookup() under random stalls, and yosys maps the tables to iCE40 block RAM.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { runSynth } from '../flows/fpga/synth.ts';
import { hls, parseTypes } from '../hls/index.ts';
import { checkKernel } from '../cli/commands/hls.ts';
import { lookup } from './hls-kernels/lookup.ts';
import { testSeed } from './support/rng.ts';

const file = 'tests/hls-kernels/lookup.ts';
const types = parseTypes('{ i: uint(9), j: uint(8) }');

it('tables below the threshold stay LUT ROMs; at it they are block-RAM reads a stage after their index', () => {
  const lut = hls(file, 'lookup', types);
  expect(lut.schedule.bram.size).toBe(0);
  expect(lut.schedule.units.table).toBe(2);
  const ram = hls(file, 'lookup', types, { bramMinEntries: 512 });
  expect(ram.schedule.units.bram).toBe(2);
  for (const n of ram.schedule.bram) expect(ram.schedule.stageOf.get(n)).toBe(ram.schedule.stageOf.get(n.args[0]!)! + 1);
});

it('lookup with 512-entry tables in block RAM: equal to lookup() under 30% stalls; yosys infers SB_RAM40_4K', async () => {
  const seed = testSeed();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hls-bram-'));
  try {
    const r = hls(file, 'lookup', types, { bramMinEntries: 512 });
    const w = writeDesign(elaborate(r.def), dir, { generator: 'hls' });
    const res = await checkKernel(r, w.dir, [{ f: lookup as (...a: unknown[]) => unknown, name: 'lookup' }], 300, seed, 'quick');
    expect(res.tokens).toBe(300);
    const wrong = (i: number, j: number) => lookup(i, j) + (i === 7 ? 1 : 0);
    await expect(checkKernel(r, w.dir, [{ f: wrong as (...a: unknown[]) => unknown, name: 'lookup' }], 3000, seed, 'quick')).rejects.toThrow(/hardware gave .* Node gave/);
    const synth = await runSynth(w.dir, { target: 'ice40' });
    expect(synth.resources.brams).toBeGreaterThanOrEqual(2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
