/**
 * Fixed-point numbers (issue 16, point 3), after SpinalHDL's SFix/UFix, Chisel's FixedPoint and
 * hls4ml's ap_fixed. A fixed-point type is a bit vector with a binary point: `sfix(i, f)` has `i`
 * integer bits (the sign bit included, as in ap_fixed<i+f, i>) and `f` fraction bits, `i + f` bits in
 * all, value = raw / 2^f. It IS an `HwType` (`{ signed, width, frac }`), so it serves as a port,
 * register or payload type unchanged; the IR and the Verilog see the raw integer, while the manifest
 * (`meta.type`) and the host codec read `frac` and speak real numbers.
 *
 * Arithmetic on `Fixed` aligns the binary points and grows like the integer operators, so it never
 * loses anything: add/sub give max(i) + 1 integer bits and max(f) fraction bits; mul gives the sums.
 * Precision and range are cut only by the explicit conversions: `floor`, `round` (half up),
 * `roundEven` (half to even), `sat` (clamp) and `wrap` (drop the high bits).
 *
 * Mixing rule: a `Fixed` operand must be a `Fixed` of the same signedness, or a TypeScript number
 * (a constant, exact, at the fewest fraction bits that hold it). A plain integer `Value` is an error:
 * state its scale with `toFixed(v)` (an integer is a fixed-point value with 0 fraction bits).
 */
import { LazyLoc, ParamError, WidthError } from '../errors.ts';
import { MAX_WIDTH, showType, type HwType } from '../ir/types.ts';
import { Value, lit, mux } from './value.ts';

/** A fixed-point type: a bit vector whose low `frac` bits are the fraction. */
export interface FixedType extends HwType {
  /** Fraction bits: value = raw / 2^frac. */
  readonly frac: number;
}

/**
 * True when a type carries a binary point (made by `sfix`/`ufix`).
 * @param t a bit-vector type
 */
export function isFixedType(t: HwType): t is FixedType {
  return typeof (t as Partial<FixedType>).frac === 'number';
}

/** Integer bits of a fixed-point type (the sign bit included for a signed one). */
function intBitsOf(t: FixedType): number {
  return t.width - t.frac;
}

function makeFixedType(signed: boolean, intBits: number, fracBits: number): FixedType {
  const name = signed ? 'sfix' : 'ufix';
  if (!Number.isInteger(intBits) || intBits < (signed ? 1 : 0))
    throw new ParamError(`${name} needs an integer count of integer bits >= ${signed ? '1 (the sign bit counts)' : '0'}, got ${intBits}`, new LazyLoc().get(), { field: 'intBits', value: intBits });
  if (!Number.isInteger(fracBits) || fracBits < 0)
    throw new ParamError(`${name} needs an integer count of fraction bits >= 0, got ${fracBits}`, new LazyLoc().get(), { field: 'fracBits', value: fracBits });
  const width = intBits + fracBits;
  if (width < 1 || width > MAX_WIDTH)
    throw new ParamError(`${name}(${intBits}, ${fracBits}) is ${width} bits; a type has 1 to ${MAX_WIDTH} bits`, new LazyLoc().get(), { field: 'width', value: width });
  return { signed, width, frac: fracBits };
}

/**
 * A signed fixed-point type: `sfix(1, 7)` is Q1.7, 8 bits, -1 to 1 - 2^-7.
 * @param intBits integer bits, the sign bit included (>= 1)
 * @param fracBits fraction bits (>= 0)
 */
export function sfix(intBits: number, fracBits: number): FixedType {
  return makeFixedType(true, intBits, fracBits);
}
/**
 * An unsigned fixed-point type: `ufix(2, 6)` is 8 bits, 0 to 4 - 2^-6.
 * @param intBits integer bits (>= 0)
 * @param fracBits fraction bits (>= 0)
 */
export function ufix(intBits: number, fracBits: number): FixedType {
  return makeFixedType(false, intBits, fracBits);
}

/**
 * How messages print a fixed-point type: `sfix(1, 7)`.
 * @param t a fixed-point type
 */
export function showFixed(t: FixedType): string {
  return `${t.signed ? 'sfix' : 'ufix'}(${intBitsOf(t)}, ${t.frac})`;
}

/**
 * A number as an exact fraction raw / 2^frac with the fewest fraction bits, or undefined if it has none.
 * @param x a finite number
 */
export function exactDyadic(x: number): { raw: bigint; frac: number } | undefined {
  if (!Number.isFinite(x)) return undefined;
  let frac = 0;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2; // exact for a double until the fraction runs out (at most 1074 doublings)
    frac++;
    if (frac > 1100) return undefined;
  }
  return { raw: BigInt(v), frac };
}

/** A hardware fixed-point value: raw bits and the type that places the binary point. */
export class Fixed {
  constructor(
    /** The raw integer (value * 2^frac), a Value of the type's width and signedness. */
    readonly raw: Value,
    /** The fixed-point type. */
    readonly type: FixedType,
  ) {}

  /** Integer bits (the sign bit included when signed). */
  get intBits(): number {
    return intBitsOf(this.type);
  }
  /** Fraction bits. */
  get fracBits(): number {
    return this.type.frac;
  }
  /** True for a signed value. */
  get signed(): boolean {
    return this.type.signed;
  }
  /** Total width in bits. */
  get width(): number {
    return this.type.width;
  }
  /** Short description for messages (its type). */
  toString(): string {
    return `Fixed<${showFixed(this.type)}>`;
  }

  // ---- arithmetic: binary points aligned, full growth ----------------------------------------
  /**
   * Sum, exact: max integer bits + 1, max fraction bits.
   * @param o a Fixed of the same signedness, or a number (an exact constant)
   */
  add(o: Fixed | number): Fixed {
    return this.aligned('add', o);
  }
  /**
   * Difference, exact: max integer bits + 1, max fraction bits (unsigned operands wrap as for integers).
   * @param o a Fixed of the same signedness, or a number (an exact constant)
   */
  sub(o: Fixed | number): Fixed {
    return this.aligned('sub', o);
  }
  /**
   * Product, exact: integer bits and fraction bits are the sums of the operands'.
   * @param o a Fixed of the same signedness, or a number (an exact constant)
   */
  mul(o: Fixed | number): Fixed {
    const b = this.operand('mul', o);
    const raw = this.raw.mul(b.raw);
    return new Fixed(raw, { signed: this.signed, width: raw.width, frac: this.fracBits + b.fracBits });
  }
  /** Negation of a signed value, exact: one more integer bit. */
  neg(): Fixed {
    if (!this.signed) throw new WidthError(`neg needs a signed fixed-point value, got ${showFixed(this.type)}`, new LazyLoc().get());
    const raw = this.raw.neg();
    return new Fixed(raw, { signed: true, width: raw.width, frac: this.fracBits });
  }

  // ---- explicit conversions ---------------------------------------------------------------
  /**
   * Round toward minus infinity to `frac` fraction bits (drops bits; more bits pad with zeros).
   * @param frac fraction bits of the result (>= 0)
   */
  floor(frac: number): Fixed {
    checkFrac(frac, 'floor');
    if (frac >= this.fracBits) return this.alignTo(frac);
    return this.dropFraction(this.raw, frac, 0);
  }
  /**
   * Round to nearest, ties toward plus infinity (0.5 -> 1, -0.5 -> 0), to `frac` fraction bits.
   * When bits are dropped the result has one more integer bit (the carry fits); follow with `.sat` or `.wrap`.
   * @param frac fraction bits of the result (>= 0)
   */
  round(frac: number): Fixed {
    checkFrac(frac, 'round');
    if (frac >= this.fracBits) return this.alignTo(frac);
    const d = this.fracBits - frac;
    return this.dropFraction(this.raw.add(lit(this.raw.type, 1n << BigInt(d - 1))), frac, 1);
  }
  /**
   * Round to nearest, ties to even (convergent rounding, IEEE default), to `frac` fraction bits.
   * When bits are dropped the result has one more integer bit (the carry fits); follow with `.sat` or `.wrap`.
   * @param frac fraction bits of the result (>= 0)
   */
  roundEven(frac: number): Fixed {
    checkFrac(frac, 'roundEven');
    if (frac >= this.fracBits) return this.alignTo(frac);
    const d = this.fracBits - frac;
    const half = 1n << BigInt(d - 1);
    // Bias half - 1, plus 1 when the kept LSB is odd: a tie goes up only from an odd value.
    const keptLsb = this.raw.bit(d);
    const bias = mux(keptLsb, lit(this.raw.type, half), lit(this.raw.type, half - 1n));
    return this.dropFraction(this.raw.add(bias), frac, 1);
  }
  /**
   * Clamp to `intBits` integer bits (same fraction bits): values out of range become the nearest bound.
   * @param intBits integer bits of the result (the sign bit included when signed)
   */
  sat(intBits: number): Fixed {
    const t = makeFixedType(this.signed, intBits, this.fracBits);
    return new Fixed(t.width >= this.width ? this.raw.extend(t.width) : this.raw.sat(t.width), t);
  }
  /**
   * Keep `intBits` integer bits by dropping the high ones (wraps modulo 2^intBits, like a counter).
   * @param intBits integer bits of the result (the sign bit included when signed)
   */
  wrap(intBits: number): Fixed {
    const t = makeFixedType(this.signed, intBits, this.fracBits);
    return new Fixed(this.raw.resize(t.width), t);
  }

  // ---- plumbing -----------------------------------------------------------------------------
  /** Raw bits as a value of this width, shifted left so there are `frac` fraction bits (exact). */
  private alignTo(frac: number): Fixed {
    const raw = this.raw.shl(frac - this.fracBits);
    return new Fixed(raw, { signed: this.signed, width: raw.width, frac });
  }
  /** `raw` (this scale, `grown` extra integer bits) with its fraction floored to `frac` bits. */
  private dropFraction(raw: Value, frac: number, grown: number): Fixed {
    const d = this.fracBits - frac;
    const t = makeFixedType(this.signed, this.intBits + grown, frac);
    // An unsigned value with no integer bits floored to fewer bits: keep at least one bit (zero).
    const shifted = d >= raw.width ? lit({ signed: raw.signed, width: 1 }, 0) : raw.shr(d);
    return new Fixed(shifted.resize(t.width), t);
  }
  private operand(op: string, o: Fixed | number): Fixed {
    if (typeof o === 'number') return fixedConstFor(o, this.signed, op);
    const other: unknown = o;
    if (!(other instanceof Fixed)) {
      const what = other instanceof Value ? `a plain ${showType(other.type)}` : typeof other;
      throw new WidthError(`${op} mixes ${showFixed(this.type)} and ${what}; state the integer's scale with toFixed(v) (sint(w) is sfix(w, 0), uint(w) is ufix(w, 0))`, new LazyLoc().get());
    }
    if (o.raw.ctx !== this.raw.ctx)
      throw new WidthError(`a value of module '${o.raw.ctx.ir.name}' is used in module '${this.raw.ctx.ir.name}'; connect it through a port`, new LazyLoc().get());
    if (o.signed !== this.signed)
      throw new WidthError(`${op} mixes ${showFixed(this.type)} and ${showFixed(o.type)}; convert the unsigned one first with .toSigned()`, new LazyLoc().get());
    return o;
  }
  private aligned(op: 'add' | 'sub', o: Fixed | number): Fixed {
    const b = this.operand(op, o);
    const frac = Math.max(this.fracBits, b.fracBits);
    const x = this.alignTo(frac).raw;
    const y = b.alignTo(frac).raw;
    const raw = op === 'add' ? x.add(y) : x.sub(y);
    return new Fixed(raw, { signed: this.signed, width: raw.width, frac });
  }
  /** Unsigned to signed without changing the value: one more integer bit. */
  toSigned(): Fixed {
    if (this.signed) return this;
    const raw = this.raw.toSigned();
    return new Fixed(raw, { signed: true, width: raw.width, frac: this.fracBits });
  }
}

function checkFrac(frac: number, what: string): void {
  if (!Number.isInteger(frac) || frac < 0 || frac > MAX_WIDTH)
    throw new ParamError(`${what} needs an integer count of fraction bits >= 0, got ${frac}`, new LazyLoc().get(), { field: 'frac', value: frac });
}

/** A number as the smallest exact constant of a signedness (in the module being built). */
function fixedConstFor(x: number, signed: boolean, op: string): Fixed {
  const d = exactDyadic(x);
  if (!d) throw new ParamError(`${op}: ${x} is not a finite binary fraction; give a number like 0.375`, new LazyLoc().get());
  if (!signed && d.raw < 0n) throw new WidthError(`${op}: the constant ${x} is negative but the value is unsigned; use .toSigned() first`, new LazyLoc().get());
  // At least the sign bit (signed) or no integer bit (unsigned) above the fraction: a valid sfix/ufix.
  const width = Math.max(1, rawBits(d.raw, signed), d.frac + (signed ? 1 : 0));
  const t: FixedType = { signed, width, frac: d.frac };
  return new Fixed(lit(t, d.raw), t);
}

/** Bits a two's complement (signed) or plain (unsigned) integer needs. */
function rawBits(v: bigint, signed: boolean): number {
  if (!signed) return v === 0n ? 1 : v.toString(2).length;
  const m = v < 0n ? -v - 1n : v;
  return (m === 0n ? 0 : m.toString(2).length) + 1;
}

/**
 * View a hardware value (a port, register or payload field) as fixed point of type `t`.
 * @param t the fixed-point type, same width and signedness as `v`
 * @param v the raw bits (value * 2^frac)
 */
export function fixed(t: FixedType, v: Value): Fixed {
  if (!isFixedType(t)) throw new ParamError(`fixed needs a type made by sfix/ufix, got ${showType(t)}`, new LazyLoc().get());
  if (!(v instanceof Value)) throw new WidthError(`fixed(${showFixed(t)}, v) needs a hardware value, got ${typeof v}`, new LazyLoc().get());
  if (v.width !== t.width || v.signed !== t.signed)
    throw new WidthError(`fixed(${showFixed(t)}, v) needs a ${showType(t)} value, got ${showType(v.type)}`, new LazyLoc().get());
  return new Fixed(v, t);
}

/**
 * A plain integer value as fixed point with no fraction bits: the documented way to mix integers in.
 * @param v an integer value (`sint(w)` becomes `sfix(w, 0)`, `uint(w)` becomes `ufix(w, 0)`)
 */
export function toFixed(v: Value): Fixed {
  if (!(v instanceof Value)) throw new WidthError(`toFixed needs a hardware value, got ${typeof v}`, new LazyLoc().get());
  return new Fixed(v, { signed: v.signed, width: v.width, frac: 0 });
}

/**
 * A fixed-point constant of type `t`; the number must be exactly representable in it.
 * @param t the fixed-point type
 * @param x the real value, e.g. 0.75
 */
export function fixedConst(t: FixedType, x: number): Fixed {
  const raw = fixedRaw(t, x, 'constant');
  return new Fixed(lit(t, raw), t);
}

/**
 * The raw integer of a real number in a fixed-point type; throws when it is not exact or out of range.
 * @param t the fixed-point type
 * @param x the real value
 * @param where what to name in the message (a field path)
 */
export function fixedRaw(t: FixedType, x: number | bigint, where: string): bigint {
  if (typeof x === 'bigint') x = Number(x);
  const d = typeof x === 'number' ? exactDyadic(x) : undefined;
  const step = `2^-${t.frac}`;
  if (!d || d.frac > t.frac)
    throw new ParamError(`${where} = ${x} is not a multiple of ${step}, the step of ${showFixed(t)}; round it first (e.g. Math.round(x * 2**${t.frac}) / 2**${t.frac})`, new LazyLoc().get());
  const raw = d.raw << BigInt(t.frac - d.frac);
  const lo = t.signed ? -(1n << BigInt(t.width - 1)) : 0n;
  const hi = (t.signed ? 1n << BigInt(t.width - 1) : 1n << BigInt(t.width)) - 1n;
  if (raw < lo || raw > hi)
    throw new ParamError(`${where} = ${x} is out of range of ${showFixed(t)} (${fixedReal(t, lo)} to ${fixedReal(t, hi)})`, new LazyLoc().get());
  return raw;
}

/**
 * The real number of a raw integer of a fixed-point type (exact for up to 53 significant bits).
 * @param t the fixed-point type
 * @param raw the raw integer (value * 2^frac), signed values negative
 */
export function fixedReal(t: FixedType, raw: bigint): number {
  return Number(raw) / 2 ** t.frac;
}
