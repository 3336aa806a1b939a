/**
 * `hwflow prove <design | script.ts> [--depth N] [--solver sat|z3|boolector] [--induction] [--cut-memories]`: the
 * design inside its formal harness (flows/formal/): stream handshakes, queue token tracking and the
 * design's own `m.assert`s, by bounded model checking and, when asked, k-induction.
 * Exit 0: proven (or no counterexample up to the depth); 1: counterexample; 2: bad arguments or a tool error.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { ProveError, checkProveOptions, prove, type ProveResult } from '../../flows/formal/prove.ts';
import { readVcd, renderAscii } from '../../testbenches/vcd.ts';
import { resolveDesign } from '../design.ts';
import { printWarnings, runCommand, UsageError } from '../errors.ts';
import { paramOptions } from '../options.ts';

interface ProveFlags {
  preset?: string;
  param: string[];
  depth?: string;
  solver?: string;
  induction?: boolean;
  cutMemories?: boolean;
  out?: string;
}

export function register(program: Command): void {
  paramOptions(program
    .command('prove')
    .description('prove stream handshakes, queue token order and m.assert checks of a design (yosys BMC / k-induction)')
    .argument('<design>', 'registered design name, or path to a .ts script exporting a module or generator'))
    .option('--depth <n>', 'cycles to check (and the induction length)', '20')
    .option('--solver <name>', 'sat (yosys built-in), z3 or boolector (via yosys-smtbmc)', 'sat')
    .option('--induction', 'also try k-induction, which proves for every depth when it closes')
    .option('--cut-memories', 'read written memories as free values (sound, much smaller for big buffers; a counterexample is re-checked with them modelled)')
    .option('--out <dir>', 'work folder for the Verilog, model, logs and counterexample (default: a temporary folder)')
    .action((design: string, opts: ProveFlags) =>
      runCommand(async () => {
        try {
          checkProveOptions(opts); // bad arguments fail before the design is built
          const d = await resolveDesign(design, { preset: opts.preset, params: opts.param });
          printWarnings(d.circuit.warnings);
          const r = await prove(d.circuit, { depth: Number(opts.depth), solver: opts.solver as never, induction: opts.induction, cutMemories: opts.cutMemories, dir: opts.out });
          report(r);
        } catch (e) {
          if (e instanceof ProveError) throw new UsageError(e.message);
          throw e;
        }
      }),
    );
}

function report(r: ProveResult): void {
  const top = r.harness.circuit.top.name;
  const checks = r.harness.circuit.modules.flatMap((m) => m.checks ?? []).length;
  if (r.status !== 'counterexample') {
    const how = r.status === 'proven' ? `proven for every depth (k-induction closed at ${r.depth})`
      : `no counterexample in ${r.depth} cycles${r.inductionClosed === false ? ' (k-induction did not close)' : ''}`;
    const cut = r.memoriesCut ? ' (written memories read as free values)' : '';
    process.stdout.write(`${top}: ${how}${cut}; ${checks} checks, solver ${r.solver}, ${r.seconds.toFixed(1)} s\n`);
    for (const p of r.harness.properties) process.stdout.write(`  ${p}\n`);
    return;
  }
  const f = r.failed!;
  process.stdout.write(`${top}: counterexample${f.cycle !== undefined ? ` at cycle ${f.cycle}` : ''} (solver ${r.solver}, depth ${r.depth})\n`);
  process.stdout.write(`  ${f.kind} failed at ${f.where}: ${f.message}\n`);
  if (r.vcd && fs.existsSync(r.vcd)) {
    const to = f.cycle !== undefined ? f.cycle : undefined;
    process.stdout.write(`  waveform: ${r.vcd}\n\n`);
    process.stdout.write(renderAscii(readVcd(r.vcd), r.signals ?? [], { period: 10, offset: 0, to }));
  }
  process.exitCode = 1;
}
