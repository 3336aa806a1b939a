/**
 * `Stream<T>`: a valid/ready handshake carrying a structured payload, as SpinalHDL's `Stream` and
 * Amaranth's `stream.Signature`. A token moves when `valid && ready` (it "fires"). The producer may
 * not drop `valid` or change the payload until the token fires; the consumer may raise `ready` at
 * any time.
 *
 * `Stream(T)` is also a port type: `module('f', { in: In(Stream(Pixel)), out: Out(Stream(sint(18))) })`
 * gives the body `io.in` as a `Stream<Pixel>` and `io.out` as a `StreamSink<sint(18)>`; the ports are
 * `in_valid`, `in_ready`, `in_payload` (the payload packed, first record field most significant).
 *
 * Two ends, two classes, so the type checker knows who drives what:
 *  - `Stream` (class `StreamSource`) is the consumer's view: `valid` and `payload` are read, `ready`
 *    is driven (once).
 *  - `StreamSink` is the producer's view of a destination (an output port or a wire stream):
 *    `valid` and `payload` are driven, `ready` is read.
 *
 * Each stream also carries its timing (latency from the module's inputs, and how many tokens the
 * path can buffer), which `join` uses to warn about reconvergent paths of unequal latency.
 */
import { LazyLoc, WidthError, userLoc, type SourceLoc } from '../errors.ts';
import { typeEq } from '../ir/types.ts';
import type { ModuleBuilder, Signal } from './module.ts';
import { pack, payloadTag, payloadWidth, portType, unpack, type Fields, type PayloadType, type StreamType } from './payload.ts';
import { bool } from './ports.ts';
import type { Value } from './value.ts';

/** Where a stream's tokens stand in time relative to the module's inputs. */
export interface StreamTiming {
  /** Cycles after the module's input (or the stream's source) when nothing stalls. */
  readonly latency: number;
  /** Tokens the path from the source holds while moving one token per cycle (a FIFO of depth d: d - 1). */
  readonly capacity: number;
  /** The user's line that made the last element on the path. */
  readonly loc?: SourceLoc;
  /**
   * The source's initiation interval when over 1 (a `loopNest` with `ii`): it starts counting the
   * next gap only when a token leaves, so an unbuffered element that holds tokens adds to it.
   */
  readonly ii?: { cycles: number; loc?: SourceLoc; element: string; capacity: number };
}

export const ZERO_TIMING: StreamTiming = { latency: 0, capacity: 0 };

/**
 * The port type of a stream of `payload` tokens: `In(Stream(Record({ a: sint(8) })))`.
 * @param payload the token type (bit vector, `Record` or `Vec`)
 */
export function Stream<T extends PayloadType>(payload: T): StreamType<T> {
  return { kind: 'stream', payload };
}

/** The consumer's view of a stream: read `valid`/`payload`, drive `ready` exactly once. */
export class StreamSource<T extends PayloadType = PayloadType> {
  // Built once: every read of `.fire` or `.fields` then names the same logic (one wire in the Verilog).
  private fireValue: Value | undefined;
  private fieldValues: Fields<T> | undefined;
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
    return (this.fireValue ??= this.valid.and(this.ready));
  }
  /** The payload split into its fields (records) or elements (vectors). */
  get fields(): Fields<T> {
    return (this.fieldValues ??= unpack(this.type, this.payload));
  }
  /** Combinational transform of every token (latency 0): `mapStream(s, outType, f)` as a method. */
  map<U extends PayloadType>(outType: U, f: (fields: Fields<T>) => Fields<U>, name?: string): Stream<U> {
    return mapStream(this, outType, f, name);
  }
}
/** The consumer's view of a stream of `T` tokens (see `StreamSource`). */
export type Stream<T extends PayloadType = PayloadType> = StreamSource<T>;

/** The producer's view of a destination: drive `valid`/`payload`, read `ready`. */
export class StreamSink<T extends PayloadType = PayloadType> {
  constructor(
    readonly type: T,
    readonly valid: Signal,
    readonly payload: Signal,
    readonly ready: Value,
    readonly name: string,
  ) {}
  /** `valid && ready`: a token moves this cycle. */
  get fire(): Value {
    return this.valid.and(this.ready);
  }
  /** Drive the payload from fields shaped like the payload type. */
  setFields(fields: Fields<T>): void {
    this.payload.set(pack(this.type, fields));
  }
}

/** A stream made of wires: the producer sets `valid`/`payload` (see `sink`), the consumer reads it. */
export class StreamWire<T extends PayloadType = PayloadType> extends StreamSource<T> {
  declare readonly valid: Signal;
  declare readonly payload: Signal;
  /** The producer's end of this wire stream. */
  get sink(): StreamSink<T> {
    return new StreamSink(this.type, this.valid, this.payload, this.ready, this.name);
  }
}

/** A fresh name prefix `base`, `base_1`, ... whose `_valid`, `_ready` and `_payload` are all free. */
export function freshStreamName(m: ModuleBuilder, base: string): string {
  for (let i = 0; ; i++) {
    const c = i === 0 ? base : `${base}_${i}`;
    if (['valid', 'ready', 'payload'].every((s) => m.freshName(`${c}_${s}`) === `${c}_${s}`)) return c;
  }
}

/**
 * A stream of wires `<name>_valid/_ready/_payload` in module `m`; the producer drives `.sink`.
 * @param m the module the wires live in
 * @param name prefix of `<name>_valid`, `<name>_ready`, `<name>_payload`
 * @param type the payload type
 * @param timing the tokens' latency and buffering relative to the module's inputs (for join checks)
 */
export function streamWire<T extends PayloadType>(m: ModuleBuilder, name: string, type: T, timing: StreamTiming = ZERO_TIMING): StreamWire<T> {
  const n = freshStreamName(m, name);
  const valid = m.wire(`${n}_valid`, bool());
  const ready = m.wire(`${n}_ready`, bool());
  const payload = m.wire(`${n}_payload`, portType(type));
  // Its payload type, so the manifest can list it as a trace tap decoded into fields.
  m.note({ kind: 'stream', name: n, type });
  return new StreamWire(type, valid, payload, ready, n, timing);
}

/** Check that a stream may feed a destination of payload type `t`. */
export function checkPayload(s: { type: PayloadType; name: string }, t: PayloadType, what: string): void {
  if (payloadWidth(s.type) !== payloadWidth(t) || !typeEq(portType(s.type), portType(t)))
    throw new WidthError(`${what}: stream '${s.name}' carries ${payloadTag(s.type)} but ${payloadTag(t)} is expected`, new LazyLoc().get());
}

/** Drive stream `dst` from `src`: valid and payload forward, ready backward. No register, latency 0. */
export function connectStream<T extends PayloadType>(src: Stream<T>, dst: StreamSink<T>): void {
  checkPayload(src, dst.type, 'connect');
  dst.valid.set(src.valid);
  dst.payload.set(src.payload);
  src.ready.set(dst.ready);
  noteStreamElement(src.m, 'connect', dst.name, [src.name], [dst.name]);
}

/**
 * Record a zero-latency element in the module's notes with the streams it links, so the manifest's
 * dataflow graph (see dsl/lib/notes.ts, which library elements use) also spans maps and connects.
 */
function noteStreamElement(m: ModuleBuilder, element: string, name: string, ins: string[], outs: string[]): void {
  m.note({ kind: 'element', element, name, latency: 0, ii: 1, capacity: 0, loc: userLoc(), ins, outs });
}

/**
 * Combinational transform of each token: same handshake, new payload. Latency 0.
 * @param s the input stream
 * @param outType the payload type of the result
 * @param f builds the output fields from the input fields (combinational)
 * @param name name prefix of the new stream (default derived from `s`)
 */
export function mapStream<T extends PayloadType, U extends PayloadType>(s: Stream<T>, outType: U, f: (fields: Fields<T>) => Fields<U>, name?: string): Stream<U> {
  const out = streamWire(s.m, name ?? `${s.name}_map`, outType, s.timing);
  out.valid.set(s.valid);
  out.payload.set(pack(outType, f(s.fields)));
  s.ready.set(out.ready);
  noteStreamElement(s.m, 'map', out.name, [s.name], [out.name]);
  return out;
}
