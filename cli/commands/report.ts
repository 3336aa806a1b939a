/**
 * `hwflow report <design>`: JSON, Markdown and a self-contained HTML page from what is known about a
 * design — datapath units, yosys resources per target, an optional iCE40 build, cycles and counts
 * from simulation results or the golden kernel, and energy from a unit-energy table.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { FpgaUsageError } from '../../flows/fpga/errors.ts';
import { SHIFTADD_45NM, loadEnergyTable, type OpWidth } from '../../flows/fpga/report/energy.ts';
import { collectPoint, defaultOpWidth, readSimResult, writeReport, type Report, type ReportPoint, type SimResult } from '../../flows/fpga/report/collect.ts';
import { isAccelerator } from '../../dsl/generator.ts';
import { runCommand } from '../errors.ts';
import { collect } from '../options.ts';
import { designFolderFor, designOptions, type DesignOptions } from './export.ts';
import { writeExploreReport } from '../explore/report.ts';

interface ReportOptions extends DesignOptions {
  out?: string;
  synth: string;
  build?: string;
  clock?: string;
  sim: string[];
  sweep?: string;
  energy?: string;
  width?: string;
  seed: string;
}

/** Build the report for `design` with the CLI's options. Exported for tests. */
export async function makeReport(design: string, o: ReportOptions): Promise<{ report: Report; files: ReturnType<typeof writeReport> }> {
  const table = o.energy ? loadEnergyTable(o.energy) : SHIFTADD_45NM;
  if (o.width !== undefined && !['8', '16', '32'].includes(o.width)) throw new FpgaUsageError(`bad --width '${o.width}'; valid: 8, 16, 32`);
  const seed = Number(o.seed);
  const sims: SimResult[] = o.sim.map(readSimResult);
  const synthTargets = o.synth === '' || o.synth === 'none' ? [] : o.synth.split(',');
  let sweep: { key: string; values: string[] } | undefined;
  if (o.sweep) {
    const m = /^([A-Za-z]\w*)=([^,]+(?:,[^,]+)*)$/.exec(o.sweep);
    if (!m) throw new FpgaUsageError(`bad --sweep '${o.sweep}'; expected key=v1,v2,... (e.g. --sweep width=4,8,16)`);
    sweep = { key: m[1]!, values: m[2]!.split(',') };
  }
  const notes: string[] = [];
  const points: ReportPoint[] = [];
  const variants = sweep ? sweep.values.map((v) => ({ label: `${sweep.key}=${v}`, param: [...o.param, `${sweep.key}=${v}`] })) : [{ label: '', param: o.param }];
  let designName = design;
  let preset: string | undefined;
  for (const v of variants) {
    const { dir, resolved } = await designFolderFor(design, { preset: o.preset, param: v.param });
    if (notes.length === 0 && !(resolved?.generator && isAccelerator(resolved.generator)) && !sims.length) notes.push(plainModuleNote(design, resolved !== undefined));
    const top = resolved?.circuit.top.name ?? path.basename(dir);
    const params = resolved?.info.params ?? {};
    designName = resolved?.info.generator ?? design;
    preset = resolved?.info.preset;
    let golden: { counts: Record<string, number>; idealCycles: number; source: string } | undefined;
    if (resolved?.generator && isAccelerator(resolved.generator)) {
      const g = resolved.generator;
      const res = g.golden(params, g.randomInputs(params, seed));
      golden = { counts: res.counts, idealCycles: res.idealCycles, source: `golden kernel on random inputs (seed ${seed})` };
    }
    const sim = sims.find((s) => s.top === top) ?? (sims.length === 1 && variants.length === 1 ? sims[0] : undefined);
    points.push(await collectPoint({
      label: v.label || preset || top, designDir: dir, params, top, circuit: resolved?.circuit, synthTargets,
      build: o.build ? { target: o.build, clockMhz: o.clock } : undefined, sim, golden, table,
      width: o.width ? (Number(o.width) as OpWidth) : defaultOpWidth(params),
    }, notes));
  }
  for (const s of sims) if (!points.some((p) => p.top === s.top) && !(sims.length === 1 && points.length === 1)) notes.push(`simulation result ${s.file} (top ${s.top ?? '?'}) matches no point`);
  const report: Report = { hwflowReport: 1, design: designName, ...(preset ? { preset } : {}), energyTable: { name: table.name, source: table.source }, points, notes };
  const outDir = o.out ?? path.join('reports', points[0]?.top ?? 'design');
  return { report, files: writeReport(report, outDir) };
}

/**
 * What a report can show for a design that is not an Accelerator (a plain module, a generator without a
 * golden kernel, or a folder written by gen), and what it needs for the rest.
 */
function plainModuleNote(design: string, elaborated: boolean): string {
  const units = elaborated ? 'its datapath units (from the elaborated design), ' : '';
  return `'${design}' is not an Accelerator (no golden kernel), so this report shows ${units}yosys resources (--synth) and, with --build ice40-hx8k|ice40-up5k, Fmax and utilisation; ` +
    'cycles and energy need a simulation result: --sim run.json with "cycles" and "counts" (operation counts such as "multiplies", "adds", "reads"), ' +
    'written by `hwflow run --output` for an Accelerator or by your own harness test; or define the design with defineAccelerator (dsl/generator.ts) to get them from its golden kernel';
}

export function register(program: Command): void {
  designOptions(program.command('report').description('write report.json, report.md and report.html (SVG charts) for a design, or the Pareto front of an explore results folder'))
    .option('--out <dir>', 'output folder (default: reports/<top>)')
    .option('--synth <targets>', 'comma-separated yosys targets (ice40, ice40-dsp, xilinx-7, generic) or none', 'ice40')
    .option('--build <target>', 'also place and route on ice40-hx8k or ice40-up5k for Fmax and utilisation')
    .option('--clock <MHz>', 'clock constraint for --build')
    .option('--sim <file>', 'a simulation result JSON (hwflow run --output); repeatable', collect, [])
    .option('--sweep <key=v1,v2>', 'one point per value of a parameter (adds a scatter plot)')
    .option('--energy <file>', 'unit-energy table JSON overriding the ShiftAdd 45 nm default')
    .option('--width <bits>', 'operand width for unit energies: 8, 16 or 32 (default: the design\'s width parameter, else 8)')
    .option('--seed <n>', 'seed of the golden kernel\'s random inputs', '1')
    .action((design: string, opts: ReportOptions) =>
      runCommand(async () => {
        // A results folder of `hwflow explore`: the Pareto front of its points.
        if (fs.existsSync(path.join(design, 'results.jsonl'))) {
          const r = writeExploreReport(design, opts.out ?? design);
          process.stdout.write(`Pareto front: ${r.front} points over ${r.objectives.join(', ')}\n${r.markdown}\n${r.html}\n`);
          return;
        }
        const { report, files } = await makeReport(design, opts);
        process.stdout.write(`energy table: ${report.energyTable.name} (${report.energyTable.source})\n`);
        for (const n of report.notes) process.stdout.write(`note: ${n}\n`);
        process.stdout.write(`${files.json}\n${files.markdown}\n${files.html}\n`);
      }),
    );
}
