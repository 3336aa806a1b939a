/**
 * Structured stream payloads: records and vectors of bit vectors. A payload type describes its
 * fields and packs to one flat bit vector, which is what crosses a module port (one payload port
 * per stream keeps the harness and the manifest simple). The layout is fixed and recorded:
 *  - a record's first field is the most significant (it reads like `cat(a, b)`);
 *  - a vector's element 0 is the least significant (bits [w-1:0]), as in Verilog arrays.
 * The same layout is available on the host as a codec (`codec(t).encode/decode`, codec.ts) for
 * drivers and testbenches, so no one re-derives bit positions by hand.
 */
import { LazyLoc, ParamError, WidthError } from '../errors.ts';
import { showType, type HwType } from '../ir/types.ts';
import type { Expr } from '../ir/nodes.ts';
import { Value, cat } from './value.ts';

/** A record: named fields, first field most significant. */
export interface RecordType<F extends Record<string, PayloadType> = Record<string, PayloadType>> {
  readonly kind: 'record';
  readonly fields: F;
}
/** A vector of `length` elements of one type, element 0 least significant. */
export interface VectorType<E extends PayloadType | StreamType = PayloadType> {
  readonly kind: 'vector';
  readonly element: E;
  readonly length: number;
}
/** A stream payload: a bit vector, a record or a vector. */
export type PayloadType = HwType | RecordType | VectorType<PayloadType>;
/** A valid/ready stream carrying tokens of `payload` (a port type only: `In(Stream(Pixel))`). */
export interface StreamType<T extends PayloadType = PayloadType> {
  readonly kind: 'stream';
  readonly payload: T;
}
/** What a port carries: a payload (one or many plain ports), a stream, or a vector of streams. */
export type PortType = PayloadType | StreamType | VectorType<StreamType>;

/** Values shaped like a payload type with leaves of type `L`: records as objects, vectors as arrays. */
export type Leaves<T, L> = T extends RecordType<infer F>
  ? { [K in keyof F]: Leaves<F[K], L> }
  : T extends VectorType<infer E extends PayloadType>
    ? Leaves<E, L>[]
    : L;
/** Hardware values of a payload, shaped like its type. */
export type Fields<T extends PayloadType> = Leaves<T, Value>;
/** TypeScript values of a payload, shaped like its type (bigint leaves), for drivers and models. */
export type Plain<T extends PayloadType> = Leaves<T, bigint>;

/** One leaf of the layout: where a field lives in the packed vector. */
export interface FieldLayout {
  /** Dotted path: `a`, `v[2]`, `pixel.r`. */
  path: string;
  hi: number;
  lo: number;
  signed: boolean;
}

/**
 * Declare a record: `Record({ row: uint(4), value: sint(8) })`, a payload or a port type.
 * @param fields field name to payload type, most significant first
 */
export function Record<F extends Record<string, PayloadType>>(fields: F): RecordType<F> {
  if (Object.keys(fields).length === 0) throw new ParamError('Record needs at least one field, got {}', new LazyLoc().get(), { field: 'fields' });
  return { kind: 'record', fields };
}
/**
 * A record of unsigned fields given by their widths, first field most significant (a cfg word).
 * @param widths field name to unsigned width, most significant first
 */
export function fieldsRecord<K extends string>(widths: { [F in K]: number }): RecordType<{ [F in K]: HwType }> {
  return Record(Object.fromEntries(Object.entries(widths).map(([k, width]) => [k, { signed: false, width }])) as { [F in K]: HwType });
}
/**
 * Declare a vector: `Vec(sint(8), 4)`, a payload or a port type.
 * @param element the element type (a payload, or a `Stream` for a vector of stream ports)
 * @param length number of elements, >= 1
 */
export function Vec<E extends PayloadType | StreamType>(element: E, length: number): VectorType<E> {
  if (!Number.isInteger(length) || length < 1)
    throw new ParamError(`Vec length must be an integer >= 1, got ${length}`, new LazyLoc().get(), { field: 'length', value: length });
  return { kind: 'vector', element, length };
}

/**
 * True for a `Record` type.
 * @param t a port or payload type
 */
export function isRecord(t: PortType): t is RecordType {
  return (t as RecordType).kind === 'record';
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any element, so the else branch narrows
/**
 * True for a `Vec` type.
 * @param t a port or payload type
 */
export function isVector(t: PortType): t is VectorType<any> {
  return (t as { kind?: string }).kind === 'vector';
}
/**
 * True for a `Stream` port type.
 * @param t a port or payload type
 */
export function isStream(t: PortType): t is StreamType {
  return (t as StreamType).kind === 'stream';
}
/**
 * True for a plain bit vector (the payload port then keeps its signedness).
 * @param t a port or payload type
 */
export function isBits(t: PortType): t is HwType {
  return !isRecord(t) && !isVector(t) && !isStream(t);
}

/**
 * Total packed width in bits.
 * @param t the payload type
 */
export function payloadWidth(t: PayloadType): number {
  if (isRecord(t)) return Object.values(t.fields).reduce((s, f) => s + payloadWidth(f), 0);
  if (isVector(t)) return t.length * payloadWidth(t.element);
  return t.width;
}

/**
 * The port type that carries a payload: the bit vector itself, or uint(width) for structures.
 * @param t the payload type
 */
export function portType(t: PayloadType): HwType {
  return isBits(t) ? t : { signed: false, width: payloadWidth(t) };
}

/**
 * Short text for module names and messages: `s8`, `u4`, `r12`, `v4xs8`.
 * @param t the payload type
 */
export function payloadTag(t: PayloadType): string {
  if (isRecord(t)) return `r${payloadWidth(t)}`;
  if (isVector(t)) return `v${t.length}x${payloadTag(t.element)}`;
  return `${t.signed ? 's' : 'u'}${t.width}`;
}

/**
 * Leaf positions, most significant first; recorded in the stream's manifest entry.
 * @param t the payload type
 * @param prefix field path prefix (for nested fields)
 * @param lo bit offset of `t` in the packed vector
 */
export function payloadLayout(t: PayloadType, prefix = '', lo = 0): FieldLayout[] {
  if (isBits(t)) return [{ path: prefix || 'payload', hi: lo + t.width - 1, lo, signed: t.signed }];
  const out: FieldLayout[] = [];
  for (const [name, ft, at] of children(t, lo)) out.push(...payloadLayout(ft, prefix ? (isVector(t) ? `${prefix}${name}` : `${prefix}.${name}`) : name, at));
  return out.sort((a, b) => b.lo - a.lo);
}

/** Children of a structure with their low bit: [name, type, lo]. Records: last field lowest. */
function children(t: RecordType | VectorType, base: number): [string, PayloadType, number][] {
  const out: [string, PayloadType, number][] = [];
  if (isVector(t)) {
    const w = payloadWidth(t.element);
    for (let i = 0; i < t.length; i++) out.push([`[${i}]`, t.element, base + i * w]);
    return out;
  }
  let lo = base;
  for (const [name, ft] of Object.entries(t.fields).reverse()) {
    out.push([name, ft, lo]);
    lo += payloadWidth(ft);
  }
  return out.reverse();
}

/**
 * Pack hardware values shaped like `t` into one vector of `portType(t)`.
 * @param t the payload type
 * @param fields hardware values shaped like `t` (objects for records, arrays for vectors)
 */
export function pack<T extends PayloadType>(t: T, fields: Fields<T>): Value {
  if (isBits(t)) {
    const v = fields as Value;
    if (!(v instanceof Value)) throw new WidthError(`payload of type ${showType(t)} needs a hardware value`, new LazyLoc().get());
    if (v.width !== t.width || v.signed !== t.signed)
      throw new WidthError(`payload expects ${showType(t)}, got ${showType(v.type)}; convert with .extend/.trunc/.resize/.asSInt/.asUInt`, new LazyLoc().get());
    return v;
  }
  if (isVector(t)) {
    const items = fields as Fields<PayloadType>[];
    if (!Array.isArray(items) || items.length !== t.length)
      throw new WidthError(`vector payload expects ${t.length} elements, got ${Array.isArray(items) ? items.length : typeof items}`, new LazyLoc().get());
    return catRuns(items.map((x) => pack(t.element, x)).reverse());
  }
  const rec = fields as Record<string, Fields<PayloadType>>;
  const parts: Value[] = [];
  for (const [name, ft] of Object.entries(t.fields)) {
    if (!(name in rec)) throw new WidthError(`record payload is missing field '${name}'`, new LazyLoc().get(), { field: name });
    parts.push(pack(ft, rec[name]!));
  }
  return catRuns(parts);
}

/** Where a value's bits come from: bits hi..lo of `base`, through any reinterpreting casts. */
function bitsOf(v: Value): { base: Expr; hi: number; lo: number } {
  let n = v.node;
  while (n.kind === 'op' && (n.op === 'asuint' || n.op === 'assint')) n = n.args[0]!;
  if (n.kind === 'op' && n.op === 'slice') return { base: n.args[0]!, hi: n.params[0]!, lo: n.params[1]! };
  return { base: n, hi: n.type.width - 1, lo: 0 };
}

/**
 * `cat` of the parts (most significant first), with neighbouring slices of one value joined back
 * into one slice: packing the fields that `unpack` split (a record handed on whole, a sub-record of
 * a stream's fields) gives back the bits it came from, not a slice and a join per field.
 */
function catRuns(parts: Value[]): Value {
  const runs: Value[] = [];
  let i = 0;
  while (i < parts.length) {
    const first = bitsOf(parts[i]!);
    let j = i + 1;
    let lo = first.lo;
    for (; j < parts.length; j++) {
      const next = bitsOf(parts[j]!);
      if (next.base !== first.base || next.hi !== lo - 1) break;
      lo = next.lo;
    }
    runs.push(j === i + 1 ? parts[i]!.asUInt() : new Value(first.base, parts[i]!.ctx).slice(first.hi, lo));
    i = j;
  }
  return cat(...runs);
}

/**
 * Split a packed vector into hardware values shaped like `t`.
 * @param t the payload type
 * @param packed a value of `portType(t)`
 */
export function unpack<T extends PayloadType>(t: T, packed: Value): Fields<T> {
  if (packed.width !== payloadWidth(t))
    throw new WidthError(`cannot unpack ${showType(packed.type)} as a ${payloadWidth(t)}-bit payload`, new LazyLoc().get());
  const n = packed.node;
  return unpackAt(t, packed, 0, n.kind === 'ref' ? n.signal.name.replace(/_payload$/, '') : undefined) as Fields<T>;
}
/** Each leaf is named after its field path under `prefix` (`px_rgb_0`), so the Verilog says which field it is. */
function unpackAt(t: PayloadType, packed: Value, lo: number, prefix: string | undefined): unknown {
  if (isBits(t)) {
    const bits = packed.width === t.width ? packed.asUInt() : packed.slice(lo + t.width - 1, lo);
    const leaf = t.signed ? bits.asSInt() : bits;
    if (prefix !== undefined && leaf.node.kind === 'op' && leaf.node !== packed.node) leaf.node.name ??= prefix;
    return leaf;
  }
  const kids = children(t, lo).map(([name, ft, at]) => [name, unpackAt(ft, packed, at, prefix === undefined ? undefined : `${prefix}_${name.replace(/^\[(\d+)\]$/, '$1')}`)] as const);
  return isVector(t) ? kids.map(([, v]) => v) : Object.fromEntries(kids);
}
