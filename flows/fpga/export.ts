/**
 * `hwflow export`: a self-contained FPGA project folder from a design folder — the Verilog under
 * `rtl/`, a serial I/O shell when the design has more port bits than the part has pins, the
 * constraints (PCF, XDC or SDC with the clock) and the build script for the target's tools.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { emitVerilog } from '../../dsl/verilog/emit.ts';

import type { Manifest } from '../../dsl/manifest.ts';
import { FpgaUsageError } from './errors.ts';
import { assignPins, HX8K_CT256_PINS } from './pins.ts';
import { ElaboratedDef, SHELL_PINS, blackBoxFromManifest, serialShell, shellChainLengths, wrapperCircuit } from './shell.ts';
import { getTarget, ice40Flow, parseClockMhz, periodNs } from './targets.ts';

export type ShellMode = 'auto' | 'always' | 'never';

export interface ExportOptions {
  target: string;
  /** Output folder; replaced atomically. */
  out: string;
  /** Clock in MHz (number or the CLI's string); defaults to the target board's oscillator. */
  clockMhz?: number | string;
  /** Vendor part override for xilinx-7 and intel. */
  part?: string;
  /** Add the serial shell when needed (auto), always, or never (then too many ports is an error). */
  shell?: ShellMode;
}

export interface ExportResult {
  dir: string;
  target: string;
  part: string;
  /** The module the tools build: the design's top, or its shell. */
  top: string;
  designTop: string;
  clockMhz: number;
  /** The serial shell, when one was added: chain lengths and the pins it uses. */
  shell: { module: string; inputBits: number; outputBits: number; pins: number } | null;
  /** Pins the design needs without a shell, and the part's user pins. */
  designPins: number;
  partPins: number;
  /** Verilog sources, relative to `dir`, top last. */
  sources: string[];
  /** Every file written, relative to `dir`. */
  files: string[];
}

const RECORD = 'hwflow-export.json';

/** Write the project for `opts.target` from the design folder `designDir`. */
export function exportProject(designDir: string, opts: ExportOptions): ExportResult {
  const target = getTarget(opts.target);
  const clockMhz = parseClockMhz(opts.clockMhz, target.defaultClockMhz);
  if (opts.shell !== undefined && !['auto', 'always', 'never'].includes(opts.shell))
    throw new FpgaUsageError(`bad shell mode '${String(opts.shell)}'; valid: auto, always, never`);
  if (opts.part !== undefined && target.family !== 'xilinx' && target.family !== 'intel')
    throw new FpgaUsageError(`--part applies to xilinx-7 and intel only; target '${target.name}' is the fixed part ${target.part}`);
  const design = readDesignFolder(designDir);
  const m = design.manifest;
  const part = opts.part ?? target.part;
  const designPins = pinsNeeded(m);
  const mode = opts.shell ?? 'auto';
  const needShell = mode === 'always' || (mode === 'auto' && designPins > target.userPins);
  if (mode === 'never' && designPins > target.userPins)
    throw new FpgaUsageError(`design '${m.top}' needs ${designPins} pins but ${part} has ${target.userPins}; drop --shell never to wrap it in the serial shell`);

  const files = new Map<string, string>();
  const sources = m.files.map((f) => `rtl/${f}`);
  design.files.forEach((f, i) => files.set(sources[i]!, fs.readFileSync(f, 'utf8')));
  let top = m.top;
  let ports = m.ports.map((p) => ({ name: p.name, width: p.width }));
  let clock = m.clock;
  let shell: ExportResult['shell'] = null;
  if (needShell) {
    const box = blackBoxFromManifest(m);
    const circuit = wrapperCircuit(serialShell(box, new ElaboratedDef(box)).elaborate());
    const [file] = emitVerilog(circuit);
    top = circuit.top.name;
    files.set(`rtl/${file!.name}`, file!.text);
    sources.push(`rtl/${file!.name}`);
    ports = [{ name: 'clk', width: 1 }, { name: 'rst', width: 1 }, ...circuit.top.ports.map((p) => ({ name: p.name, width: p.type.width }))];
    clock = 'clk';
    shell = { module: top, ...shellChainLengths(box), pins: SHELL_PINS };
  }

  const common = { designTop: m.top, top, part, clock, clockPin: target.clockPin, clockMhz, periodNs: periodNs(clockMhz), sources };
  const pinsOf = (pins: readonly string[]) => assignPins(ports, pins, clock, target.clockPin);
  const xdcPorts = ports.map((p) => (p.width === 1 ? p.name : `{${p.name}[*]}`));
  switch (target.family) {
    case 'ice40': {
      const pcf = `${top}.pcf`;
      const flow = ice40Flow(target, top, sources, pcf, clockMhz);
      files.set(pcf, render('pcf', { ...common, pins: pinsOf(target.ice40!.pins) }));
      files.set('Makefile', render('Makefile', { ...common, pcf, yosysScript: flow.yosysScript, nextpnrArgs: flow.nextpnrArgs.join(' ') }));
      break;
    }
    case 'xilinx':
      files.set('constraints.xdc', render('xdc', { ...common, ports: xdcPorts }));
      files.set('build.tcl', render('vivado.tcl', { ...common, script: 'build.tcl', constraints: 'constraints.xdc' }));
      break;
    case 'intel':
      files.set(`${top}.sdc`, render('sdc', common));
      files.set('build.tcl', render('quartus.tcl', { ...common, script: 'build.tcl', constraints: `${top}.sdc`, family: target.quartusFamily! }));
      break;
    case 'fusesoc':
      writeFusesoc(files, common, pinsOf(HX8K_CT256_PINS), xdcPorts, m.generator);
      break;
  }
  const result: ExportResult = {
    dir: path.resolve(opts.out), target: target.name, part, top, designTop: m.top, clockMhz, shell,
    designPins, partPins: target.userPins, sources, files: [...files.keys(), RECORD].sort(),
  };
  files.set(RECORD, JSON.stringify({ ...result, dir: undefined, manifest: m }, null, 2) + '\n');
  writeAtomically(result.dir, files);
  return result;
}

/** The FuseSoC bundle: one .core with lint, icestorm (hx8k), Vivado and Quartus targets, and their constraints. */
function writeFusesoc(files: Map<string, string>, common: Record<string, unknown> & { top: string; sources: string[] }, pins: unknown, xdcPorts: string[], generator: string): void {
  const hx8k = getTarget('ice40-hx8k');
  const xilinx = getTarget('xilinx-7');
  const intel = getTarget('intel');
  const pcf = `${common.top}.pcf`;
  const flow = ice40Flow(hx8k, String(common.top), common.sources, pcf, Number(common.clockMhz));
  files.set(pcf, render('pcf', { ...common, part: hx8k.part, clockPin: hx8k.clockPin, pins }));
  files.set('constraints.xdc', render('xdc', { ...common, part: xilinx.part, clockPin: xilinx.clockPin, ports: xdcPorts }));
  files.set(`${common.top}.sdc`, render('sdc', { ...common, part: intel.part }));
  files.set('quartus-pins.tcl', render('quartus-pins.tcl', { ...common, part: intel.part, clockPin: intel.clockPin }));
  const coreName = String(common.top).replace(/_/g, '-');
  files.set(`${coreName}.core`, render('core', {
    ...common, coreName, vlnv: `hwflow:designs:${coreName}:0.1.0`,
    description: `${String(common.designTop)} generated by hwflow from ${generator}`.replace(/"/g, "'"),
    pcf, xdc: 'constraints.xdc', sdc: `${common.top}.sdc`, quartusPins: 'quartus-pins.tcl',
    ice40SynthOptions: '', ice40NextpnrOptions: flow.nextpnrArgs.slice(0, 3).concat('--freq', String(common.clockMhz)).join(', '),
    xilinxPart: xilinx.part, intelPart: intel.part, intelFamily: intel.quartusFamily!,
  }));
}

/** Write every file into a temporary sibling, then swap it in, so a failed export leaves no half folder. */
function writeAtomically(dir: string, files: Map<string, string>): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(dir), `.${path.basename(dir)}.tmp-`));
  try {
    for (const [name, text] of files) {
      fs.mkdirSync(path.dirname(path.join(tmp, name)), { recursive: true });
      fs.writeFileSync(path.join(tmp, name), text);
    }
    const old = `${tmp}.old`;
    if (fs.existsSync(dir)) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

// ---- design folders -------------------------------------------------------------------------

/** Reading a design folder written by `writeDesign`: its manifest and Verilog files, checked. */
export interface DesignFolder {
  dir: string;
  manifest: Manifest;
  /** Absolute paths of the Verilog files, children first, top last. */
  files: string[];
}

/** Load `dir/manifest.json` and check that every Verilog file it lists is there. */
export function readDesignFolder(dir: string): DesignFolder {
  const abs = path.resolve(dir);
  const mf = path.join(abs, 'manifest.json');
  if (!fs.existsSync(mf)) throw new FpgaUsageError(`'${dir}' is not a design folder: no manifest.json (write one with \`hwflow gen\`)`);
  const manifest = JSON.parse(fs.readFileSync(mf, 'utf8')) as Manifest;
  if (manifest.hwflow !== 1 || typeof manifest.top !== 'string' || !Array.isArray(manifest.files) || !Array.isArray(manifest.ports))
    throw new FpgaUsageError(`'${mf}' is not an hwflow manifest (version 1 with top, files and ports)`);
  const files = manifest.files.map((f) => path.join(abs, f));
  for (const f of files) if (!fs.existsSync(f)) throw new FpgaUsageError(`design folder '${dir}' lists '${path.basename(f)}' but the file is missing`);
  return { dir: abs, manifest, files };
}

/** Port bits of the design's top, clock and reset included: the pins it needs without a shell. */
export function pinsNeeded(manifest: Manifest): number {
  return manifest.ports.reduce((a, p) => a + p.width, 0);
}

// ---- templates --------------------------------------------------------------------------------

/*
 * Handlebars templates for tool files (Makefile, constraints, TCL, .core), compiled with `strict`
 * (a missing field is an error, not an empty string) and `noEscape` (HTML escaping would turn TCL's
 * `<` and `&` into entities). Templates never produce HDL: that comes from the DSL.
 */
const templateDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');
const compiled = new Map<string, HandlebarsTemplateDelegate>();

/** The names of the files in `flows/fpga/templates/` without `.hbs`. */
export type TemplateName = 'Makefile' | 'pcf' | 'xdc' | 'sdc' | 'vivado.tcl' | 'quartus.tcl' | 'quartus-pins.tcl' | 'core';

/** Render `templates/<name>.hbs` with `data`; a field the template uses but `data` lacks throws. */
export function render(name: TemplateName, data: object): string {
  let t = compiled.get(name);
  if (!t) {
    t = Handlebars.compile(fs.readFileSync(path.join(templateDir, `${name}.hbs`), 'utf8'), { strict: true, noEscape: true });
    compiled.set(name, t);
  }
  return t(data);
}
