/**
 * Interfaces: ports typed with streams, records and vectors, bound to typed views in a module's body
 * and at its instances (as Amaranth's signatures, SpinalHDL's bundles, hardcaml's interfaces: one
 * definition used for signals, names, widths and the host codec).
 *
 * A port flattens to Verilog ports by one rule, used both inside the module and at its instances:
 *  - a bit vector is one port, `name`;
 *  - a record field `f` is `name_f`, a vector element `i` is `name_i` (nesting repeats the rule);
 *  - a stream is `name_valid`, `name_ready` (the other direction) and `name_payload` (the payload
 *    packed into one port, first record field most significant).
 */
import { DriverError, LazyLoc, NameError, WidthError } from '../errors.ts';
import type { HwType } from '../ir/types.ts';
import type { ModuleBuilder, ModuleDef, Signal } from './module.ts';
import { isBits, isStream, isVector, payloadLayout, payloadTag, payloadWidth, portType, type Leaves, type PayloadType, type StreamType, type VectorType } from './payload.ts';
import { bool, type PortDir, type PortRecord, type PortSpec } from './ports.ts';
import { StreamSink, StreamSource, checkPayload, connectStream, type Stream } from './stream.ts';
import { Value, type Operand } from './value.ts';


/** What a port is inside its module's body. */
export type PortView<S> =
  S extends PortSpec<'input', StreamType<infer T>> ? Stream<T>
  : S extends PortSpec<'output', StreamType<infer T>> ? StreamSink<T>
  : S extends PortSpec<'input', VectorType<StreamType<infer T>>> ? Stream<T>[]
  : S extends PortSpec<'output', VectorType<StreamType<infer T>>> ? StreamSink<T>[]
  : S extends PortSpec<PortDir, infer T> ? Leaves<T, Signal>
  : never;
/** The body's view of a module's ports: `io.in` a Stream, `io.y` a Signal, `io.cfg.m` a Signal. */
export type IO<P extends PortRecord> = { [K in keyof P]: PortView<P[K]> };

/** What an instance's port is in the parent: an output's values, or an input stream still to feed. */
export type InstancePort<S> =
  S extends PortSpec<'output', StreamType<infer T>> ? Stream<T>
  : S extends PortSpec<'input', StreamType<infer T>> ? StreamSink<T>
  : S extends PortSpec<'output', VectorType<StreamType<infer T>>> ? Stream<T>[]
  : S extends PortSpec<'input', VectorType<StreamType<infer T>>> ? StreamSink<T>[]
  : S extends PortSpec<PortDir, infer T> ? Leaves<T, Value>
  : never;
// Every port but a plain input (a record built in a loop, whose directions are not known statically, keeps all).
type InstanceKeys<P> = { [K in keyof P]: P[K] extends PortSpec<'input', infer T> ? (T extends StreamType | VectorType<StreamType> ? K : never) : K }[keyof P];
/**
 * What `m.instance(...)` returns: each output (a Stream for an output stream, values for the rest)
 * and a sink for each input stream not given in `inputs` (to `connect` later).
 */
export type InstanceIO<P extends PortRecord> = { [K in InstanceKeys<P>]: InstancePort<P[K]> };

/** What `m.instance(...)` takes: a Stream for an input stream (optional), values for other inputs. */
export type InstanceInputs<P extends PortRecord> = {
  [K in keyof P as P[K] extends PortSpec<'input'> ? K : never]?: P[K] extends PortSpec<'input', StreamType<infer T>> ? Stream<T>
    : P[K] extends PortSpec<'input', VectorType<StreamType<infer T>>> ? readonly Stream<T>[]
    : Leaves<P[K]['type'], Operand>;
};

/** Values (or signals) shaped like a record or vector port: leaves, arrays of them, objects of them. */
export type Connectable<L> = L | readonly Connectable<L>[] | { readonly [field: string]: Connectable<L> };

/** One Verilog port of a flattened interface port. */
interface FlatPort {
  name: string;
  dir: PortDir;
  type: HwType;
}

const flip = (d: PortDir): PortDir => (d === 'input' ? 'output' : 'input');

/**
 * The Verilog ports of one interface port, in declaration order.
 * @param name the interface port name
 * @param dir 'input' or 'output'
 * @param t the port type (payload, stream or vector of streams)
 */
export function flattenPort(name: string, dir: PortDir, t: PortSpec['type']): FlatPort[] {
  if (isStream(t))
    return [{ name: `${name}_valid`, dir, type: bool() }, { name: `${name}_ready`, dir: flip(dir), type: bool() }, { name: `${name}_payload`, dir, type: portType(t.payload) }];
  if (isBits(t)) return [{ name, dir, type: t }];
  if (isVector(t)) return Array.from({ length: t.length }, (_, i) => flattenPort(`${name}_${i}`, dir, t.element)).flat();
  return Object.entries(t.fields).flatMap(([k, ft]) => flattenPort(`${name}_${k}`, dir, ft));
}

/** What the manifest records of a stream's payload: its tag, width, leaf layout and the type itself. */
export function streamMeta(t: PayloadType): Record<string, unknown> {
  return { payload: payloadTag(t), width: payloadWidth(t), layout: payloadLayout(t), type: t };
}

/** Declare a module's ports and return the body's typed views of them. */
export function bindPorts<P extends PortRecord>(b: ModuleBuilder, ports: P): IO<P> {
  const io: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(ports)) io[name] = bindPort(b, name, spec);
  return io as IO<P>;
}

function bindPort(b: ModuleBuilder, name: string, spec: PortSpec): unknown {
  const t = spec.type;
  const port = (n: string, dir: PortDir, type: HwType) => b.port(n, { dir, type, loc: spec.loc });
  if (isStream(t)) {
    const [v, r, p] = flattenPort(name, spec.dir, t);
    const valid = port(v!.name, v!.dir, v!.type);
    const ready = port(r!.name, r!.dir, r!.type);
    const payload = port(p!.name, p!.dir, p!.type);
    b.stream({ name, dir: spec.dir === 'input' ? 'in' : 'out', valid: valid.name, ready: ready.name, payload: [payload.name], meta: streamMeta(t.payload) });
    return spec.dir === 'input'
      ? new StreamSource(t.payload, valid, payload, ready, name, { latency: 0, capacity: 0, loc: spec.loc.get() })
      : new StreamSink(t.payload, valid, payload, ready, name);
  }
  if (isBits(t)) return port(name, spec.dir, t);
  if (isVector(t)) return Array.from({ length: t.length }, (_, i) => bindPort(b, `${name}_${i}`, { ...spec, type: t.element }));
  return Object.fromEntries(Object.entries(t.fields).map(([k, ft]) => [k, bindPort(b, `${name}_${k}`, { ...spec, type: ft })]));
}

/**
 * Instantiate `def` in `b` with typed inputs; see `ModuleBuilder.instance`. Input streams are wired
 * straight to the child (valid and payload forward, the stream's ready from the child), so a
 * connected stream adds no signal of its own to the parent.
 */
export function instantiate<P extends PortRecord>(b: ModuleBuilder, name: string, def: ModuleDef<P>, inputs: InstanceInputs<P>, loc: LazyLoc): InstanceIO<P> {
  const given = inputs as Record<string, unknown>;
  for (const key of Object.keys(given))
    if (!(key in def.ports)) throw new NameError(`module '${def.name}' has no port '${key}'; its ports are ${Object.keys(def.ports).join(', ')}`, loc.get());
  const flat: Record<string, Operand> = {};
  const after: ((outs: Record<string, Signal>) => void)[] = [];
  const views: Record<string, (outs: Record<string, Signal>) => unknown> = {};
  // One stream port of the child (or one element of a vector of streams): wire it, return its view.
  const stream = (port: string, dir: PortDir, payloadType: PayloadType, g: unknown): ((outs: Record<string, Signal>) => unknown) => {
    const what = `input '${port}' of instance '${name}'`;
    if (dir === 'output') {
      const ready = b.wire(b.freshName(`${name}_${port}_ready`), bool());
      flat[`${port}_ready`] = ready;
      return (outs) => new StreamSource(payloadType, outs[`${port}_valid`]!, outs[`${port}_payload`]!, ready, `${name}_${port}`, { latency: 0, capacity: 0, loc: loc.get() });
    }
    if (g === undefined) {
      const valid = b.wire(b.freshName(`${name}_${port}_valid`), bool());
      const payload = b.wire(b.freshName(`${name}_${port}_payload`), portType(payloadType));
      flat[`${port}_valid`] = valid;
      flat[`${port}_payload`] = payload;
      return (outs) => new StreamSink(payloadType, valid, payload, outs[`${port}_ready`]!, `${name}_${port}`);
    }
    if (!(g instanceof StreamSource)) throw new WidthError(`${what} is a stream of ${payloadTag(payloadType)}; connect a Stream to it, got ${describeValue(g)}`, loc.get());
    checkPayload(g, payloadType, what);
    flat[`${port}_valid`] = g.valid;
    flat[`${port}_payload`] = g.payload;
    after.push((outs) => g.ready.set(outs[`${port}_ready`]!));
    return () => alreadyConnected(name, port);
  };
  for (const [key, spec] of Object.entries(def.ports)) {
    const t = spec.type;
    const g = given[key];
    if (isStream(t)) views[key] = stream(key, spec.dir, t.payload, g);
    else if (isVector(t) && isStream(t.element)) {
      const el = t.element as StreamType;
      if (g !== undefined && (!Array.isArray(g) || g.length !== t.length))
        throw new WidthError(`input '${key}' of instance '${name}' is a vector of ${t.length} streams; got ${describeValue(g)}`, loc.get());
      const each = Array.from({ length: t.length }, (_, i) => stream(`${key}_${i}`, spec.dir, el.payload, (g as unknown[] | undefined)?.[i]));
      views[key] = (outs) => each.map((v) => v(outs));
    } else if (spec.dir === 'input') {
      if (g !== undefined) flattenValue(g, key, t, flat, `input '${key}' of instance '${name}'`, loc);
    } else {
      views[key] = (outs) => shapeOf(key, t, outs);
    }
  }
  const outs = b.instanceFlat(name, def, flat, loc);
  for (const f of after) f(outs);
  const io: Record<string, unknown> = {};
  for (const [key, view] of Object.entries(views)) {
    // A stream given in `inputs` has no sink left: reading it throws a clear error instead of giving undefined.
    if (given[key] !== undefined && def.ports[key]!.dir === 'input') Object.defineProperty(io, key, { get: () => view(outs), enumerable: false });
    else io[key] = view(outs);
  }
  return io as InstanceIO<P>;
}

function alreadyConnected(inst: string, key: string): never {
  throw new DriverError(`input stream '${key}' of instance '${inst}' is already connected (it was given to m.instance)`, new LazyLoc().get());
}

/** Spread a value shaped like an interface port over its flat port names. */
function flattenValue(v: unknown, name: string, t: PortSpec['type'], out: Record<string, Operand>, what: string, loc: LazyLoc): void {
  if (isStream(t)) throw new WidthError(`${what}: a stream cannot sit inside a record or vector port`, loc.get());
  if (isBits(t)) {
    if (!(v instanceof Value) && typeof v !== 'number' && typeof v !== 'bigint') throw new WidthError(`${what} is ${payloadTag(t)}; got ${describeValue(v)}`, loc.get());
    out[name] = v as Operand;
    return;
  }
  if (isVector(t)) {
    if (!Array.isArray(v) || v.length !== t.length) throw new WidthError(`${what} is a vector of ${t.length}; got ${describeValue(v)}`, loc.get());
    v.forEach((x, i) => flattenValue(x, `${name}_${i}`, t.element, out, `${what}[${i}]`, loc));
    return;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Value)
    throw new WidthError(`${what} is a record {${Object.keys(t.fields).join(', ')}}; got ${describeValue(v)}`, loc.get());
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(rec)) if (!(k in t.fields)) throw new NameError(`${what} has no field '${k}'; its fields are ${Object.keys(t.fields).join(', ')}`, loc.get());
  for (const [k, ft] of Object.entries(t.fields)) {
    if (rec[k] === undefined) throw new DriverError(`${what}: field '${k}' is not connected`, loc.get());
    flattenValue(rec[k], `${name}_${k}`, ft, out, `${what}.${k}`, loc);
  }
}

/** Gather flat instance outputs into the shape of their interface port. */
function shapeOf(name: string, t: PortSpec['type'], outs: Record<string, Signal>): unknown {
  if (isBits(t)) return outs[name];
  if (isVector(t)) return Array.from({ length: t.length }, (_, i) => shapeOf(`${name}_${i}`, t.element, outs));
  if (isStream(t)) throw new Error('unreachable: streams are bound by instantiate');
  return Object.fromEntries(Object.entries(t.fields).map(([k, ft]) => [k, shapeOf(`${name}_${k}`, ft, outs)]));
}

function describeValue(v: unknown): string {
  if (v instanceof Value) return `a ${v.signed ? 'signed' : 'unsigned'} ${v.width}-bit value`;
  if (v instanceof StreamSource) return `stream '${v.name}'`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v;
}

/**
 * Drive `dst` from `src`, whole interfaces at once: a Stream into a StreamSink (valid and payload
 * forward, ready back), or records and vectors of values into records and vectors of signals, leaf by
 * leaf. Shapes and types must match; a mismatch is an error at the caller's line.
 * @param src the stream (its producer side) to forward
 * @param dst the sink it drives: an output stream port or an instance's input stream
 */
export function connect<T extends PayloadType>(src: Stream<T>, dst: StreamSink<T>): void;
/**
 * Drive records and vectors of signals from values shaped like them, leaf by leaf.
 * @param src values (or numbers) shaped like `dst`
 * @param dst signals: a record or vector port, or an instance's inputs
 */
export function connect(src: Connectable<Operand>, dst: Connectable<Signal>): void;
export function connect(src: unknown, dst: unknown): void {
  connectAt(src, dst, 'connect');
}

function connectAt(src: unknown, dst: unknown, where: string): void {
  if (src instanceof StreamSource) {
    if (!(dst instanceof StreamSink)) throw new WidthError(`${where}: stream '${src.name}' must go to a stream sink, got ${describeValue(dst)}`, new LazyLoc().get());
    connectStream(src, dst);
    return;
  }
  if (dst instanceof Value) {
    if (!(src instanceof Value) && typeof src !== 'number' && typeof src !== 'bigint')
      throw new WidthError(`${where}: '${(dst as Signal).name}' needs a value, got ${describeValue(src)}`, new LazyLoc().get());
    (dst as Signal).set(src as Operand);
    return;
  }
  if (Array.isArray(dst)) {
    if (!Array.isArray(src) || src.length !== dst.length)
      throw new WidthError(`${where}: a vector of ${dst.length} needs a vector of ${dst.length}, got ${describeValue(src)}`, new LazyLoc().get());
    dst.forEach((d, i) => connectAt(src[i], d, `${where}[${i}]`));
    return;
  }
  if (typeof dst !== 'object' || dst === null || typeof src !== 'object' || src === null || Array.isArray(src) || src instanceof Value)
    throw new WidthError(`${where}: cannot connect ${describeValue(src)} to ${describeValue(dst)}`, new LazyLoc().get());
  const s = src as Record<string, unknown>;
  const d = dst as Record<string, unknown>;
  const missing = Object.keys(d).filter((k) => !(k in s));
  const extra = Object.keys(s).filter((k) => !(k in d));
  if (missing.length || extra.length)
    throw new WidthError(`${where}: record fields differ (${[...missing.map((k) => `missing '${k}'`), ...extra.map((k) => `unknown '${k}'`)].join(', ')})`, new LazyLoc().get());
  for (const k of Object.keys(d)) connectAt(s[k], d[k], `${where}.${k}`);
}
