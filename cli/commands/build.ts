/** `hwflow build <design> --target ice40-hx8k|ice40-up5k`: yosys, nextpnr and icepack; the result as JSON. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { buildIce40 } from '../../flows/fpga/build.ts';
import type { ShellMode } from '../../flows/fpga/export.ts';
import { BUILD_TARGETS } from '../../flows/fpga/targets.ts';
import { runCommand } from '../errors.ts';
import { designFolderFor, designOptions, type DesignOptions } from './export.ts';

export function register(program: Command): void {
  designOptions(program.command('build').description('run the open iCE40 flow to a bitstream; prints utilisation and Fmax as JSON'))
    .requiredOption('--target <target>', BUILD_TARGETS.join(' | '))
    .option('--clock <MHz>', 'clock constraint in MHz (default: 12, the boards\' oscillator)')
    .option('--shell <mode>', 'serial I/O shell: auto, always, never', 'auto')
    .option('--json <file>', 'also write the JSON result to this file')
    .action((design: string, opts: DesignOptions & { target: string; clock?: string; shell: ShellMode; json?: string }) =>
      runCommand(async () => {
        const { dir } = await designFolderFor(design, opts);
        const r = await buildIce40(dir, { target: opts.target, clockMhz: opts.clock, shell: opts.shell });
        const text = JSON.stringify(r, null, 2) + '\n';
        if (opts.json) fs.writeFileSync(opts.json, text);
        process.stdout.write(text);
      }),
    );
}
