/** Bit-vector types of the IR: a width and a signedness. Values are stored as unsigned bit patterns (bigint). */
export interface HwType {
  readonly signed: boolean;
  readonly width: number;
}

/** The widest vector the DSL accepts. Wider is almost always a bug in a generator's width arithmetic. */
export const MAX_WIDTH = 4096;

export const uintT = (width: number): HwType => ({ signed: false, width });
export const sintT = (width: number): HwType => ({ signed: true, width });

/**
 * True when two types have the same width and signedness.
 * @param a a type
 * @param b another type
 */
export function typeEq(a: HwType, b: HwType): boolean {
  return a.signed === b.signed && a.width === b.width;
}

/**
 * `uint(8)` / `sint(8)`: how messages print a type.
 * @param t the type
 */
export function showType(t: HwType): string {
  return `${t.signed ? 'sint' : 'uint'}(${t.width})`;
}

export function mask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** Interpret a bit pattern as a number of the given type. */
export function toValue(bits: bigint, t: HwType): bigint {
  return t.signed ? BigInt.asIntN(t.width, bits) : BigInt.asUintN(t.width, bits);
}

/** The bit pattern of a value in a type (wrapping). */
export function toBits(value: bigint, width: number): bigint {
  return BigInt.asUintN(width, value);
}

export function minValue(t: HwType): bigint {
  return t.signed ? -(1n << BigInt(t.width - 1)) : 0n;
}
export function maxValue(t: HwType): bigint {
  return t.signed ? (1n << BigInt(t.width - 1)) - 1n : mask(t.width);
}

export function fits(value: bigint, t: HwType): boolean {
  return value >= minValue(t) && value <= maxValue(t);
}

/**
 * Bits needed to hold unsigned n (at least 1).
 * @param n a non-negative integer
 */
export function bitsFor(n: number | bigint): number {
  let v = BigInt(n);
  if (v < 0n) throw new RangeError('bitsFor takes a non-negative number');
  let w = 1;
  while (v > 1n) {
    v >>= 1n;
    w++;
  }
  return w;
}

/**
 * ceil(log2(n)) for n >= 1; the address width of a memory of depth n (at least 1).
 * @param n a positive integer
 */
export function clog2(n: number): number {
  let w = 0;
  while (1 << w < n) w++;
  return Math.max(1, w);
}
