/**
 * The report's data: one record per parameter point of a design, filled from whatever is known —
 * datapath units from the IR, yosys resources per target, an iCE40 build's Fmax and utilisation,
 * cycles and operation counts from a simulation result or the golden kernel, and the energy those
 * counts cost under a unit-energy table. Missing facts stay missing and are said so, never guessed.
 */
import fs from 'node:fs';
import { FpgaUsageError } from '../errors.ts';
import type { Resources } from '../parse.ts';
import type { EnergyBreakdown } from './energy.ts';
import type { UnitCounts } from './units.ts';

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
