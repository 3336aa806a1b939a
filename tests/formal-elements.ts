// Every stream element of dsl/lib wrapped as a small module with stream ports (2-bit payloads, the
// smallest sizes that exercise each): what tests/formal-lib.test.ts and bench/formal.ts prove.
import {
  Out, In, Record as Rec, Stream, Vec, connect, deserialize, fork, forwardSlice, backwardSlice, haltWhen, join, module, pipelineMap, queue,
  readStream, type ModuleBuilder, type StreamSink, type Value, roundRobinArbiter, serialize, skidBuffer, streamDemux, streamMux, throwWhen, uint, type ModuleDef, type PortRecord,
} from '../dsl/index.ts';
import { streamElement } from './lib-support.ts';

const T = uint(2);

/**
 * Assume `v` is held while `out` waits for ready. haltWhen, streamMux and streamDemux pass a
 * condition or select straight to the handshake (as SpinalHDL's do): their outputs keep the rules
 * only when the user keeps that input stable during a wait, which the proof must take as given.
 */
function heldWhileWaiting(m: ModuleBuilder, outs: readonly StreamSink[], v: Value): void {
  const prev = m.delay(v, { name: m.freshName('held_prev') });
  for (const out of outs) {
    const waiting = m.delay(out.valid.and(out.ready.not()), { reset: 0, name: m.freshName('held_waiting') });
    m.when(waiting, () => m.assume(v.eq(prev), 'select held while the output waits'));
  }
}

/** name -> module: one line per element (and per implementation of the FIFO). */
export const FORMAL_ELEMENTS: Record<string, ModuleDef<PortRecord>> = {
  'queue depth 1': streamElement('fq_d1', T, T, (s) => queue(s, 1)),
  'queue depth 3 (registers)': streamElement('fq_d3', T, T, (s) => queue(s, 3)),
  'queue depth 3 (block RAM)': streamElement('fq_d3_bram', T, T, (s) => queue(s, { depth: 3, style: 'bram' })),
  forwardSlice: streamElement('f_fwd', T, T, (s) => forwardSlice(s)),
  backwardSlice: streamElement('f_bwd', T, T, (s) => backwardSlice(s)),
  skidBuffer: streamElement('f_skid', T, T, (s) => skidBuffer(s)),
  pipelineMap: streamElement('f_pipe', T, T, (s) => pipelineMap(s, T, [(x) => x.add(1).trunc(2), (x) => x.xor(1)])),
  haltWhen: module('f_halt', { in: In(Stream(T)), stop: In(uint(1)), out: Out(Stream(T)) }, (io, m) => {
    connect(haltWhen(io.in, io.stop), io.out);
    heldWhileWaiting(m, [io.out], io.stop);
  }),
  throwWhen: streamElement('f_throw', T, T, (s) => throwWhen(s, s.payload.eq(0))),
  serialize: streamElement('f_ser', Vec(uint(1), 2), uint(1), (s) => serialize(s)),
  deserialize: streamElement('f_deser', T, Vec(T, 2), (s) => deserialize(s, 2)),
  readStream: module('f_read', { in: In(Stream(T)), out: Out(Stream(T)) }, (io, m) => {
    const rom = m.rom('lut', T, [3, 1, 2, 0]);
    connect(readStream(io.in, T, (addr, en) => rom.read(addr, en)), io.out);
  }),
  fork: module('f_fork', { in: In(Stream(T)), a: Out(Stream(T)), b: Out(Stream(T)) }, (io) => {
    const [x, y] = fork(io.in, 2);
    connect(x!, io.a);
    connect(y!, io.b);
  }),
  join: module('f_join', { a: In(Stream(T)), b: In(Stream(T)), out: Out(Stream(Rec({ a: T, b: T }))) }, (io) => connect(join({ a: io.a, b: io.b }), io.out)),
  streamMux: module('f_mux', { sel: In(uint(1)), a: In(Stream(T)), b: In(Stream(T)), out: Out(Stream(T)) }, (io, m) => {
    connect(streamMux(io.sel, [io.a, io.b]), io.out);
    heldWhileWaiting(m, [io.out], io.sel);
  }),
  streamDemux: module('f_demux', { sel: In(uint(1)), in: In(Stream(T)), a: Out(Stream(T)), b: Out(Stream(T)) }, (io, m) => {
    const [x, y] = streamDemux(io.in, io.sel, 2);
    heldWhileWaiting(m, [io.a, io.b], io.sel);
    connect(x!, io.a);
    connect(y!, io.b);
  }),
  roundRobinArbiter: module('f_arb', { a: In(Stream(T)), b: In(Stream(T)), out: Out(Stream(T)) }, (io) => connect(roundRobinArbiter([io.a, io.b]).out, io.out)),
};
