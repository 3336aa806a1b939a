/**
 * `hwflow explore <design> --sweep key=v1,v2 [--sweep ...]`: design-space exploration. Every point of
 * the cross product is generated, simulated in Verilator (cycles against the ideal bound), synthesised
 * with yosys, optionally placed and routed (`--build ice40-up5k`: nextpnr Fmax, placed cells) and
 * priced with the unit-energy table, on a local pool of worker processes or as a Slurm
 * array job; results go to DIR/results.jsonl and DIR/results.csv with the Pareto front over (cycles,
 * LUTs, energy, clock period of built points). Points are cached by content, so a re-run computes only new or changed points. The
 * hidden `explore-point <job> <task>` is what each worker runs. Exit status 0 even when points fail
 * (they are recorded as failed); 2 on bad usage.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { evaluateTask } from '../explore/evaluate.ts';
import { explore, type Executor, type ExploreOutcome } from '../explore/run.ts';
import type { PointResult } from '../explore/result.ts';
import { runCommand, UsageError } from '../errors.ts';
import { collect, paramOptions } from '../options.ts';
import { SYNTH_TARGETS } from '../../flows/fpga/synth.ts';
import { BUILD_TARGETS, getTarget, parseClockMhz } from '../../flows/fpga/targets.ts';

interface CliOptions {
  preset?: string;
  param: string[];
  sweep: string[];
  synth: string;
  build?: string;
  clock?: string;
  run?: string;
  input?: string;
  seed: string;
  jobs: string;
  executor: string;
  out: string;
}

/** The summary table printed at the end: one line per point, Pareto points starred. */
export function summary(o: ExploreOutcome, out: string): string {
  const cell = (r: PointResult): string => r.status === 'failed'
    ? `failed: ${r.error?.split('\n')[0]}`
    : [r.cycles !== undefined ? `${r.cycles} cycles (ideal ${r.idealCycles})` : 'not simulated', r.luts !== undefined ? `${r.luts} LUTs` : '', r.fmaxMhz !== undefined ? `${r.fmaxMhz} MHz` : '', r.energyPj !== undefined ? `${r.energyPj} pJ` : '', r.cached ? 'cached' : '']
      .filter(Boolean).join(', ');
  const width = Math.max(...o.results.map((r) => r.label.length));
  const lines = o.results.map((r) => `${r.pareto ? '*' : ' '} ${r.label.padEnd(width)}  ${cell(r)}`);
  lines.push(`${o.results.length} points: ${o.computed} computed, ${o.cached} cached, ${o.failed} failed; ` +
    (o.objectives.length ? `Pareto front (*) over ${o.objectives.join(', ')}: ${o.front.length} points` : 'no Pareto front (no successful point)'));
  if (o.slurm?.resubmit) lines.push(`slurm array ${o.slurm.jobId}: tasks ${o.slurm.missingTasks.join(',')} wrote no result; resubmit them with: ${o.slurm.resubmit}`);
  lines.push(`-> ${path.join(out, 'results.jsonl')}, ${path.join(out, 'results.csv')}`);
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  paramOptions(program
    .command('explore')
    .description('sweep parameters: simulate, synthesise and price every point; results and Pareto front in a folder')
    .argument('<design>', 'registered design name, or a .ts script exporting a generator'))
    .requiredOption('--sweep <key=v1,v2>', 'one axis of the sweep (repeatable: the points are the cross product)', collect, [])
    .option('--synth <target>', `yosys target for LUTs (${SYNTH_TARGETS.join(', ')}), comma-separated for several, or none`, 'ice40')
    .option('--build <target>', `also place and route every point (${BUILD_TARGETS.join(', ')}): Fmax and placed cells`)
    .option('--clock <mhz>', 'clock asked of nextpnr with --build (default: the target board\'s)')
    .option('--run <mode>', 'simulate on random inputs (random) or not at all (none); default random for accelerators')
    .option('--input <file>', 'simulate every point on these JSON tensors instead of random ones')
    .option('--seed <n>', 'seed of the random inputs', '1')
    .option('--jobs <n>', 'points evaluated at once', '2')
    .option('--executor <name>', 'local (a pool of worker processes) or slurm (an sbatch array job)', 'local')
    .option('--out <dir>', 'results folder', 'explore-out')
    .action((design: string, opts: CliOptions) =>
      runCommand(async () => {
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got '${opts.seed}'`);
        if (opts.run !== undefined && !['random', 'none'].includes(opts.run)) throw new UsageError(`--run must be random or none, got '${opts.run}' (give tensors with --input <file>)`);
        if (opts.run && opts.input) throw new UsageError('give either --run or --input, not both');
        const synth = opts.synth === 'none' || opts.synth === '' ? [] : opts.synth.split(',');
        for (const t of synth) if (!(SYNTH_TARGETS as string[]).includes(t)) throw new UsageError(`unknown --synth target '${t}'; valid: ${SYNTH_TARGETS.join(', ')}, none`);
        if (opts.clock !== undefined && !opts.build) throw new UsageError('--clock needs --build <target>');
        if (opts.build !== undefined && !(BUILD_TARGETS as string[]).includes(opts.build)) throw new UsageError(`unknown --build target '${opts.build}'; valid: ${BUILD_TARGETS.join(', ')}`);
        const clockMhz = opts.build ? parseClockMhz(opts.clock, getTarget(opts.build).defaultClockMhz) : undefined;
        const o = await explore({
          design, preset: opts.preset, param: opts.param, sweep: opts.sweep, synth, build: opts.build, clockMhz,
          run: opts.input ? 'input' : ((opts.run ?? 'random') as 'random' | 'none'), inputFile: opts.input, seed,
          jobs: Number(opts.jobs), executor: opts.executor as Executor, out: opts.out,
        });
        process.stdout.write(summary(o, opts.out));
      }),
    );
  program
    .command('explore-point', { hidden: true })
    .description('evaluate one task of an explore job folder (what explore workers and Slurm array tasks run)')
    .argument('<job>', 'job folder (with job.json)')
    .argument('<task>', 'task index')
    .action((job: string, task: string) =>
      runCommand(async () => {
        const r = await evaluateTask(path.resolve(job), Number(task));
        process.stdout.write(`${r.label}: ${r.status}${r.error ? `: ${r.error}` : ''}\n`);
      }),
    );
}
