// The measured cost table a mapper reads (generators/nasa/cost-table.json, written by
// `npm run bench:explore -- --costs`): every op in every form is present with consistent figures,
// and a malformed table or a missing entry is an error naming what is wrong.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { costOf, cyclesPerMac, loadCostTable } from '../generators/nasa/cost-table.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-explore-costs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the measured op cost table', () => {
  const t = loadCostTable();

  it('has 3x3 and 5x5 convolutions and 1x1 projections in multiply, shift and adder form', () => {
    for (const op of ['conv3x3', 'conv5x5', 'proj1x1'] as const)
      for (const form of ['mul', 'shift', 'adder'] as const) {
        const e = costOf(t, op, form);
        expect(e.macs).toBe(e.gemm.M * e.gemm.K * e.gemm.N);
        expect(e.gemm).toEqual({ M: e.layer.cout, K: e.layer.cin * e.layer.r * e.layer.r, N: e.layer.hw * e.layer.hw });
        // Measured, never better than the bound of the engine's PEs.
        expect(e.idealCycles).toBe(e.macs / (e.engine.rows * e.engine.cols));
        expect(e.cycles).toBeGreaterThanOrEqual(e.idealCycles);
        expect(e.luts).toBeGreaterThan(0);
        expect(cyclesPerMac(t, op, form)).toBeCloseTo(e.cycles / e.macs, 12);
      }
    // The forms' hardware differs as the ShiftAdd papers say: a multiplier array is the largest.
    for (const op of ['conv3x3', 'conv5x5', 'proj1x1'] as const) {
      expect(costOf(t, op, 'mul').luts).toBeGreaterThan(costOf(t, op, 'shift').luts);
      expect(costOf(t, op, 'mul').energyPj).toBeGreaterThan(costOf(t, op, 'shift').energyPj);
    }
  });

  it('names what is wrong with a bad table or a missing entry', () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ hwflowCostTable: 1, source: 'x', entries: [{ ...t.entries[0], cycles: -1 }] }));
    expect(() => loadCostTable(bad)).toThrow(/entry 0 \(conv3x3 \w+\): 'cycles' = -1 is not a non-negative number/);
    fs.writeFileSync(bad, '{"entries": []}');
    expect(() => loadCostTable(bad)).toThrow(/is not a cost table/);
    expect(() => loadCostTable(path.join(tmp, 'none.json'))).toThrow(/cannot read cost table .*npm run bench:explore -- --costs/);
    const one = { ...t, entries: [t.entries[0]!] };
    expect(() => costOf(one, 'conv5x5', 'adder')).toThrow(/no entry for conv5x5 in adder form; it has conv3x3\//);
  });
});
