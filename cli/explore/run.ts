/**
 * `hwflow explore` as a library: elaborate and key every point of the sweep, take the points whose
 * key is cached, evaluate the rest on the chosen executor (a local pool of worker processes, or a
 * Slurm array job), then write results.jsonl / results.csv with each point's Pareto membership over
 * (cycles, LUTs, energy, and the clock period of placed and routed points).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_TARGETS, getTarget } from '../../flows/fpga/targets.ts';
import { UsageError } from '../errors.ts';
import { readPointCache, toolVersions } from './cache.ts';
import { preparePoint } from './evaluate.ts';
import { appendResult, resultsJsonl, writeResults } from './files.ts';
import { writeJob, type ExploreJob, type RunMode } from './job.ts';
import { runLocal } from './local.ts';
import { paretoFront, sharedObjectives, type Objective } from './pareto.ts';
import { sweepProgress } from './progress.ts';
import type { PointResult } from './result.ts';
import { runSlurm, type SlurmOutcome } from './slurm.ts';
import { crossProduct, parseSweeps } from './sweep.ts';

export type Executor = 'local' | 'slurm';

export interface ExploreOptions {
  design: string;
  preset?: string;
  param: string[];
  sweep: string[];
  /** yosys targets (the first gives the LUTs), or none. */
  synth: string[];
  /** iCE40 target to place and route every point for (Fmax, placed cells), and its clock in MHz. */
  build?: string;
  clockMhz?: number;
  run: RunMode;
  inputFile?: string;
  seed: number;
  jobs: number;
  executor: Executor;
  out: string;
  /** Draw the progress bar (default: when stderr is a terminal). */
  progress?: boolean;
}

export interface ExploreOutcome {
  results: PointResult[];
  /** Indices of the Pareto points, and the objectives the front was computed over. */
  front: number[];
  objectives: Objective[];
  computed: number;
  cached: number;
  failed: number;
  slurm?: SlurmOutcome;
}

const isPath = (s: string): boolean => /\.(m?ts|m?js)$/.test(s) || s.includes('/');

/** Run the sweep; a failing point is recorded as failed and the others go on. */
export async function explore(o: ExploreOptions): Promise<ExploreOutcome> {
  if (!['local', 'slurm'].includes(o.executor)) throw new UsageError(`unknown --executor '${o.executor}'; valid: local, slurm`);
  if (!(Number.isInteger(o.jobs) && o.jobs >= 1)) throw new UsageError(`--jobs must be a positive integer, got '${o.jobs}'`);
  if (o.build !== undefined && !(BUILD_TARGETS as string[]).includes(o.build)) throw new UsageError(`unknown --build target '${o.build}'; valid: ${BUILD_TARGETS.join(', ')}`);
  if (o.run === 'input' && (!o.inputFile || !fs.existsSync(o.inputFile))) throw new UsageError(`--input file '${o.inputFile}' does not exist`);
  const points = crossProduct(parseSweeps(o.sweep));
  const outDir = path.resolve(o.out);
  fs.mkdirSync(outDir, { recursive: true });
  const base = {
    outDir, design: isPath(o.design) ? path.resolve(o.design) : o.design, ...(o.preset ? { preset: o.preset } : {}), param: o.param,
    run: o.run, seed: o.seed, ...(o.inputFile ? { inputFile: path.resolve(o.inputFile) } : {}), synth: o.synth,
    ...(o.build ? { build: o.build, clockMhz: o.clockMhz ?? getTarget(o.build).defaultClockMhz } : {}),
  };
  const tools = await toolVersions(o.run, o.synth, o.build);
  const progress = sweepProgress(points.length, o.progress);
  const results: PointResult[] = [];
  const finish = (r: PointResult): void => {
    results.push(r);
    appendResult(outDir, r);
    progress.done(r);
  };
  fs.rmSync(resultsJsonl(outDir), { force: true });
  const todo: ExploreJob['points'] = [];
  try {
    for (const p of points) {
      const prepared = await preparePoint(base, p, tools);
      if ('status' in prepared) {
        finish(prepared);
        continue;
      }
      const hit = readPointCache(prepared.key);
      if (hit) finish({ ...hit, index: p.index, label: p.label, assignments: p.assignments, cached: true });
      else todo.push({ index: p.index, label: p.label, assignments: p.assignments, key: prepared.key });
    }
    let slurm: SlurmOutcome | undefined;
    if (todo.length) {
      const jobDir = path.join(outDir, 'job');
      writeJob(jobDir, { hwflowExploreJob: 1, ...base, points: todo });
      if (o.executor === 'slurm') slurm = await runSlurm(jobDir, o.jobs, finish);
      else await runLocal(jobDir, o.jobs, finish);
    }
    const ok = results.filter((r) => r.status === 'ok').sort((a, b) => a.index - b.index);
    const objectives = sharedObjectives(ok);
    const front = paretoFront(ok, objectives).map((i) => ok[i]!.index);
    for (const r of results) r.pareto = front.includes(r.index);
    writeResults(outDir, results);
    return {
      results: [...results].sort((a, b) => a.index - b.index), front, objectives,
      computed: results.filter((r) => !r.cached && r.status === 'ok').length,
      cached: results.filter((r) => r.cached).length,
      failed: results.filter((r) => r.status === 'failed').length,
      ...(slurm ? { slurm } : {}),
    };
  } finally {
    progress.stop();
  }
}
