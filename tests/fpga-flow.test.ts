/**
 * The open iCE40 flow and yosys synthesis, run for real on the 8-bit MAC: a bitstream on up5k
 * (through the serial shell, since the MAC's 44 port bits exceed the SG48's 39 pins), utilisation
 * and Fmax parsed, a cache hit on the second build, the HX8K build with every port on its own pin,
 * yosys-only synthesis for Xilinx 7-series, and a tool failure reported with the tool's own error
 * line and the log path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIce40 } from '../flows/fpga/build.ts';
import { ToolError } from '../flows/fpga/errors.ts';
import { exportProject } from '../flows/fpga/export.ts';
import { runSynth } from '../flows/fpga/synth.ts';
import { runTool } from '../flows/fpga/tools.ts';
import { MissingToolError } from '../toolchain/tools.ts';
import { writeDesign } from '../dsl/output.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { createMac } from '../generators/mac/create.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-fpga-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const designDir = path.join(tmp, 'mac');

beforeAll(() => {
  // A private cache, so the first build really runs the tools and the second really hits.
  process.env.HWFLOW_CACHE = path.join(tmp, 'cache');
  writeDesign(elaborate(createMac({ width: 8, accWidth: 24 })), designDir, { generator: 'mac', preset: 'ci', params: { width: 8, accWidth: 24 } });
});

describe('hwflow build on ice40-up5k', () => {
  it('builds a bitstream through the serial shell and parses utilisation and Fmax', async () => {
    const r = await buildIce40(designDir, { target: 'ice40-up5k', progress: false });
    expect(r.cached).toBe(false);
    expect(r.top).toBe('mac_s8_acc24_serial_shell');
    expect(r.shell).toEqual({ module: 'mac_s8_acc24_serial_shell', inputBits: 18, outputBits: 24, pins: 7 });
    const bin = fs.statSync(r.bitstream);
    expect(bin.size).toBeGreaterThan(100_000); // an UP5K image is ~104 kB
    expect(r.utilisation.ios).toBe(7);
    expect(r.utilisation.dsps).toBe(1);
    expect(r.utilisation.lcs).toBeGreaterThan(40);
    expect(r.utilisation.lcs).toBeLessThan(r.utilisationDetail.ICESTORM_LC!.available);
    expect(r.fmaxMhz).toBeGreaterThan(12);
    expect(r.meetsTiming).toBe(true);
    expect(r.resources.dsps).toBe(1);
    expect(r.resources.ffs).toBe(18 * 2 + 24 + 24); // input chain + hold, output chain, accumulator

    const again = await buildIce40(designDir, { target: 'ice40-up5k', progress: false });
    expect(again.cached).toBe(true);
    expect(again.bitstream).toBe(r.bitstream);
    expect(again.fmaxMhz).toBe(r.fmaxMhz);
  });

  it('fails cleanly when the shell is refused and the ports do not fit', async () => {
    await expect(buildIce40(designDir, { target: 'ice40-up5k', shell: 'never', progress: false })).rejects.toThrow(
      /needs 44 pins but iCE40UP5K-SG48 has 39/,
    );
  });

  it('rejects targets the open flow cannot build, listing the valid ones', async () => {
    await expect(buildIce40(designDir, { target: 'xilinx-7' })).rejects.toThrow(/valid: ice40-hx8k, ice40-up5k/);
    await expect(buildIce40(designDir, { target: 'ice40-up5k', clockMhz: 'fast' })).rejects.toThrow(/bad clock 'fast'/);
  });
});

describe('hwflow build on ice40-hx8k', () => {
  it('keeps the 44 port bits on package pins of the PCF when they fit (no shell)', async () => {
    const r = await buildIce40(designDir, { target: 'ice40-hx8k', clockMhz: 50, progress: false });
    expect(r.shell).toBeNull();
    expect(r.top).toBe('mac_s8_acc24');
    expect(r.utilisation.ios).toBe(44);
    expect(r.utilisation.dsps).toBe(0); // the HX8K has none: the multiplier is LUTs
    expect(r.clocks[0]!.targetMhz).toBe(50);
    expect(fs.statSync(r.bitstream).size).toBeGreaterThan(100_000);
  });
});

describe('hwflow synth', () => {
  it('synthesises for Xilinx 7-series with yosys and maps the multiplier to a DSP48E1', async () => {
    const r = await runSynth(designDir, { target: 'xilinx-7', progress: false });
    expect(r.cells.DSP48E1).toBe(1);
    expect(r.resources.dsps).toBe(1);
    expect(r.yosys).toMatch(/^Yosys \d/);
    expect(fs.existsSync(r.log)).toBe(true);
  });

  it('rejects an unknown synthesis target with the list of valid ones', async () => {
    await expect(runSynth(designDir, { target: 'ecp5' })).rejects.toThrow("unknown synthesis target 'ecp5'; valid: ice40, ice40-dsp, xilinx-7, generic");
  });
});

describe('tool failures', () => {
  it("report the tool's own error lines and the log path", async () => {
    // hx8k has no DSPs: placing a netlist synthesised with -dsp fails inside nextpnr.
    const exp = exportProject(designDir, { target: 'ice40-up5k', out: path.join(tmp, 'fail') });
    await runTool('yosys', ['-q', '-p', `read_verilog ${exp.sources.join(' ')}; synth_ice40 -dsp -top ${exp.top} -json n.json`], exp.dir, 'yosys.log');
    const err = await runTool('nextpnr-ice40', ['--hx8k', '--package', 'ct256', '--json', 'n.json', '--pcf-allow-unconstrained', '--asc', 'n.asc'], exp.dir, 'nextpnr.log').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    const te = err as ToolError;
    expect(te.errorLines.join('\n')).toMatch(/ERROR: Unable to place cell .*ICESTORM_DSP/);
    expect(te.logPath).toBe(path.join(exp.dir, 'nextpnr.log'));
    expect(te.message).toContain(`full log: ${te.logPath}`);
  });

  it('name a missing tool and how to install it, with the error the simulators use', async () => {
    const err = await runTool('no-such-fpga-tool', [], tmp, 'x.log').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingToolError);
    expect((err as Error).message).toMatch(/^no-such-fpga-tool was not found on PATH\. Run `npm run setup`/);
  });
});
