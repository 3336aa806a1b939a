/**
 * Assembling a report point from a design folder and what is known about it, and writing the
 * report's three files. The CLI gathers the inputs (design resolution, golden runs) because `dsl/`
 * does not depend on the generators.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Circuit } from '../../ir/nodes.ts';
import { buildIce40 } from '../build.ts';
import { runSynth } from '../synth.ts';
import { energyOf, type EnergyTable, type OpWidth } from './energy.ts';
import type { Report, ReportPoint, SimResult } from './model.ts';
import { toHtml, toMarkdown } from './render.ts';
import { unitCounts } from './units.ts';

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
