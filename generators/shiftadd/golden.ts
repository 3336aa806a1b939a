/**
 * Bit-exact reference kernels of ShiftAddNet / ShiftAddNAS layers (spec: ACCELERATORS.md section 1),
 * written as matrix products Y[M×N] from weights W[M×K] and activations X[K×N]:
 *
 * - multiply: `Y[m,n] = Σ_k W[m,k]·X[k,n]`
 * - shift:    `Y[m,n] = Σ_k (−1)^s[m,k] · (X[k,n] << (P − e[m,k]))` (a fixed-point result with P
 *             fraction bits; exact, no rounding)
 * - adder:    `Y[m,n] = −Σ_k |X[k,n] − W[m,k]|`
 * - the shift→add pair: the shift layer's Y, requantised to int8 by an arithmetic right shift and
 *   saturation, is the adder layer's X.
 *
 * This file imports nothing from `dsl/` (so a bug in the DSL cannot hide in both the design and its
 * reference): plain bigint arithmetic with exact sums (no accumulator width limits them), every input
 * checked against its declared range. The datapath widths the hardware needs live in widths.ts; a
 * width too narrow there shows up as a mismatch against this kernel.
 */
import type { PeKind } from './widths.ts';

/** A row-major integer matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: bigint[];
}

/** Operation counts of one layer as the hardware performs them (one op per PE per cycle). */
export interface OpCounts {
  multiplies: number;
  shifts: number;
  adds: number;
}

export const at = (a: Matrix, r: number, c: number): bigint => a.data[r * a.cols + c]!;

/** Is `v` a `width`-bit integer of the given signedness? */
export function inRange(v: bigint, width: number, signed: boolean): boolean {
  const lo = signed ? -(1n << BigInt(width - 1)) : 0n;
  const hi = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  return v >= lo && v <= hi;
}

function checkRange(what: string, m: Matrix, width: number, signed: boolean): void {
  const bad = m.data.findIndex((v) => !inRange(v, width, signed));
  if (bad >= 0)
    throw new RangeError(`${what}[${Math.floor(bad / m.cols)},${bad % m.cols}] = ${m.data[bad]} is outside ${signed ? 'sint' : 'uint'}(${width})`);
}

function checkInner(w: Matrix, x: Matrix): void {
  if (w.cols !== x.rows) throw new RangeError(`weights are ${w.rows}×${w.cols} but activations are ${x.rows}×${x.cols}; inner sizes differ`);
}

/** Y = W·X with a per-term function `term(w index, x value)`; shared loop of every kernel. */
function product(w: Matrix, x: Matrix, term: (m: number, k: number, xv: bigint) => bigint): Matrix {
  checkInner(w, x);
  const data: bigint[] = [];
  for (let m = 0; m < w.rows; m++)
    for (let n = 0; n < x.cols; n++) {
      let acc = 0n;
      for (let k = 0; k < w.cols; k++) acc += term(m, k, at(x, k, n));
      data.push(acc);
    }
  return { rows: w.rows, cols: x.cols, data };
}

/** Multiply layer (the baseline): int `wWidth` weights times int `xWidth` activations. */
export function mulLayer(w: Matrix, x: Matrix, xWidth: number, wWidth: number): Matrix {
  checkRange('W', w, wWidth, true);
  checkRange('X', x, xWidth, true);
  return product(w, x, (m, k, xv) => at(w, m, k) * xv);
}

/** Shift layer: sign bits `s` (0 = +, 1 = −) and exponents `e` ∈ [0, P]. */
export function shiftLayer(sign: Matrix, exp: Matrix, x: Matrix, xWidth: number, p: number): Matrix {
  if (sign.rows !== exp.rows || sign.cols !== exp.cols) throw new RangeError(`sign is ${sign.rows}×${sign.cols} but exponent is ${exp.rows}×${exp.cols}`);
  checkRange('W_sign', sign, 1, false);
  const badE = exp.data.findIndex((e) => e < 0n || e > BigInt(p));
  if (badE >= 0) throw new RangeError(`W_exp[${Math.floor(badE / exp.cols)},${badE % exp.cols}] = ${exp.data[badE]} is outside 0..${p}`);
  checkRange('X', x, xWidth, true);
  return product(exp, x, (m, k, xv) => {
    const shifted = xv << BigInt(p - Number(at(exp, m, k)));
    return at(sign, m, k) === 1n ? -shifted : shifted;
  });
}

/** Adder layer: `−Σ|x − w|`. */
export function adderLayer(w: Matrix, x: Matrix, xWidth: number, wWidth: number): Matrix {
  checkRange('W', w, wWidth, true);
  checkRange('X', x, xWidth, true);
  return product(w, x, (m, k, xv) => {
    const d = xv - at(w, m, k);
    return d < 0n ? d : -d;
  });
}

/** Arithmetic right shift by `shift` (rounds toward −∞), then saturation to a signed `width`-bit value. */
export function requantise(y: Matrix, shift: number, width = 8): Matrix {
  const hi = (1n << BigInt(width - 1)) - 1n;
  const lo = -(1n << BigInt(width - 1));
  return { ...y, data: y.data.map((v) => { const q = v >> BigInt(shift); return q > hi ? hi : q < lo ? lo : q; }) };
}

/** Operations one layer performs: per weight·activation pair one multiply or shift or subtract, plus one add. */
export function opCounts(kind: PeKind, m: number, k: number, n: number): OpCounts {
  const pairs = m * k * n;
  if (kind === 'mul') return { multiplies: pairs, shifts: 0, adds: pairs };
  if (kind === 'shift') return { multiplies: 0, shifts: pairs, adds: pairs };
  return { multiplies: 0, shifts: 0, adds: 2 * pairs }; // subtract (|x − w|) and accumulate
}

/** Work divided by the PEs: a rows×cols array does one weight·activation pair per PE per cycle. */
export function idealCycles(m: number, k: number, n: number, rows: number, cols: number): number {
  return Math.ceil((m * k * n) / (rows * cols));
}

/** Unit energies in pJ per operation at 45 nm (the ShiftAdd papers' table), by operand width. */
export const UNIT_ENERGY_PJ: Record<'multiply' | 'add' | 'shift', Record<8 | 16 | 32, number>> = {
  multiply: { 8: 0.2, 16: 1.1, 32: 3.7 },
  add: { 8: 0.03, 16: 0.4, 32: 0.9 },
  shift: { 8: 0.024, 16: 0.15, 32: 0.13 },
};

/** Compute energy in pJ of a layer's operations at one operand width (8, 16 or 32 bits). */
export function computeEnergyPj(c: OpCounts, bits: 8 | 16 | 32, table = UNIT_ENERGY_PJ): number {
  return c.multiplies * table.multiply[bits] + c.shifts * table.shift[bits] + c.adds * table.add[bits];
}

/** A convolution's sizes: M output channels, Cin input channels, an R×R kernel, an H×W map. */
export interface ConvShape {
  m: number;
  cin: number;
  r: number;
  h: number;
  w: number;
  stride: number;
  pad: number;
}

/** Output rows or columns of a convolution: ⌊(H + 2·pad − R) / stride⌋ + 1. */
export const convOut = (size: number, r: number, stride: number, pad: number): number => Math.floor((size + 2 * pad - r) / stride) + 1;

/**
 * A convolution with zero padding, straight from the definition: Y[m, oy, ox] = Σ over ci, dy, dx of
 * term(m, ci, dy, dx, x) with x = X[ci, oy·s + dy − pad, ox·s + dx − pad], or 0 in the padding.
 * `term` is the layer's (a product, a signed shift, or −|x − w|; the padding still meets the weight).
 */
export function conv2d(s: ConvShape, x: readonly bigint[], term: (m: number, ci: number, dy: number, dx: number, xv: bigint) => bigint): { shape: number[]; data: bigint[] } {
  const ho = convOut(s.h, s.r, s.stride, s.pad);
  const wo = convOut(s.w, s.r, s.stride, s.pad);
  if (ho < 1 || wo < 1) throw new RangeError(`a ${s.r}×${s.r} kernel does not fit a ${s.h}×${s.w} map with padding ${s.pad}`);
  const data: bigint[] = [];
  for (let m = 0; m < s.m; m++)
    for (let oy = 0; oy < ho; oy++)
      for (let ox = 0; ox < wo; ox++) {
        let acc = 0n;
        for (let ci = 0; ci < s.cin; ci++)
          for (let dy = 0; dy < s.r; dy++)
            for (let dx = 0; dx < s.r; dx++) {
              const iy = oy * s.stride + dy - s.pad;
              const ix = ox * s.stride + dx - s.pad;
              const inside = iy >= 0 && iy < s.h && ix >= 0 && ix < s.w;
              acc += term(m, ci, dy, dx, inside ? x[(ci * s.h + iy) * s.w + ix]! : 0n);
            }
        data.push(acc);
      }
  return { shape: [s.m, ho, wo], data };
}
