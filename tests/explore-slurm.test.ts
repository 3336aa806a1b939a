// `hwflow explore --executor slurm` through a real single-node Slurm cluster (munge, slurmctld and
// slurmd started by scripts/slurm-up.sh, stopped at the end): the points run as one sbatch array,
// results are collected when it finishes, a bad point is recorded as failed, and a task whose worker
// dies is reported by its array index with the sbatch line that resubmits it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../toolchain/tools.ts';
import type { PointResult } from '../cli/explore/result.ts';
import { hwflowIn, writeCrashingDesign } from './support/explore-fixtures.ts';

const missing = ['sbatch', 'slurmctld', 'slurmd', 'munged'].filter((t) => !findTool(t) && !fs.existsSync(`/usr/sbin/${t}`));
const isRoot = process.getuid?.() === 0;
const skip = missing.length > 0 || !isRoot;
if (skip)
  console.warn(`explore-slurm: SKIPPED: ${missing.length ? `Slurm is not installed (missing ${missing.join(', ')}; npm run setup installs slurm-wlm and munge)` : 'the one-node cluster needs root'}`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-explore-slurm-'));
const clusterDir = path.join(tmp, 'slurm');
// A port of our own, so a cluster someone else started on the default port is left alone.
const port = String(7000 + (process.pid % 400) * 2);
let conf = '';

beforeAll(async () => {
  if (skip) return;
  const up = await execa('bash', ['scripts/slurm-up.sh', clusterDir], { reject: false, all: true, env: { SLURM_UP_PORT: port } });
  expect(up.exitCode, up.all).toBe(0);
  conf = /export SLURM_CONF=(\S+)/.exec(up.stdout)![1]!;
}, 60_000);
afterAll(async () => {
  if (!skip) await execa('bash', ['scripts/slurm-up.sh', '--down', clusterDir], { reject: false });
  fs.rmSync(tmp, { recursive: true, force: true });
});

const readJsonl = (f: string): PointResult[] => fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PointResult);

describe.skipIf(skip)('hwflow explore --executor slurm', () => {
  it('runs the points as an sbatch array, records failures, and reports a dead task by index', async () => {
    const hwflow = hwflowIn(path.join(tmp, 'cache'), { SLURM_CONF: conf });
    const script = writeCrashingDesign(tmp);
    const out = path.join(tmp, 'sweep');
    const r = await hwflow('explore', script, '--sweep', 'width=4,5,6,40', '--synth', 'ice40', '--executor', 'slurm', '--jobs', '2', '--out', out);
    expect(r.exitCode, r.stderr).toBe(0);
    const res = readJsonl(path.join(out, 'results.jsonl'));
    expect(res.map((p) => [p.label, p.status])).toEqual([['width=4', 'ok'], ['width=5', 'failed'], ['width=6', 'ok'], ['width=40', 'failed']]);
    expect(res[3]!.error).toMatch(/width' of 'crashy' = 40 is out of range 1\.\.32/);
    expect(res[0]!.luts).toBeGreaterThan(0);
    expect(res[0]!.pareto).toBe(true);
    // Array tasks are the points to compute (0: width=4, 1: width=5, 2: width=6); task 1 died.
    expect(res[1]!.error).toMatch(/^slurm task \d+_1 wrote no result/);
    const jobDir = path.join(out, 'job');
    expect(fs.readdirSync(path.join(jobDir, 'out')).sort()).toEqual(['0.json', '2.json']);
    expect(r.stdout).toMatch(new RegExp(`tasks 1 wrote no result; resubmit them with: sbatch --array=1 ${jobDir}/array.sh`));
    // The re-run takes the finished points from the cache and submits only the dead one again.
    const again = await hwflow('explore', script, '--sweep', 'width=4,5,6,40', '--synth', 'ice40', '--executor', 'slurm', '--out', out);
    expect(again.stdout).toMatch(/4 points: 0 computed, 2 cached, 2 failed/);
    expect(again.stdout).toMatch(/tasks 0 wrote no result; resubmit them with: sbatch --array=0 /);
  }, 240_000);
});
