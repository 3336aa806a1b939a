/**
 * Stream FIFOs of any depth >= 1, at one token per cycle (SpinalHDL `StreamFifo`, Chisel `Queue`).
 *
 * Two implementations behind one call:
 *  - registers (small depths): a circular buffer read asynchronously, so a token written in one
 *    cycle is at the output the next (latency 1). Depth 1 passes `ready` through combinationally
 *    (Chisel's `pipe = true`) so a full one-slot FIFO can take a token in the cycle it gives one;
 *    otherwise it would halve the throughput.
 *  - block RAM (deep): a memory with a synchronous read whose read-data register *is* the output
 *    register, so yosys maps the memory to BRAM (SB_RAM40_4K, RAMB18E1/RAMB36E1). The memory holds
 *    depth - 1 words and the output register one more, so the capacity is exactly `depth`. A read
 *    is issued when the output register is empty or being emptied; latency 2, full throughput.
 * Neither implementation has a combinational path from input to output, and only depth 1 has one
 * from `out.ready` to `in.ready`. Pointers wrap explicitly, so depths need not be powers of two.
 */
import { LazyLoc, ParamError, userLoc } from '../errors.ts';
import type { ModuleBuilder, Signal } from '../builder/module.ts';
import { bool, uint } from '../builder/ports.ts';
import { mux, type Value } from '../builder/value.ts';
import { bitsFor, clog2 } from '../ir/types.ts';
import { noteElement } from './notes.ts';
import { portType, type PayloadType } from '../builder/payload.ts';
import { streamWire, type Stream } from '../builder/stream.ts';
import { after } from './stream.ts';

/** Options of `queue` and `fifo`. */
export interface FifoOptions {
  /** Tokens the FIFO holds, >= 1. */
  depth: number;
  /** Name prefix of its signals (default `<input>_fifo`). */
  name?: string;
  /** 'registers', 'bram', or 'auto' (the default: block RAM from `bramFrom` tokens up). */
  style?: 'auto' | 'registers' | 'bram';
  /** Smallest depth that 'auto' puts into block RAM (default 64). */
  bramFrom?: number;
}

/**
 * Where a FIFO keeps its tokens, by signal name, so the formal harness (flows/formal) can state the
 * invariants k-induction needs without guessing names (`fifoState(note)`): a ring
 * of `size` slots read at `rptr`, written at `wptr`, holding `count` tokens, and for the block RAM
 * FIFO an output register (`head`) ahead of the ring.
 */
export interface FifoState {
  /** Register counting the tokens in the ring. */
  count: string;
  /** Slots of the ring. */
  size: number;
  /** The ring's memory, or for depth 1 its one data register. */
  memory?: string;
  register?: string;
  /** Read and write pointers (absent for depth 1: both stay 0). */
  rptr?: string;
  wptr?: string;
  /** The output register ahead of the ring: its valid flag and data. */
  head?: { valid: string; data: string };
}

/** The state of each FIFO, by its element note; kept out of the note so manifests stay as they were. */
const states = new WeakMap<object, FifoState>();

/**
 * Where the FIFO of an element note keeps its tokens (undefined for other notes).
 * @param note an element note of the module (from `ModuleIR.notes`)
 */
export function fifoState(note: object): FifoState | undefined {
  return states.get(note);
}

/**
 * Record where the buffer of an element note keeps its tokens (FIFOs here; slices and the skid
 * buffer in slices.ts, whose one or two registers are a ring of one slot behind an optional head).
 * @param note the element note returned by `noteElement`
 * @param state its registers and memory, by name
 */
export function noteBufferState(note: object, state: FifoState): void {
  states.set(note, state);
}

/** Fill level and status of a FIFO, for designs that want to look inside. */
export interface FifoStatus<T extends PayloadType> {
  out: Stream<T>;
  /** Tokens held, 0..depth (block RAM FIFOs: in memory plus the output register). */
  occupancy: Value;
  style: 'registers' | 'bram';
}

/**
 * Buffer a stream in a FIFO of `depth` tokens: `queue(s, 16)` or `queue(s, { depth: 1024 })`.
 * @param s the stream to buffer
 * @param opts the depth, or `FifoOptions`
 */
export function queue<T extends PayloadType>(s: Stream<T>, opts: FifoOptions | number): Stream<T> {
  return fifo(s, typeof opts === 'number' ? { depth: opts } : opts).out;
}

/**
 * Like `queue`, and also returns the occupancy and the chosen implementation.
 * @param s the stream to buffer
 * @param opts depth, name, style (registers or block RAM)
 */
export function fifo<T extends PayloadType>(s: Stream<T>, opts: FifoOptions): FifoStatus<T> {
  const loc = new LazyLoc();
  const { depth } = opts;
  if (!Number.isInteger(depth) || depth < 1 || depth > 1 << 20)
    throw new ParamError(`FIFO depth must be an integer from 1 to ${1 << 20}, got ${depth}`, loc.get(), { field: 'depth', value: depth });
  const style = opts.style ?? 'auto';
  if (!['auto', 'registers', 'bram'].includes(style))
    throw new ParamError(`FIFO style must be 'auto', 'registers' or 'bram', got '${style}'`, loc.get(), { field: 'style', value: style });
  const bramFrom = opts.bramFrom ?? 64;
  const useBram = style === 'bram' || (style === 'auto' && depth >= bramFrom);
  // Two words in RAM: one being written while the one before it is read, else throughput halves.
  if (useBram && depth < 3)
    throw new ParamError(`a block RAM FIFO needs depth >= 3 (two words in RAM, one in the output register), got ${depth}`, loc.get(), { field: 'depth', value: depth });
  const name = opts.name ?? `${s.name}_fifo`;
  const latency = useBram ? 2 : 1;
  // At one token per cycle a FIFO of depth >= 2 holds at most depth - 1 tokens (it cannot take a
  // token in the cycle it is full, even while giving one); that is what covers a latency skew.
  const out = streamWire(s.m, name, s.type, after(s.timing, latency, depth === 1 ? 1 : depth - 1, userLoc()));
  const { occupancy, state } = useBram ? bramFifo(s, out, depth) : registerFifo(s, out, depth);
  const note = noteElement(s.m, { element: 'fifo', name: out.name, latency, ii: 1, capacity: depth, style: useBram ? 'bram' : 'registers', depth, ins: [s.name], outs: [out.name] });
  noteBufferState(note, state);
  return { out, occupancy, style: useBram ? 'bram' : 'registers' };
}

/** A pointer that steps through 0..size-1 and wraps. */
function wrapInc(p: Value, size: number): Value {
  const next = p.add(1).trunc(p.width);
  if (size === 1) return p.and(0); // one slot: the pointer stays 0
  return 2 ** p.width === size ? next : mux(p.eq(size - 1), 0, next);
}

/** count <= count + inc - dec */
function updateCount(m: ModuleBuilder, count: Signal, inc: Value, dec: Value): void {
  m.when(inc.and(dec.not()), () => count.set(count.add(1).trunc(count.width)))
    .elsewhen(dec.and(inc.not()), () => count.set(count.sub(1).trunc(count.width)));
}

interface Built {
  occupancy: Value;
  state: FifoState;
}

function registerFifo<T extends PayloadType>(s: Stream<T>, out: Stream<T> & { valid: Signal; payload: Signal }, depth: number): Built {
  const m = s.m;
  const n = out.name;
  const count = m.reg(`${n}_count_q`, uint(bitsFor(depth)), { reset: 0 });
  const full = count.eq(depth);
  const empty = count.eq(0);
  const pop = out.valid.and(out.ready);
  out.valid.set(empty.not());
  if (depth === 1) {
    const data = m.reg(`${n}_data_q`, portType(s.type));
    s.ready.set(full.not().or(out.ready));
    m.when(s.fire, () => data.set(s.payload));
    out.payload.set(data);
    updateCount(m, count, s.fire, pop);
    return { occupancy: count, state: { count: count.name, size: 1, register: data.name } };
  }
  const aw = clog2(depth);
  const mem = m.mem(`${n}_mem`, { type: portType(s.type), depth });
  const wptr = m.reg(`${n}_wptr_q`, uint(aw), { reset: 0 });
  const rptr = m.reg(`${n}_rptr_q`, uint(aw), { reset: 0 });
  s.ready.set(full.not());
  mem.write(wptr, s.payload, s.fire);
  m.when(s.fire, () => wptr.set(wrapInc(wptr, depth)));
  m.when(pop, () => rptr.set(wrapInc(rptr, depth)));
  out.payload.set(mem.readAsync(rptr));
  updateCount(m, count, s.fire, pop);
  return { occupancy: count, state: { count: count.name, size: depth, memory: mem.decl.name, rptr: rptr.name, wptr: wptr.name } };
}

function bramFifo<T extends PayloadType>(s: Stream<T>, out: Stream<T> & { valid: Signal; payload: Signal }, depth: number): Built {
  const m = s.m;
  const n = out.name;
  const words = depth - 1;
  const aw = clog2(words);
  const mem = m.mem(`${n}_mem`, { type: portType(s.type), depth: words });
  const wptr = m.reg(`${n}_wptr_q`, uint(aw), { reset: 0 });
  const rptr = m.reg(`${n}_rptr_q`, uint(aw), { reset: 0 });
  // Words in memory whose write has completed; a read never meets a write to the same address,
  // because wptr == rptr only when the memory is empty (no read) or full (no write).
  const count = m.reg(`${n}_count_q`, uint(bitsFor(words)), { reset: 0 });
  const outValid = m.reg(`${n}_out_valid_q`, bool(), { reset: 0 });
  const pop = outValid.and(out.ready);
  const doRead = count.ne(0).and(outValid.not().or(out.ready)).named(`${n}_read`);
  s.ready.set(count.ne(words));
  mem.write(wptr, s.payload, s.fire);
  m.when(s.fire, () => wptr.set(wrapInc(wptr, words)));
  m.when(doRead, () => rptr.set(wrapInc(rptr, words)));
  updateCount(m, count, s.fire, doRead);
  m.when(doRead, () => outValid.set(1)).elsewhen(pop, () => outValid.set(0));
  out.valid.set(outValid);
  const rdata = mem.read(rptr, doRead, `${n}_rdata_q`);
  out.payload.set(rdata);
  return {
    occupancy: count.extend(bitsFor(depth)).add(outValid.extend(bitsFor(depth))).trunc(bitsFor(depth)),
    state: { count: count.name, size: words, memory: mem.decl.name, rptr: rptr.name, wptr: wptr.name, head: { valid: outValid.name, data: `${n}_rdata_q` } },
  };
}
