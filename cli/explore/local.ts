/**
 * `--executor local`: a pool of N worker processes on this machine, each evaluating one point at a
 * time (`hwflow explore-point <job> <task>`). Separate processes keep a crashing tool or simulator
 * from taking the sweep down, and let points build and simulate in parallel.
 */
import fs from 'node:fs';
import { execa } from 'execa';
import { hwflowBin } from './worker-command.ts';
import { logTail, missingResult, readJob, readTaskResult, taskLogFile } from './job.ts';
import type { PointResult } from './result.ts';

/** Run every task of the job in `jobDir`, `jobs` at a time, reporting each result as it lands. */
export async function runLocal(jobDir: string, jobs: number, onResult: (r: PointResult) => void): Promise<void> {
  const job = readJob(jobDir);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let task = next++; task < job.points.length; task = next++) {
      const p = await execa(process.execPath, [hwflowBin, 'explore-point', jobDir, String(task)], { reject: false, stdin: 'ignore', all: true });
      fs.writeFileSync(taskLogFile(jobDir, task), (p.all ?? '') + '\n');
      onResult(readTaskResult(jobDir, task) ?? missingResult(job, task, `worker exited (${p.exitCode ?? p.signal}) without a result${logTail(jobDir, task)}`));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, job.points.length)) }, worker));
}
