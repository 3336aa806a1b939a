/** `hwflow synth <design> --target ice40|ice40-dsp|xilinx-7|generic`: yosys only; resources as JSON. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { SYNTH_TARGETS, runSynth } from '../../flows/fpga/synth.ts';
import { runCommand } from '../errors.ts';
import { designFolderFor, designOptions, type DesignOptions } from './export.ts';

export function register(program: Command): void {
  designOptions(program.command('synth').description('synthesise with yosys only; prints LUTs, flip-flops, carries, DSPs and RAMs as JSON'))
    .requiredOption('--target <target>', SYNTH_TARGETS.join(' | '))
    .option('--json <file>', 'also write the JSON result to this file')
    .action((design: string, opts: DesignOptions & { target: string; json?: string }) =>
      runCommand(async () => {
        const { dir } = await designFolderFor(design, opts);
        const r = await runSynth(dir, { target: opts.target });
        const text = JSON.stringify(r, null, 2) + '\n';
        if (opts.json) fs.writeFileSync(opts.json, text);
        process.stdout.write(text);
      }),
    );
}
