/**
 * Host codecs: a payload type's bit layout, derived once from the type and used on the host side
 * (drivers, `hwflow run`, the harness, golden comparisons), so no design re-derives bit positions by
 * hand. The layout is the one `pack`/`unpack` build in hardware and the manifest records
 * (`payloadLayout`): a record's first field is the most significant, a vector's element 0 the least.
 *
 * Leaves come in two host forms: `Host<T>` has `number` leaves (signed fields negative), the form a
 * testbench writes; `Plain<T>` has `bigint` leaves, for fields wider than a double holds exactly.
 * `encode` takes either; `decode` gives numbers and `decodeBig` bigints.
 * A fixed-point field (`sfix`/`ufix`, fixed.ts) is a real number in the `number` form (exact at its
 * scale, else an error naming the field) and its raw integer (value * 2^frac) in the `bigint` form.
 */
import { LazyLoc, ParamError } from '../errors.ts';
import { maxValue, minValue, showType, type HwType } from '../ir/types.ts';
import { fixedRaw, fixedReal, isFixedType } from './fixed.ts';
import { isBits, isVector, payloadLayout, payloadWidth, type FieldLayout, type Leaves, type PayloadType, type Plain, type RecordType, type VectorType } from './payload.ts';

/** Host values of a payload with `number` leaves (signed fields negative). */
export type Host<T extends PayloadType> = Leaves<T, number>;

/** Host values with `number` or `bigint` leaves: what `encode` accepts. */
export type HostInput<T extends PayloadType> = T extends RecordType<infer F>
  ? { [K in keyof F]: HostInput<F[K]> }
  : T extends VectorType<infer E extends PayloadType>
    ? readonly HostInput<E>[]
    : number | bigint;

/** Any token's host value, whatever its type: a record as an object, a vector as an array. */
export type TokenValue = number | bigint | readonly TokenValue[] | { readonly [field: string]: TokenValue };
/** Any token decoded with bigint leaves. */
export type TokenFields = bigint | TokenFields[] | { [field: string]: TokenFields };

/** Integers a double holds exactly: leaves up to this width decode to `number`. */
const EXACT_BITS = 53;

/** Encodes host values of a payload type to packed bit patterns and back (see `codec`). */
export interface Codec<T extends PayloadType> {
  readonly type: T;
  /** Packed width in bits. */
  readonly width: number;
  /** Leaf positions, most significant first (the manifest's `layout`). */
  readonly layout: FieldLayout[];
  /** Field values -> the token's bit pattern. Throws naming the field that does not fit. */
  encode(value: HostInput<T>): bigint;
  /** A bit pattern -> field values with `number` leaves. */
  decode(bits: bigint): Host<T>;
  /** A bit pattern -> field values with `bigint` leaves. */
  decodeBig(bits: bigint): Plain<T>;
  /** Many tokens: a `BigUint64Array` for payloads up to 64 bits (the harness's fast path), else bigints. */
  encodeAll(values: readonly HostInput<T>[]): BigUint64Array | bigint[];
  /** Many bit patterns (as `received()` or `receivedRaw()` give them) -> field values. */
  decodeAll(tokens: readonly bigint[] | BigUint64Array): Host<T>[];
  /** A bit pattern as its fields, for reports: `{a: -3, b: [1, 2, 3]}` (signed fields signed). */
  show(bits: bigint): string;
}

const cache = new WeakMap<PayloadType, Codec<PayloadType>>();

/**
 * The host codec of a payload type (cached per type object).
 * @param type the payload type (bit vector, `Record`, `Vec`) whose tokens are encoded
 */
export function codec<T extends PayloadType>(type: T): Codec<T> {
  let c = cache.get(type);
  if (!c) {
    c = makeCodec(type);
    cache.set(type, c);
  }
  return c as unknown as Codec<T>;
}

function makeCodec<T extends PayloadType>(type: T): Codec<T> {
  const width = payloadWidth(type);
  const layout = payloadLayout(type);
  const wide = layout.some((l) => l.hi - l.lo + 1 > EXACT_BITS);
  const c: Codec<T> = {
    type,
    width,
    layout,
    encode: (value) => encodeAt(type, value as unknown, 0, ''),
    decode: (bits) => {
      if (wide) throw new ParamError(`a field of ${describe(type)} is wider than ${EXACT_BITS} bits; decode it with decodeBig`, new LazyLoc().get());
      return decodeAt(type, bits, 0, realLeaf) as Host<T>;
    },
    decodeBig: (bits) => decodeAt(type, bits, 0, (v) => v) as Plain<T>,
    encodeAll: (values) => {
      if (width > 64) return values.map((v) => c.encode(v));
      const out = new BigUint64Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = c.encode(values[i]!);
      return out;
    },
    decodeAll: (tokens) => Array.from(tokens, (t) => c.decode(t)),
    show: (bits) => showFields(decodeAt(type, bits, 0, (v, t) => (isFixedType(t) ? fixedReal(t, v) : v))),
  };
  return c;
}

/** A short description for messages: `sint(8)`, `Record{a, b}`, `Vec(sint(8), 4)`. */
function describe(t: PayloadType): string {
  if (isBits(t)) return showType(t);
  if (isVector(t)) return `Vec(${describe(t.element)}, ${t.length})`;
  return `Record{${Object.keys((t as RecordType).fields).join(', ')}}`;
}

/** A leaf as a number: fixed-point fields (sfix/ufix) as their real value, integers as themselves. */
function realLeaf(v: bigint, t: HwType): number {
  return isFixedType(t) ? fixedReal(t, v) : Number(v);
}

function showFields(v: unknown): string {
  if (typeof v === 'bigint' || typeof v === 'number') return v.toString();
  if (Array.isArray(v)) return `[${v.map(showFields).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}: ${showFields(x)}`).join(', ')}}`;
}

function encodeAt(t: PayloadType, v: unknown, lo: number, path: string): bigint {
  if (isBits(t)) return encodeLeaf(t, v, lo, path);
  const where = path || 'token';
  if (isVector(t)) {
    if (!Array.isArray(v) || v.length !== t.length)
      throw new ParamError(`${where}: expected ${t.length} elements of ${describe(t.element)}, got ${Array.isArray(v) ? `${v.length} elements` : typeof v}`, new LazyLoc().get());
    const w = payloadWidth(t.element);
    let out = 0n;
    for (let i = 0; i < t.length; i++) out |= encodeAt(t.element, v[i], lo + i * w, `${path}[${i}]`);
    return out;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ParamError(`${where}: expected a record {${Object.keys(t.fields).join(', ')}}, got ${Array.isArray(v) ? 'an array' : typeof v}`, new LazyLoc().get());
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(rec))
    if (!(k in t.fields)) throw new ParamError(`${where}: unknown field '${k}'; the fields are ${Object.keys(t.fields).join(', ')}`, new LazyLoc().get());
  let out = 0n;
  let at = lo + payloadWidth(t);
  for (const [name, ft] of Object.entries(t.fields)) {
    at -= payloadWidth(ft);
    if (rec[name] === undefined) throw new ParamError(`${where}: field '${name}' is missing`, new LazyLoc().get());
    out |= encodeAt(ft, rec[name], at, path ? `${path}.${name}` : name);
  }
  return out;
}

function encodeLeaf(t: HwType, v: unknown, lo: number, path: string): bigint {
  const where = path || 'token';
  // A fixed-point field takes a real number (exact at its scale) or, as a bigint, its raw integer.
  if (isFixedType(t) && typeof v === 'number') return BigInt.asUintN(t.width, fixedRaw(t, v, where)) << BigInt(lo);
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else throw new ParamError(`${where}: expected an integer of ${showType(t)}, got ${typeof v === 'number' ? v : typeof v}`, new LazyLoc().get());
  if (b < minValue(t) || b > maxValue(t))
    throw new ParamError(`${where} = ${b} does not fit ${showType(t)} (${minValue(t)}..${maxValue(t)})`, new LazyLoc().get());
  return BigInt.asUintN(t.width, b) << BigInt(lo);
}

function decodeAt<L>(t: PayloadType, bits: bigint, lo: number, leaf: (v: bigint, t: HwType) => L): unknown {
  if (isBits(t)) {
    const u = BigInt.asUintN(t.width, bits >> BigInt(lo));
    return leaf(t.signed ? BigInt.asIntN(t.width, u) : u, t);
  }
  if (isVector(t)) {
    const w = payloadWidth(t.element);
    return Array.from({ length: t.length }, (_, i) => decodeAt(t.element, bits, lo + i * w, leaf));
  }
  const out: Record<string, unknown> = {};
  let at = lo + payloadWidth(t);
  for (const [name, ft] of Object.entries(t.fields)) {
    at -= payloadWidth(ft);
    out[name] = decodeAt(ft, bits, at, leaf);
  }
  return out;
}
