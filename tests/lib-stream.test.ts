// Stream operators: payload packing, map, pipelined functions, fork, join, arbiter, mux, demux,
// width conversion and reduction, each under random stalls on inputs and outputs (no token lost,
// duplicated or reordered) and at one token per cycle when nothing stalls.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  collectWarnings, connect, deserialize, elaborate, fieldsRecord, fork, join, joinVector, mapStream, module, payloadLayout, pipelineMap, queue, Record, reduceStream, roundRobinArbiter, serialize, sint, streamDemux, streamMux, uint, Vec, type PayloadType, type Value, In, Out, Stream, codec, s,
} from '../dsl/index.ts';
import { makeRng, randomBits, runStreams, simulate, streamElement } from './lib-support.ts';

const STALLS = [[51, 0.3, 0.3], [52, 0.7, 0.2], [53, 0.2, 0.7]] as const;
const randomTokens = (seed: number, n: number, bits: number): bigint[] => {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => randomBits(rng, bits));
};

describe('payload types', () => {
  const t = Record({ tag: uint(3), pixel: Vec(sint(5), 3), flag: uint(1) });
  it('packs records first field most significant and vectors element 0 lowest, in TS and in hardware', () => {
    expect(payloadLayout(t).map((f) => `${f.path}[${f.hi}:${f.lo}]`)).toEqual(['tag[18:16]', 'pixel[2][15:11]', 'pixel[1][10:6]', 'pixel[0][5:1]', 'flag[0:0]']);
    const v = { tag: 5n, pixel: [-3n, 7n, -16n], flag: 1n };
    const bits = codec(t).encode(v);
    expect(bits).toBe((5n << 16n) | (16n << 11n) | (7n << 6n) | (29n << 1n) | 1n);
    expect(codec(t).decodeBig(bits)).toEqual(v);
    expect(codec(t).decode(bits)).toEqual({ tag: 5, pixel: [-3, 7, -16], flag: 1 });
    // The same layout in hardware: unpack, then repack in a different order of fields.
    const swapped = Record({ flag: uint(1), pixel: Vec(sint(5), 3), tag: uint(3) });
    const def = streamElement('payload_swap', t, swapped, (s) => mapStream(s, swapped, (f) => ({ flag: f.flag, pixel: [f.pixel[2]!, f.pixel[1]!, f.pixel[0]!], tag: f.tag })));
    const { sim } = simulate(def);
    const r = runStreams(sim, { inputs: { in: [bits] }, expect: { out: 1 } });
    expect(codec(swapped).decodeBig(r.outputs.out![0]!)).toEqual({ flag: 1n, pixel: [-16n, 7n, -3n], tag: 5n });
  });

  it('records each stream port with its layout in the manifest data', () => {
    const { circuit } = simulate(streamElement('payload_meta', t, t, (s) => s));
    expect(circuit.top.streams.map((s) => [s.name, s.dir, s.valid, s.ready, s.payload.join()])).toEqual([
      ['in', 'in', 'in_valid', 'in_ready', 'in_payload'], ['out', 'out', 'out_valid', 'out_ready', 'out_payload'],
    ]);
    expect(circuit.top.streams[0]!.meta).toMatchObject({ width: 19, layout: payloadLayout(t) });
  });

  it('records interface streams for the manifest with their layout and type, whoever drives them', () => {
    const cfg = fieldsRecord({ m: 3, n: 2 });
    const lanes = Vec(sint(4), 2);
    const def = module('declared', { cfg: In(Stream(cfg)), y: Out(Stream(lanes)) }, (io, m) => {
      const n = m.reg('n_q', uint(2), { reset: 0 });
      m.when(io.cfg.valid, () => n.set(io.cfg.fields.n));
      io.cfg.ready.set(1);
      io.y.valid.set(0);
      io.y.setFields([n.extend(4).asSInt(), s(4, -1)]);
    });
    const top = elaborate(def).top;
    expect(top.ports.map((p) => p.name)).toEqual(['cfg_valid', 'cfg_ready', 'cfg_payload', 'y_valid', 'y_ready', 'y_payload']);
    expect(top.streams.map((x) => [x.name, x.dir, x.payload.join()])).toEqual([['cfg', 'in', 'cfg_payload'], ['y', 'out', 'y_payload']]);
    expect(top.streams[0]!.meta).toEqual({ payload: 'r5', width: 5, layout: [{ path: 'm', hi: 4, lo: 2, signed: false }, { path: 'n', hi: 1, lo: 0, signed: false }], type: cfg });
    expect(top.streams[1]!.meta).toMatchObject({ payload: 'v2xs4', width: 8, layout: payloadLayout(lanes), type: lanes });
  });
});

/** One element under test: a module, its input tokens, and the exact outputs it must produce. */
interface Case {
  def: () => ReturnType<typeof streamElement>;
  inputs: Record<string, bigint[]>;
  expect: Record<string, bigint[]>;
  /** Outputs whose tokens may interleave between sources (checked per source instead). */
  unordered?: (out: Record<string, bigint[]>) => void;
  unstable?: string[];
  /** Output stream that must move one token per cycle when nothing stalls. */
  rateOut?: string;
  /** Input streams that must be taken at one token per cycle when nothing stalls. */
  rateIn?: string[];
}

const S8 = sint(8);
const V4 = Vec(S8, 4);
const s8 = (x: bigint): bigint => BigInt.asIntN(8, x);
const N = 120;

function twoIn(name: string, a: PayloadType, b: PayloadType, out: PayloadType, body: (x: Stream, y: Stream) => Stream) {
  return module(name, { a: In(Stream(a)), b: In(Stream(b)), out: Out(Stream(out)) }, (io) => {
    connect(body(io.a, io.b), io.out);
  });
}

const vecTokens = randomTokens(61, N, 32);
const cases: Record<string, Case> = {
  'map (combinational)': {
    def: () => streamElement('op_map', Record({ a: S8, b: uint(4) }), sint(9), (s) => mapStream(s, sint(9), (f) => f.a.add(f.b.toSigned()))),
    inputs: { in: randomTokens(60, N, 12) },
    expect: { out: randomTokens(60, N, 12).map((t) => BigInt.asUintN(9, s8(t >> 4n) + (t & 15n))) },
    rateOut: 'out',
    rateIn: ['in'],
  },
  'pipelined function, 3 stages': {
    def: () => streamElement('op_pipe3', V4, sint(18), (s) => pipelineMap(s, sint(18), [
      (x: Value[]) => x.map((v, i) => v.mul(i + 1)), // sint(16) products x[i] * (i + 1)
      (p: Value[]) => [p[0]!.add(p[1]!), p[2]!.add(p[3]!)],
      (q: Value[]) => q[0]!.add(q[1]!),
    ])),
    inputs: { in: vecTokens },
    expect: { out: vecTokens.map((t) => BigInt.asUintN(18, [0, 1, 2, 3].reduce((acc, i) => acc + s8(t >> BigInt(8 * i)) * BigInt(i + 1), 0n))) },
    rateOut: 'out',
  },
  'eager fork into 3': {
    def: () => module('op_fork3', { in: In(Stream(uint(10))), o0: Out(Stream(uint(10))), o1: Out(Stream(uint(10))), o2: Out(Stream(uint(10))) }, (io) => {
      fork(io.in, 3).forEach((s, i) => connect(s, [io.o0, io.o1, io.o2][i]!));
    }),
    inputs: { in: randomTokens(62, N, 10) },
    expect: { o0: randomTokens(62, N, 10), o1: randomTokens(62, N, 10), o2: randomTokens(62, N, 10) },
    rateOut: 'o0',
    rateIn: ['in'],
  },
  'lazy fork into 2': {
    def: () => module('op_fork_lazy', { in: In(Stream(uint(10))), o0: Out(Stream(uint(10))), o1: Out(Stream(uint(10))) }, (io) => {
      fork(io.in, 2, { lazy: true }).forEach((s, i) => connect(s, [io.o0, io.o1][i]!));
    }),
    inputs: { in: randomTokens(63, N, 10) },
    expect: { o0: randomTokens(63, N, 10), o1: randomTokens(63, N, 10) },
    unstable: ['o0', 'o1'],
    rateOut: 'o0',
  },
  'join of two streams into a record': {
    def: () => twoIn('op_join', uint(6), S8, Record({ a: uint(6), b: S8 }), (a, b) => join({ a, b })),
    inputs: { a: randomTokens(64, N, 6), b: randomTokens(65, N, 8) },
    expect: { out: randomTokens(64, N, 6).map((a, i) => (a << 8n) | randomTokens(65, N, 8)[i]!) },
    rateOut: 'out',
    rateIn: ['a', 'b'],
  },
  'join of two streams into a vector': {
    def: () => twoIn('op_join_vec', S8, S8, Vec(S8, 2), (a, b) => joinVector([a, b])),
    inputs: { a: randomTokens(66, N, 8), b: randomTokens(67, N, 8) },
    expect: { out: randomTokens(66, N, 8).map((a, i) => (randomTokens(67, N, 8)[i]! << 8n) | a) },
    rateOut: 'out',
  },
  'stream mux steered by a select stream': (() => {
    const sel = Array.from({ length: N }, (_, i) => BigInt((i * 7 + (i >> 3)) % 3));
    const src = [0, 1, 2].map((k) => randomTokens(70 + k, N, 8).map((t) => (BigInt(k) << 8n) | t));
    const next = [0, 0, 0];
    const want = sel.map((k) => {
      const i = Number(k);
      const j = next[i]!;
      next[i] = j + 1;
      return src[i]![j]!;
    });
    return {
      def: () => module('op_mux', { sel: In(Stream(uint(2))), i0: In(Stream(uint(10))), i1: In(Stream(uint(10))), i2: In(Stream(uint(10))), out: Out(Stream(uint(10))) }, (io) => {
        connect(streamMux(io.sel, [io.i0, io.i1, io.i2]), io.out);
      }),
      inputs: { sel, i0: src[0]!.slice(0, next[0]), i1: src[1]!.slice(0, next[1]), i2: src[2]!.slice(0, next[2]) },
      expect: { out: want },
      rateOut: 'out',
      rateIn: ['sel'],
    } satisfies Case;
  })(),
  'stream demux by a payload field': (() => {
    const t = Record({ dest: uint(2), v: uint(8) });
    const toks = randomTokens(73, N, 10).map((x) => ((x >> 8n) % 3n << 8n) | (x & 255n));
    return {
      def: () => module('op_demux', { in: In(Stream(t)), o0: Out(Stream(t)), o1: Out(Stream(t)), o2: Out(Stream(t)) }, (io) => {
        const s = io.in;
        streamDemux(s, s.fields.dest, 3).forEach((o, i) => connect(o, [io.o0, io.o1, io.o2][i]!));
      }),
      inputs: { in: toks },
      expect: Object.fromEntries([0, 1, 2].map((k) => [`o${k}`, toks.filter((x) => x >> 8n === BigInt(k))])),
      rateIn: ['in'],
    } satisfies Case;
  })(),
  'serialize a vector into elements': {
    def: () => streamElement('op_ser', Vec(uint(5), 3), uint(5), (s) => serialize(s) as Stream<ReturnType<typeof uint>>),
    inputs: { in: randomTokens(74, N, 15) },
    expect: { out: randomTokens(74, N, 15).flatMap((t) => [t & 31n, (t >> 5n) & 31n, t >> 10n]) },
    rateOut: 'out',
  },
  'deserialize elements into a vector': {
    def: () => streamElement('op_des', uint(5), Vec(uint(5), 3), (s) => deserialize(s, 3)),
    inputs: { in: randomTokens(75, 3 * N, 5) },
    expect: { out: Array.from({ length: N }, (_, i) => randomTokens(75, 3 * N, 5).slice(3 * i, 3 * i + 3).reduce((acc, e, j) => acc | (e << BigInt(5 * j)), 0n)) },
    rateIn: ['in'],
  },
  'add reduction tree, pipelined every level': {
    def: () => streamElement('op_reduce_add', Vec(S8, 5), sint(11), (s) => reduceStream(s, sint(11), 'add', { levelsPerStage: 1 })),
    inputs: { in: randomTokens(76, N, 40) },
    expect: { out: randomTokens(76, N, 40).map((t) => BigInt.asUintN(11, [0, 1, 2, 3, 4].reduce((a, i) => a + s8(t >> BigInt(8 * i)), 0n))) },
    rateOut: 'out',
  },
  'max reduction tree, two levels per stage': {
    def: () => streamElement('op_reduce_max', Vec(S8, 6), S8, (s) => reduceStream(s, S8, 'max', { levelsPerStage: 2 })),
    inputs: { in: randomTokens(77, N, 48) },
    expect: { out: randomTokens(77, N, 48).map((t) => BigInt.asUintN(8, [0, 1, 2, 3, 4, 5].map((i) => s8(t >> BigInt(8 * i))).reduce((a, b) => (a > b ? a : b)))) },
    rateOut: 'out',
  },
};

describe('stream operators', () => {
  it.each(Object.entries(cases))('%s: no token lost, duplicated or reordered under random stalls', (_name, c) => {
    const { sim } = simulate(c.def());
    const expectCounts = Object.fromEntries(Object.entries(c.expect).map(([k, v]) => [k, v.length]));
    for (const [seed, inStall, outStall] of STALLS) {
      const r = runStreams(sim, { inputs: c.inputs, expect: expectCounts, inStall, outStall, seed, unstable: c.unstable });
      for (const [k, v] of Object.entries(c.expect)) expect(r.outputs[k], `${k}, seed ${seed}`).toEqual(v);
    }
  });

  it.each(Object.entries(cases))('%s: one token per cycle when nothing stalls', (_name, c) => {
    expect(c.rateOut ?? c.rateIn, 'every element states which side runs at one token per cycle').toBeDefined();
    const { sim } = simulate(c.def());
    const expectCounts = Object.fromEntries(Object.entries(c.expect).map(([k, v]) => [k, v.length]));
    const r = runStreams(sim, { inputs: c.inputs, expect: expectCounts });
    const steady = (at: number[]) => at[at.length - 1]! - at[0]!;
    if (c.rateOut) {
      const at = r.outCycles[c.rateOut]!;
      expect(at[0]!).toBeLessThanOrEqual(3); // fill latency only
      expect(steady(at)).toBe(at.length - 1);
    }
    for (const name of c.rateIn ?? []) {
      const at = r.inCycles[name]!;
      expect(at[0]).toBe(0);
      expect(steady(at), `input ${name}`).toBe(at.length - 1);
    }
  });

  it('round-robin arbiter keeps each source in order, serves all, and rotates when all wait', () => {
    const def = module('op_arbiter', { i0: In(Stream(uint(10))), i1: In(Stream(uint(10))), i2: In(Stream(uint(10))), out: Out(Stream(uint(10))) }, (io) => {
      connect(roundRobinArbiter([io.i0, io.i1, io.i2]).out, io.out);
    });
    const src = [0, 1, 2].map((k) => randomTokens(80 + k, 60 + 20 * k, 8).map((t) => (BigInt(k) << 8n) | t));
    const { sim } = simulate(def);
    const total = src.reduce((a, s) => a + s.length, 0);
    for (const [seed, inStall, outStall] of STALLS) {
      const r = runStreams(sim, { inputs: { i0: src[0]!, i1: src[1]!, i2: src[2]! }, expect: { out: total }, inStall, outStall, seed });
      for (const k of [0, 1, 2]) expect(r.outputs.out!.filter((t) => t >> 8n === BigInt(k)), `source ${k}, seed ${seed}`).toEqual(src[k]);
    }
    const free = runStreams(sim, { inputs: { i0: src[0]!, i1: src[1]!, i2: src[2]! }, expect: { out: total } });
    expect(free.outputs.out!.slice(0, 9).map((t) => Number(t >> 8n))).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(free.outCycles.out![total - 1]).toBe(total - 1);
  });
});

describe('join timing warnings', () => {
  const design = (buffer: number) =>
    module(`skewed_join_b${buffer}`, { in: In(Stream(S8)), out: Out(Stream(Record({ slow: sint(9), fast: S8 }))) }, (io) => {
      const [a, b] = fork(io.in, 2);
      const slow = pipelineMap(a!, sint(9), [(x: Value) => x.add(1), (x: Value) => x, (x: Value) => x]);
      const fast = buffer ? queue(b!, buffer) : b!;
      connect(join({ slow, fast }), io.out);
    });

  it('warns, with the join and both inputs\' source lines, when the faster input cannot buffer the skew', () => {
    const { circuit, sim } = simulate(design(0));
    const warnings = collectWarnings(circuit);
    expect(warnings).toHaveLength(1);
    expect(circuit.warnings, 'elaborate gathers the same warnings').toEqual(warnings);
    expect(warnings[0]!.message).toMatch(/joins 'fast' \(latency 0, buffers 0; made at tests\/lib-stream\.test\.ts:\d+\) with 'slow' \(latency 3, buffers 3; made at tests\/lib-stream\.test\.ts:\d+\)/);
    expect(warnings[0]!.message).toMatch(/queue\(fast, 4\)/);
    const src = readFileSync('tests/lib-stream.test.ts', 'utf8').split('\n');
    const lineOf = (text: string) => src.findIndex((l) => l.includes(text)) + 1;
    const where = [lineOf('connect(join({ slow, fast })'), lineOf('const [a, b] = fork('), lineOf('const slow = pipelineMap(')];
    expect(warnings[0]!.locations.map((l) => `${l?.file}:${l?.line}`)).toEqual(where.map((n) => `tests/lib-stream.test.ts:${n}`));
    expect(warnings[0]!.message.startsWith(`tests/lib-stream.test.ts:${where[0]}: `)).toBe(true);
    // The warning is real: the skewed join moves one token every 4 cycles.
    const toks = randomTokens(90, 40, 8);
    const r = runStreams(sim, { inputs: { in: toks }, expect: { out: toks.length } });
    expect(r.outCycles.out![39]! - r.outCycles.out![0]!).toBe(39 * 4);
  });

  it('is silent once the faster input buffers the skew, and the join then moves one token per cycle', () => {
    // A FIFO of depth 3 holds only 2 tokens at full rate: still short by one, still warned.
    expect(collectWarnings(simulate(design(3)).circuit)).toHaveLength(1);
    const { circuit, sim } = simulate(design(4));
    expect(collectWarnings(circuit)).toEqual([]);
    const toks = randomTokens(91, 40, 8);
    const r = runStreams(sim, { inputs: { in: toks }, expect: { out: toks.length } });
    expect(r.outCycles.out![39]! - r.outCycles.out![0]!).toBe(39);
    const short = runStreams(simulate(design(3)).sim, { inputs: { in: toks }, expect: { out: toks.length } });
    expect(short.outCycles.out![39]! - short.outCycles.out![0]!).toBeGreaterThan(39);
    expect(r.outputs.out!.map((t) => t & 255n)).toEqual(toks);
  });
});
