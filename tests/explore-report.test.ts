// `hwflow report DIR` on an explore results folder: the Pareto front drawn as SVG in the HTML (one
// scatter per pair of objectives, front points filled), membership recomputed from the numbers, and
// the Markdown table with failed points and their message. Uses a written results.jsonl: no tools.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { writeResults } from '../cli/explore/files.ts';
import type { PointResult } from '../cli/explore/result.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-explore-report-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const point = (index: number, cycles: number, luts: number, energyPj: number, pareto = false): PointResult =>
  ({ index, label: `rows=${index}`, assignments: { rows: String(index) }, status: 'ok', cached: false, seconds: 1, cycles, idealCycles: cycles - 1, luts, energyPj, pareto });

describe('hwflow report on a results folder', () => {
  it('draws the Pareto front as SVG and lists every point', async () => {
    const dir = path.join(tmp, 'sweep');
    // Point 2 is dominated by point 1; the stale flags in the file (point 2 marked Pareto) are corrected.
    writeResults(dir, [
      point(0, 100, 50, 9), point(1, 40, 120, 9), point(2, 60, 130, 10, true), point(3, 40, 200, 2),
      { index: 4, label: 'rows=4', assignments: { rows: '4' }, status: 'failed', error: "parameter 'rows' = 4 is out of range", cached: false, seconds: 0 },
    ]);
    const r = await execa('node', [path.resolve('bin/hwflow.mjs'), 'report', dir], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Pareto front: 3 points over cycles, luts, energyPj/);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.map((s) => /<title>([^<]*)<\/title>/.exec(s)![1])).toEqual(['LUTs against cycles', 'energy (pJ) against cycles', 'energy (pJ) against LUTs']);
    for (const s of svgs) {
      expect(s.match(/class="pareto"/g)).toHaveLength(3);
      expect(s.match(/class="dominated"/g)).toHaveLength(1);
      expect(s).toMatch(/<circle class="dominated"[^>]*><title>rows=2: /);
    }
    // The 2-D front of (cycles, LUTs) is points 1 and 0: a staircase with one step.
    expect(svgs[0]).toMatch(/<path class="front" d="M[\d.]+,[\d.]+ H[\d.]+ V[\d.]+"/);
    const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| rows=2 | ok | 60 | 59 | 130 |');
    expect(md).toContain("| rows=4 | failed: parameter 'rows' = 4 is out of range |");
    expect(md).toMatch(/^# Sweep sweep: 5 points, 3 on the Pareto front over cycles, LUTs, energy \(pJ\)/);
  });
});
