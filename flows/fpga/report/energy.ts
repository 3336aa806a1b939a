/**
 * The unit-energy table of the ShiftAdd papers' cost model (45 nm, pJ per operation), as given in
 * `specs/ACCELERATORS.md` ("Unit energies at 45 nm used by the ShiftAdd papers' cost model"), and
 * the energy of a run from its operation counts. A JSON file of the same shape overrides it; every
 * report names the table it used.
 */
import fs from 'node:fs';
import { FpgaUsageError } from '../errors.ts';

export type OpWidth = 8 | 16 | 32;
export type ArithOp = 'multiply' | 'add' | 'shift' | 'lookup';
export type MemoryLevel = 'dram' | 'globalBuffer' | 'arrayNetwork' | 'registerFile';

export interface EnergyTable {
  name: string;
  /** Where the numbers come from. */
  source: string;
  /** pJ per operation by operand width; a missing width falls back to the nearest one given. */
  ops: Record<ArithOp, Partial<Record<OpWidth, number>>>;
  /** pJ per 16-bit word moved at each level of the memory hierarchy. */
  memory: Record<MemoryLevel, number>;
}

/** The default table. Memory: DRAM 200 pJ; buffer 6x, network 2x, register file 1x the 3.7 pJ basis. */
export const SHIFTADD_45NM: EnergyTable = {
  name: 'ShiftAdd 45 nm unit energies',
  source: "docs/report.md, section Energy: the ShiftAdd papers' cost model at 45 nm (pJ per operation, per 16-bit word moved)",
  ops: {
    multiply: { 8: 0.2, 16: 1.1, 32: 3.7 },
    add: { 8: 0.03, 16: 0.4, 32: 0.9 },
    shift: { 8: 0.024, 16: 0.15, 32: 0.13 },
    lookup: { 16: 0.37 },
  },
  memory: { dram: 200, globalBuffer: 22.2, arrayNetwork: 7.4, registerFile: 3.7 },
};

/**
 * Count names the energy model prices, and what each costs. Only these exact names (any case) are
 * priced, so partial counts such as `tableAdds` next to their total `adds` are never counted twice;
 * every other count is listed in the report as not priced.
 */
const PRICED: Record<string, { op?: ArithOp; ops?: ArithOp[]; memory?: MemoryLevel }> = {
  multiplies: { op: 'multiply' }, mults: { op: 'multiply' }, muls: { op: 'multiply' }, products: { op: 'multiply' },
  macs: { ops: ['multiply', 'add'] },
  adds: { op: 'add' }, additions: { op: 'add' },
  shifts: { op: 'shift' },
  lookups: { op: 'lookup' },
  dramreads: { memory: 'dram' }, dramwords: { memory: 'dram' }, offchipreads: { memory: 'dram' },
  reads: { memory: 'globalBuffer' }, bufferreads: { memory: 'globalBuffer' }, sramreads: { memory: 'globalBuffer' },
  rfreads: { memory: 'registerFile' }, registerreads: { memory: 'registerFile' },
};

/** Load a JSON table of the EnergyTable shape, checking every number. */
export function loadEnergyTable(file: string): EnergyTable {
  let raw: Partial<EnergyTable>;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<EnergyTable>;
  } catch (e) {
    throw new FpgaUsageError(`cannot read energy table '${file}': ${(e as Error).message}`);
  }
  const ops = raw.ops as EnergyTable['ops'] | undefined;
  const memory = raw.memory as EnergyTable['memory'] | undefined;
  const opNames: ArithOp[] = ['multiply', 'add', 'shift', 'lookup'];
  const levels: MemoryLevel[] = ['dram', 'globalBuffer', 'arrayNetwork', 'registerFile'];
  if (!ops || !memory || opNames.some((o) => typeof ops[o] !== 'object') || levels.some((l) => typeof memory[l] !== 'number'))
    throw new FpgaUsageError(`energy table '${file}' needs "ops" with ${opNames.join(', ')} (pJ by width 8/16/32) and "memory" with ${levels.join(', ')} (pJ per word)`);
  for (const o of opNames)
    for (const [w, v] of Object.entries(ops[o]))
      if (!['8', '16', '32'].includes(w) || typeof v !== 'number' || !(v >= 0))
        throw new FpgaUsageError(`energy table '${file}': ops.${o}.${w} = ${JSON.stringify(v)}; widths are 8, 16, 32 and energies non-negative numbers`);
  return { name: raw.name ?? file, source: raw.source ?? file, ops, memory };
}

/** pJ of one `op` at `width`, from the nearest width the table gives. */
export function unitEnergy(table: EnergyTable, op: ArithOp, width: OpWidth): { pj: number; width: OpWidth } {
  const given = Object.keys(table.ops[op]).map(Number) as OpWidth[];
  if (given.length === 0) throw new FpgaUsageError(`energy table '${table.name}' has no entry for ${op}`);
  const w = given.includes(width) ? width : given.sort((a, b) => Math.abs(a - width) - Math.abs(b - width))[0]!;
  return { pj: table.ops[op][w]!, width: w };
}

export interface EnergyLine {
  count: string;
  n: number;
  what: string;
  pjEach: number;
  pj: number;
}
export interface EnergyBreakdown {
  table: string;
  width: OpWidth;
  totalPj: number;
  lines: EnergyLine[];
  /** Counts the model does not price (reported, not guessed). */
  unpriced: string[];
}

/** Energy of a run: each priced count times its unit energy at `width` bits. */
export function energyOf(counts: Record<string, number>, table: EnergyTable, width: OpWidth): EnergyBreakdown {
  const lines: EnergyLine[] = [];
  const unpriced: string[] = [];
  for (const [name, n] of Object.entries(counts)) {
    const rule = PRICED[name.toLowerCase()];
    if (!rule || typeof n !== 'number') {
      unpriced.push(name);
      continue;
    }
    if (rule.memory) {
      const pjEach = table.memory[rule.memory];
      lines.push({ count: name, n, what: `${rule.memory} word`, pjEach, pj: n * pjEach });
      continue;
    }
    for (const op of rule.ops ?? [rule.op!]) {
      const u = unitEnergy(table, op, width);
      lines.push({ count: name, n, what: `${op} ${u.width}-bit`, pjEach: u.pj, pj: n * u.pj });
    }
  }
  return { table: table.name, width, totalPj: lines.reduce((a, l) => a + l.pj, 0), lines, unpriced };
}
