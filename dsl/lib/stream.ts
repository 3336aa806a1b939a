/**
 * Stream combinators of the library that need no state: hold or drop tokens on a condition. The
 * stream ends themselves (`Stream`, `StreamSink`, wire streams, `connect`, `mapStream`) are part of
 * the builder (dsl/builder/stream.ts), since ports are typed with them.
 */
import type { SourceLoc } from '../errors.ts';
import type { ModuleBuilder } from '../builder/module.ts';
import type { PayloadType } from '../builder/payload.ts';
import { streamWire, type Stream, type StreamTiming } from '../builder/stream.ts';
import type { Value } from '../builder/value.ts';
import { noteElement } from './notes.ts';

/**
 * Hold tokens back while `cond` is high (neither side sees a handshake).
 * @param s the input stream
 * @param cond a 1-bit condition
 * @param name name prefix of the output
 */
export function haltWhen<T extends PayloadType>(s: Stream<T>, cond: Value, name?: string): Stream<T> {
  const out = streamWire(s.m, name ?? `${s.name}_halt`, s.type, s.timing);
  out.valid.set(s.valid.and(cond.not()));
  out.payload.set(s.payload);
  s.ready.set(out.ready.and(cond.not()));
  noteElement(s.m, { element: 'halt_when', name: out.name, latency: 0, ii: 1, capacity: 0, ins: [s.name], outs: [out.name] });
  return out;
}

/**
 * Drop tokens while `cond` is high (they are consumed without reaching the output).
 * @param s the input stream
 * @param cond a 1-bit condition
 * @param name name prefix of the output
 */
export function throwWhen<T extends PayloadType>(s: Stream<T>, cond: Value, name?: string): Stream<T> {
  const out = streamWire(s.m, name ?? `${s.name}_throw`, s.type, s.timing);
  out.valid.set(s.valid.and(cond.not()));
  out.payload.set(s.payload);
  s.ready.set(out.ready.or(cond));
  noteElement(s.m, { element: 'throw_when', name: out.name, latency: 0, ii: 1, capacity: 0, ins: [s.name], outs: [out.name] });
  return out;
}

/** Timing of an element's output given its input timing and its own latency and capacity. */
export function after(t: StreamTiming, latency: number, capacity: number, loc: SourceLoc | undefined): StreamTiming {
  return { latency: t.latency + latency, capacity: t.capacity + capacity, loc, ...(t.ii ? { ii: t.ii } : {}) };
}

/** Note a zero-latency combinational element (map, fork, ...). */
export function noteCombinational(m: ModuleBuilder, element: string, name: string): void {
  noteElement(m, { element, name, latency: 0, ii: 1, capacity: 0 });
}
