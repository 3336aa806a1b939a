/**
 * Reports: the unit-energy table and its override, energy from operation counts, and a whole
 * report of the MAC built from a simulation result and a real yosys run, in all three formats.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReport } from '../cli/commands/report.ts';
import { SHIFTADD_45NM, energyOf, loadEnergyTable } from '../flows/fpga/report/energy.ts';
import { charts } from '../flows/fpga/report/render.ts';
import { unitCounts } from '../flows/fpga/report/units.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { createMac } from '../generators/mac/create.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-report-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  process.env.HWFLOW_CACHE = path.join(tmp, 'cache');
});

describe('unit energies', () => {
  it('hold the 45 nm table of the accelerator spec', () => {
    expect(SHIFTADD_45NM.ops.multiply).toEqual({ 8: 0.2, 16: 1.1, 32: 3.7 });
    expect(SHIFTADD_45NM.ops.add).toEqual({ 8: 0.03, 16: 0.4, 32: 0.9 });
    expect(SHIFTADD_45NM.ops.shift).toEqual({ 8: 0.024, 16: 0.15, 32: 0.13 });
    expect(SHIFTADD_45NM.ops.lookup).toEqual({ 16: 0.37 });
    expect(SHIFTADD_45NM.memory).toEqual({ dram: 200, globalBuffer: 22.2, arrayNetwork: 7.4, registerFile: 3.7 });
    expect(SHIFTADD_45NM.source).toContain('docs/report.md'); // a file in the repository
  });

  it('price MACs as a multiply and an add, fall back to the nearest width, and list what they cannot price', () => {
    const e = energyOf({ macs: 100, shifts: 10, lookups: 4, tableAdds: 7, dramReads: 2 }, SHIFTADD_45NM, 8);
    expect(e.totalPj).toBeCloseTo(100 * (0.2 + 0.03) + 10 * 0.024 + 4 * 0.37 + 2 * 200, 9);
    expect(e.lines.find((l) => l.count === 'lookups')!.what).toBe('lookup 16-bit');
    expect(e.unpriced).toEqual(['tableAdds']);
    // The paper's ratio at 8 bits: a shift-add pair costs (0.024 + 0.03) / (0.2 + 0.03) of a MAC.
    const shift = energyOf({ shifts: 1, adds: 1 }, SHIFTADD_45NM, 8).totalPj;
    const mul = energyOf({ multiplies: 1, adds: 1 }, SHIFTADD_45NM, 8).totalPj;
    expect(shift / mul).toBeCloseTo(0.054 / 0.23, 9);
  });

  it('load an override table from JSON and reject a malformed one naming the field', () => {
    const good = path.join(tmp, 'table.json');
    fs.writeFileSync(good, JSON.stringify({ name: 'my 28 nm', ops: { multiply: { 8: 0.1 }, add: { 8: 0.01 }, shift: { 8: 0.01 }, lookup: { 8: 0.1 } }, memory: { dram: 100, globalBuffer: 10, arrayNetwork: 2, registerFile: 1 } }));
    const t = loadEnergyTable(good);
    expect(t.name).toBe('my 28 nm');
    expect(energyOf({ multiplies: 10 }, t, 16).totalPj).toBeCloseTo(1, 9);
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ ops: { multiply: { 12: 1 }, add: {}, shift: {}, lookup: {} }, memory: { dram: 1, globalBuffer: 1, arrayNetwork: 1, registerFile: 1 } }));
    expect(() => loadEnergyTable(bad)).toThrow(/ops\.multiply\.12 = 1; widths are 8, 16, 32/);
  });
});

describe('hwflow report', () => {
  it('counts datapath units over the hierarchy', () => {
    const u = unitCounts(elaborate(createMac({ width: 8, accWidth: 24 })));
    expect(u.multipliers).toBe(1);
    expect(u.adders).toBe(1);
    expect(u.registerBits).toBe(24);
  });

  it('reports the MAC from a simulation result and a yosys run as JSON, Markdown and HTML', async () => {
    const sim = path.join(tmp, 'run.json');
    fs.writeFileSync(sim, JSON.stringify({ top: 'mac_s8_acc24', cycles: 1030, idealCycles: 1024, counts: { macs: 1024 } }));
    const out = path.join(tmp, 'report');
    const { report, files } = await makeReport('mac', { param: [], sim: [sim], synth: 'ice40', seed: '1', out });
    expect(report.energyTable.name).toBe(SHIFTADD_45NM.name);
    const p = report.points[0]!;
    expect(p.top).toBe('mac_s8_acc24');
    expect(p.cycles).toEqual({ measured: 1030, ideal: 1024, source: 'run.json' });
    expect(p.energy!.totalPj).toBeCloseTo(1024 * 0.23, 9);
    expect(p.synth[0]!.resources.luts).toBeGreaterThan(50); // an 8x8 LUT multiplier
    expect(p.synth[0]!.resources.ffs).toBe(24);
    expect(JSON.parse(fs.readFileSync(files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    const md = fs.readFileSync(files.markdown, 'utf8');
    expect(md).toContain('Energy table: ShiftAdd 45 nm unit energies');
    expect(md).toMatch(/\| ci \| mac_s8_acc24 \| \d+\/24\/0\/0 \|/);
    const html = fs.readFileSync(files.html, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/); // nothing runs, nothing is fetched
    expect(charts(report).map((c) => c.svg.match(/<title>([^<]+)<\/title>/)![1])).toEqual([
      'Resources by kind — ice40', 'Datapath units by kind', 'Cycles against the ideal bound', 'Energy by operation',
    ]);
  });

  it('adds a scatter plot when a parameter is swept, and says what is missing', async () => {
    const { report } = await makeReport('mac', { param: ['accWidth=24'], sim: [], synth: 'generic', seed: '1', sweep: 'width=4,8', out: path.join(tmp, 'sweep') });
    expect(report.points.map((p) => p.label)).toEqual(['width=4', 'width=8']);
    expect(report.points[0]!.synth[0]!.resources.luts).toBeLessThan(report.points[1]!.synth[0]!.resources.luts);
    const titles = charts(report).map((c) => c.svg.match(/<title>([^<]+)<\/title>/)![1]);
    expect(titles.at(-1)).toBe('Parameter points: LUTs vs flip-flops');
    expect(report.notes.join('\n')).toMatch(/width=4: no operation counts, so no energy/);
  });

  it('rejects a bad sweep and a bad width with the expected form', async () => {
    await expect(makeReport('mac', { param: [], sim: [], synth: 'none', seed: '1', sweep: 'width', out: tmp })).rejects.toThrow(/bad --sweep 'width'; expected key=v1,v2/);
    await expect(makeReport('mac', { param: [], sim: [], synth: 'none', seed: '1', width: '12', out: tmp })).rejects.toThrow("bad --width '12'; valid: 8, 16, 32");
  });
});
