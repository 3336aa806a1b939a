/**
 * 2-D arrays of processing elements with row and column connections: the skeleton of systolic
 * weight-stationary arrays (weights held in place, activations flowing east, partial sums flowing
 * south) and output-stationary arrays (operands flowing east and south, sums held in place).
 *
 * `peGrid` calls the user's PE function once per cell with what arrives from the west and the
 * north, and wires its `east` and `south` outputs to the neighbours, optionally through a register
 * on every link (with one enable for the whole array, which is how a systolic array stalls).
 * `skew` and `deskew` are the triangular delay lines that line data up with a systolic wavefront.
 */
import { LazyLoc, ParamError, userLoc } from '../errors.ts';
import type { ModuleBuilder } from '../builder/module.ts';
import { lit, type Value } from '../builder/value.ts';
import { noteElement } from './notes.ts';
import { registerBundle, type Bundle } from './pipeline.ts';

/** What a PE builder gets: its position and the values arriving from west and north. */
export interface PeCell<H extends Bundle, V extends Bundle> {
  row: number;
  col: number;
  /** What arrives from the west neighbour (or the west edge input). */
  west: H;
  /** What arrives from the north neighbour (or the north edge input). */
  north: V;
}

/** What a PE builder returns: the values passed east and south, and anything else it exposes. */
export interface PeOutputs<H extends Bundle, V extends Bundle, O> {
  east: H;
  south: V;
  /** Anything else the cell exposes (an accumulator, a flag). */
  out?: O;
}

/** Options of `peGrid`: size, edge inputs, the PE builder, link registers and enable. */
export interface PeGridOptions<H extends Bundle, V extends Bundle, O> {
  rows: number;
  cols: number;
  /** West edge input per row. */
  west: readonly H[];
  /** North edge input per column. */
  north: readonly V[];
  /** Builds one PE from its position and west/north inputs; returns what it passes east and south. */
  pe: (cell: PeCell<H, V>) => PeOutputs<H, V, O>;
  /** Register the east and/or south links (systolic). Default: both. */
  registerLinks?: { east?: boolean; south?: boolean };
  /** Clock enable of the link registers (a stall of the whole array). Default: always. */
  enable?: Value;
  name?: string;
}

/** What `peGrid` returns: per-cell outputs and the east and south edge values. */
export interface PeGrid<H extends Bundle, V extends Bundle, O> {
  /** `out` of every cell, [row][col]. */
  outs: (O | undefined)[][];
  /** East output of the last column, per row. */
  east: H[];
  /** South output of the last row, per column. */
  south: V[];
}

/**
 * Build a rows x cols grid of PEs; see the file comment.
 * @param m the module to build in
 * @param opts rows, cols, west/north edge inputs, the `pe` builder, link registers, enable, name
 */
export function peGrid<H extends Bundle, V extends Bundle, O = unknown>(m: ModuleBuilder, opts: PeGridOptions<H, V, O>): PeGrid<H, V, O> {
  const loc = new LazyLoc();
  for (const f of ['rows', 'cols'] as const)
    if (!Number.isInteger(opts[f]) || opts[f] < 1 || opts[f] > 1024)
      throw new ParamError(`peGrid ${f} must be an integer from 1 to 1024, got ${opts[f]}`, loc.get(), { field: f, value: opts[f] });
  if (opts.west.length !== opts.rows)
    throw new ParamError(`peGrid west has ${opts.west.length} inputs but there are ${opts.rows} rows`, loc.get(), { field: 'west', value: opts.west.length });
  if (opts.north.length !== opts.cols)
    throw new ParamError(`peGrid north has ${opts.north.length} inputs but there are ${opts.cols} columns`, loc.get(), { field: 'north', value: opts.north.length });
  const name = opts.name ?? m.freshName('pe');
  const regEast = opts.registerLinks?.east ?? true;
  const regSouth = opts.registerLinks?.south ?? true;
  const enable = opts.enable ?? lit({ signed: false, width: 1 }, 1);
  const outs: (O | undefined)[][] = [];
  const east: H[] = [];
  let fromNorth: V[] = [...opts.north];
  for (let r = 0; r < opts.rows; r++) {
    let fromWest: H = opts.west[r]!;
    const rowOuts: (O | undefined)[] = [];
    const south: V[] = [];
    for (let c = 0; c < opts.cols; c++) {
      const o = opts.pe({ row: r, col: c, west: fromWest, north: fromNorth[c]! });
      rowOuts.push(o.out);
      fromWest = regEast ? registerBundle(m, `${name}_r${r}c${c}_east_q`, o.east, enable) : o.east;
      south.push(regSouth ? registerBundle(m, `${name}_r${r}c${c}_south_q`, o.south, enable) : o.south);
    }
    outs.push(rowOuts);
    east.push(fromWest);
    fromNorth = south;
  }
  noteElement(m, {
    element: 'pe_grid', name, latency: (regEast ? opts.cols : 0) + (regSouth ? opts.rows : 0), ii: 1, capacity: 0,
    rows: opts.rows, cols: opts.cols, loc: userLoc(),
  });
  return { outs, east, south: fromNorth };
}

/**
 * Delay element i of `values` by `i * step` cycles (register chains with a shared enable).
 * @param m the module to build in
 * @param name name prefix of the registers
 * @param values one value per lane
 * @param enable clock enable of the registers (default: always)
 * @param step cycles of delay per lane (default 1)
 */
export function skew(m: ModuleBuilder, name: string, values: readonly Value[], enable?: Value, step = 1): Value[] {
  const out = delayLanes(m, name, values, enable, step);
  // Noted (no streams) so a failure report can name the delay line a wrong register belongs to.
  noteElement(m, { element: 'skew', name, latency: Math.max(0, values.length - 1) * step, ii: 1, capacity: 0, lanes: values.length, step });
  return out;
}

function delayLanes(m: ModuleBuilder, name: string, values: readonly Value[], enable: Value | undefined, step: number): Value[] {
  const en = enable ?? lit({ signed: false, width: 1 }, 1);
  return values.map((v, i) => {
    let x = v;
    for (let d = 0; d < i * step; d++) x = registerBundle(m, `${name}_${i}_d${d}`, x, en);
    return x;
  });
}

/**
 * Delay element i of `values` by `(n - 1 - i) * step` cycles, undoing a skew.
 * @param m the module to build in
 * @param name name prefix of the registers
 * @param values one value per lane
 * @param enable clock enable of the registers (default: always)
 * @param step cycles of delay per lane (default 1)
 */
export function deskew(m: ModuleBuilder, name: string, values: readonly Value[], enable?: Value, step = 1): Value[] {
  const out = delayLanes(m, name, [...values].reverse(), enable, step).reverse();
  noteElement(m, { element: 'deskew', name, latency: Math.max(0, values.length - 1) * step, ii: 1, capacity: 0, lanes: values.length, step });
  return out;
}
