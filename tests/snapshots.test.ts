// The committed RTL under rtl-out/ is exactly what the generators emit today (regenerate with
// `npm run demo` and review the Verilog diff), and emission is byte-identical across runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitVerilog } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { elaboratePreset, registry } from '../generators/registry.ts';

const points = Object.entries(registry).flatMap(([name, g]) => Object.keys(g.presets).map((p) => [name, p] as const));
const resolveDesign = (name: string, o: { preset: string }) => elaboratePreset(registry[name]!, o.preset);

describe('rtl-out snapshots', () => {
  it.each(points)('%s preset %s matches the committed RTL', async (name, preset) => {
    const d = resolveDesign(name, { preset });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-snap-'));
    try {
      const w = writeDesign(d.circuit, path.join(tmp, d.circuit.top.name), d.info);
      const committed = path.join('rtl-out', d.circuit.top.name);
      expect(fs.existsSync(committed), `${committed} is missing: run npm run demo and commit rtl-out/`).toBe(true);
      const names = fs.readdirSync(w.dir).sort();
      expect(fs.readdirSync(committed).sort()).toEqual(names);
      for (const f of names)
        expect(fs.readFileSync(path.join(w.dir, f), 'utf8'), `${committed}/${f} differs from the generator's output`).toBe(
          fs.readFileSync(path.join(committed, f), 'utf8'),
        );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('every folder in rtl-out/ belongs to a registered preset', async () => {
    const tops = new Set<string>();
    for (const [name, preset] of points) tops.add((await resolveDesign(name, { preset })).circuit.top.name);
    const stale = fs.readdirSync('rtl-out').filter((d) => fs.statSync(path.join('rtl-out', d)).isDirectory() && !tops.has(d));
    expect(stale, 'stale folders in rtl-out/ (delete them)').toEqual([]);
  });

  it('emits byte-identical Verilog on every elaboration', async () => {
    for (const [name, preset] of points) {
      const a = emitVerilog((await resolveDesign(name, { preset })).circuit, { sourceLocs: true });
      const b = emitVerilog((await resolveDesign(name, { preset })).circuit, { sourceLocs: true });
      expect(b).toEqual(a);
    }
  });
});
