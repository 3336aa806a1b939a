// The examples of docs/library.md (but the interfaces one, examples/luma.ts) and the README, verbatim (the first test checks the text matches), run under
// random stalls: the 3-stage pipelined stream function and the loop nest driving a memory.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  In, Out, Stream, Vec, addressStream, connect, loopNest, module, pipelineMap, queue, readStream, sint, uint, type Value,
} from '../dsl/index.ts';
import { makeRng, randomBits, runStreams, simulate } from './lib-support.ts';

// ---- docs/library.md, example 1 -------------------------------------------------------------
const Pixel = Vec(sint(8), 4);
export const dotPipe = module('dot4_pipe3', {
  in: In(Stream(Pixel)),
  out: Out(Stream(sint(18))),
}, (io) => {
  const result = pipelineMap(io.in, sint(18), [
    (x: Value[]) => x.map((v, i) => v.mul(i + 1)),        // stage 1: four products, sint(16)
    (p: Value[]) => [p[0]!.add(p[1]!), p[2]!.add(p[3]!)],  // stage 2: two sums, sint(17)
    (q: Value[]) => q[0]!.add(q[1]!),                      // stage 3: the total, sint(18)
  ]);
  connect(queue(result, 4), io.out);
});

// ---- docs/library.md, example 2 -------------------------------------------------------------
const R = 4;
const C = 6;
export const transpose = module('transpose_4x6', {
  start: In(Stream(uint(1))),
  out: Out(Stream(uint(8))),
}, (io, m) => {
  const matrix = m.rom('matrix', uint(8), Array.from({ length: R * C }, (_, i) => (i * 37) % 256));
  const nest = loopNest(m, { loops: [{ name: 'c', count: C }, { name: 'r', count: R }], start: io.start });
  const addrs = addressStream(nest.out, { coefficients: { r: C, c: 1 }, width: matrix.addrWidth });
  const words = readStream(addrs, uint(8), (addr, en) => matrix.read(addr, en));
  connect(words, io.out);
});

// ---------------------------------------------------------------------------------------------

describe('docs/library.md examples', () => {
  it('are the code in this file', () => {
    const doc = fs.readFileSync('docs/library.md', 'utf8');
    const self = fs.readFileSync('tests/lib-docs.test.ts', 'utf8');
    // The interfaces example is examples/luma.ts (run by tests/lib-interfaces.test.ts).
    const luma = fs.readFileSync('examples/luma.ts', 'utf8');
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((b) => b[1]!);
    expect(blocks).toHaveLength(5);
    expect(luma).toContain(blocks[0]);
    // The FIR written with window and constant multipliers is checked by tests/lib-window.test.ts; the
    // fixed-point multiply-accumulate by tests/lib-fixed.test.ts, which checks the docs hold its code.
    const fir = fs.readFileSync('tests/lib-window.test.ts', 'utf8');
    for (const b of blocks.slice(1).filter((b) => !b.includes('sfix('))) expect(b.includes('fir8_window') ? fir : self).toContain(b);
    // The README shows the same two examples.
    const readme = [...fs.readFileSync('README.md', 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((b) => b[1]!);
    for (const name of ['dot4_pipe3', 'transpose_4x6']) expect(readme.filter((b) => b.includes(name) && self.includes(b)), name).toHaveLength(1);
  });

  it('3-stage pipelined dot product: right values, in order, under stalls; latency 3 (+1 for the FIFO), one result per cycle', () => {
    const { sim } = simulate(dotPipe);
    const rng = makeRng(201);
    const xs = Array.from({ length: 200 }, () => randomBits(rng, 32));
    const s8 = (t: bigint, i: number): bigint => BigInt.asIntN(8, t >> BigInt(8 * i));
    const want = xs.map((t) => BigInt.asUintN(18, [0, 1, 2, 3].reduce((a, i) => a + s8(t, i) * BigInt(i + 1), 0n)));
    const stalled = runStreams(sim, { inputs: { in: xs }, expect: { out: xs.length }, inStall: 0.4, outStall: 0.4, seed: 201 });
    expect(stalled.outputs.out).toEqual(want);
    const free = runStreams(sim, { inputs: { in: xs }, expect: { out: xs.length } });
    expect(free.outCycles.out).toEqual(xs.map((_, i) => i + 4)); // 3 stages + the FIFO's 1
  });

  it('loop nest driving a memory: the transposed matrix per start token, back to back', () => {
    const { sim } = simulate(transpose);
    const words = Array.from({ length: R * C }, (_, i) => BigInt((i * 37) % 256));
    const once: bigint[] = [];
    for (let c = 0; c < C; c++) for (let r = 0; r < R; r++) once.push(words[r * C + c]!);
    const stalled = runStreams(sim, { inputs: { start: [1n, 1n, 1n] }, expect: { out: 3 * once.length }, inStall: 0.3, outStall: 0.5, seed: 202 });
    expect(stalled.outputs.out).toEqual([...once, ...once, ...once]);
    const free = runStreams(sim, { inputs: { start: [1n, 1n, 1n] }, expect: { out: 3 * once.length } });
    const at = free.outCycles.out!;
    expect(at[at.length - 1]! - at[0]!).toBe(3 * once.length - 1);
  });
});
