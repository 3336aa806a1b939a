/**
 * Hardware values and their operators. TypeScript has no operator overloading, so operators are
 * short methods: `a.add(b)`, `a.mul(b)`, `x.shl(2)`. Widths grow where the result needs it (add and
 * sub by one bit, mul to the sum) and narrowing is always spelled out (`trunc`, `resize`, `sat`).
 * Operands of an arithmetic or comparison op must agree in signedness; bitwise ops and `mux` need
 * identical types. Plain numbers are accepted where the other operand fixes the type.
 */
import { LazyLoc, ParamError, WidthError } from '../errors.ts';
import type { Expr } from '../ir/nodes.ts';
import { OPS, type OpName } from '../ir/ops.ts';
import { MAX_WIDTH, bitsFor, fits, maxValue, minValue, showType, toBits, typeEq, type HwType } from '../ir/types.ts';
import { currentBuilder, type NodeFactory } from './context.ts';

/** What an operator accepts: a hardware value or a TypeScript number/bigint constant (sized to fit). */
export type Operand = Value | number | bigint;

/** A hardware value of a fixed width and signedness; its operators build logic and check widths at the calling line. */
export class Value {
  constructor(
    readonly node: Expr,
    readonly ctx: NodeFactory,
  ) {}

  /** The bit-vector type (width and signedness). */
  get type(): HwType {
    return this.node.type;
  }
  /** Width in bits. */
  get width(): number {
    return this.node.type.width;
  }
  /** True for a signed (two's complement) value. */
  get signed(): boolean {
    return this.node.type.signed;
  }
  /** Short description for messages (its type). */
  toString(): string {
    return `Value<${showType(this.type)}>`;
  }

  // ---- arithmetic -------------------------------------------------------------------------
  /** Sum, one bit wider than the wider operand: never overflows. */
  add(o: Operand): Value {
    return this.binary('add', o);
  }
  /** Difference, one bit wider than the wider operand. Unsigned operands wrap modulo 2^(w+1). */
  sub(o: Operand): Value {
    return this.binary('sub', o);
  }
  /** Product, as wide as both operands together. */
  mul(o: Operand): Value {
    return this.binary('mul', o);
  }
  /** Negation of a signed value, one bit wider. */
  neg(): Value {
    if (!this.signed) throw new WidthError(`neg needs a signed value, got ${showType(this.type)}; use .toSigned().neg()`, new LazyLoc().get());
    return this.unary('neg');
  }
  /** Absolute value of a signed value, as an unsigned value of the same width (|-2^(w-1)| fits). */
  abs(): Value {
    if (!this.signed) return this;
    const negated = this.neg().trunc(this.width).asUInt();
    return mux(this.lt(0), negated, this.asUInt());
  }

  // ---- bitwise ----------------------------------------------------------------------------
  /**
   * Bitwise and; operands of equal width.
   * @param o the other operand (a number takes this width)
   */
  and(o: Operand): Value {
    return this.binary('and', o);
  }
  /**
   * Bitwise or; operands of equal width.
   * @param o the other operand (a number takes this width)
   */
  or(o: Operand): Value {
    return this.binary('or', o);
  }
  /**
   * Bitwise exclusive or; operands of equal width.
   * @param o the other operand (a number takes this width)
   */
  xor(o: Operand): Value {
    return this.binary('xor', o);
  }
  /** Bitwise complement, same type. */
  not(): Value {
    return this.unary('not');
  }
  /** And of all bits (1 bit). */
  andR(): Value {
    return this.unary('andr');
  }
  /** Or of all bits: is any bit set (1 bit). */
  orR(): Value {
    return this.unary('orr');
  }
  /** Exclusive or of all bits: parity (1 bit). */
  xorR(): Value {
    return this.unary('xorr');
  }

  // ---- shifts -----------------------------------------------------------------------------
  /** Shift left by a constant; the result grows by k bits so nothing is lost. */
  shl(k: number): Value {
    checkShift(k);
    return k === 0 ? this : this.op('shl', [this.node], [k]);
  }
  /** Shift right by a constant (arithmetic for signed values); the result shrinks by k bits. */
  shr(k: number): Value {
    checkShift(k);
    return k === 0 ? this : this.op('shr', [this.node], [k]);
  }
  /** Shift left by a signal amount, keeping the width (bits shifted out are lost). */
  shlBy(amount: Value): Value {
    this.checkSameModule(amount);
    if (amount.signed) throw new WidthError('a shift amount must be unsigned', new LazyLoc().get());
    return this.op('shlv', [this.node, amount.node], []);
  }
  /** Shift right by a signal amount, keeping the width: arithmetic for signed, logical for unsigned. */
  shrBy(amount: Value): Value {
    this.checkSameModule(amount);
    if (amount.signed) throw new WidthError('a shift amount must be unsigned', new LazyLoc().get());
    return this.op('shrv', [this.node, amount.node], []);
  }

  // ---- comparisons --------------------------------------------------------------------------
  /**
   * Compare, less than (1 bit); signedness must match, widths may differ.
   * @param o the other operand
   */
  lt(o: Operand): Value {
    return this.binary('lt', o);
  }
  /**
   * Compare, less than or equal (1 bit); signedness must match, widths may differ.
   * @param o the other operand
   */
  le(o: Operand): Value {
    return this.binary('le', o);
  }
  /**
   * Compare, greater than (1 bit); signedness must match, widths may differ.
   * @param o the other operand
   */
  gt(o: Operand): Value {
    return this.binary('gt', o);
  }
  /**
   * Compare, greater than or equal (1 bit); signedness must match, widths may differ.
   * @param o the other operand
   */
  ge(o: Operand): Value {
    return this.binary('ge', o);
  }
  /**
   * Compare, equal (1 bit); signedness must match, widths may differ.
   * @param o the other operand
   */
  eq(o: Operand): Value {
    return this.binary('eq', o);
  }
  /**
   * Compare, not equal (1 bit); signedness must match, widths may differ.
   * @param o the other operand
   */
  ne(o: Operand): Value {
    return this.binary('ne', o);
  }

  // ---- bits and widths --------------------------------------------------------------------
  /** Bits hi..lo (inclusive), as an unsigned value. */
  slice(hi: number, lo: number): Value {
    if (!Number.isInteger(hi) || !Number.isInteger(lo) || lo < 0 || hi < lo || hi >= this.width)
      throw new WidthError(`slice(${hi}, ${lo}) is out of range for ${showType(this.type)} (bits ${this.width - 1}..0)`, new LazyLoc().get());
    if (lo === 0 && hi === this.width - 1) return this.asUInt();
    return this.op('slice', [this.node], [hi, lo]);
  }
  /** One bit. */
  bit(i: number): Value {
    return this.slice(i, i);
  }
  /** The most significant bit (the sign of a signed value). */
  msb(): Value {
    return this.bit(this.width - 1);
  }
  /** Widen by zero-extension (unsigned) or sign-extension (signed). Narrowing here is an error. */
  extend(width: number): Value {
    checkWidth(width);
    if (width < this.width) throw new WidthError(`extend(${width}) would narrow ${showType(this.type)}; use trunc, resize or sat`, new LazyLoc().get());
    return width === this.width ? this : this.op('resize', [this.node], [width]);
  }
  /** Keep the low `width` bits (wraps). `width` must not exceed the current width. */
  trunc(width: number): Value {
    checkWidth(width);
    if (width > this.width) throw new WidthError(`trunc(${width}) would widen ${showType(this.type)}; use extend`, new LazyLoc().get());
    return width === this.width ? this : this.op('resize', [this.node], [width]);
  }
  /** Extend or truncate to `width` bits, whichever it takes: an explicit, possibly wrapping, resize. */
  resize(width: number): Value {
    checkWidth(width);
    return width === this.width ? this : this.op('resize', [this.node], [width]);
  }
  /** Clamp to the range of a `width`-bit value of the same signedness. */
  sat(width: number): Value {
    checkWidth(width);
    if (width >= this.width) return this.extend(width);
    const t: HwType = { signed: this.signed, width };
    const hi = this.gt(maxValue(t));
    const lo = this.lt(minValue(t));
    const top = lit(t, maxValue(t));
    const bottom = lit(t, minValue(t));
    return mux(hi, top, mux(lo, bottom, this.trunc(width)));
  }
  /** Reinterpret the bits as unsigned. */
  asUInt(): Value {
    return this.signed ? this.unary('asuint') : this;
  }
  /** Reinterpret the bits as signed (two's complement). */
  asSInt(): Value {
    return this.signed ? this : this.unary('assint');
  }
  /** Convert an unsigned value to signed without changing its value (one bit wider). */
  toSigned(): Value {
    return this.signed ? this : this.extend(this.width + 1).asSInt();
  }

  // ---- plumbing -----------------------------------------------------------------------------
  /** Give this value a name in the generated Verilog (a wire). */
  named(name: string): Value {
    const b = this.ctx as NodeFactory & { wire(name: string, t: HwType): { set(v: Value): void } & Value };
    const w = b.wire(name, this.type);
    w.set(this);
    return w;
  }

  protected checkSameModule(o: Value): void {
    if (o.ctx !== this.ctx)
      throw new WidthError(`a value of module '${o.ctx.ir.name}' is used in module '${this.ctx.ir.name}'; connect it through a port`, new LazyLoc().get());
  }
  private coerce(o: Operand): Value {
    if (o instanceof Value) {
      this.checkSameModule(o);
      return o;
    }
    return lit(this.type, o);
  }
  private binary(op: OpName, o: Operand): Value {
    const other = this.coerce(o);
    const info = OPS[op];
    if (info.sameSign && this.signed !== other.signed)
      throw new WidthError(
        `${op} mixes ${showType(this.type)} and ${showType(other.type)}; convert one side first (.toSigned() or .asUInt())`,
        new LazyLoc().get(),
      );
    if (info.sameWidth && this.width !== other.width)
      throw new WidthError(
        `${op} needs operands of equal width, got ${showType(this.type)} and ${showType(other.type)}; use .extend(w) or .trunc(w)`,
        new LazyLoc().get(),
      );
    return this.op(op, [this.node, other.node], []);
  }
  private unary(op: OpName): Value {
    return this.op(op, [this.node], []);
  }
  private op(op: OpName, args: Expr[], params: number[]): Value {
    const type = OPS[op].result(args.map((a) => a.type), params);
    if (type.width > MAX_WIDTH)
      throw new WidthError(`${op} would make a ${type.width}-bit value, over the ${MAX_WIDTH}-bit limit`, new LazyLoc().get());
    return new Value(this.ctx.opNode(op, type, args, params, new LazyLoc()), this.ctx);
  }
}

function checkShift(k: number): void {
  if (!Number.isInteger(k) || k < 0 || k > MAX_WIDTH)
    throw new ParamError(`shift amount must be an integer from 0 to ${MAX_WIDTH}, got ${k}`, new LazyLoc().get());
}

export function checkWidth(width: number, what = 'width'): void {
  if (!Number.isInteger(width) || width < 1 || width > MAX_WIDTH)
    throw new ParamError(`${what} must be an integer from 1 to ${MAX_WIDTH}, got ${width}`, new LazyLoc().get());
}

/**
 * A constant of a given type. Throws when the value does not fit.
 * @param type the constant's type
 * @param value the value (must fit the type)
 */
export function lit(type: HwType, value: number | bigint): Value {
  checkWidth(type.width);
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new ParamError(`constant ${value} is not a safe integer; pass a bigint`, new LazyLoc().get());
  const v = BigInt(value);
  if (!fits(v, type))
    throw new WidthError(`constant ${v} does not fit ${showType(type)} (range ${minValue(type)}..${maxValue(type)})`, new LazyLoc().get());
  const b = currentBuilder('a constant');
  return new Value(b.constNode(type, toBits(v, type.width), new LazyLoc()), b);
}
/**
 * Unsigned constant: `u(8, 200)`.
 * @param width bits
 * @param value a value from 0 to 2^width - 1
 */
export function u(width: number, value: number | bigint): Value {
  return lit({ signed: false, width }, value);
}
/**
 * Signed constant: `s(8, -3)`.
 * @param width bits, including the sign
 * @param value a value from -2^(width-1) to 2^(width-1) - 1
 */
export function s(width: number, value: number | bigint): Value {
  return lit({ signed: true, width }, value);
}
/**
 * The smallest unsigned constant holding n.
 * @param n a non-negative value
 */
export function uconst(n: number | bigint): Value {
  return u(bitsFor(n), n);
}

/**
 * `cond ? whenTrue : whenFalse`. Both sides must have the same type (numbers take the other's).
 * @param cond a 1-bit condition
 * @param whenTrue the result when `cond` is 1
 * @param whenFalse the result when `cond` is 0
 */
export function mux(cond: Value, whenTrue: Operand, whenFalse: Operand): Value {
  if (cond.width !== 1) throw new WidthError(`mux condition must be 1 bit wide, got ${showType(cond.type)}`, new LazyLoc().get());
  const t = whenTrue instanceof Value ? whenTrue : whenFalse instanceof Value ? lit(whenFalse.type, whenTrue) : undefined;
  if (!t) throw new WidthError('mux needs at least one Value operand to fix the type', new LazyLoc().get());
  const f = whenFalse instanceof Value ? whenFalse : lit(t.type, whenFalse);
  for (const v of [t, f])
    if (v.ctx !== cond.ctx) throw new WidthError('mux operands come from different modules', new LazyLoc().get());
  if (!typeEq(t.type, f.type))
    throw new WidthError(`mux branches differ: ${showType(t.type)} vs ${showType(f.type)}; resize one explicitly`, new LazyLoc().get());
  return new Value(cond.ctx.opNode('mux', t.type, [cond.node, t.node, f.node], [], new LazyLoc()), cond.ctx);
}

/**
 * Select `options[index]`; out-of-range indices give the last option. All options share one type.
 * @param index an unsigned index
 * @param options the values to choose from, one type
 */
export function select(index: Value, options: readonly Value[]): Value {
  if (options.length === 0) throw new ParamError('select needs at least one option', new LazyLoc().get());
  let out = options[options.length - 1]!;
  for (let i = options.length - 2; i >= 0; i--) out = mux(index.eq(lit({ signed: false, width: index.width }, i)), options[i]!, out);
  return out;
}

/**
 * Concatenate, first argument most significant. The result is unsigned.
 * @param parts values, first most significant
 */
export function cat(...parts: Value[]): Value {
  if (parts.length === 0) throw new ParamError('cat needs at least one part', new LazyLoc().get());
  const ctx = parts[0]!.ctx;
  if (parts.some((p) => p.ctx !== ctx)) throw new WidthError('cat parts come from different modules', new LazyLoc().get());
  if (parts.length === 1) return parts[0]!.asUInt();
  const type = OPS.cat.result(parts.map((p) => p.type), []);
  if (type.width > MAX_WIDTH) throw new WidthError(`cat would make a ${type.width}-bit value, over the ${MAX_WIDTH}-bit limit`, new LazyLoc().get());
  return new Value(ctx.opNode('cat', type, parts.map((p) => p.node), [], new LazyLoc()), ctx);
}

/**
 * Sum a list of values with a balanced tree of adders (each level grows one bit).
 * @param values the addends (one signedness)
 */
export function sumTree(values: readonly Value[]): Value {
  if (values.length === 0) throw new ParamError('sumTree needs at least one value', new LazyLoc().get());
  let level = [...values];
  while (level.length > 1) {
    const next: Value[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(level[i]!.add(level[i + 1]!));
    // The odd one out may be wider than the sums (inputs of unequal widths); the extend below pads every one.
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next.map((v) => v.extend(Math.max(...next.map((n) => n.width))));
  }
  return level[0]!;
}
