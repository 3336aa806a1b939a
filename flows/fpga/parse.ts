/**
 * Reading the tools' machine-readable results: yosys `stat -json` (cells by type) and nextpnr's
 * `--report` JSON (utilisation per BEL type and achieved Fmax per clock), into small records.
 */
import fs from 'node:fs';
import { ToolError } from './errors.ts';

/** Resource counts by kind; which kinds appear depends on the target's cell library. */
export interface Resources {
  /** Look-up tables (SB_LUT4, LUT1..LUT6) or, on the generic target, logic gates. */
  luts: number;
  /** Flip-flops of every flavour. */
  ffs: number;
  /** Carry cells (SB_CARRY, CARRY4). */
  carries: number;
  /** Hard multipliers (SB_MAC16, DSP48E1). */
  dsps: number;
  /** Block RAMs (SB_RAM40_4K, RAMB18E1, RAMB36E1 counted as two 18k halves). */
  brams: number;
  /** Everything else (I/O buffers, muxes, LUT RAM, ...), by cell type. */
  other: Record<string, number>;
}

/** Cells by type from a `stat -json` file: the design-wide totals (the top when flattened). */
export function readYosysStat(file: string): Record<string, number> {
  const stat = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    design?: { num_cells_by_type?: Record<string, number> };
    modules?: Record<string, { num_cells_by_type?: Record<string, number> }>;
  };
  if (stat.design?.num_cells_by_type) return { ...stat.design.num_cells_by_type };
  const mods = Object.values(stat.modules ?? {});
  if (mods.length !== 1) throw new ToolError('yosys', `wrote a stat file without design totals: ${file}`, [], file);
  return { ...(mods[0]!.num_cells_by_type ?? {}) };
}

/** Classify cells of the iCE40, Xilinx 7-series or generic (yosys internal gates) libraries. */
export function classifyCells(cells: Record<string, number>): Resources {
  const r: Resources = { luts: 0, ffs: 0, carries: 0, dsps: 0, brams: 0, other: {} };
  for (const [type, n] of Object.entries(cells)) {
    if (/^SB_LUT4$|^LUT[1-6]$/.test(type)) r.luts += n;
    else if (/^SB_DFF|^FD[RSCP]E$|^\$_(S?DFF|DFFE|SDFFE|SDFFCE|ALDFF|DLATCH)/.test(type)) r.ffs += n;
    else if (/^SB_CARRY$|^CARRY4$/.test(type)) r.carries += n;
    else if (/^SB_MAC16$|^DSP48E1$/.test(type)) r.dsps += n;
    else if (/^SB_(S|)RAM/.test(type) || /^RAMB18E1$/.test(type)) r.brams += n;
    else if (/^RAMB36E1$/.test(type)) r.brams += 2 * n;
    else if (/^\$_(AND|OR|XOR|XNOR|NAND|NOR|NOT|MUX|ANDNOT|ORNOT|AOI|OAI)\w*_$/.test(type)) r.luts += n;
    else r.other[type] = (r.other[type] ?? 0) + n;
  }
  return r;
}

/** What nextpnr reports after routing. */
export interface PnrReport {
  /** Used / available per BEL type, e.g. ICESTORM_LC, ICESTORM_RAM, ICESTORM_DSP, SB_IO. */
  utilisation: Record<string, { used: number; available: number }>;
  /** Achieved Fmax in MHz per clock net, and the constraint it was placed for. */
  clocks: { net: string; fmaxMhz: number; targetMhz: number }[];
  /** The slowest clock's Fmax, or null for a design without a clock. */
  fmaxMhz: number | null;
}

export function readNextpnrReport(file: string): PnrReport {
  const rep = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    utilization?: Record<string, { used: number; available: number }>;
    fmax?: Record<string, { achieved: number; constraint: number }>;
  };
  const clocks = Object.entries(rep.fmax ?? {}).map(([net, f]) => ({
    net, fmaxMhz: Math.round(f.achieved * 100) / 100, targetMhz: f.constraint,
  }));
  return {
    utilisation: rep.utilization ?? {},
    clocks,
    fmaxMhz: clocks.length ? Math.min(...clocks.map((c) => c.fmaxMhz)) : null,
  };
}

/** The four numbers users ask for first, from nextpnr's iCE40 BEL names. */
export function ice40Summary(u: PnrReport['utilisation']): { lcs: number; rams: number; dsps: number; ios: number } {
  const used = (k: string): number => u[k]?.used ?? 0;
  return { lcs: used('ICESTORM_LC'), rams: used('ICESTORM_RAM'), dsps: used('ICESTORM_DSP'), ios: used('SB_IO') };
}
