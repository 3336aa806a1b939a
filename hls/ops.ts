/**
 * The HLS op table: the one place that says what each dataflow-graph op means (`evaluate`, on exact
 * integers), which values it can produce (`range`), how it becomes DSL hardware (`emit`), and which
 * row of the delay table times it (`delay`). Hardware widths follow the ranges, so every `emit`
 * computes the exact value in a type that holds it (see `fit`).
 */
import { lit, mux, type HwType, type Value } from '../dsl/index.ts';
import type { HNode, HOp } from './graph.ts';
import type { DelayClass } from './delays.ts';

export interface OpRow {
  evaluate(a: bigint[], p: number[], table?: bigint[]): bigint;
  range(a: HNode[], p: number[], table?: bigint[]): [bigint, bigint];
  /** Hardware for the op with result type `t` (arguments already built). */
  emit(a: Value[], n: HNode, t: HwType): Value;
  delay: DelayClass;
  /** Associative and commutative on exact integers: a chain may be rebuilt as a tree (hls/balance.ts). */
  associative?: true;
  /** The value x op identity = x for every integer x (for dropping constant terms of a chain). */
  identity?: bigint;
}

/** The range of a `width`-bit value. */
export function typeRange(signed: boolean, width: number): [bigint, bigint] {
  const w = BigInt(width);
  return signed ? [-(1n << (w - 1n)), (1n << (w - 1n)) - 1n] : [0n, (1n << w) - 1n];
}

/** The hardware type a range needs: signed when it reaches below 0, the fewest bits that hold it. */
export function rangeType(lo: bigint, hi: bigint): HwType {
  if (lo >= 0n) return { signed: false, width: Math.max(1, hi.toString(2).length) };
  let w = 1;
  while (-(1n << BigInt(w - 1)) > lo || (1n << BigInt(w - 1)) - 1n < hi) w++;
  return { signed: true, width: w };
}

/** `v` as type `t`, whose range holds v's value (so this never changes the value). */
export function fit(v: Value, t: HwType): Value {
  let x = t.signed && !v.signed ? v.toSigned() : v;
  x = x.resize(t.width);
  return t.signed ? x.asSInt() : x.asUInt();
}

/** Both operands in one signedness (signed if either is, or if `signed`) and one width: exact. */
function unify(a: Value, b: Value, signed = false): [Value, Value] {
  const s = signed || a.signed || b.signed;
  const [x, y] = [s ? a.toSigned() : a, s ? b.toSigned() : b];
  const w = Math.max(x.width, y.width);
  return [x.extend(w), y.extend(w)];
}

const minMax = (xs: bigint[]): [bigint, bigint] => [xs.reduce((m, v) => (v < m ? v : m)), xs.reduce((m, v) => (v > m ? v : m))];
const hiOr = (a: bigint, b: bigint) => (a > b ? a : b);

/** A balanced mux tree over the index bits: `options[index]` in ceil(log2 n) mux levels. */
function muxTree(index: Value, lo: number, options: Value[]): Value {
  const idx = index.asUInt();
  const build = (base: number, bit: number): Value => {
    if (bit < 0) return options[Math.min(base - lo, options.length - 1)]!;
    const low = build(base, bit - 1);
    if (base + (1 << bit) - lo > options.length - 1) return low;
    return mux(idx.bit(bit), build(base + (1 << bit), bit - 1), low);
  };
  const top = Math.max(0, idx.width - 1);
  return build(0, top);
}

function arith(f: (x: Value, y: Value) => Value, signedIfResult = true) {
  return (a: Value[], _n: HNode, t: HwType): Value => {
    const [x, y] = unify(a[0]!, a[1]!, signedIfResult && t.signed);
    return fit(f(x, y), t);
  };
}
function compare(f: (x: Value, y: Value) => Value) {
  return (a: Value[]): Value => {
    const [x, y] = unify(a[0]!, a[1]!);
    return f(x, y);
  };
}
const cmpRange = (): [bigint, bigint] => [0n, 1n];
const b = (c: boolean) => (c ? 1n : 0n);

function bitRange(kind: 'and' | 'or' | 'xor') {
  return (a: HNode[]): [bigint, bigint] => {
    const [x, y] = [a[0]!, a[1]!];
    if (x.lo >= 0n && y.lo >= 0n) {
      if (kind === 'and') return [0n, x.hi < y.hi ? x.hi : y.hi];
      return [0n, (1n << BigInt(rangeType(0n, hiOr(x.hi, y.hi)).width)) - 1n];
    }
    if (kind === 'and' && x.lo >= 0n) return [0n, x.hi];
    if (kind === 'and' && y.lo >= 0n) return [0n, y.hi];
    const w = Math.max(rangeType(x.lo, x.hi).width + (x.lo >= 0n ? 1 : 0), rangeType(y.lo, y.hi).width + (y.lo >= 0n ? 1 : 0));
    return typeRange(true, w);
  };
}

export const HOPS: Record<HOp, OpRow> = {
  in: { evaluate: () => { throw new Error('an input has no constant value'); }, range: () => [0n, 0n], emit: (a) => a[0]!, delay: 'wire' },
  const: { evaluate: () => { throw new Error('constants fold'); }, range: () => [0n, 0n], emit: (_a, n, t) => lit(t, n.value!), delay: 'wire' },
  add: { evaluate: ([x, y]) => x! + y!, range: ([x, y]) => [x!.lo + y!.lo, x!.hi + y!.hi], emit: arith((x, y) => x.add(y)), delay: 'adder', associative: true, identity: 0n },
  sub: { evaluate: ([x, y]) => x! - y!, range: ([x, y]) => [x!.lo - y!.hi, x!.hi - y!.lo], emit: arith((x, y) => x.sub(y)), delay: 'adder' },
  mul: {
    evaluate: ([x, y]) => x! * y!,
    range: ([x, y]) => minMax([x!.lo * y!.lo, x!.lo * y!.hi, x!.hi * y!.lo, x!.hi * y!.hi]),
    emit: arith((x, y) => x.mul(y), false), delay: 'multiplier',
  },
  neg: { evaluate: ([x]) => -x!, range: ([x]) => [-x!.hi, -x!.lo], emit: (a, _n, t) => fit(a[0]!.toSigned().neg(), t), delay: 'adder' },
  not: { evaluate: ([x]) => ~x!, range: ([x]) => [-x!.hi - 1n, -x!.lo - 1n], emit: (a, _n, t) => fit(a[0]!.toSigned().not(), t), delay: 'wire' },
  and: { evaluate: ([x, y]) => x! & y!, range: bitRange('and'), emit: arith((x, y) => x.and(y), false), delay: 'lut', associative: true, identity: -1n },
  or: { evaluate: ([x, y]) => x! | y!, range: bitRange('or'), emit: arith((x, y) => x.or(y), false), delay: 'lut', associative: true, identity: 0n },
  xor: { evaluate: ([x, y]) => x! ^ y!, range: bitRange('xor'), emit: arith((x, y) => x.xor(y), false), delay: 'lut', associative: true, identity: 0n },
  shl: {
    evaluate: ([x], p) => x! << BigInt(p[0]!), range: ([x], p) => [x!.lo << BigInt(p[0]!), x!.hi << BigInt(p[0]!)],
    emit: (a, n, t) => fit(a[0]!.shl(n.params[0]!), t), delay: 'wire',
  },
  shr: {
    evaluate: ([x], p) => x! >> BigInt(p[0]!), range: ([x], p) => [x!.lo >> BigInt(p[0]!), x!.hi >> BigInt(p[0]!)],
    emit: (a, n, t) => {
      const k = n.params[0]!;
      const x = a[0]!.width <= k ? a[0]!.extend(k + 1) : a[0]!;
      return fit(x.shr(k), t);
    },
    delay: 'wire',
  },
  shlv: {
    evaluate: ([x, y]) => x! << y!,
    range: ([x, y]) => minMax([x!.lo << y!.lo, x!.lo << y!.hi, x!.hi << y!.lo, x!.hi << y!.hi]),
    emit: (a, _n, t) => fit(fit(a[0]!, t).shlBy(a[1]!.asUInt()), t), delay: 'shifter',
  },
  shrv: {
    evaluate: ([x, y]) => x! >> y!,
    range: ([x, y]) => minMax([x!.lo >> y!.lo, x!.lo >> y!.hi, x!.hi >> y!.lo, x!.hi >> y!.hi]),
    emit: (a, _n, t) => fit(a[0]!.shrBy(a[1]!.asUInt()), t), delay: 'shifter',
  },
  wrap: {
    evaluate: ([x], p) => (p[1] === 1 ? BigInt.asIntN(p[0]!, x!) : BigInt.asUintN(p[0]!, x!)),
    range: ([x], p) => {
      const [lo, hi] = typeRange(p[1] === 1, p[0]!);
      return x!.lo >= lo && x!.hi <= hi ? [x!.lo, x!.hi] : [lo, hi];
    },
    emit: (a, n, t) => {
      const [w, s] = n.params as [number, number];
      const x = a[0]!.width < w ? a[0]!.extend(w) : a[0]!.trunc(w);
      return fit(s === 1 ? x.asSInt() : x.asUInt(), t);
    },
    delay: 'wire',
  },
  lt: { evaluate: ([x, y]) => b(x! < y!), range: cmpRange, emit: compare((x, y) => x.lt(y)), delay: 'comparator' },
  le: { evaluate: ([x, y]) => b(x! <= y!), range: cmpRange, emit: compare((x, y) => x.le(y)), delay: 'comparator' },
  gt: { evaluate: ([x, y]) => b(x! > y!), range: cmpRange, emit: compare((x, y) => x.gt(y)), delay: 'comparator' },
  ge: { evaluate: ([x, y]) => b(x! >= y!), range: cmpRange, emit: compare((x, y) => x.ge(y)), delay: 'comparator' },
  eq: { evaluate: ([x, y]) => b(x! === y!), range: cmpRange, emit: compare((x, y) => x.eq(y)), delay: 'equality' },
  ne: { evaluate: ([x, y]) => b(x! !== y!), range: cmpRange, emit: compare((x, y) => x.ne(y)), delay: 'equality' },
  lnot: { evaluate: ([x]) => b(x === 0n), range: cmpRange, emit: (a) => a[0]!.not(), delay: 'lut' },
  mux: {
    evaluate: ([c, x, y]) => (c !== 0n ? x! : y!),
    range: ([, x, y]) => [x!.lo < y!.lo ? x!.lo : y!.lo, hiOr(x!.hi, y!.hi)],
    emit: (a, _n, t) => mux(a[0]!, fit(a[1]!, t), fit(a[2]!, t)), delay: 'selector',
  },
  max: {
    evaluate: ([x, y]) => (x! > y! ? x! : y!),
    range: ([x, y]) => [x!.lo > y!.lo ? x!.lo : y!.lo, hiOr(x!.hi, y!.hi)],
    emit: (a, _n, t) => { const [x, y] = unify(a[0]!, a[1]!); return fit(mux(x.gt(y), x, y), t); }, delay: 'minmax', associative: true,
  },
  min: {
    evaluate: ([x, y]) => (x! < y! ? x! : y!),
    range: ([x, y]) => [x!.lo < y!.lo ? x!.lo : y!.lo, x!.hi < y!.hi ? x!.hi : y!.hi],
    emit: (a, _n, t) => { const [x, y] = unify(a[0]!, a[1]!); return fit(mux(x.lt(y), x, y), t); }, delay: 'minmax', associative: true,
  },
  abs: {
    evaluate: ([x]) => (x! < 0n ? -x! : x!),
    range: ([x]) => (x!.lo >= 0n ? [x!.lo, x!.hi] : x!.hi <= 0n ? [-x!.hi, -x!.lo] : [0n, hiOr(-x!.lo, x!.hi)]),
    emit: (a, _n, t) => {
      const x = a[0]!.toSigned();
      const neg = x.neg();
      return fit(mux(x.lt(0), neg, x.extend(neg.width)), t);
    },
    delay: 'absolute',
  },
  rom: {
    evaluate: ([i], _p, table) => table![Number(i)]!,
    range: ([i], _p, table) => minMax(table!.slice(Number(i!.lo), Number(i!.hi) + 1)),
    // Entries the index cannot reach need not fit the result type: they repeat a reachable one.
    emit: (a, n, t) => {
      const [lo, hi] = [Number(n.args[0]!.lo), Number(n.args[0]!.hi)];
      return muxTree(a[0]!, 0, n.table!.slice(0, hi + 1).map((v, k) => lit(t, k < lo ? n.table![lo]! : v)));
    },
    delay: 'table',
  },
  sel: {
    evaluate: (a) => a[1 + Number(a[0])]!,
    range: (a) => minMax(a.slice(1 + Number(a[0]!.lo), 2 + Number(a[0]!.hi)).flatMap((x) => [x.lo, x.hi])),
    emit: (a, n, t) => {
      const [lo, hi] = [Number(n.args[0]!.lo), Number(n.args[0]!.hi)];
      return muxTree(a[0]!, 0, a.slice(1, hi + 2).map((x, k) => fit(k < lo ? a[1 + lo]! : x, t)));
    },
    delay: 'table',
  },
};
