// The whole tree type-checks: `npm test` fails (and counts a failure) when `tsc --noEmit` does, so a
// file no test imports (a benchmark, a script) cannot stop compiling unseen.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const tsc = path.resolve('node_modules/typescript/bin/tsc');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-tsc-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('tsc --noEmit', () => {
  it('reports no error over the whole tree (tsconfig.json)', async () => {
    // Incremental, with its state outside the tree: a rerun re-checks only what changed (seconds).
    const state = path.join(os.tmpdir(), `hwflow-tsc-${createHash('sha256').update(process.cwd()).digest('hex').slice(0, 12)}.tsbuildinfo`);
    const r = await execa('node', [tsc, '--noEmit', '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', state], { reject: false });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.exitCode).toBe(0);
  });

  // The check itself can fail: the defect that broke bench:harness (a backtick inside a template
  // literal), in a one-file project with the repository's compiler options.
  it('fails on a file with the defect that once broke bench/harness.ts', async () => {
    fs.writeFileSync(path.join(tmp, 'broken.ts'), 'export const s = `measured with `process.cpuUsage` around the run`;\n');
    fs.writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify({ extends: path.resolve('tsconfig.json'), include: ['broken.ts'] }));
    const r = await execa('node', [tsc, '--noEmit', '-p', path.join(tmp, 'tsconfig.json')], { reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/broken\.ts\(1,\d+\): error TS/);
  });
});
