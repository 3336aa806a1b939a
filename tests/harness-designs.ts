/**
 * Small DSL designs that the harness tests drive: a register FIFO with valid/ready streams (and two
 * deliberately broken variants), so the harness is tested on hardware written the way users write it;
 * and the two designs of `npm run bench:harness`, a 16×16 MAC grid (a heavy model) and a stream
 * pipeline built from the dataflow library (a light one, where the harness's own cost per token shows).
 */
import {
  In, Out, bool, cat, clog2, connect, module, mux, pipelineMap, queue, select, sint, sumTree, u, uint, type ModuleDef, type PortRecord, type Value, Stream,
} from '../dsl/index.ts';

/** What is wrong with the FIFO on purpose: nothing, a flipped data bit in one state, or a stuck output. */
export type FifoBug = 'none' | 'corrupt' | 'stuck';

export interface FifoOptions {
  /** Entries; a power of two. */
  depth: number;
  /** Width of the data field (the payload also carries a 4-bit tag, most significant). */
  width: number;
  bug?: FifoBug;
}

/**
 * A register FIFO: `in` (tag, data) to `out` (tag, data), `in_ready` while not full, `out_valid` while
 * not empty. Both streams are recorded with `m.stream`, so the harness finds them in the manifest.
 */
export function regFifo(o: FifoOptions): ModuleDef<PortRecord> {
  const bug = o.bug ?? 'none';
  const aw = clog2(o.depth);
  const w = o.width;
  const name = `reg_fifo_d${o.depth}_w${w}${bug === 'none' ? '' : `_${bug}`}`;
  return module(name, {
    in_valid: In(bool()), in_ready: Out(bool()), in_tag: In(uint(4)), in_data: In(uint(w)),
    out_valid: Out(bool()), out_ready: In(bool()), out_tag: Out(uint(4)), out_data: Out(uint(w)),
  }, (io, m) => {
    const wr = m.reg('wr_ptr', uint(aw), { reset: 0 });
    const rd = m.reg('rd_ptr', uint(aw), { reset: 0 });
    const count = m.reg('count', uint(aw + 1), { reset: 0 });
    const entries = Array.from({ length: o.depth }, (_, i) => m.reg(`entry${i}`, uint(w + 4)));
    const notFull = count.lt(o.depth);
    // The stuck variant only offers data when full, so a tail shorter than the depth never leaves.
    const hasData = bug === 'stuck' ? count.eq(o.depth) : count.ne(0);
    const push = io.in_valid.and(notFull);
    const pop = hasData.and(io.out_ready);
    io.in_ready.set(notFull);
    io.out_valid.set(hasData);
    entries.forEach((e, i) => m.when(push.and(wr.eq(i)), () => e.set(cat(io.in_tag, io.in_data))));
    m.when(push, () => wr.set(wr.add(1).trunc(aw)));
    m.when(pop, () => rd.set(rd.add(1).trunc(aw)));
    m.when(push.and(pop.not()), () => count.set(count.add(1).trunc(aw + 1)))
      .elsewhen(pop.and(push.not()), () => count.set(count.sub(1).trunc(aw + 1)));
    const head = select(rd, entries);
    const data = head.slice(w - 1, 0);
    io.out_tag.set(head.slice(w + 3, w));
    // The corrupt variant flips bit 0 of the data when it leaves from entry 2 while only it is queued.
    io.out_data.set(bug === 'corrupt' ? data.xor(mux(rd.eq(2).and(count.eq(1)), u(w, 1), u(w, 0))) : data);
    m.stream({ name: 'in', dir: 'in', valid: 'in_valid', ready: 'in_ready', payload: ['in_tag', 'in_data'] });
    m.stream({ name: 'out', dir: 'out', valid: 'out_valid', ready: 'out_ready', payload: ['out_tag', 'out_data'] });
  });
}

/**
 * An output-stationary systolic grid of `n`×`n` multiply-accumulate cells behind a stream pipeline:
 * input streams `act` and `wgt` (n signed 4-bit lanes each, joined), activations flowing right and
 * weights flowing down one cell per accepted token, 20-bit accumulators, and every `period` tokens the
 * sum of all accumulators leaves through a registered output stream `out` that stalls the grid while
 * it is full. The harness benchmark drives it; its golden model is {@link macGridGolden}.
 */
export function macGrid(n: number, period = 16): ModuleDef<PortRecord> {
  const lanes = 4 * n;
  const cw = clog2(period);
  return module(`mac_grid_${n}x${n}_p${period}`, {
    act_valid: In(bool()), act_ready: Out(bool()), act_data: In(uint(lanes)),
    wgt_valid: In(bool()), wgt_ready: Out(bool()), wgt_data: In(uint(lanes)),
    out_valid: Out(bool()), out_ready: In(bool()), out_data: Out(uint(32)),
  }, (io, m) => {
    const full = m.reg('out_full', bool(), { reset: 0 });
    const outData = m.reg('out_q', uint(32), { reset: 0 });
    const count = m.reg('count', uint(cw), { reset: 0 });
    const canAccept = full.not().or(io.out_ready);
    const fire = io.act_valid.and(io.wgt_valid).and(canAccept);
    io.act_ready.set(canAccept.and(io.wgt_valid));
    io.wgt_ready.set(canAccept.and(io.act_valid));
    const a: Value[][] = [];
    const w: Value[][] = [];
    const accs: Value[] = [];
    for (let r = 0; r < n; r++) {
      a.push([]);
      w.push([]);
      for (let c = 0; c < n; c++) {
        const ar = m.reg(`a_${r}_${c}`, sint(4), { reset: 0 });
        const wr = m.reg(`w_${r}_${c}`, sint(4), { reset: 0 });
        const acc = m.reg(`acc_${r}_${c}`, sint(20), { reset: 0 });
        const aIn = c === 0 ? io.act_data.slice(4 * r + 3, 4 * r).asSInt() : a[r]![c - 1]!;
        const wIn = r === 0 ? io.wgt_data.slice(4 * c + 3, 4 * c).asSInt() : w[r - 1]![c]!;
        m.when(fire, () => {
          ar.set(aIn);
          wr.set(wIn);
          acc.set(acc.add(ar.mul(wr).extend(20)).trunc(20));
        });
        a[r]!.push(ar);
        w[r]!.push(wr);
        accs.push(acc);
      }
    }
    const total = sumTree(accs.map((x) => x.extend(32))).trunc(32).asUInt();
    const emit = fire.and(count.eq(period - 1));
    m.when(fire, () => count.set(count.add(1).trunc(cw)));
    m.when(emit, () => { full.set(1); outData.set(total); })
      .elsewhen(io.out_ready, () => full.set(0));
    io.out_valid.set(full);
    io.out_data.set(outData);
    m.stream({ name: 'act', dir: 'in', valid: 'act_valid', ready: 'act_ready', payload: ['act_data'] });
    m.stream({ name: 'wgt', dir: 'in', valid: 'wgt_valid', ready: 'wgt_ready', payload: ['wgt_data'] });
    m.stream({ name: 'out', dir: 'out', valid: 'out_valid', ready: 'out_ready', payload: ['out_data'] });
  });
}

/**
 * Bit-exact model of {@link macGrid}: the output tokens for the given act/wgt token sequences. The
 * sum it emits is taken before the accumulate of the token that triggers it (registers update at the
 * same edge), which is what the hardware does.
 */
export function macGridGolden(n: number, period: number, act: readonly bigint[], wgt: readonly bigint[]): bigint[] {
  const lane = (v: bigint, i: number) => Number(BigInt.asIntN(4, v >> BigInt(4 * i)));
  const a = new Int32Array(n * n);
  const w = new Int32Array(n * n);
  const acc = new Int32Array(n * n);
  const out: bigint[] = [];
  for (let t = 0; t < act.length; t++) {
    if (t % period === period - 1) {
      let s = 0n;
      for (let k = 0; k < n * n; k++) s += BigInt(acc[k]!);
      out.push(BigInt.asUintN(32, s));
    }
    const na = new Int32Array(n * n);
    const nw = new Int32Array(n * n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const k = r * n + c;
        acc[k] = Number(BigInt.asIntN(20, BigInt(acc[k]! + a[k]! * w[k]!)));
        na[k] = c === 0 ? lane(act[t]!, r) : a[k - 1]!;
        nw[k] = r === 0 ? lane(wgt[t]!, c) : w[k - n]!;
      }
    }
    a.set(na);
    w.set(nw);
  }
  return out;
}

/** Constants of {@link streamPipe}: an odd 64-bit increment, a 32-bit odd multiplier, a 64-bit mask. */
const PIPE_ADD = 0x9e3779b97f4a7c15n;
const PIPE_MUL = 0x85ebca6bn;
const PIPE_XOR = 0xc2b2ae3d27d4eb4fn;
const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;

/**
 * A stream pipeline from the dataflow library: 64-bit tokens in on stream `in`, two `pipelineMap`
 * stages (add a constant; xor-shift), a register `queue` of depth 4, two more stages (a 32×32-bit
 * multiply of the low half xor the high half; swap the halves and xor a constant), 64-bit tokens out on
 * stream `out` — one output per input, at one token per cycle. A light model: per cycle it does a few
 * 64-bit operations, so a testbench driving it is mostly measuring itself. The harness benchmark
 * drives it next to {@link macGrid}; its golden model is {@link streamPipeGolden}.
 */
export function streamPipe(): ModuleDef<PortRecord> {
  return module('stream_pipe_w64', { in: In(Stream(uint(64))), out: Out(Stream(uint(64))) }, (io) => {
    const mixed = pipelineMap(io.in, uint(64), [
      (x: Value) => x.add(u(64, PIPE_ADD)).trunc(64),
      (a: Value) => a.xor(a.shr(29).extend(64)),
    ], 'mix');
    const buffered = queue(mixed, 4);
    const out = pipelineMap(buffered, uint(64), [
      (b: Value) => b.slice(31, 0).mul(u(32, PIPE_MUL)).xor(b.slice(63, 32).extend(64)),
      (c: Value) => cat(c.slice(31, 0), c.slice(63, 32)).xor(u(64, PIPE_XOR)),
    ], 'fold');
    connect(out, io.out);
  });
}

/** Bit-exact model of {@link streamPipe}: the output token for each input token. */
export function streamPipeGolden(tokens: Iterable<bigint>): bigint[] {
  const out: bigint[] = [];
  for (const x of tokens) {
    const a = (x + PIPE_ADD) & M64;
    const b = a ^ (a >> 29n);
    const c = ((b & M32) * PIPE_MUL) ^ (b >> 32n);
    out.push((((c & M32) << 32n) | (c >> 32n)) ^ PIPE_XOR);
  }
  return out;
}
