/**
 * `--executor slurm`: the job's points as one Slurm array job (`sbatch --array=0-(n-1)%jobs`), each
 * array task evaluating one point with `hwflow explore-point <job> $SLURM_ARRAY_TASK_ID` on the job
 * folder, which must be on a filesystem the compute nodes share. Results are collected as the tasks
 * write them and when the array finishes; a task that wrote none is reported by index, with the
 * `sbatch` line that resubmits exactly those tasks (re-running `hwflow explore` does too: finished
 * points come from the cache).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { findTool } from '../../toolchain/tools.ts';
import { UsageError } from '../errors.ts';
import { hwflowBin } from './worker-command.ts';
import { logTail, missingResult, readJob, readTaskResult, taskLogFile } from './job.ts';
import type { PointResult } from './result.ts';

/** What the array job left to do. */
export interface SlurmOutcome {
  jobId: string;
  /** Array indices that wrote no result. */
  missingTasks: number[];
  /** The command that resubmits them (undefined when none is missing). */
  resubmit?: string;
}

/** The batch script of the array: one point per task, its log in the job folder. */
export function arrayScript(jobDir: string): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/bash',
    '#SBATCH --job-name=hwflow-explore',
    `#SBATCH --output=${path.join(jobDir, 'logs', 'task-%a.log')}`,
    '#SBATCH --cpus-per-task=1',
    '#SBATCH --ntasks=1',
    `# One point of the sweep in ${jobDir}; resubmit failed tasks with: sbatch --array=<indices> ${path.join(jobDir, 'array.sh')}`,
    `exec ${q(process.execPath)} ${q(hwflowBin)} explore-point ${q(jobDir)} "$SLURM_ARRAY_TASK_ID"`,
    '',
  ].join('\n');
}

/** Submit the job in `jobDir` as an array, wait for it, and report each result as it lands. */
export async function runSlurm(jobDir: string, jobs: number, onResult: (r: PointResult) => void): Promise<SlurmOutcome> {
  if (!findTool('sbatch'))
    throw new UsageError("--executor slurm needs Slurm's sbatch on PATH (on one machine, scripts/slurm-up.sh starts a single-node cluster; see docs/explore.md)");
  const job = readJob(jobDir);
  const n = job.points.length;
  const script = path.join(jobDir, 'array.sh');
  fs.writeFileSync(script, arrayScript(jobDir), { mode: 0o755 });
  const seen = new Set<number>();
  const collect = (): void => {
    for (let t = 0; t < n; t++) {
      if (seen.has(t)) continue;
      const r = readTaskResult(jobDir, t);
      if (r) {
        seen.add(t);
        onResult(r);
      }
    }
  };
  const sub = await execa('sbatch', ['--parsable', `--array=0-${n - 1}%${Math.max(1, jobs)}`, `--chdir=${jobDir}`, script], { reject: false, all: true, stdin: 'ignore' });
  const jobId = (sub.stdout ?? '').trim().split(/[;\s]/)[0] ?? '';
  if (sub.exitCode !== 0 || !/^\d+$/.test(jobId)) throw new UsageError(`sbatch did not submit the array job (exit ${sub.exitCode}): ${(sub.all ?? '').trim()}`);
  // Poll the results and the queue (faster than `sbatch --wait`'s back-off): done when the array has left the queue.
  for (;;) {
    collect();
    if (seen.size === n) break;
    const q = await execa('squeue', ['-h', '-j', jobId, '-o', '%i'], { reject: false, stdin: 'ignore' });
    // An array that finished a while ago is no longer known to squeue at all.
    if ((q.exitCode === 0 && q.stdout.trim() === '') || /invalid job id/i.test(q.stderr)) break;
    await new Promise((res) => setTimeout(res, 500));
  }
  collect();
  const missingTasks: number[] = [];
  for (let t = 0; t < n; t++) {
    if (seen.has(t)) continue;
    missingTasks.push(t);
    onResult(missingResult(job, t, `slurm task ${jobId}_${t} wrote no result (log ${taskLogFile(jobDir, t)})${logTail(jobDir, t)}`));
  }
  return { jobId, missingTasks, ...(missingTasks.length ? { resubmit: `sbatch --array=${missingTasks.join(',')} ${script}` } : {}) };
}
