// Every library element's Verilog passes `verilator --lint-only -Wall` with no warning, and a few
// elements run in Verilator through the streaming harness under seeded random stalls, with the
// same tokens out as in the IR simulator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backwardSlice, bankedMemory, bool, connect, deserialize, fork, In, join, loopNest, loopTupleType, mapStream, module, Out, peGrid, pingPongBuffer, pipelineMap, queue, Record, reduceStream, roundRobinArbiter, s, serialize, simpleDualPortRam, sint, singlePortRam, skew, skidBuffer, streamDemux, streamMux, uint, Vec, forwardSlice, elaborate, type ModuleDef, type PortRecord, type Value, Stream,
} from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { openSim } from '../testbenches/index.ts';
import { makeRng, randomBits, runStreams, simulate, streamElement, verilatorLint } from './lib-support.ts';

const U8 = uint(8);
const V4 = Vec(sint(8), 4);
const nOut = (name: string, n: number, body: (s: Stream) => Stream[]) =>
  module(name, { in: In(Stream(U8)), o: Out(Vec(Stream(U8), n)) }, (io) => {
    body(io.in).forEach((o, i) => connect(o, io.o[i]!));
  });
const nIn = (name: string, n: number, body: (s: Stream[]) => Stream) =>
  module(name, { i: In(Vec(Stream(U8), n)), out: Out(Stream(U8)) }, (io) => {
    connect(body(io.i), io.out);
  });

const nestType = loopTupleType({ loops: [{ name: 'i', count: uint(4) }, { name: 'j', count: 5, stride: 3 }] }).type;

const catalogue: Record<string, () => ModuleDef<PortRecord>> = {
  fifo_d1: () => streamElement('lint_fifo_d1', U8, U8, (x) => queue(x, 1)),
  fifo_d3: () => streamElement('lint_fifo_d3', U8, U8, (x) => queue(x, 3)),
  fifo_d16: () => streamElement('lint_fifo_d16', U8, U8, (x) => queue(x, 16)),
  fifo_d1024_bram: () => streamElement('lint_fifo_d1024', U8, U8, (x) => queue(x, 1024)),
  fifo_d100_bram: () => streamElement('lint_fifo_d100', U8, U8, (x) => queue(x, 100)),
  forward_slice: () => streamElement('lint_fwd', U8, U8, (x) => forwardSlice(x)),
  backward_slice: () => streamElement('lint_bwd', U8, U8, (x) => backwardSlice(x)),
  skid_buffer: () => streamElement('lint_skid', U8, U8, (x) => skidBuffer(x)),
  map: () => streamElement('lint_map', Record({ a: sint(8), b: uint(4) }), sint(9), (x) => mapStream(x, sint(9), (f) => f.a.add(f.b.toSigned()))),
  pipeline_3: () => streamElement('lint_pipe3', V4, sint(18), (x) => pipelineMap(x, sint(18), [
    (v: Value[]) => v.map((e, i) => e.mul(i + 1)), (p: Value[]) => [p[0]!.add(p[1]!), p[2]!.add(p[3]!)], (q: Value[]) => q[0]!.add(q[1]!),
  ])),
  fork_eager: () => nOut('lint_fork', 3, (x) => fork(x, 3)),
  fork_lazy: () => nOut('lint_fork_lazy', 2, (x) => fork(x, 2, { lazy: true })),
  demux: () => nOut('lint_demux', 3, (x) => streamDemux(x, x.payload.slice(1, 0), 3)),
  join: () => nIn('lint_join', 2, ([a, b]) => mapStream(join({ a: a!, b: b! }), U8, (f) => (f.a as Value).xor(f.b as Value))),
  arbiter: () => nIn('lint_arbiter', 3, (xs) => roundRobinArbiter(xs).out),
  mux: () => module('lint_mux', { sel: In(Stream(uint(2))), i: In(Vec(Stream(U8), 3)), out: Out(Stream(U8)) }, (io) => {
    connect(streamMux(io.sel, io.i), io.out);
  }),
  serialize: () => streamElement('lint_ser', Vec(uint(5), 3), uint(5), (x) => serialize(x) as Stream<ReturnType<typeof uint>>),
  deserialize: () => streamElement('lint_des', uint(5), Vec(uint(5), 3), (x) => deserialize(x, 3)),
  reduce_add: () => streamElement('lint_reduce', Vec(sint(8), 5), sint(11), (x) => reduceStream(x, sint(11), 'add')),
  loop_nest: () => module('lint_loop', { start: In(Stream(uint(4))), out: Out(Stream(nestType)) }, (io, m) => {
    connect(loopNest(m, { loops: [{ name: 'i', count: io.start.payload }, { name: 'j', count: 5, stride: 3 }], start: io.start, ii: 2 }).out, io.out);
  }),
  ram_single_port: () => singlePortRam({ type: uint(16), depth: 256 }),
  ram_simple_dual_port: () => simpleDualPortRam({ type: sint(8), depth: 100 }),
  banked_memory: () => module('lint_banked', { waddr: In(uint(6)), we: In(bool()), wdata: In(U8), row: In(uint(4)), re: In(bool()), q0: Out(U8), q1: Out(U8), q: Out(U8) }, (io, m) => {
    const mem = bankedMemory(m, 'mem', { type: U8, depth: 64, banks: 4 });
    mem.write(io.waddr, io.wdata, io.we);
    const row = mem.readRow(io.row, io.re);
    io.q0.set(row[0]!);
    io.q1.set(row[1]!.xor(row[2]!).xor(row[3]!));
    io.q.set(mem.read(io.waddr, io.re));
  }),
  ping_pong: () => module('lint_pingpong', { addr: In(uint(3)), data: In(U8), we: In(bool()), commit: In(bool()), done: In(bool()), raddr: In(uint(3)), q: Out(U8), wr: Out(bool()), rr: Out(bool()) }, (io, m) => {
    const pp = pingPongBuffer(m, 'pp', { type: U8, depth: 8 });
    pp.write(io.addr, io.data, io.we);
    pp.commit.set(io.commit);
    pp.release.set(io.done);
    io.q.set(pp.read(io.raddr, io.done.not()));
    io.wr.set(pp.writeReady);
    io.rr.set(pp.readReady);
  }),
  pe_grid: () => module('lint_grid', { x0: In(sint(8)), x1: In(sint(8)), y0: Out(sint(16)), y1: Out(sint(16)) }, (io, m) => {
    const g = peGrid<Value, Value>(m, {
      rows: 2, cols: 2, west: skew(m, 'xs', [io.x0, io.x1]), north: [s(16, 0), s(16, 0)],
      pe: ({ west, north, row, col }) => ({ east: west, south: north.add(west.mul(s(4, row - col)).extend(16)).trunc(16) }),
    });
    io.y0.set(g.south[0]!);
    io.y1.set(g.south[1]!);
  }),
};

describe('verilator --lint-only -Wall', () => {
  it.each(Object.keys(catalogue))('%s is clean', async (name) => {
    const { circuit } = simulate(catalogue[name]!());
    expect(await verilatorLint(circuit)).toBe('');
  });
});

describe('library elements in Verilator under random stalls (streaming harness)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-lib-v-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const elements: [string, () => ModuleDef<PortRecord>, number][] = [
    ['fifo_d1024_bram', catalogue.fifo_d1024_bram!, 0],
    ['skid_buffer', catalogue.skid_buffer!, 0],
    ['pipeline_3', catalogue.pipeline_3!, 32],
  ];
  it.each(elements)('%s: Verilator gives the IR simulator\'s tokens, in order', async (name, make, bits) => {
    const circuit = elaborate(make());
    const dir = writeDesign(circuit, path.join(tmp, circuit.top.name), { generator: `lib-${name}` }).dir;
    const rng = makeRng(500);
    const tokens = Array.from({ length: 3000 }, () => randomBits(rng, bits || 8));
    const model = runStreams(new (await import('../dsl/index.ts')).Simulator(circuit), { inputs: { in: tokens }, expect: { out: tokens.length } });
    for (const stall of [0, 0.5]) {
      const sim = await openSim(dir, { seed: 500, stall: { in: stall, out: stall } });
      try {
        sim.send('in', tokens);
        await sim.run({ until: { out: tokens.length } });
        expect(sim.received('out'), `stall ${stall}, seed 500`).toEqual(model.outputs.out);
        if (stall === 0) {
          const at = sim.cycles('out');
          expect(at[at.length - 1]! - at[0]!, 'one token per cycle without stalls').toBe(tokens.length - 1);
        }
      } finally {
        await sim.close();
      }
    }
  });
});
