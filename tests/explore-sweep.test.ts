// `hwflow explore` on the local worker pool: a tiny counter sweep through yosys (ice40), a point
// that fails on a bad parameter and one whose worker crashes, both recorded while the rest go on;
// results.jsonl/csv; the Pareto front; cache hits on a re-run and only the new point computed after
// the sweep grows. The Pareto function itself is checked against a brute-force definition.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dominates, paretoFront, sharedObjectives } from '../cli/explore/pareto.ts';
import { crossProduct, parseSweeps } from '../cli/explore/sweep.ts';
import type { PointResult } from '../cli/explore/result.ts';
import { execa } from 'execa';
import type { Accelerator } from '../dsl/generator.ts';
import { registry } from '../generators/registry.ts';
import { shiftAddPresets } from '../generators/shiftadd/params.ts';
import { tensorToJson } from '../cli/tensors.ts';
import { hwflowIn, writeCrashingDesign } from './support/explore-fixtures.ts';
import { Rng, testSeed } from './support/rng.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-explore-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const hwflow = hwflowIn(path.join(tmp, 'cache'));
const readJsonl = (f: string): PointResult[] => fs.readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PointResult);

describe('sweep points and the Pareto front', () => {
  it('crosses the axes, first axis slowest, and rejects malformed axes', () => {
    const pts = crossProduct(parseSweeps(['a=1,2', 'b=x,y,z']));
    expect(pts.map((p) => p.label)).toEqual(['a=1,b=x', 'a=1,b=y', 'a=1,b=z', 'a=2,b=x', 'a=2,b=y', 'a=2,b=z']);
    expect(() => parseSweeps(['a'])).toThrow(/bad --sweep 'a'; expected key=v1,v2/);
    expect(() => parseSweeps(['a=1,,2'])).toThrow(/bad --sweep/);
    expect(() => parseSweeps(['a=1', 'a=2'])).toThrow(/names 'a' twice/);
  });

  it('keeps exactly the non-dominated points (random sets against the definition)', () => {
    const seed = testSeed();
    const r = new Rng(seed);
    const rng = r.next;
    for (let t = 0; t < 50; t++) {
      const pts = Array.from({ length: 2 + Math.floor(rng() * 10) }, () => ({ cycles: Math.floor(rng() * 5), luts: Math.floor(rng() * 5), energyPj: Math.floor(rng() * 5) }));
      const front = paretoFront(pts);
      const expected = pts.flatMap((p, i) => (pts.some((q) => OBJ.every((o) => q[o] <= p[o]) && OBJ.some((o) => q[o] < p[o])) ? [] : [i]));
      expect(front, `seed ${seed}`).toEqual(expected);
      expect(front.length, `seed ${seed}`).toBeGreaterThan(0);
    }
    expect(paretoFront([{ cycles: 10, luts: 5, energyPj: 1 }, { cycles: 5, luts: 10, energyPj: 1 }, { cycles: 10, luts: 10, energyPj: 1 }])).toEqual([0, 1]);
    // An objective one point lacks is compared for none.
    expect(sharedObjectives([{ luts: 3, cycles: 1 }, { luts: 2 }])).toEqual(['luts']);
    expect(dominates({ luts: 2, cycles: 9 }, { luts: 3, cycles: 1 }, ['luts'])).toBe(true);
  });
});
const OBJ = ['cycles', 'luts', 'energyPj'] as const;

describe('hwflow explore (local pool)', () => {
  const out = path.join(tmp, 'sweep');

  it('evaluates every point, records failures with their message, and marks the Pareto front', async () => {
    const r = await hwflow('explore', 'counter', '--sweep', 'width=4,6', '--sweep', 'limit=9,40', '--synth', 'ice40', '--out', out, '--jobs', '2');
    expect(r.exitCode, r.stderr).toBe(0);
    const res = readJsonl(path.join(out, 'results.jsonl'));
    expect(res.map((p) => p.label)).toEqual(['width=4,limit=9', 'width=4,limit=40', 'width=6,limit=9', 'width=6,limit=40']);
    const failed = res[1]!;
    expect(failed).toMatchObject({ status: 'failed', cached: false });
    expect(failed.error).toMatch(/limit' = 40 does not fit a 4-bit count/);
    const ok = res.filter((p) => p.status === 'ok');
    expect(ok).toHaveLength(3);
    for (const p of ok) {
      expect(p.synthTarget).toBe('ice40');
      expect(p.luts).toBeGreaterThan(0);
      expect(p.ffs).toBe(p.params!.width);
      expect(p.key).toMatch(/^[0-9a-f]{24}$/);
      expect(fs.existsSync(path.join(out, 'designs', `point-${p.index}`, `${p.top}.v`))).toBe(true);
    }
    // A counter is not an Accelerator: no cycles, so the front is over LUTs alone.
    const minLuts = Math.min(...ok.map((p) => p.luts!));
    expect(res.filter((p) => p.pareto).map((p) => p.index)).toEqual(ok.filter((p) => p.luts === minLuts).map((p) => p.index));
    expect(r.stdout).toMatch(/4 points: 3 computed, 0 cached, 1 failed; Pareto front \(\*\) over luts/);
    const csv = fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('index,label,width,limit,status,cached,pareto,cycles,idealCycles,utilisation,synthTarget,luts,ffs,carries,dsps,brams,buildTarget,clockMhz,fmaxMhz,periodNs,meetsTiming,lcs,rams,ios,energyPj,seconds,top,key,error');
    expect(csv).toHaveLength(5);
    expect(csv[2]).toMatch(/^1,"width=4,limit=40",4,40,failed,false,false,/);
  });

  it('takes every unchanged point from the cache and computes only new ones', async () => {
    const again = await hwflow('explore', 'counter', '--sweep', 'width=4,6', '--sweep', 'limit=9,40', '--synth', 'ice40', '--out', out);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/4 points: 0 computed, 3 cached, 1 failed/);
    const before = readJsonl(path.join(out, 'results.jsonl'));
    expect(before.filter((p) => p.cached).map((p) => p.index)).toEqual([0, 2, 3]);
    const grown = await hwflow('explore', 'counter', '--sweep', 'width=4,6,7', '--sweep', 'limit=9', '--synth', 'ice40', '--out', out);
    expect(grown.exitCode, grown.stderr).toBe(0);
    expect(grown.stdout).toMatch(/3 points: 1 computed, 2 cached, 0 failed/);
    const res = readJsonl(path.join(out, 'results.jsonl'));
    expect(res.map((p) => [p.label, p.cached])).toEqual([['width=4,limit=9', true], ['width=6,limit=9', true], ['width=7,limit=9', false]]);
  });

  it('records a point whose worker dies without a result, and finishes the others', async () => {
    const script = writeCrashingDesign(tmp);
    const dir = path.join(tmp, 'crash');
    const r = await hwflow('explore', script, '--sweep', 'width=4,5', '--synth', 'ice40', '--out', dir);
    expect(r.exitCode, r.stderr).toBe(0);
    const res = readJsonl(path.join(dir, 'results.jsonl'));
    expect(res[0]).toMatchObject({ label: 'width=4', status: 'ok', pareto: true });
    expect(res[1]).toMatchObject({ label: 'width=5', status: 'failed', pareto: false });
    expect(res[1]!.error).toMatch(/^worker exited \(3\) without a result/);
  });

  it('resumes an interrupted sweep: the points finished before the kill come from the cache', async () => {
    const dir = path.join(tmp, 'interrupted');
    const args = ['explore', 'counter', '--sweep', 'width=9,10,11', '--synth', 'ice40', '--jobs', '1', '--out', dir];
    const run = execa('node', [path.resolve('bin/hwflow.mjs'), ...args], { reject: false, env: { HWFLOW_CACHE: path.join(tmp, 'cache'), CI: '1' } });
    const jsonl = path.join(dir, 'results.jsonl');
    const deadline = Date.now() + 120_000;
    while (!(fs.existsSync(jsonl) && fs.readFileSync(jsonl, 'utf8').includes('"status":"ok"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    run.kill('SIGTERM');
    const killed = await run;
    expect(killed.stdout, 'the sweep finished before it could be interrupted').not.toMatch(/3 points:/);
    const resumed = await hwflow(...args);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const m = /3 points: (\d) computed, (\d) cached, 0 failed/.exec(resumed.stdout);
    expect(m, resumed.stdout).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(1);
    expect(Number(m![1]) + Number(m![2])).toBe(3);
  });

  it('rejects a bad executor, target or job count before doing any work', async () => {
    const bad = await hwflow('explore', 'counter', '--sweep', 'width=4', '--executor', 'cloud', '--out', path.join(tmp, 'bad'));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/unknown --executor 'cloud'; valid: local, slurm/);
    const t = await hwflow('explore', 'counter', '--sweep', 'width=4', '--synth', 'ice41', '--out', path.join(tmp, 'bad'));
    expect(t.stderr).toMatch(/unknown --synth target 'ice41'; valid: ice40, ice40-dsp, xilinx-7, generic, none/);
  });
});

describe('hwflow explore on an accelerator', () => {
  it('simulates each point in Verilator: cycles against the ideal bound, outputs checked, energy priced', async () => {
    const dir = path.join(tmp, 'shiftadd');
    // One tiny adder-PE point (1x2 array, M=2, K=4, N=2), no synthesis: the simulation path alone.
    const r = await hwflow('explore', 'shiftadd', '--preset', 'ci', '--param', 'kind=adder', '--param', 'cols=2', '--param', 'mMax=2', '--param', 'kMax=4', '--param', 'nMax=2',
      '--sweep', 'rows=2', '--synth', 'none', '--seed', '3', '--out', dir);
    expect(r.exitCode, r.stderr).toBe(0);
    const [p] = readJsonl(path.join(dir, 'results.jsonl'));
    expect(p).toMatchObject({ label: 'rows=2', status: 'ok', pareto: true, energyTable: 'ShiftAdd 45 nm unit energies, 8-bit' });
    expect(p!.idealCycles).toBeGreaterThan(0);
    expect(p!.cycles).toBeGreaterThanOrEqual(p!.idealCycles!);
    expect(p!.utilisation).toBeCloseTo(p!.idealCycles! / p!.cycles!, 3);
    expect(p!.energyPj).toBeGreaterThan(0);
    expect(p!.luts).toBeUndefined();
    // The same point on the tensors of an --input file: a different key (the inputs are part of it), same model.
    const params = { ...shiftAddPresets.ci!, kind: 'adder', rows: 2, cols: 2, mMax: 2, kMax: 4, nMax: 2 };
    const tensors = (registry.shiftadd as Accelerator).randomInputs(params, 11);
    const input = path.join(tmp, 'in.json');
    fs.writeFileSync(input, JSON.stringify(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, tensorToJson(t)]))));
    const withInput = await hwflow('explore', 'shiftadd', '--preset', 'ci', '--param', 'kind=adder', '--param', 'cols=2', '--param', 'mMax=2', '--param', 'kMax=4', '--param', 'nMax=2',
      '--sweep', 'rows=2', '--synth', 'none', '--input', input, '--out', path.join(tmp, 'shiftadd-input'));
    expect(withInput.exitCode, withInput.stderr).toBe(0);
    const [q] = readJsonl(path.join(tmp, 'shiftadd-input', 'results.jsonl'));
    expect(q).toMatchObject({ status: 'ok', cached: false, idealCycles: p!.idealCycles });
    expect(q!.key).not.toBe(p!.key);
    expect(q!.cycles).toBeGreaterThanOrEqual(q!.idealCycles!);
  });
});
