/**
 * The op table: one row per primitive operation of the IR, and the one place an op's meaning is
 * written. Each row gives its result type rule, its value on bit patterns, its Verilog form, its
 * range rule (if it has one), its class and the hardware unit a report counts it as. The builder,
 * the checks, the simulator, the passes, the Verilog backend and the unit counts all read it, as
 * every XLS pass reads xls/ir/op_specification.py.
 */
import type { Expr, OpExpr } from './nodes.ts';
import { bitsFor, mask, maxValue, minValue, toBits, toValue, type HwType } from './types.ts';

export type OpName =
  | 'add' | 'sub' | 'mul' | 'neg'
  | 'and' | 'or' | 'xor' | 'not'
  | 'shl' | 'shr' | 'shlv' | 'shrv'
  | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne'
  | 'mux' | 'cat' | 'slice'
  | 'andr' | 'orr' | 'xorr'
  | 'resize' | 'asuint' | 'assint';

/** What kind of operation a row is; passes ask this instead of listing op names. */
export type OpClass = 'arithmetic' | 'bitwise' | 'reduce' | 'shift' | 'compare' | 'select' | 'wiring';
/** The datapath unit a report counts an op as (the keys of its unit counts); wiring counts as none. */
export type UnitKind = 'multipliers' | 'adders' | 'shifters' | 'comparators' | 'muxes' | 'logic';

/** The values an expression can take, as numbers of its type. */
export interface Range {
  lo: bigint;
  hi: bigint;
}

/**
 * The Verilog a row is printed with, built through the backend's own constructors so the IR does
 * not depend on the backend's syntax tree: `operand` names an argument, `extend` widens it by its
 * own signedness (to an unsigned bit pattern), `bits` selects a part of it.
 */
export interface VerilogForms<V> {
  operand(e: Expr): V;
  extend(e: Expr, width: number): V;
  bits(e: Expr, hi: number, lo: number): V;
  /** An unsigned literal. */
  lit(width: number, bits: bigint): V;
  bin(op: string, a: V, b: V): V;
  un(op: string, a: V): V;
  tern(c: V, t: V, f: V): V;
  cat(parts: V[]): V;
  rep(count: number, a: V): V;
  signed(a: V): V;
}

export interface OpInfo {
  /** Operand count; -1 for any number (cat). */
  arity: number;
  /** Operands must agree in signedness (checked by the builder). */
  sameSign?: boolean;
  /** Operands must agree in width too. */
  sameWidth?: boolean;
  class: OpClass;
  /** The unit a report counts; undefined for wiring (constant shifts, slices, concatenation, casts). */
  unit?: UnitKind;
  /** Result type from operand types and integer params. */
  result(args: readonly HwType[], params: readonly number[]): HwType;
  /** The result's bit pattern from the operands' bit patterns (`e` gives the types and params). */
  evaluate(x: readonly bigint[], e: OpExpr): bigint;
  /** The right-hand side of the op's named wire, of exactly its result width. */
  verilog<V>(e: OpExpr, f: VerilogForms<V>): V;
  /** The result's range from the operands' ranges, for ops that keep order; undefined: any value of the type. */
  range?(args: readonly Range[], e: OpExpr): Range | undefined;
  /** Comparisons: the outcome the operands' ranges decide, or undefined. */
  decide?(a: Range, b: Range): boolean | undefined;
  /**
   * A readable name for the op's wire from its operands' names (verilog/op-names.ts); undefined:
   * `a_<op>_b` for two operands, `<op>_a_b...` otherwise.
   */
  label?(args: readonly string[], e: OpExpr): string;
}

const bool: HwType = { signed: false, width: 1 };
const grow = (args: readonly HwType[]): HwType => ({
  signed: args[0]!.signed,
  width: Math.max(args[0]!.width, args[1]!.width) + 1,
});
const same = (args: readonly HwType[]): HwType => args[0]!;

/** Operand i as a number of its type. */
const val = (e: OpExpr, x: readonly bigint[], i: number): bigint => toValue(x[i]!, e.args[i]!.type);
const bit = (b: boolean): bigint => (b ? 1n : 0n);

/** add, sub, mul: exact on the values, wrapped to the result width; operands extended to it in Verilog. */
const arithmetic = (op: string, f: (a: bigint, b: bigint) => bigint, unit: UnitKind, result: OpInfo['result']): OpInfo => ({
  arity: 2, sameSign: true, class: 'arithmetic', unit, result,
  evaluate: (x, e) => toBits(f(val(e, x, 0), val(e, x, 1)), e.type.width),
  verilog: (e, v) => v.bin(op, v.extend(e.args[0]!, e.type.width), v.extend(e.args[1]!, e.type.width)),
});

/** and, or, xor: on equal-width bit patterns. */
const bitwise = (op: string, f: (a: bigint, b: bigint) => bigint): OpInfo => ({
  arity: 2, sameSign: true, sameWidth: true, class: 'bitwise', unit: 'logic', result: same,
  evaluate: (x) => f(x[0]!, x[1]!),
  verilog: (e, v) => v.bin(op, v.operand(e.args[0]!), v.operand(e.args[1]!)),
});

/** andr, orr, xorr: one bit from all the operand's bits. */
const reduce = (op: string, f: (bits: bigint, width: number) => boolean): OpInfo => ({
  arity: 1, class: 'reduce', unit: 'logic', result: () => bool,
  evaluate: (x, e) => bit(f(x[0]!, e.args[0]!.type.width)),
  verilog: (e, v) => v.un(op, v.operand(e.args[0]!)),
});

/**
 * lt .. ne: signed operands compare signed (equality needs no sign), both extended to the wider.
 * `decide` answers from operand ranges when every value pair gives the same outcome.
 */
const comparison = (op: string, holds: (a: bigint, b: bigint) => boolean, decide: OpInfo['decide']): OpInfo => ({
  arity: 2, sameSign: true, class: 'compare', unit: 'comparators', result: () => bool, decide,
  evaluate: (x, e) => bit(holds(val(e, x, 0), val(e, x, 1))),
  verilog: (e, v) => {
    const [a, b] = e.args as [Expr, Expr];
    const w = Math.max(a.type.width, b.type.width);
    const side = (x: Expr) =>
      a.type.signed && op !== '==' && op !== '!=' ? v.signed(v.extend(x, w)) : v.extend(x, w);
    return v.bin(op, side(a), side(b));
  },
});
const equal = (a: Range, b: Range): boolean | undefined =>
  a.lo === a.hi && b.lo === b.hi && a.lo === b.lo ? true : a.hi < b.lo || b.hi < a.lo ? false : undefined;
const not = (d: boolean | undefined): boolean | undefined => (d === undefined ? undefined : !d);

/**
 * shlv, shrv: shift by a signal, keeping the width; an amount of the width or more shifts
 * everything out (shrv of a signed value is arithmetic and leaves the sign bits).
 */
const variableShift = (left: boolean): OpInfo => ({
  arity: 2, class: 'shift', unit: 'shifters', result: same,
  evaluate: (x, e) => {
    const W = BigInt(e.type.width);
    const amount = x[1]! >= W ? W : x[1]!;
    return left ? (x[0]! << amount) & mask(e.type.width) : toBits(val(e, x, 0) >> amount, e.type.width);
  },
  verilog: (e, v) => {
    const [a, b] = e.args as [Expr, Expr];
    const W = e.type.width;
    const arith = !left && a.type.signed;
    const lhs = arith && a.kind === 'const' ? v.signed(v.operand(a)) : v.operand(a);
    const op = left ? '<<' : arith ? '>>>' : '>>';
    const wb = b.type.width;
    // Verilator 5.006 gets shifts wrong for amounts of 2^31 and more: `>>>` by an amount wider
    // than 32 bits with high bits set gives all ones even for a positive value, and a 32-bit
    // constant shift like `32'hfffffffe << 32'hfffffffe` leaves bits set (both found by the
    // fuzzer). Amounts that can reach 2^31 are decided here: any set bit above the ones that can
    // express W shifts everything out.
    const k = bitsFor(W);
    if (wb <= 31 || wb <= k) return v.bin(op, lhs, v.operand(b));
    const fill = arith ? v.signed(v.rep(W, v.bits(a, W - 1, W - 1))) : v.lit(W, 0n);
    return v.tern(v.un('|', v.bits(b, wb - 1, k)), fill, v.bin(op, lhs, v.bits(b, k - 1, 0)));
  },
});

/** A range kept by a reinterpretation when it fits the new type. */
const castRange = (args: readonly Range[], e: OpExpr): Range | undefined =>
  args[0]!.lo >= minValue(e.type) && args[0]!.hi <= maxValue(e.type) ? args[0] : undefined;
const cast = (signed: boolean): OpInfo => ({
  arity: 1, class: 'wiring', result: (a) => ({ signed, width: a[0]!.width }),
  evaluate: (x) => x[0]!,
  verilog: (e, v) => v.operand(e.args[0]!),
  range: castRange,
  label: ([a]) => `${a}_${signed ? 's' : 'u'}`,
});

export const OPS: Record<OpName, OpInfo> = {
  add: arithmetic('+', (a, b) => a + b, 'adders', grow),
  sub: arithmetic('-', (a, b) => a - b, 'adders', grow),
  mul: arithmetic('*', (a, b) => a * b, 'multipliers', (a) => ({ signed: a[0]!.signed, width: a[0]!.width + a[1]!.width })),
  neg: {
    arity: 1, class: 'arithmetic', unit: 'adders', result: (a) => ({ signed: true, width: a[0]!.width + 1 }),
    evaluate: (x, e) => toBits(-val(e, x, 0), e.type.width),
    verilog: (e, v) => v.un('-', v.extend(e.args[0]!, e.type.width)),
  },
  and: bitwise('&', (a, b) => a & b),
  or: bitwise('|', (a, b) => a | b),
  xor: bitwise('^', (a, b) => a ^ b),
  not: {
    arity: 1, class: 'bitwise', unit: 'logic', result: same,
    evaluate: (x, e) => ~x[0]! & mask(e.type.width),
    verilog: (e, v) => v.un('~', v.operand(e.args[0]!)),
  },
  // shl/shr by a constant k (params[0]): shl grows by k, shr shrinks by k (never below 1 bit). Both
  // are wiring and keep order, so a range shifts with them.
  shl: {
    label: ([a], e) => `${a}_shl${e.params[0]}`,
    arity: 1, class: 'wiring', result: (a, p) => ({ signed: a[0]!.signed, width: a[0]!.width + p[0]! }),
    evaluate: (x, e) => toBits(val(e, x, 0) << BigInt(e.params[0]!), e.type.width),
    verilog: (e, v) => v.cat([v.operand(e.args[0]!), v.lit(e.params[0]!, 0n)]),
    range: ([a], e) => ({ lo: a!.lo << BigInt(e.params[0]!), hi: a!.hi << BigInt(e.params[0]!) }),
  },
  shr: {
    label: ([a], e) => `${a}_shr${e.params[0]}`,
    arity: 1, class: 'wiring', result: (a, p) => ({ signed: a[0]!.signed, width: Math.max(1, a[0]!.width - p[0]!) }),
    evaluate: (x, e) => toBits(val(e, x, 0) >> BigInt(e.params[0]!), e.type.width),
    verilog: (e, v) => {
      const a = e.args[0]!;
      const [k, w] = [e.params[0]!, a.type.width];
      if (k < w) return v.bits(a, w - 1, k);
      return a.type.signed ? v.bits(a, w - 1, w - 1) : v.lit(1, 0n);
    },
    range: ([a], e) => ({ lo: a!.lo >> BigInt(e.params[0]!), hi: a!.hi >> BigInt(e.params[0]!) }),
  },
  shlv: variableShift(true),
  shrv: variableShift(false),
  lt: comparison('<', (a, b) => a < b, (a, b) => (a.hi < b.lo ? true : a.lo >= b.hi ? false : undefined)),
  le: comparison('<=', (a, b) => a <= b, (a, b) => (a.hi <= b.lo ? true : a.lo > b.hi ? false : undefined)),
  gt: comparison('>', (a, b) => a > b, (a, b) => (a.lo > b.hi ? true : a.hi <= b.lo ? false : undefined)),
  ge: comparison('>=', (a, b) => a >= b, (a, b) => (a.lo >= b.hi ? true : a.hi < b.lo ? false : undefined)),
  eq: comparison('==', (a, b) => a === b, equal),
  ne: comparison('!=', (a, b) => a !== b, (a, b) => not(equal(a, b))),
  mux: {
    label: ([c]) => `${c}_mux`,
    arity: 3, class: 'select', unit: 'muxes', result: (a) => a[1]!,
    evaluate: (x) => (x[0] ? x[1]! : x[2]!),
    verilog: (e, v) => v.tern(v.operand(e.args[0]!), v.operand(e.args[1]!), v.operand(e.args[2]!)),
  },
  cat: {
    arity: -1, class: 'wiring', result: (a) => ({ signed: false, width: a.reduce((s, t) => s + t.width, 0) }),
    evaluate: (x, e) => x.reduce((out, b, i) => (out << BigInt(e.args[i]!.type.width)) | b, 0n),
    verilog: (e, v) => v.cat(e.args.map((a) => v.operand(a))),
  },
  // slice [params[0] : params[1]]
  slice: {
    label: ([a], e) => (e.params[0] === e.params[1] ? `${a}_${e.params[0]}` : `${a}_${e.params[0]}_${e.params[1]}`),
    arity: 1, class: 'wiring', result: (_a, p) => ({ signed: false, width: p[0]! - p[1]! + 1 }),
    evaluate: (x, e) => (x[0]! >> BigInt(e.params[1]!)) & mask(e.type.width),
    verilog: (e, v) => v.bits(e.args[0]!, e.params[0]!, e.params[1]!),
  },
  andr: reduce('&', (b, w) => b === mask(w)),
  orr: reduce('|', (b) => b !== 0n),
  xorr: reduce('^', (b) => b.toString(2).split('1').length % 2 === 0),
  // resize to params[0] bits: sign- or zero-extend (which keeps the value), or truncate (explicitly
  // requested by the user).
  resize: {
    label: ([a], e) => `${a}_w${e.type.width}`,
    arity: 1, class: 'wiring', result: (a, p) => ({ signed: a[0]!.signed, width: p[0]! }),
    evaluate: (x, e) => toBits(val(e, x, 0), e.type.width),
    verilog: (e, v) => {
      const a = e.args[0]!;
      return e.type.width > a.type.width ? v.extend(a, e.type.width) : v.bits(a, e.type.width - 1, 0);
    },
    range: ([a], e) => (e.type.width >= e.args[0]!.type.width ? a : undefined),
  },
  asuint: cast(false),
  assint: cast(true),
};

/** The value of an op node from its operands' bit patterns. */
export function evalOp(e: OpExpr, x: readonly bigint[]): bigint {
  return OPS[e.op].evaluate(x, e);
}
