// Command output for people (issue 16, item 9): hwflow build's summary, hwflow report's note on a
// design that is not an Accelerator, and the energy table the report cites, which lives in the
// repository (docs/report.md) and agrees with the numbers the report uses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBuildSummary } from '../cli/commands/build.ts';
import { makeReport } from '../cli/commands/report.ts';
import type { BuildResult } from '../flows/fpga/build.ts';
import { SHIFTADD_45NM } from '../flows/fpga/report/energy.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-cli-output-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The MAC's record from docs/fpga.md (a real build's figures), as buildIce40 returns it.
const mac: BuildResult = {
  design: 'mac_s8_acc24', target: 'ice40-up5k', part: 'iCE40UP5K-SG48', top: 'mac_s8_acc24_serial_shell',
  shell: { module: 'mac_s8_acc24_serial_shell', inputBits: 18, outputBits: 24, pins: 7 }, clockMhz: 12,
  bitstream: '/nowhere/project/mac_s8_acc24_serial_shell.bin',
  utilisation: { lcs: 91, rams: 0, dsps: 1, ios: 7 },
  utilisationDetail: { ICESTORM_LC: { used: 91, available: 5280 }, ICESTORM_DSP: { used: 1, available: 8 }, ICESTORM_RAM: { used: 0, available: 30 }, SB_IO: { used: 7, available: 96 } },
  fmaxMhz: 79.76, clocks: [{ net: 'clk', fmaxMhz: 79.76, targetMhz: 12 }], meetsTiming: true,
  resources: { luts: 53, ffs: 84, carries: 23, dsps: 1, brams: 0, other: {} }, cells: {}, seconds: { synth: 2.4, pnr: 8, pack: 0.04 },
  tools: { yosys: 'y', nextpnr: 'n' }, cached: false,
  project: '/nowhere/project',
};

describe('hwflow build summary', () => {
  it('names design, part, each resource against the part, Fmax against the target and the bitstream', () => {
    expect(formatBuildSummary(mac)).toBe([
      'mac_s8_acc24 on ice40-up5k (iCE40UP5K-SG48), through the serial shell mac_s8_acc24_serial_shell (18 bits in, 24 out)',
      '  logic cells  91 / 5280 (2%)',
      '  DSPs         1 / 8 (13%)',
      '  block RAMs   0 / 30 (0%)',
      '  I/Os         7 / 96 (7%)',
      '  Fmax         79.76 MHz against 12 MHz: met',
      '  bitstream    /nowhere/project/mac_s8_acc24_serial_shell.bin',
      '',
    ].join('\n'));
    expect(formatBuildSummary({ ...mac, clockMhz: 100, meetsTiming: false })).toMatch(/79\.76 MHz against 100 MHz: NOT met \(1\.25x too slow\)/);
  });
});

describe('hwflow report on a plain module', () => {
  it('says what it shows and what cycles and energy need', async () => {
    const { report } = await makeReport('examples/mac.ts', { param: [], synth: 'none', sim: [], seed: '1', out: path.join(tmp, 'mac') });
    expect(report.notes[0]).toMatch(/'examples\/mac\.ts' is not an Accelerator .*datapath units.*--build.*--sim run\.json with "cycles" and "counts".*defineAccelerator/);
  });
});

describe('the energy table', () => {
  it('is cited from the repository, and docs/report.md shows the numbers the report uses', () => {
    const [file, section] = SHIFTADD_45NM.source.split(/, section /);
    expect(fs.existsSync(file!), SHIFTADD_45NM.source).toBe(true);
    const doc = fs.readFileSync(file!, 'utf8');
    const energy = doc.slice(doc.indexOf(`## ${section!.split(':')[0]}`));
    const row = (op: string): string[] => energy.match(new RegExp(`^\\| ${op} \\| (.*) \\|$`, 'm'))![1]!.split(' | ');
    const at = (t: Partial<Record<number, number>>) => [8, 16, 32].map((w) => (t[w] === undefined ? '–' : String(t[w])));
    expect(row('multiply')).toEqual(at(SHIFTADD_45NM.ops.multiply));
    expect(row('add')).toEqual(at(SHIFTADD_45NM.ops.add));
    expect(row('shift')).toEqual(at(SHIFTADD_45NM.ops.shift));
    expect(row('table lookup')).toEqual(at(SHIFTADD_45NM.ops.lookup));
    const m = SHIFTADD_45NM.memory;
    expect(energy).toContain(`DRAM ${m.dram} pJ, global buffer ${m.globalBuffer} (6 × ${m.registerFile}), array network ${m.arrayNetwork} (2 × ${m.registerFile}),\nregister file ${m.registerFile}.`);
  });
});
