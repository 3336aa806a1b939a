/**
 * Measured iCE40 LUTs of whole chunks (ShiftAdd arrays with their control and buffers, synthesised
 * alone at two sizes per form), which calibrate the mapper's LUT model as a fixed part per chunk
 * plus a part per PE (`fitLutModel`). Written by `npm run bench:nasa -- --calibrate` into
 * chunk-luts.json next to this file; plain data, no hardware, so the mapper reads it without the DSL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpForm } from './cost-table.ts';

export interface ChunkLutEntry {
  form: OpForm;
  rows: number;
  cols: number;
  /** The chunk's largest M, K and N (its buffers). */
  mMax: number;
  kMax: number;
  nMax: number;
  luts: number;
  ffs: number;
  brams: number;
}

export interface ChunkLuts {
  hwflowChunkLuts: 1;
  source: string;
  entries: ChunkLutEntry[];
}

/** LUTs of an r×c chunk of one form: `base + perPe · r · c`. */
export type LutModel = Record<OpForm, { base: number; perPe: number }>;

export const CHUNK_LUTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'chunk-luts.json');

/** The shipped measurements, or undefined when the file has not been written. */
export function loadChunkLuts(file = CHUNK_LUTS_FILE): ChunkLuts | undefined {
  if (!fs.existsSync(file)) return undefined;
  const t = JSON.parse(fs.readFileSync(file, 'utf8')) as ChunkLuts;
  if (t.hwflowChunkLuts !== 1 || !Array.isArray(t.entries)) throw new Error(`'${file}' is not a chunk LUT table (needs "hwflowChunkLuts": 1 and "entries")`);
  return t;
}

/** Least-squares fit of base and per-PE LUTs per form; a form needs entries at two PE counts at least. */
export function fitLutModel(t: ChunkLuts): LutModel {
  const forms: OpForm[] = ['mul', 'shift', 'adder'];
  return Object.fromEntries(forms.map((f) => {
    const pts = t.entries.filter((e) => e.form === f).map((e) => [e.rows * e.cols, e.luts] as const);
    if (new Set(pts.map((p) => p[0])).size < 2) throw new Error(`chunk LUT table has ${f} chunks of fewer than two sizes; the fit needs two (npm run bench:nasa -- --calibrate)`);
    const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
    const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
    const perPe = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
    return [f, { base: my - perPe * mx, perPe }];
  })) as LutModel;
}
