/**
 * `hwflow export <design> --target <t> --out DIR`: an FPGA project folder (Verilog, I/O shell when
 * needed, constraints, build script). Also home of `designFolderFor`, which the build, synth and
 * report commands share: a registered design or script is generated into the cache first, and a
 * folder that already holds a manifest.json is used as it is.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { cacheRoot } from '../../toolchain/cache-root.ts';
import { exportProject, type ShellMode } from '../../flows/fpga/export.ts';
import { TARGET_NAMES } from '../../flows/fpga/targets.ts';
import { writeDesign } from '../../dsl/output.ts';
import { resolveDesign, type ResolvedDesign } from '../design.ts';
import { printWarnings, runCommand } from '../errors.ts';
import { paramOptions, type DesignOptions } from '../options.ts';

export type { DesignOptions };

/** A design folder for `design`: an existing folder with manifest.json, or the generated design in the cache. */
export async function designFolderFor(design: string, opts: DesignOptions): Promise<{ dir: string; resolved?: ResolvedDesign }> {
  if (fs.existsSync(path.join(design, 'manifest.json'))) return { dir: path.resolve(design) };
  const resolved = await resolveDesign(design, { preset: opts.preset, params: opts.param });
  printWarnings(resolved.circuit.warnings);
  const dir = path.join(cacheRoot(), 'designs', resolved.circuit.top.name);
  writeDesign(resolved.circuit, dir, resolved.info);
  return { dir, resolved };
}

/** Add the design-selection options every FPGA command takes. */
export function designOptions(cmd: Command): Command {
  return paramOptions(cmd.argument('<design>', 'registered design name, path to a .ts script, or a folder with manifest.json'));
}

export function register(program: Command): void {
  designOptions(program.command('export').description('write an FPGA project (Verilog, I/O shell if needed, constraints, build script)'))
    .requiredOption('--target <target>', `one of ${TARGET_NAMES.join(', ')}`)
    .requiredOption('--out <dir>', 'project folder to write (replaced)')
    .option('--clock <MHz>', 'clock frequency in MHz (default: the target board oscillator)')
    .option('--part <part>', 'vendor part for xilinx-7 or intel')
    .option('--shell <mode>', 'serial I/O shell: auto (when ports exceed pins), always, never', 'auto')
    .action((design: string, opts: DesignOptions & { target: string; out: string; clock?: string; part?: string; shell: ShellMode }) =>
      runCommand(async () => {
        const { dir } = await designFolderFor(design, opts);
        const r = exportProject(dir, { target: opts.target, out: opts.out, clockMhz: opts.clock, part: opts.part, shell: opts.shell });
        const rel = path.relative(process.cwd(), r.dir) || '.';
        process.stdout.write(`${rel}: ${r.target} project for ${r.designTop} on ${r.part} at ${r.clockMhz} MHz\n`);
        if (r.shell)
          process.stdout.write(`  serial shell ${r.shell.module}: ${r.designPins} port bits > ${r.partPins} pins; ${r.shell.pins} pins, ${r.shell.inputBits} bits in, ${r.shell.outputBits} bits out (see docs/fpga.md)\n`);
        process.stdout.write(`  files: ${r.files.join(', ')}\n`);
      }),
    );
}
