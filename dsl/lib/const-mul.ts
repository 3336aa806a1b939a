/**
 * Multiplication by a constant, selectable per call: a multiplier (a DSP block on iCE40 UP5K), or
 * shift-and-add over the constant's canonical signed digits (CSD: no two adjacent non-zero digits,
 * so at most ⌈bits/2⌉ + 1 terms; 27 = 32 − 4 − 1 is two subtractions instead of a multiplier). Both
 * give the exact product in the same type as `x.mul(c)` with `c` at its own minimal width, and both
 * record their unit counts (multipliers, adders) in the manifest's element notes.
 */
import { LazyLoc, ParamError } from '../errors.ts';
import type { ModuleBuilder } from '../builder/module.ts';
import { lit, type Value } from '../builder/value.ts';
import { bitsFor, type HwType } from '../ir/types.ts';
import { noteElement } from './notes.ts';

/** One non-zero canonical signed digit: ±2^shift. */
export interface CsdDigit {
  /** Bit position of the digit. */
  shift: number;
  /** True for −2^shift. */
  negative: boolean;
}

/**
 * The canonical signed digits of an integer (its non-adjacent form), least significant first.
 * @param c the constant
 */
export function csdDigits(c: number | bigint): CsdDigit[] {
  let v = BigInt(c);
  const out: CsdDigit[] = [];
  for (let shift = 0; v !== 0n; shift++, v >>= 1n) {
    if ((v & 1n) === 0n) continue;
    // Digit −1 where the next bit is also set (…11 → +100 − 1), +1 otherwise.
    const negative = (v & 3n) === 3n;
    out.push({ shift, negative });
    v += negative ? 1n : -1n;
  }
  return out;
}

/** Options of `mulConst`. */
export interface ConstMulOptions {
  /** 'csd' (the default): shifts and adders; 'multiplier': one multiplier (a DSP where the part has them). */
  style?: 'csd' | 'multiplier';
  /** Name of the element in the manifest notes (default `const_mul_<c>`). */
  name?: string;
}

/**
 * `x · c` for a constant `c`, as shift-and-add over c's canonical signed digits or as a multiplier.
 * @param x the variable operand (a negative `c` needs a signed `x`)
 * @param c the constant
 * @param opts `style` ('csd' or 'multiplier') and `name`
 */
export function mulConst(x: Value, c: number | bigint, opts: ConstMulOptions = {}): Value {
  const k = BigInt(c);
  const style = opts.style ?? 'csd';
  if (style !== 'csd' && style !== 'multiplier')
    throw new ParamError(`mulConst style must be 'csd' or 'multiplier', got '${String(style)}'`, new LazyLoc().get(), { field: 'style' });
  if (k < 0n && !x.signed)
    throw new ParamError(`mulConst by ${k} needs a signed operand, got uint(${x.width}); use x.toSigned()`, new LazyLoc().get(), { field: 'c' });
  const cType: HwType = { signed: x.signed, width: x.signed ? bitsFor(k < 0n ? -k - 1n : k) + 1 : bitsFor(k) };
  const width = x.width + cType.width;
  const m = x.ctx as unknown as ModuleBuilder;
  const digits = csdDigits(k);
  const name = opts.name ?? `const_mul_${k < 0n ? `m${-k}` : k}`;
  if (style === 'multiplier') {
    noteElement(m, { element: 'const_mul', name, latency: 0, ii: 1, capacity: 0, constant: Number(k), style, multipliers: 1, adders: 0 });
    return x.mul(lit(cType, k));
  }
  noteElement(m, { element: 'const_mul', name, latency: 0, ii: 1, capacity: 0, constant: Number(k), style, multipliers: 0, adders: Math.max(0, digits.length - 1), digits: digits.length });
  if (digits.length === 0) return lit({ signed: x.signed, width }, 0);
  // Every term and partial sum modulo 2^width: the exact product fits, so the low bits are exact.
  const xe = x.extend(width);
  const term = (d: CsdDigit): Value => xe.shl(d.shift).trunc(width);
  // Start from a positive digit (the top digit of a positive constant is one), so an unsigned x never negates.
  const first = digits.findIndex((d) => !d.negative);
  let acc: Value = first >= 0 ? term(digits[first]!) : term(digits[0]!).neg().trunc(width);
  digits.forEach((d, i) => {
    if (i === (first >= 0 ? first : 0)) return;
    acc = (d.negative ? acc.sub(term(d)) : acc.add(term(d))).trunc(width);
  });
  return acc;
}
