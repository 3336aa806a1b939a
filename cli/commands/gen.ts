/** `hwflow gen <design | script.ts>`: elaborate, check and write Verilog + manifest to rtl-out/<module>/. */
import path from 'node:path';
import type { Command } from 'commander';
import { writeDesign } from '../../dsl/output.ts';
import { resolveDesign } from '../design.ts';
import { printWarnings, runCommand } from '../errors.ts';
import { paramOptions } from '../options.ts';

export function register(program: Command): void {
  paramOptions(program
    .command('gen')
    .description('generate Verilog and manifest.json for a registered design or a DSL script')
    .argument('<design>', 'registered design name, or path to a .ts script exporting a module or generator'))
    .option('--out <dir>', 'output folder (default: rtl-out/<module>)')
    .option('--locs', 'add // file:line source comments to the Verilog')
    .action((design: string, opts: { preset?: string; param: string[]; out?: string; locs?: boolean }) =>
      runCommand(async () => {
        const d = await resolveDesign(design, { preset: opts.preset, params: opts.param });
        const dir = opts.out ?? path.join('rtl-out', d.circuit.top.name);
        const w = writeDesign(d.circuit, dir, d.info, { sourceLocs: opts.locs });
        process.stdout.write(`${path.relative(process.cwd(), w.dir) || '.'}: ${w.manifest.files.join(', ')}, manifest.json\n`);
        printWarnings(w.manifest.warnings);
      }),
    );
}
