// HLS at II > 1 (hls/shared.ts): the dot product with its 8 multipliers shared over 4 cycles (2 units)
// in Verilator: results equal dot() under random stalls, and without stalls one result every 4 cycles.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { hls, parseTypes } from '../hls/index.ts';
import { checkKernel } from '../cli/commands/hls.ts';
import { openSim } from '../testbenches/index.ts';
import { dot } from '../hls/examples/dot.ts';
import { testSeed } from './support/rng.ts';

function product4(a: number, b: number, c: number, d: number): number {
  return a * b * c * d;
}

const types = parseTypes('{ x: Vec(sint(8), 8), w: Vec(sint(8), 8) }');

it('schedules shared multipliers: ceil(m / ii) units per stage, a product of products in the next stage', () => {
  for (const [ii, units] of [[1, 8], [2, 4], [3, 3], [4, 2], [8, 1]] as const)
    expect(hls('hls/examples/dot.ts', 'dot', types, { ii }).schedule.units.multiplier, `ii ${ii}`).toBe(units);
  // a*b*c*d: the second and third products depend on a shared product, so each starts a new stage.
  const chain = hls(product4, 'product4', parseTypes('{ a: sint(6), b: sint(6), c: sint(6), d: sint(6) }'), { ii: 2 });
  expect(chain.schedule.stages).toBe(3);
  expect(chain.schedule.unitsPerStage).toEqual([1, 1, 1]);
  expect(() => hls('hls/examples/dot.ts', 'dot', types, { ii: 0 })).toThrow(/--ii must be an integer from 1 to 64, got 0/);
});

it('dot at II 4 (2 multipliers): equal to dot() under 30% stalls, one result every 4 cycles without', async () => {
  const seed = testSeed();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hls-ii-'));
  try {
    const r = hls('hls/examples/dot.ts', 'dot', types, { ii: 4 });
    const w = writeDesign(elaborate(r.def), dir, { generator: 'hls' });
    expect(w.manifest.notes.find((n) => n.element === 'hls')).toMatchObject({ ii: 4, units: { multiplier: 2 } });
    // Two multiply operators in the Verilog, not eight.
    const v = fs.readFileSync(path.join(w.dir, w.manifest.files[0]!), 'utf8');
    expect(v.match(/ \* /g)?.length).toBe(2);
    const res = await checkKernel(r, w.dir, [{ f: dot as (...a: unknown[]) => unknown, name: 'dot' }], 200, seed, 'quick');
    expect(res.tokens).toBe(200);
    const wrong = (x: number[], y: number[]) => dot(x, y) + (x[6] === -3 ? 1 : 0);
    await expect(checkKernel(r, w.dir, [{ f: wrong as (...a: unknown[]) => unknown, name: 'dot' }], 2000, seed, 'quick')).rejects.toThrow(/hardware gave .* Node gave/);
    const sim = await openSim(w.dir, { seed, record: false, compile: 'quick' });
    try {
      const args = Array.from({ length: 16 }, (_, t) => ({ x: Array.from({ length: 8 }, (_, i) => ((t * 7 + i * 13) % 256) - 128), w: Array.from({ length: 8 }, (_, i) => ((t * 11 + i * 5) % 256) - 128) }));
      sim.send('args', args as never);
      await sim.run({ until: { result: 16 } });
      const at = sim.cycles('result');
      const gaps = at.slice(1).map((c, i) => c - at[i]!);
      expect(new Set(gaps)).toEqual(new Set([4]));
      expect(sim.receivedFields('result').map(Number)).toEqual(args.map((a) => dot(a.x, a.w)));
    } finally {
      await sim.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
