/**
 * A sweep's job folder, shared by the coordinating `hwflow explore` and the workers that evaluate
 * its points (local worker processes or Slurm array tasks, which only need this folder on a shared
 * filesystem): `job.json` says what to run, task `i` writes `out/<i>.json`, logs go to `logs/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PointResult } from './result.ts';

/** How a point is simulated: random inputs from a seed, the tensors of a JSON file, or not at all. */
export type RunMode = 'random' | 'input' | 'none';

/** Everything a worker needs to evaluate task `i` (points[i]) on its own. */
export interface ExploreJob {
  hwflowExploreJob: 1;
  /** Absolute path of the results folder (the points' Verilog is in its designs/). */
  outDir: string;
  /** Registered design name, or the absolute path of a design script. */
  design: string;
  preset?: string;
  /** `key=value` overrides every point shares (--param). */
  param: string[];
  run: RunMode;
  seed: number;
  /** Absolute path of the --input file (run = 'input'). */
  inputFile?: string;
  /** yosys targets; the first one gives the LUT figure of the Pareto front. */
  synth: string[];
  /** iCE40 target every point is placed and routed for (`--build`), and the clock asked of nextpnr. */
  build?: string;
  clockMhz?: number;
  points: { index: number; label: string; assignments: Record<string, string>; key: string }[];
}

export const jobFile = (dir: string): string => path.join(dir, 'job.json');
export const taskResultFile = (dir: string, task: number): string => path.join(dir, 'out', `${task}.json`);
export const taskLogFile = (dir: string, task: number): string => path.join(dir, 'logs', `task-${task}.log`);

/** Write a fresh job folder (a previous job's outputs are removed). */
export function writeJob(dir: string, job: ExploreJob): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'out'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  fs.writeFileSync(jobFile(dir), JSON.stringify(job, null, 2) + '\n');
}

export function readJob(dir: string): ExploreJob {
  const raw = JSON.parse(fs.readFileSync(jobFile(dir), 'utf8')) as ExploreJob;
  if (raw.hwflowExploreJob !== 1) throw new Error(`${jobFile(dir)} is not an explore job`);
  return raw;
}

/** The result task `task` wrote, or undefined when it wrote none (yet). */
export function readTaskResult(dir: string, task: number): PointResult | undefined {
  try {
    return JSON.parse(fs.readFileSync(taskResultFile(dir, task), 'utf8')) as PointResult;
  } catch {
    return undefined;
  }
}

/** Write atomically, so a reader polling `out/` never sees half a file. */
export function writeTaskResult(dir: string, task: number, r: PointResult): void {
  const f = taskResultFile(dir, task);
  fs.writeFileSync(`${f}.tmp`, JSON.stringify(r) + '\n');
  fs.renameSync(`${f}.tmp`, f);
}

/** The failed result of a task that wrote none (its worker crashed, or Slurm never ran it). */
export function missingResult(job: ExploreJob, task: number, why: string): PointResult {
  const p = job.points[task]!;
  return { index: p.index, label: p.label, assignments: p.assignments, key: p.key, status: 'failed', error: why, cached: false, seconds: 0 };
}

/** The last lines of a task's log as `: <lines>`, for the message of a task that wrote no result ('' when it logged nothing). */
export function logTail(dir: string, task: number, lines = 6): string {
  try {
    const text = fs.readFileSync(taskLogFile(dir, task), 'utf8').trim();
    return text ? `: ${text.split('\n').slice(-lines).join('\n')}` : '';
  } catch {
    return '';
  }
}
