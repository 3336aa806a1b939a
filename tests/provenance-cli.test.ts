// `hwflow run --trace`: the run's JSON report carries the diff of the traced streams against the
// token model (a hierarchical accelerator: only its top module's streams are in the graph).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, it } from 'vitest';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-prov-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('hwflow run --trace reports that the traced streams agree with the model', async () => {
  const input = path.join(tmp, 'in.json');
  fs.writeFileSync(input, JSON.stringify({ W: [[1, -2, 3], [4, 5, -6]], X: { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] } }));
  const out = path.join(tmp, 'out.json');
  const r = await execa('node', [path.resolve('bin/hwflow.mjs'), 'run', 'shiftadd', '--preset', 'ci-mul', '--input', input, '--output', out, '--stall', '0.3', '--seed', '7', '--trace'], { reject: false, cwd: tmp });
  expect(r.exitCode, r.stderr).toBe(0);
  const report = JSON.parse(fs.readFileSync(out, 'utf8'));
  expect(report.check).toBe('passed');
  expect(report.trace).toEqual({ agrees: true, streams: expect.any(Number), unmodelled: [] });
}, 180_000);
