/**
 * `hwflow build <design> --target ice40-hx8k|ice40-up5k`: yosys, nextpnr and icepack. Prints a
 * summary for people (design, part, logic cells, DSPs, RAMs, I/Os against the part, Fmax against the
 * target clock, bitstream); `--json` prints the full record as JSON instead, `--json FILE` writes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildIce40, type BuildResult } from '../../flows/fpga/build.ts';
import type { ShellMode } from '../../flows/fpga/export.ts';
import { BUILD_TARGETS } from '../../flows/fpga/targets.ts';
import { runCommand } from '../errors.ts';
import { designFolderFor, designOptions, type DesignOptions } from './export.ts';

export function register(program: Command): void {
  designOptions(program.command('build').description('run the open iCE40 flow to a bitstream; prints a summary (utilisation, Fmax, bitstream)'))
    .requiredOption('--target <target>', BUILD_TARGETS.join(' | '))
    .option('--clock <MHz>', 'clock constraint in MHz (default: 12, the boards\' oscillator)')
    .option('--shell <mode>', 'serial I/O shell: auto, always, never', 'auto')
    .option('--json [file]', 'print the full result as JSON instead of the summary; with a file, write it there and print the summary')
    .action((design: string, opts: DesignOptions & { target: string; clock?: string; shell: ShellMode; json?: string | boolean }) =>
      runCommand(async () => {
        const { dir } = await designFolderFor(design, opts);
        const r = await buildIce40(dir, { target: opts.target, clockMhz: opts.clock, shell: opts.shell });
        const text = JSON.stringify(r, null, 2) + '\n';
        if (opts.json === true) return void process.stdout.write(text);
        if (typeof opts.json === 'string') fs.writeFileSync(opts.json, text);
        process.stdout.write(formatBuildSummary(r));
      }),
    );
}

/** The human summary of a build: one line per resource against the part, Fmax against the target. */
export function formatBuildSummary(r: BuildResult): string {
  const avail = (bel: string): string => {
    const a = r.utilisationDetail[bel]?.available;
    return a ? ` / ${a} (${Math.round((100 * (r.utilisationDetail[bel]?.used ?? 0)) / a)}%)` : '';
  };
  const fmax = r.fmaxMhz === null
    ? 'no clock'
    : `${r.fmaxMhz.toFixed(2)} MHz against ${r.clockMhz} MHz: ${r.meetsTiming ? 'met' : `NOT met (${(r.clockMhz / r.fmaxMhz).toFixed(2)}x too slow)`}`;
  const shell = r.shell ? `, through the serial shell ${r.shell.module} (${r.shell.inputBits} bits in, ${r.shell.outputBits} out)` : '';
  const rel = path.relative(process.cwd(), r.bitstream);
  return [
    `${r.design} on ${r.target} (${r.part})${shell}${r.cached ? ', from the cache' : ''}`,
    `  logic cells  ${r.utilisation.lcs}${avail('ICESTORM_LC')}`,
    `  DSPs         ${r.utilisation.dsps}${avail('ICESTORM_DSP')}`,
    `  block RAMs   ${r.utilisation.rams}${avail('ICESTORM_RAM')}`,
    `  I/Os         ${r.utilisation.ios}${avail('SB_IO')}`,
    `  Fmax         ${fmax}`,
    `  bitstream    ${rel.startsWith('..') ? r.bitstream : rel}`,
    '',
  ].join('\n');
}
