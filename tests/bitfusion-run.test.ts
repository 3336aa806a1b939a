// `hwflow run bitfusion` as a user runs it: one job per invocation, its precision given as the
// tensor `bits` (3 runs in the 4-bit brick mode), checked against golden; a value outside the job's
// width is rejected before simulating, naming the tensor and the range.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/hwflow.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bitfusion-run-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const hwflow = (...args: string[]) => execa('node', [bin, ...args], { reject: false });
const inputFile = (name: string, content: unknown): string => {
  const f = path.join(tmp, `${name}.json`);
  fs.writeFileSync(f, JSON.stringify(content));
  return f;
};

describe('hwflow run bitfusion', () => {
  it('runs a 3-bit job (4-bit mode) under stalls: Y by hand, 4 products per unit per cycle', async () => {
    const input = inputFile('ok', { X: [[1, -2, 3, -4], [0, 1, -1, 2]], W: [[-4, 3, 2, 1], [1, 1, 1, 1], [3, 0, -3, -4]], bits: [3] });
    const r = await hwflow('run', 'bitfusion', '--input', input, '--stall', '0.2', '--seed', '5');
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    // By hand: [1 -2 3 -4]·[-4 3 2 1] = -8, ·[1 1 1 1] = -2, ·[3 0 -3 -4] = 10; [0 1 -1 2]: 3, 2, -5.
    expect(report.outputs.Y).toEqual({ shape: [2, 3], data: [-8, -2, 10, 3, 2, -5] });
    expect(report.check).toBe('passed');
    // 2 column groups × 2 rows × one chunk of 4 elements: 4 x/w pairs for 24 MACs on 2 units.
    expect(report.idealCycles).toBe(3);
    expect(report.counts).toMatchObject({ macs: 24, energy: (24 * 9) / 64, energyAtMode: (24 * 16) / 64 });
  });

  it('rejects a value outside the job\'s width, naming the tensor and the range', async () => {
    const r = await hwflow('run', 'bitfusion', '--input', inputFile('bad', { X: [[1, 2]], W: [[1, -3]], bits: [2] }));
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/tensor 'X' takes .*; got X\[0, 1\] = 2, out of the job's 2-bit range -2\.\.1 \(tensor 'bits'\)/);
  });
});
