/**
 * Evaluating one point of a sweep, in two halves. `preparePoint` (in the coordinator) elaborates the
 * point, writes its Verilog into the results folder and computes its content key, so cached points
 * never reach a worker. `evaluateTask` (in a worker process or a Slurm task) simulates the point in
 * Verilator on random or given inputs (cycles against the golden kernel's ideal bound, outputs
 * checked bit for bit), synthesises it with yosys, places and routes it through the iCE40 flow
 * (`--build`: nextpnr's Fmax and placed cells) and prices its operation counts with the
 * unit-energy table. Any error becomes a failed result with its message: one bad point never stops
 * a sweep.
 */
import path from 'node:path';
import { isAccelerator, type Tensor } from '../../dsl/generator.ts';
import { writeDesign } from '../../dsl/output.ts';
import { SHIFTADD_45NM, energyOf } from '../../flows/fpga/report/energy.ts';
import { defaultOpWidth } from '../../flows/fpga/report/collect.ts';
import { buildIce40 } from '../../flows/fpga/build.ts';
import { runSynth } from '../../flows/fpga/synth.ts';
import { runAccelerator } from '../../verify/run-accelerator.ts';
import { resolveDesign, type ResolvedDesign } from '../design.ts';
import { parseInputs, readJsonFile } from '../tensors.ts';
import { pointKey, writePointCache } from './cache.ts';
import { readJob, writeTaskResult, type ExploreJob } from './job.ts';
import type { PointResult } from './result.ts';
import type { SweepPoint } from './sweep.ts';

/** Folder of point `index`'s Verilog inside the results folder. */
export const pointDesignDir = (outDir: string, index: number): string => path.join(outDir, 'designs', `point-${index}`);

/** The message of any thrown value, on one line when it is long tool output. */
export function errorMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).trim();
}

async function resolvePoint(job: Pick<ExploreJob, 'design' | 'preset' | 'param'>, assignments: Record<string, string>): Promise<ResolvedDesign> {
  return resolveDesign(job.design, { preset: job.preset, params: [...job.param, ...Object.entries(assignments).map(([k, v]) => `${k}=${v}`)] });
}

/** Elaborate a point, write its Verilog to the results folder, and key it; a bad point is a failed result. */
export async function preparePoint(
  job: Omit<ExploreJob, 'points' | 'hwflowExploreJob'>, p: SweepPoint, tools: Record<string, string>,
): Promise<{ key: string; top: string } | PointResult> {
  const t0 = performance.now();
  try {
    const d = await resolvePoint(job, p.assignments);
    const w = writeDesign(d.circuit, pointDesignDir(job.outDir, p.index), d.info);
    const key = pointKey([...w.files, path.join(w.dir, 'manifest.json')], {
      run: job.run, seed: job.seed, inputFile: job.inputFile, synth: job.synth, build: job.build, clockMhz: job.clockMhz, tools,
    });
    return { key, top: d.circuit.top.name };
  } catch (e) {
    return { index: p.index, label: p.label, assignments: p.assignments, status: 'failed', error: errorMessage(e), cached: false, seconds: elapsed(t0) };
  }
}

const elapsed = (t0: number): number => Math.round(performance.now() - t0) / 1000;

/** Evaluate task `task` of the job in `jobDir` and write its result (and, when it succeeded, its cache entry). */
export async function evaluateTask(jobDir: string, task: number): Promise<PointResult> {
  const job = readJob(jobDir);
  const p = job.points[task];
  if (!p) throw new Error(`task ${task} is out of range: the job in ${jobDir} has ${job.points.length} points (0..${job.points.length - 1})`);
  const t0 = performance.now();
  const r: PointResult = { index: p.index, label: p.label, assignments: p.assignments, key: p.key, status: 'ok', cached: false, seconds: 0 };
  try {
    const d = await resolvePoint(job, p.assignments);
    r.params = d.info.params;
    r.top = d.circuit.top.name;
    await simulate(job, d, r);
    const designDir = pointDesignDir(job.outDir, p.index);
    for (const [i, target] of job.synth.entries()) {
      const s = await runSynth(designDir, { target, progress: false });
      // The first target's figures are the point's; further targets only warm the synthesis cache.
      if (i === 0) Object.assign(r, { synthTarget: target, luts: s.resources.luts, ffs: s.resources.ffs, carries: s.resources.carries, dsps: s.resources.dsps, brams: s.resources.brams });
    }
    if (job.build) await placeAndRoute(job.build, job.clockMhz, designDir, r);
  } catch (e) {
    r.status = 'failed';
    r.error = errorMessage(e);
  }
  r.seconds = elapsed(t0);
  writeTaskResult(jobDir, task, r);
  writePointCache(r);
  return r;
}

/** Run the point in Verilator (when it is an Accelerator and the sweep simulates) and price its counts. */
async function simulate(job: ExploreJob, d: ResolvedDesign, r: PointResult): Promise<void> {
  if (job.run === 'none') return;
  const g = d.generator;
  if (!g || !isAccelerator(g)) {
    if (job.run === 'input') throw new Error(`design '${job.design}' declares no input and output tensors (it is not an Accelerator), so --input cannot run it`);
    return; // a plain generator (counter, mac) has no tensors: resources only
  }
  const params = d.info.params;
  let inputs: Record<string, Tensor>;
  if (job.run === 'input') {
    inputs = parseInputs(readJsonFile(job.inputFile!), g.inputs(params), `input file '${job.inputFile}'`);
    g.checkRelations?.(params, inputs);
  } else inputs = g.randomInputs(params, job.seed);
  const run = await runAccelerator(g, d.circuit, inputs, { seed: job.seed, stall: 0, check: true, info: d.info });
  if (run.check === 'failed') throw new Error(`RTL disagrees with the golden kernel: ${run.mismatch}`);
  r.cycles = run.cycles;
  r.idealCycles = run.idealCycles;
  r.utilisation = run.utilisation;
  const energy = energyOf(run.counts, SHIFTADD_45NM, defaultOpWidth(params));
  if (energy.lines.length) {
    r.energyPj = Number(energy.totalPj.toFixed(3));
    r.energyTable = `${energy.table}, ${energy.width}-bit`;
  }
}

/**
 * Place and route the point (the FPGA flow's `hwflow build`, with its own content cache): Fmax,
 * placed cells and the clock period objective. Without --synth the build's own yosys run gives the
 * LUTs, FFs and BRAMs (labelled with the build target, whose yosys script maps to that part).
 */
async function placeAndRoute(target: string, clockMhz: number | undefined, designDir: string, r: PointResult): Promise<void> {
  const b = await buildIce40(designDir, { target, clockMhz, progress: false });
  Object.assign(r, { buildTarget: target, clockMhz: b.clockMhz, meetsTiming: b.meetsTiming, lcs: b.utilisation.lcs, rams: b.utilisation.rams, ios: b.utilisation.ios });
  // A design without a clock (purely combinational) has no Fmax: it is built, but has no period objective.
  if (b.fmaxMhz !== null) Object.assign(r, { fmaxMhz: Number(b.fmaxMhz.toFixed(2)), periodNs: Number((1000 / b.fmaxMhz).toFixed(3)) });
  if (r.luts === undefined) Object.assign(r, { synthTarget: `${target} (build)`, luts: b.resources.luts, ffs: b.resources.ffs, carries: b.resources.carries, dsps: b.resources.dsps, brams: b.resources.brams });
}
