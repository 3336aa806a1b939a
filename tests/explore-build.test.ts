// `hwflow explore --build ice40-up5k`: every point of a tiny counter sweep placed and routed through
// the FPGA flow (nextpnr's Fmax, placed cells, the clock period as a Pareto objective); the build
// target and clock are part of a point's key, so a re-run takes the built points from the cache and
// another clock would not; a bad --build target or a lone --clock is refused before any work.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pointKey } from '../cli/explore/cache.ts';
import type { PointResult } from '../cli/explore/result.ts';
import { hwflowIn } from './support/explore-fixtures.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-explore-build-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const hwflow = hwflowIn(path.join(tmp, 'cache'));
const readJsonl = (f: string): PointResult[] => fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PointResult);

describe('hwflow explore --build (place and route every point)', () => {
  const out = path.join(tmp, 'built');
  const args = ['explore', 'counter', '--sweep', 'width=4,6', '--synth', 'none', '--build', 'ice40-up5k', '--out', out];

  it('records Fmax, placed cells and the clock period objective of each point', async () => {
    const r = await hwflow(...args);
    expect(r.exitCode, r.stderr).toBe(0);
    const res = readJsonl(path.join(out, 'results.jsonl'));
    expect(res.map((p) => p.status)).toEqual(['ok', 'ok']);
    for (const p of res) {
      expect(p).toMatchObject({ buildTarget: 'ice40-up5k', clockMhz: 12, synthTarget: 'ice40-up5k (build)', meetsTiming: true });
      expect(p.fmaxMhz).toBeGreaterThan(12);
      expect(p.periodNs).toBeCloseTo(1000 / p.fmaxMhz!, 2);
      // The counter's flip-flops are the width; every LUT and FF sits in a placed logic cell.
      expect(p.ffs).toBe(p.params!.width);
      expect(p.lcs).toBeGreaterThanOrEqual(Math.max(p.luts!, p.ffs!));
      expect(p.ios).toBeGreaterThan(0);
    }
    // The wider counter is bigger, so it is on the front only if it routes to a shorter period.
    expect(res[1]!.luts).toBeGreaterThan(res[0]!.luts!);
    expect(res.map((p) => p.pareto)).toEqual([true, res[1]!.periodNs! < res[0]!.periodNs!]);
    expect(r.stdout).toMatch(/2 points: 2 computed, 0 cached, 0 failed; Pareto front \(\*\) over luts, periodNs/);
    expect(r.stdout).toMatch(/width=4 .* MHz/);
    const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').split('\n');
    expect(csv[0]).toContain('buildTarget,clockMhz,fmaxMhz,periodNs,meetsTiming,lcs,rams,ios');
  });

  it('takes built points from the cache on a re-run', async () => {
    const again = await hwflow(...args);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/2 points: 0 computed, 2 cached, 0 failed/);
    expect(readJsonl(path.join(out, 'results.jsonl')).every((p) => p.fmaxMhz! > 0)).toBe(true);
  });

  it('keys a point by its build target and clock', () => {
    const files = [path.join(out, 'designs', 'point-0', 'manifest.json')];
    const flags = { run: 'none' as const, seed: 1, synth: [], tools: { yosys: 'y', nextpnr: 'n' } };
    const keys = new Set([pointKey(files, flags), pointKey(files, { ...flags, build: 'ice40-up5k', clockMhz: 12 }),
      pointKey(files, { ...flags, build: 'ice40-up5k', clockMhz: 24 }), pointKey(files, { ...flags, build: 'ice40-hx8k', clockMhz: 12 })]);
    expect(keys.size).toBe(4);
  });

  it('refuses an unknown build target and --clock without --build (bad clock values: fpga-flow tests)', async () => {
    const bad = await hwflow('explore', 'counter', '--sweep', 'width=4', '--build', 'xilinx-7', '--out', path.join(tmp, 'bad'));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/unknown --build target 'xilinx-7'; valid: ice40-hx8k, ice40-up5k/);
    const lone = await hwflow('explore', 'counter', '--sweep', 'width=4', '--clock', '24', '--out', path.join(tmp, 'bad'));
    expect(lone.stderr).toMatch(/--clock needs --build <target>/);
  });
});
