/** `hwflow gen <design | script.ts>`: elaborate, check and write Verilog + manifest to rtl-out/<module>/. */
import path from 'node:path';
import type { Command } from 'commander';
import { writeDesign } from '../../dsl/output.ts';
import { PASSES, selectPasses } from '../../dsl/passes/pipeline.ts';
import { resolveDesign } from '../design.ts';
import { printWarnings, runCommand } from '../errors.ts';
import { collect, paramOptions } from '../options.ts';

export function register(program: Command): void {
  const gen = paramOptions(program
    .command('gen')
    .description('generate Verilog and manifest.json for a registered design or a DSL script')
    .argument('[design]', 'registered design name, or path to a .ts script exporting a module or generator'))
    .option('--out <dir>', 'output folder (default: rtl-out/<module>)')
    .option('--locs', 'add // file:line source comments to the Verilog')
    .option('--passes', 'list the compiler passes between elaboration and Verilog, in order, and exit')
    .option('--no-pass <name>', 'skip a compiler pass (repeatable; see --passes)', collect, [])
    .action((design: string | undefined, opts: { preset?: string; param: string[]; out?: string; locs?: boolean; passes?: boolean; pass: string[] }) =>
      runCommand(async () => {
        if (opts.passes) return listPasses();
        if (design === undefined) return gen.error("error: missing required argument 'design'");
        selectPasses(opts.pass); // an unknown name fails before the design is built
        const d = await resolveDesign(design, { preset: opts.preset, params: opts.param });
        const dir = opts.out ?? path.join('rtl-out', d.circuit.top.name);
        const w = writeDesign(d.circuit, dir, d.info, { sourceLocs: opts.locs, skipPasses: opts.pass });
        process.stdout.write(`${path.relative(process.cwd(), w.dir) || '.'}: ${w.manifest.files.join(', ')}, manifest.json\n`);
        printWarnings(w.manifest.warnings);
      }),
    );
}

function listPasses(): void {
  const width = Math.max(...PASSES.map((p) => p.name.length));
  for (const p of PASSES) process.stdout.write(`${p.name.padEnd(width)}  ${p.kind.padEnd(9)}  ${p.purpose}\n`);
}
