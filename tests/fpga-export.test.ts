/**
 * Exported projects checked structurally for every target: each source a script or core lists
 * exists, the top module and the clock are named, the part is set; the FuseSoC core parses as YAML
 * with the expected targets; wide designs get the serial shell, narrow ones keep their ports; bad
 * options are one-line errors naming the value and the valid ones.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { exportProject } from '../flows/fpga/export.ts';
import { TARGET_NAMES, getTarget } from '../flows/fpga/targets.ts';
import { writeDesign } from '../dsl/output.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { createMac } from '../generators/mac/create.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-export-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const designDir = path.join(tmp, 'mac');
writeDesign(elaborate(createMac({ width: 8, accWidth: 24 })), designDir, { generator: 'mac', preset: 'ci', params: {} });

const read = (dir: string, f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');
/** Every path a line of `text` names through `re` (group 1), checked to exist under `dir`. */
function listed(dir: string, text: string, re: RegExp): string[] {
  const out = [...text.matchAll(re)].map((m) => m[1]!);
  for (const f of out) expect(fs.existsSync(path.join(dir, f)), `${f} listed but missing`).toBe(true);
  return out;
}

describe('hwflow export', () => {
  it('xilinx-7: non-project Vivado TCL reads every source, names top and part, reports and writes a bitstream', () => {
    const r = exportProject(designDir, { target: 'xilinx-7', out: path.join(tmp, 'xilinx'), clockMhz: 125 });
    const tcl = read(r.dir, 'build.tcl');
    expect(listed(r.dir, tcl, /^read_verilog \[file join \$here (\S+)\]$/gm)).toEqual(['rtl/mac_s8_acc24.v']);
    expect(listed(r.dir, tcl, /^read_xdc \[file join \$here (\S+)\]$/gm)).toEqual(['constraints.xdc']);
    expect(tcl).toContain('synth_design -top mac_s8_acc24 -part xc7a35ticsg324-1L');
    const steps = ['synth_design', 'opt_design', 'place_design', 'route_design', 'report_utilization', 'report_timing_summary', 'write_bitstream'];
    const at = steps.map((s) => tcl.search(new RegExp(`^${s}\\b`, 'm')));
    expect(at.every((i) => i >= 0)).toBe(true);
    // synth, opt, place, route, then the bitstream last.
    expect(at[0]! < at[1]! && at[1]! < at[2]! && at[2]! < at[3]! && at[3]! < at[6]! && Math.max(...at) === at[6]).toBe(true);
    const xdc = read(r.dir, 'constraints.xdc');
    expect(xdc).toContain('create_clock -period 8.000 -name clk [get_ports clk]');
    expect(xdc).toContain('set_property PACKAGE_PIN E3 [get_ports clk]');
    for (const p of ['clk', 'rst', '{a[*]}', '{b[*]}', 'valid', 'clear', '{acc[*]}']) expect(xdc).toContain(`IOSTANDARD LVCMOS33 [get_ports ${p}]`);
  });

  it('intel: Quartus TCL sets family, device, top, every source, the SDC and the clock pin', () => {
    const r = exportProject(designDir, { target: 'intel', out: path.join(tmp, 'intel'), part: 'EP4CE10F17C8' });
    const tcl = read(r.dir, 'build.tcl');
    expect(listed(r.dir, tcl, /VERILOG_FILE (\S+)$/gm)).toEqual(['rtl/mac_s8_acc24.v']);
    expect(listed(r.dir, tcl, /SDC_FILE (\S+)$/gm)).toEqual(['mac_s8_acc24.sdc']);
    expect(tcl).toContain('set_global_assignment -name FAMILY "Cyclone IV E"');
    expect(tcl).toContain('set_global_assignment -name DEVICE EP4CE10F17C8');
    expect(tcl).toContain('set_global_assignment -name TOP_LEVEL_ENTITY mac_s8_acc24');
    expect(tcl).toContain('set_location_assignment PIN_R8 -to clk');
    expect(tcl).toMatch(/^execute_flow -compile$/m);
    expect(read(r.dir, 'mac_s8_acc24.sdc')).toContain('create_clock -name clk -period 20.000 [get_ports clk]');
  });

  it('fusesoc: the .core is CAPI2 YAML whose filesets exist and whose targets name top, part and tools', () => {
    const r = exportProject(designDir, { target: 'fusesoc', out: path.join(tmp, 'fusesoc') });
    const coreFile = r.files.find((f) => f.endsWith('.core'))!;
    const text = read(r.dir, coreFile);
    expect(text.startsWith('CAPI=2:\n')).toBe(true);
    const core = parseYaml(text, { merge: true }) as {
      name: string;
      filesets: Record<string, { files: (string | Record<string, unknown>)[]; file_type?: string }>;
      targets: Record<string, { toplevel: string; default_tool?: string; filesets: string[]; tools?: Record<string, Record<string, unknown>> }>;
    };
    expect(core.name).toBe('hwflow:designs:mac-s8-acc24:0.1.0');
    for (const fs_ of Object.values(core.filesets))
      for (const f of fs_.files) {
        const name = typeof f === 'string' ? f : Object.keys(f)[0]!;
        expect(fs.existsSync(path.join(r.dir, name)), `${name} listed but missing`).toBe(true);
      }
    expect(core.filesets.rtl!.file_type).toBe('verilogSource');
    expect(Object.keys(core.targets).sort()).toEqual(['default', 'ice40', 'intel', 'lint', 'xilinx']);
    for (const t of Object.values(core.targets)) expect(t.toplevel).toBe('mac_s8_acc24');
    expect(core.targets.ice40!.tools!.icestorm!.nextpnr_options).toEqual(['--hx8k', '--package', 'ct256', '--freq', 12]);
    expect(core.targets.xilinx!.tools!.vivado!.part).toBe('xc7a35ticsg324-1L');
    expect(core.targets.intel!.tools!.quartus!.device).toBe('EP4CE22F17C6');
    expect(read(r.dir, 'mac_s8_acc24.pcf')).toMatch(/^set_io clk J3$/m);
  });

  it('ice40: narrow designs keep their ports on distinct package pins; wide ones get the 7-pin shell', () => {
    const hx = exportProject(designDir, { target: 'ice40-hx8k', out: path.join(tmp, 'hx8k') });
    expect(hx.shell).toBeNull();
    const pcf = read(hx.dir, 'mac_s8_acc24.pcf');
    const pins = [...pcf.matchAll(/^set_io (\S+) (\S+)$/gm)];
    expect(pins.length).toBe(44);
    expect(new Set(pins.map((p) => p[2])).size).toBe(44);
    expect(pcf).toMatch(/^set_io clk J3$/m);
    expect(pcf).toMatch(/^set_io acc\[23\] \S+$/m);
    const mk = read(hx.dir, 'Makefile');
    expect(listed(hx.dir, mk, /^SOURCES := (.+)$/gm).join(' ')).toBe('rtl/mac_s8_acc24.v');
    expect(mk).toContain('synth_ice40 -top mac_s8_acc24');
    expect(mk).toContain('nextpnr-ice40 --hx8k --package ct256');

    const up = exportProject(designDir, { target: 'ice40-up5k', out: path.join(tmp, 'up5k') });
    expect(up.designPins).toBe(44);
    expect(up.partPins).toBe(39);
    expect(up.shell?.pins).toBe(7);
    expect(up.sources).toEqual(['rtl/mac_s8_acc24.v', 'rtl/mac_s8_acc24_serial_shell.v']);
    const upPcf = read(up.dir, 'mac_s8_acc24_serial_shell.pcf');
    expect([...upPcf.matchAll(/^set_io (\S+) \S+$/gm)].map((m) => m[1])).toEqual(['clk', 'rst', 'sdi', 'shift', 'update', 'capture', 'sdo']);
  });

  it('rejects bad targets, clocks and part overrides with one line naming the value', () => {
    const out = path.join(tmp, 'bad');
    expect(() => exportProject(designDir, { target: 'ecp5', out })).toThrow(`unknown target 'ecp5'; valid targets: ${TARGET_NAMES.join(', ')}`);
    expect(() => exportProject(designDir, { target: 'intel', out, clockMhz: '-5' })).toThrow(/^bad clock '-5': give the frequency in MHz/);
    expect(() => exportProject(designDir, { target: 'ice40-up5k', out, part: 'x' })).toThrow(/--part applies to xilinx-7 and intel only/);
    expect(() => exportProject(path.join(tmp, 'nowhere'), { target: 'intel', out })).toThrow(/is not a design folder: no manifest.json/);
    expect(getTarget('ice40-up5k').userPins).toBe(39);
  });
});

describe('the export, build and synth commands', () => {
  /** Run one subcommand through commander as the CLI would; returns what it wrote and the exit code. */
  async function cli(args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
    const { Command } = await import('commander');
    const { register: exportCmd } = await import('../cli/commands/export.ts');
    const { register: buildCmd } = await import('../cli/commands/build.ts');
    const { register: synthCmd } = await import('../cli/commands/synth.ts');
    const program = new Command().exitOverride();
    for (const r of [exportCmd, buildCmd, synthCmd]) r(program);
    let out = '';
    let err = '';
    const w1 = process.stdout.write.bind(process.stdout);
    const w2 = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    const before = process.exitCode;
    try {
      await program.parseAsync(['node', 'hwflow', ...args]);
    } finally {
      process.stdout.write = w1;
      process.stderr.write = w2;
    }
    const code = process.exitCode as number | undefined;
    process.exitCode = before;
    return { out, err, code };
  }

  it('exports a design folder and reports the shell it added', async () => {
    const r = await cli(['export', designDir, '--target', 'ice40-up5k', '--out', path.join(tmp, 'cli-up5k')]);
    expect(r.code).toBeUndefined();
    expect(r.out).toMatch(/ice40-up5k project for mac_s8_acc24 on iCE40UP5K-SG48 at 12 MHz/);
    expect(r.out).toMatch(/serial shell mac_s8_acc24_serial_shell: 44 port bits > 39 pins; 7 pins, 18 bits in, 24 bits out/);
  });

  it('prints one error line naming a bad target or clock and exits with 2', async () => {
    const bad = await cli(['export', designDir, '--target', 'virtex', '--out', path.join(tmp, 'cli-bad')]);
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toContain("unknown target 'virtex'; valid targets: ice40-hx8k, ice40-up5k, xilinx-7, intel, fusesoc");
    const clock = await cli(['build', designDir, '--target', 'ice40-hx8k', '--clock', '12MHz']);
    expect(clock.code).toBe(2);
    expect(clock.err).toContain("bad clock '12MHz'");
    const synth = await cli(['synth', designDir, '--target', 'ice40-hx8k']);
    expect(synth.err).toContain("unknown synthesis target 'ice40-hx8k'; valid: ice40, ice40-dsp, xilinx-7, generic");
  });
});
