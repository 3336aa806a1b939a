/**
 * The measured cost table of the hybrid networks' op set (HW-NAS-Bench style), which NASA's mapper
 * reads: for each op (3×3 and 5×5 convolutions and 1×1 projections, as the GEMM a ShiftAdd engine
 * runs: M = Cout, K = Cin·R², N = output pixels) in each arithmetic form (multiply, shift, adder), the
 * Verilator-measured cycles on a 4×4-PE engine, its iCE40 LUTs/FFs/BRAMs and the energy of its
 * operation counts. Written by `npm run bench:explore -- --costs` into cost-table.json next to this
 * file; plain data, no hardware, so a mapper imports it without the DSL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type OpForm = 'mul' | 'shift' | 'adder';
export type OpShape = 'conv3x3' | 'conv5x5' | 'proj1x1';

export interface CostEntry {
  op: OpShape;
  form: OpForm;
  /** The layer: output channels, input channels, kernel size, output map side. */
  layer: { cout: number; cin: number; r: number; hw: number };
  /** Its GEMM on the engine. */
  gemm: { M: number; K: number; N: number };
  engine: { rows: number; cols: number };
  /** Multiply-accumulate equivalents: M·K·N. */
  macs: number;
  cycles: number;
  idealCycles: number;
  luts: number;
  ffs: number;
  brams: number;
  /** Energy of the layer's operation counts (pJ) and per MAC equivalent. */
  energyPj: number;
  energyPerMacPj: number;
}

export interface CostTable {
  hwflowCostTable: 1;
  /** How it was measured (engine, target, energy table, seed, tools). */
  source: string;
  entries: CostEntry[];
}

/** The shipped table's path. */
export const COST_TABLE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cost-table.json');

/** Read and check a cost table (default: the shipped one); a malformed file names what is wrong. */
export function loadCostTable(file = COST_TABLE_FILE): CostTable {
  let t: CostTable;
  try {
    t = JSON.parse(fs.readFileSync(file, 'utf8')) as CostTable;
  } catch (e) {
    throw new Error(`cannot read cost table '${file}': ${(e as Error).message} (write it with npm run bench:explore -- --costs)`);
  }
  if (t.hwflowCostTable !== 1 || !Array.isArray(t.entries)) throw new Error(`'${file}' is not a cost table (needs "hwflowCostTable": 1 and "entries")`);
  for (const [i, e] of t.entries.entries())
    for (const k of ['cycles', 'idealCycles', 'luts', 'ffs', 'brams', 'energyPj', 'macs'] as const)
      if (typeof e[k] !== 'number' || !(e[k] >= 0)) throw new Error(`cost table '${file}' entry ${i} (${e.op} ${e.form}): '${k}' = ${JSON.stringify(e[k])} is not a non-negative number`);
  return t;
}

/** The entry of `op` in `form`; an op the table lacks is an error listing what it has. */
export function costOf(t: CostTable, op: OpShape, form: OpForm): CostEntry {
  const e = t.entries.find((x) => x.op === op && x.form === form);
  if (!e) throw new Error(`cost table has no entry for ${op} in ${form} form; it has ${t.entries.map((x) => `${x.op}/${x.form}`).join(', ')}`);
  return e;
}

/** Cycles per MAC equivalent measured for `op` in `form` on the table's engine (the mapper scales by the PEs it assigns). */
export function cyclesPerMac(t: CostTable, op: OpShape, form: OpForm): number {
  const e = costOf(t, op, form);
  return e.cycles / e.macs;
}
