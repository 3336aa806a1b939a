/**
 * `Stream<T>`: a valid/ready handshake carrying a structured payload, as SpinalHDL's `Stream` and
 * Chisel's `Decoupled`. A token moves when `valid && ready` (it "fires"). The producer may not drop
 * `valid` or change the payload until the token fires; the consumer may raise `ready` at any time.
 *
 * Two ends, two classes, so the type checker knows who drives what:
 *  - `Stream` is the consumer's view: `valid` and `payload` are read, `ready` is driven (once).
 *  - `StreamSink` is the producer's view of a destination (an output port or a wire stream):
 *    `valid` and `payload` are driven, `ready` is read.
 * Library elements take Streams and return Streams, so designs chain: `queue(map(s, f), 16)`.
 *
 * Each stream also carries its timing (latency from the module's inputs, and how many tokens the
 * path can buffer), which `join` uses to warn about reconvergent paths of unequal latency.
 */
import { LazyLoc, NameError, ParamError, WidthError, userLoc, type SourceLoc } from '../errors.ts';
import type { ModuleBuilder, Signal, IO } from '../build/module.ts';
import { In, Out, bool, type PortRecord, type PortSpec } from '../build/ports.ts';
import type { Value } from '../build/value.ts';
import { showType, typeEq } from '../ir/types.ts';
import { noteElement } from './notes.ts';
import { pack, payloadLayout, payloadTag, payloadWidth, portType, unpack, type Fields, type PayloadType } from './payload.ts';

/** Where a stream's tokens stand in time relative to the module's inputs. */
export interface StreamTiming {
  /** Cycles after the module's input (or the stream's source) when nothing stalls. */
  readonly latency: number;
  /** Tokens the path from the source holds while moving one token per cycle (a FIFO of depth d: d - 1). */
  readonly capacity: number;
  /** The user's line that made the last element on the path. */
  readonly loc?: SourceLoc;
}

const ZERO_TIMING: StreamTiming = { latency: 0, capacity: 0 };

/** The consumer's view of a stream: read `valid`/`payload`, drive `ready` exactly once. */
export class Stream<T extends PayloadType = PayloadType> {
  constructor(
    readonly type: T,
    readonly valid: Value,
    readonly payload: Value,
    readonly ready: Signal,
    /** Name prefix of the stream's signals in the Verilog. */
    readonly name: string,
    readonly timing: StreamTiming = ZERO_TIMING,
  ) {}
  /** The module the stream's signals belong to. */
  get m(): ModuleBuilder {
    return this.valid.ctx as ModuleBuilder;
  }
  /** `valid && ready`: a token moves this cycle. */
  get fire(): Value {
    return this.valid.and(this.ready);
  }
  /** The payload split into its fields (records) or elements (vectors). */
  get fields(): Fields<T> {
    return unpack(this.type, this.payload);
  }
  /** Combinational transform of every token (latency 0): `map(s, outType, f)` as a method. */
  map<U extends PayloadType>(outType: U, f: (fields: Fields<T>) => Fields<U>, name?: string): Stream<U> {
    return mapStream(this, outType, f, name);
  }
}

/** The producer's view of a destination: drive `valid`/`payload`, read `ready`. */
export class StreamSink<T extends PayloadType = PayloadType> {
  constructor(
    readonly type: T,
    readonly valid: Signal,
    readonly payload: Signal,
    readonly ready: Value,
    readonly name: string,
  ) {}
  get fire(): Value {
    return this.valid.and(this.ready);
  }
  /** Drive the payload from fields shaped like the payload type. */
  setFields(fields: Fields<T>): void {
    this.payload.set(pack(this.type, fields));
  }
}

/** A stream made of wires: the producer sets `valid`/`payload` (see `sink`), the consumer reads it. */
export class StreamWire<T extends PayloadType = PayloadType> extends Stream<T> {
  declare readonly valid: Signal;
  declare readonly payload: Signal;
  /** The producer's end of this wire stream. */
  get sink(): StreamSink<T> {
    return new StreamSink(this.type, this.valid, this.payload, this.ready, this.name);
  }
}

// Payload types of stream ports, keyed by the payload port's location object (shared by the spec
// and the port's declaration), so `streamIn(io, 'a')` can find the type given to `streamPorts`.
const portPayloadTypes = new WeakMap<object, PayloadType>();

/**
 * Ports of one stream for a module's port record: `{ ...streamPorts('in', 'in', t) }` declares
 * `in_valid`, `in_ready` and a packed `in_payload`. For an output stream pass `'out'`.
 */
export function streamPorts<N extends string>(name: N, dir: 'in' | 'out', type: PayloadType): Record<`${N}_valid` | `${N}_ready` | `${N}_payload`, PortSpec> {
  if (dir !== 'in' && dir !== 'out')
    throw new ParamError(`streamPorts dir must be 'in' or 'out', got '${String(dir)}'`, new LazyLoc().get(), { field: 'dir', value: dir });
  const fwd = dir === 'in' ? In : Out;
  const back = dir === 'in' ? Out : In;
  const payload = fwd(portType(type));
  portPayloadTypes.set(payload.loc, type);
  return { [`${name}_valid`]: fwd(bool()), [`${name}_ready`]: back(bool()), [`${name}_payload`]: payload } as Record<`${N}_valid` | `${N}_ready` | `${N}_payload`, PortSpec>;
}

function streamPortSignals(io: IO<PortRecord>, name: string, type: PayloadType | undefined, dir: 'in' | 'out') {
  const get = (suffix: string): Signal => {
    const s = io[`${name}_${suffix}`];
    if (!s) throw new NameError(`the module has no port '${name}_${suffix}'; declare the stream with ...streamPorts('${name}', '${dir}', type)`, new LazyLoc().get());
    return s;
  };
  const valid = get('valid');
  const ready = get('ready');
  const payload = get('payload');
  const t = type ?? portPayloadTypes.get(payload.decl.loc);
  if (!t) throw new ParamError(`stream '${name}' was not declared with streamPorts; pass its payload type`, new LazyLoc().get(), { field: 'type' });
  if (!typeEq(portType(t), payload.type))
    throw new WidthError(`stream '${name}' payload port is ${showType(payload.type)} but the payload type packs to ${showType(portType(t))}`, new LazyLoc().get());
  const expectIn = dir === 'in' ? 'input' : 'output';
  if (valid.decl.kind !== expectIn)
    throw new ParamError(`stream '${name}' is declared as ${valid.decl.kind === 'input' ? "'in'" : "'out'"} but used as '${dir}'`, new LazyLoc().get(), { field: 'dir', value: dir });
  const m = valid.ctx as ModuleBuilder;
  // Asking for the same port stream twice must not list it twice in the manifest.
  if (!m.ir.streams.some((x) => x.name === name)) m.stream({
    name, dir, valid: valid.name, ready: ready.name, payload: [payload.name],
    meta: { payload: payloadTag(t), width: payloadWidth(t), layout: payloadLayout(t) },
  });
  return { valid, ready, payload, type: t, m };
}

/**
 * Records the stream `name` (declared with `streamPorts`) for the manifest without wrapping its ports
 * in a Stream: for a module whose control drives the valid/ready/payload ports itself. Same checks
 * and the same manifest entry (payload type, width, field layout) as `streamIn`/`streamOut`.
 */
export function declareStream(io: IO<PortRecord>, name: string, dir: 'in' | 'out'): void {
  streamPortSignals(io, name, undefined, dir);
}

/** The input stream `name` of a module, as a Stream to consume. Records it for the manifest. */
export function streamIn<T extends PayloadType = PayloadType>(io: IO<PortRecord>, name: string, type?: T): Stream<T> {
  const p = streamPortSignals(io, name, type, 'in');
  return new Stream(p.type as T, p.valid, p.payload, p.ready, name, { latency: 0, capacity: 0, loc: userLoc() });
}

/** The output stream `name` of a module, as a StreamSink to drive (usually with `connect`). */
export function streamOut<T extends PayloadType = PayloadType>(io: IO<PortRecord>, name: string, type?: T): StreamSink<T> {
  const p = streamPortSignals(io, name, type, 'out');
  return new StreamSink(p.type as T, p.valid, p.payload, p.ready, name);
}

/** A fresh name prefix `base`, `base_1`, ... whose `_valid`, `_ready` and `_payload` are all free. */
export function freshStreamName(m: ModuleBuilder, base: string): string {
  for (let i = 0; ; i++) {
    const c = i === 0 ? base : `${base}_${i}`;
    if (['valid', 'ready', 'payload'].every((s) => m.freshName(`${c}_${s}`) === `${c}_${s}`)) return c;
  }
}

/** A stream of wires `<name>_valid/_ready/_payload` in module `m`; the producer drives `.sink`. */
export function streamWire<T extends PayloadType>(m: ModuleBuilder, name: string, type: T, timing: StreamTiming = ZERO_TIMING): StreamWire<T> {
  const n = freshStreamName(m, name);
  const valid = m.wire(`${n}_valid`, bool());
  const ready = m.wire(`${n}_ready`, bool());
  const payload = m.wire(`${n}_payload`, portType(type));
  return new StreamWire(type, valid, payload, ready, n, timing);
}

/** Check that a stream may feed a destination of payload type `t`. */
export function checkPayload(s: { type: PayloadType; name: string }, t: PayloadType, what: string): void {
  if (payloadWidth(s.type) !== payloadWidth(t) || !typeEq(portType(s.type), portType(t)))
    throw new WidthError(`${what}: stream '${s.name}' carries ${payloadTag(s.type)} but ${payloadTag(t)} is expected`, new LazyLoc().get());
}

/** Drive `dst` from `src`: valid and payload forward, ready backward. No register, latency 0. */
export function connect<T extends PayloadType>(src: Stream<T>, dst: StreamSink<T>): void {
  checkPayload(src, dst.type, 'connect');
  dst.valid.set(src.valid);
  dst.payload.set(src.payload);
  src.ready.set(dst.ready);
}

/** Combinational transform of each token: same handshake, new payload. Latency 0. */
export function mapStream<T extends PayloadType, U extends PayloadType>(s: Stream<T>, outType: U, f: (fields: Fields<T>) => Fields<U>, name?: string): Stream<U> {
  const out = streamWire(s.m, name ?? `${s.name}_map`, outType, s.timing);
  out.valid.set(s.valid);
  out.payload.set(pack(outType, f(s.fields)));
  s.ready.set(out.ready);
  return out;
}

/** Hold tokens back while `cond` is high (neither side sees a handshake). */
export function haltWhen<T extends PayloadType>(s: Stream<T>, cond: Value, name?: string): Stream<T> {
  const out = streamWire(s.m, name ?? `${s.name}_halt`, s.type, s.timing);
  out.valid.set(s.valid.and(cond.not()));
  out.payload.set(s.payload);
  s.ready.set(out.ready.and(cond.not()));
  return out;
}

/** Drop tokens while `cond` is high (they are consumed without reaching the output). */
export function throwWhen<T extends PayloadType>(s: Stream<T>, cond: Value, name?: string): Stream<T> {
  const out = streamWire(s.m, name ?? `${s.name}_throw`, s.type, s.timing);
  out.valid.set(s.valid.and(cond.not()));
  out.payload.set(s.payload);
  s.ready.set(out.ready.or(cond));
  return out;
}

/** Timing of an element's output given its input timing and its own latency and capacity. */
export function after(t: StreamTiming, latency: number, capacity: number, loc: SourceLoc | undefined): StreamTiming {
  return { latency: t.latency + latency, capacity: t.capacity + capacity, loc };
}

/** Note a zero-latency combinational element (map, fork, ...). */
export function noteCombinational(m: ModuleBuilder, element: string, name: string): void {
  noteElement(m, { element, name, latency: 0, ii: 1, capacity: 0 });
}
