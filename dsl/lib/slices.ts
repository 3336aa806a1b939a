/**
 * Register slices: cut the timing path of a stream in one direction or both.
 *  - `forwardSlice` registers valid and payload (SpinalHDL `m2sPipe`, Chisel `Queue(1, pipe)`):
 *    latency 1, full throughput, `ready` still passes through combinationally.
 *  - `backwardSlice` registers ready (SpinalHDL `s2mPipe`): latency 0, one spare slot catches the
 *    token in flight when the consumer stops; `ready` towards the producer is a register.
 *  - `skidBuffer` does both: every signal at both ends comes from a register, two slots, full
 *    throughput; the element to put between two modules whose timing you do not control.
 */
import { userLoc } from '../errors.ts';
import { bool } from '../builder/ports.ts';
import { mux } from '../builder/value.ts';
import { portType, type PayloadType } from '../builder/payload.ts';
import { noteBufferState } from './fifo.ts';
import { noteElement } from './notes.ts';
import { streamWire, type Stream } from '../builder/stream.ts';
import { after } from './stream.ts';

export function forwardSliceRaw<T extends PayloadType>(s: Stream<T>, name: string): Stream<T> {
  const m = s.m;
  const loc = userLoc();
  const out = streamWire(m, name, s.type, after(s.timing, 1, 1, loc));
  const full = m.reg(`${out.name}_full_q`, bool(), { reset: 0 });
  const data = m.reg(`${out.name}_data_q`, portType(s.type));
  const canLoad = full.not().or(out.ready);
  s.ready.set(canLoad);
  m.when(canLoad, () => {
    full.set(s.valid);
    m.when(s.valid, () => data.set(s.payload));
  });
  out.valid.set(full);
  out.payload.set(data);
  return out;
}

export function backwardSliceRaw<T extends PayloadType>(s: Stream<T>, name: string): Stream<T> {
  const m = s.m;
  const loc = userLoc();
  // The spare slot fills only on a stall, so at full rate it buffers nothing.
  const out = streamWire(m, name, s.type, after(s.timing, 0, 0, loc));
  // The spare slot: holds the token that arrived while the consumer was not ready.
  const spare = m.reg(`${out.name}_spare_q`, bool(), { reset: 0 });
  const data = m.reg(`${out.name}_spare_data_q`, portType(s.type));
  s.ready.set(spare.not());
  out.valid.set(s.valid.or(spare));
  out.payload.set(mux(spare, data, s.payload));
  m.when(out.ready, () => spare.set(0)).elsewhen(s.valid.and(spare.not()), () => {
    spare.set(1);
    data.set(s.payload);
  });
  return out;
}

/**
 * Register valid and payload: latency 1, capacity 1, one token per cycle.
 * @param s the input stream
 * @param name name prefix of its registers
 */
export function forwardSlice<T extends PayloadType>(s: Stream<T>, name?: string): Stream<T> {
  const out = forwardSliceRaw(s, name ?? `${s.name}_fwd`);
  const note = noteElement(s.m, { element: 'forward_slice', name: out.name, latency: 1, ii: 1, capacity: 1, ins: [s.name], outs: [out.name] });
  noteBufferState(note, { count: `${out.name}_full_q`, size: 1, register: `${out.name}_data_q` });
  return out;
}

/**
 * Register ready: latency 0, capacity 1, one token per cycle.
 * @param s the input stream
 * @param name name prefix of its registers
 */
export function backwardSlice<T extends PayloadType>(s: Stream<T>, name?: string): Stream<T> {
  const out = backwardSliceRaw(s, name ?? `${s.name}_bwd`);
  const note = noteElement(s.m, { element: 'backward_slice', name: out.name, latency: 0, ii: 1, capacity: 1, ins: [s.name], outs: [out.name] });
  noteBufferState(note, { count: `${out.name}_spare_q`, size: 1, register: `${out.name}_spare_data_q` });
  return out;
}

/**
 * Fully registered two-slot buffer: latency 1, capacity 2, one token per cycle.
 * @param s the input stream
 * @param name name prefix of its registers
 */
export function skidBuffer<T extends PayloadType>(s: Stream<T>, name?: string): Stream<T> {
  const base = name ?? `${s.name}_skid`;
  const out = forwardSliceRaw(backwardSliceRaw(s, `${base}_in`), base);
  const note = noteElement(s.m, { element: 'skid_buffer', name: out.name, latency: 1, ii: 1, capacity: 2, ins: [s.name], outs: [out.name] });
  // The forward slice (output side) holds the first token, the backward slice's spare slot the second.
  noteBufferState(note, { count: `${base}_in_spare_q`, size: 1, register: `${base}_in_spare_data_q`, head: { valid: `${out.name}_full_q`, data: `${out.name}_data_q` } });
  return out;
}
