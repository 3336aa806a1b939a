/**
 * The report's data and how it is gathered: one record per parameter point of a design, filled from
 * whatever is known — datapath units from the IR, yosys resources per target, an iCE40 build's Fmax
 * and utilisation, cycles and operation counts from a simulation result or the golden kernel, and
 * the energy those counts cost under a unit-energy table. Missing facts stay missing and are said
 * so, never guessed. The CLI gathers the inputs (design resolution, golden runs) because `dsl/`
 * does not depend on the generators.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Circuit } from '../../../dsl/ir/nodes.ts';
import { buildIce40 } from '../build.ts';
import { FpgaUsageError } from '../errors.ts';
import type { Resources } from '../parse.ts';
import { runSynth } from '../synth.ts';
import { energyOf, type EnergyBreakdown, type EnergyTable, type OpWidth } from './energy.ts';
import { toHtml, toMarkdown } from './render.ts';
import { unitCounts, type UnitCounts } from './units.ts';

export interface ReportPoint {
  /** Short name of the point: the preset, or the swept `key=value`. */
  label: string;
  params: Record<string, unknown>;
  top: string;
  units?: UnitCounts;
  synth: { target: string; resources: Resources; seconds: number }[];
  build?: { target: string; clockMhz: number; fmaxMhz: number | null; meetsTiming: boolean; utilisation: { lcs: number; rams: number; dsps: number; ios: number }; shell: boolean; bitstream: string };
  cycles?: { measured?: number; ideal?: number; source: string };
  counts?: { values: Record<string, number>; source: string };
  energy?: EnergyBreakdown;
}

export interface Report {
  hwflowReport: 1;
  design: string;
  preset?: string;
  /** The unit-energy table used, and where its numbers come from. */
  energyTable: { name: string; source: string };
  points: ReportPoint[];
  /** What could not be reported and why. */
  notes: string[];
}

/** What the report takes from a `hwflow run --output` file (or any JSON with these fields). */
export interface SimResult {
  file: string;
  top?: string;
  cycles?: number;
  idealCycles?: number;
  counts?: Record<string, number>;
}

/** Read a simulation result: needs `cycles` or `counts`; `idealCycles` and `top` are used when present. */
export function readSimResult(file: string): SimResult {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new FpgaUsageError(`cannot read simulation result '${file}': ${(e as Error).message}`);
  }
  const num = (k: string): number | undefined => (typeof raw[k] === 'number' ? (raw[k] as number) : undefined);
  const counts = typeof raw.counts === 'object' && raw.counts !== null ? (raw.counts as Record<string, number>) : undefined;
  const r: SimResult = { file, top: typeof raw.top === 'string' ? raw.top : undefined, cycles: num('cycles'), idealCycles: num('idealCycles'), counts };
  if (r.cycles === undefined && r.counts === undefined)
    throw new FpgaUsageError(`simulation result '${file}' has neither "cycles" nor "counts" (write one with \`hwflow run --output\`)`);
  return r;
}

export interface PointInputs {
  label: string;
  designDir: string;
  params: Record<string, unknown>;
  top: string;
  circuit?: Circuit;
  synthTargets: readonly string[];
  build?: { target: string; clockMhz?: number | string };
  sim?: SimResult;
  golden?: { counts: Record<string, number>; idealCycles: number; source: string };
  table: EnergyTable;
  width: OpWidth;
  progress?: boolean;
}

/** Operand width for the energy table: the design's `width`-like parameter when it is 8, 16 or 32, else 8. */
export function defaultOpWidth(params: Record<string, unknown>): OpWidth {
  for (const k of ['width', 'dataWidth', 'actWidth', 'xWidth', 'bits']) {
    const v = params[k];
    if (v === 8 || v === 16 || v === 32) return v;
  }
  return 8;
}

/** Run what a point needs (cached synthesis and build) and compute its energy. */
export async function collectPoint(i: PointInputs, notes: string[]): Promise<ReportPoint> {
  const p: ReportPoint = { label: i.label, params: i.params, top: i.top, synth: [] };
  if (i.circuit) p.units = unitCounts(i.circuit);
  for (const t of i.synthTargets) {
    const s = await runSynth(i.designDir, { target: t, progress: i.progress });
    p.synth.push({ target: t, resources: s.resources, seconds: s.seconds });
  }
  if (i.build) {
    const b = await buildIce40(i.designDir, { target: i.build.target, clockMhz: i.build.clockMhz, progress: i.progress });
    p.build = { target: b.target, clockMhz: b.clockMhz, fmaxMhz: b.fmaxMhz, meetsTiming: b.meetsTiming, utilisation: b.utilisation, shell: b.shell !== null, bitstream: b.bitstream };
  }
  if (i.sim) {
    const ideal = i.sim.idealCycles ?? i.golden?.idealCycles;
    p.cycles = { measured: i.sim.cycles, ideal, source: path.basename(i.sim.file) };
    if (i.sim.counts) p.counts = { values: i.sim.counts, source: `counts from ${path.basename(i.sim.file)}` };
  } else if (i.golden) {
    p.cycles = { ideal: i.golden.idealCycles, source: i.golden.source };
    notes.push(`${i.label}: no simulation result given (--sim), so only the ideal cycle bound is shown`);
  } else notes.push(`${i.label}: no cycle counts (no simulation result and no golden kernel)`);
  if (!p.counts && i.golden) p.counts = { values: i.golden.counts, source: `counts from the ${i.golden.source}` };
  if (p.counts) p.energy = energyOf(p.counts.values, i.table, i.width);
  else notes.push(`${i.label}: no operation counts, so no energy (give a simulation result with "counts", or use a design with a golden kernel)`);
  return p;
}

/** Write `report.json`, `report.md` and `report.html` into `dir`; returns their paths. */
export function writeReport(r: Report, dir: string): { json: string; markdown: string; html: string } {
  fs.mkdirSync(dir, { recursive: true });
  const out = { json: path.join(dir, 'report.json'), markdown: path.join(dir, 'report.md'), html: path.join(dir, 'report.html') };
  fs.writeFileSync(out.json, JSON.stringify(r, null, 2) + '\n');
  fs.writeFileSync(out.markdown, toMarkdown(r));
  fs.writeFileSync(out.html, toHtml(r));
  return out;
}
