// Loop nests: the tuples and flags of nested loops against a plain TypeScript model, under random
// stalls, with strides, orders, an initiation interval, counts from a start stream, and a nest
// driving a memory through an affine address generator.
import { describe, expect, it } from 'vitest';
import {
  addressStream, connect, loopNest, loopTupleType, module, portType, readStream, Record, uint, codec, type LoopSpec, In, Out, Stream,
} from '../dsl/index.ts';
import { makeRng, runStreams, simulate } from './lib-support.ts';

type Spec = { name: string; count: number; stride?: number; start?: number };

/** The tuples a nest must produce, outermost loop first. */
function model(loops: readonly Spec[]): Record<string, bigint>[] {
  const out: Record<string, bigint>[] = [];
  const rec = (level: number, acc: Record<string, bigint>): void => {
    if (level === loops.length) return void out.push({ ...acc });
    const l = loops[level]!;
    for (let k = 0; k < l.count; k++) {
      acc[l.name] = BigInt((l.start ?? 0) + k * (l.stride ?? 1));
      acc[`first_${l.name}`] = k === 0 ? 1n : 0n;
      acc[`last_${l.name}`] = k === l.count - 1 ? 1n : 0n;
      rec(level + 1, acc);
    }
  };
  rec(0, {});
  return out;
}

function nestModule(name: string, loops: LoopSpec[], opts: { order?: string[]; ii?: number } = {}) {
  const { type } = loopTupleType({ loops, ...opts });
  const def = module(name, { out: Out(Stream(type)) }, (io, m) => {
    connect(loopNest(m, { loops, ...opts }).out, io.out);
  });
  return { def, type };
}

describe('loop nest', () => {
  const loops: Spec[] = [{ name: 'i', count: 3, stride: 2, start: 1 }, { name: 'j', count: 4 }, { name: 'k', count: 5, stride: 3 }];

  it('produces every index tuple with first/last flags, in order, under random output stalls', () => {
    const { def, type } = nestModule('nest_ijk', loops);
    const { sim } = simulate(def);
    const want = model(loops);
    for (const seed of [31, 32, 33]) {
      // Two whole passes: the nest wraps around and starts again.
      const r = runStreams(sim, { inputs: {}, expect: { out: 2 * want.length }, outStall: 0.4, seed });
      expect(r.outputs.out!.map((b) => codec(type).decodeBig(b)), `seed ${seed}`).toEqual([...want, ...want]);
    }
  });

  it('emits one tuple per cycle when not stalled, and one per ii cycles with ii = 3', () => {
    const want = model(loops);
    const a = nestModule('nest_ii1', loops);
    const r1 = runStreams(simulate(a.def).sim, { inputs: {}, expect: { out: want.length } });
    expect(r1.outCycles.out).toEqual(want.map((_, i) => i));
    const b = nestModule('nest_ii3', loops, { ii: 3 });
    const r3 = runStreams(simulate(b.def).sim, { inputs: {}, expect: { out: want.length } });
    expect(r3.outCycles.out).toEqual(want.map((_, i) => 3 * i));
  });

  it('runs the same loops in another order', () => {
    const { def, type } = nestModule('nest_kji', loops, { order: ['k', 'i', 'j'] });
    const want = model([loops[2]!, loops[0]!, loops[1]!]);
    const r = runStreams(simulate(def).sim, { inputs: {}, expect: { out: want.length }, outStall: 0.3, seed: 4 });
    expect(r.outputs.out!.map((b) => codec(type).decodeBig(b))).toEqual(want);
  });

  it('takes trip counts from a start stream, runs back to back, and skips runs with a zero count', () => {
    const startType = Record({ rows: uint(3), cols: uint(4) });
    const countLoops = [{ name: 'r', count: uint(3) }, { name: 'c', count: uint(4), stride: 2 }];
    const { type } = loopTupleType({ loops: countLoops });
    const def = module('nest_runs', { start: In(Stream(startType)), out: Out(Stream(type)) }, (io, m) => {
      const start = io.start;
      const f = start.fields;
      const nest = loopNest(m, { loops: [{ name: 'r', count: f.rows }, { name: 'c', count: f.cols, stride: 2 }], start });
      connect(nest.out, io.out);
    });
    const { sim } = simulate(def);
    const rng = makeRng(77);
    const runs = Array.from({ length: 12 }, (_, i) => ({ rows: i === 3 ? 0 : 1 + Math.floor(rng() * 7), cols: i === 7 ? 0 : 1 + Math.floor(rng() * 15) }));
    const want = runs.flatMap((r) => (r.rows && r.cols ? model([{ name: 'r', count: r.rows }, { name: 'c', count: r.cols, stride: 2 }]) : []));
    const tokens = runs.map((r) => BigInt((r.rows << 4) | r.cols));
    for (const [seed, inStall, outStall] of [[1, 0, 0], [2, 0.5, 0.3], [3, 0.2, 0.6]] as const) {
      const res = runStreams(sim, { inputs: { start: tokens }, expect: { out: want.length }, inStall, outStall, seed });
      expect(res.outputs.out!.map((b) => codec(type).decodeBig(b)), `seed ${seed}`).toEqual(want);
      if (seed === 1) {
        // Back to back: one tuple every cycle across runs; each empty run costs one cycle.
        const at = res.outCycles.out!;
        expect(at[at.length - 1]! - at[0]!).toBe(want.length - 1 + 2);
      }
    }
  });

  it('drives a memory through an affine address generator (a transposed read)', () => {
    const R = 4;
    const C = 6;
    const words = Array.from({ length: R * C }, (_, i) => (i * 37 + 11) % 256);
    const def = module('nest_transpose', { out: Out(Stream(uint(8))) }, (io, m) => {
      const mem = m.rom('matrix', uint(8), words);
      // Column-major walk of a row-major matrix: address = r * C + c, with c the outer loop.
      const nest = loopNest(m, { loops: [{ name: 'c', count: C }, { name: 'r', count: R }] });
      const addrs = addressStream(nest.out, { coefficients: { r: C, c: 1 }, width: mem.addrWidth });
      const data = readStream(addrs, uint(8), (a, en) => mem.read(a, en));
      connect(data, io.out);
    });
    const want: bigint[] = [];
    for (let c = 0; c < C; c++) for (let r = 0; r < R; r++) want.push(BigInt(words[r * C + c]!));
    const { sim } = simulate(def);
    const stalled = runStreams(sim, { inputs: {}, expect: { out: want.length }, outStall: 0.5, seed: 9 });
    expect(stalled.outputs.out).toEqual(want);
    const free = runStreams(sim, { inputs: {}, expect: { out: want.length } });
    expect(free.outputs.out).toEqual(want);
    expect(free.outCycles.out).toEqual(want.map((_, i) => i + 1));
    expect(portType(uint(8)).width).toBe(8);
  });

  it('rejects bad loops with a ParamError naming the field', () => {
    expect(() => loopTupleType({ loops: [{ name: 'i', count: 0 }] })).toThrow(/loops\.i\.count is 0/);
    expect(() => loopTupleType({ loops: [{ name: 'i', count: 2 }], order: ['j'] })).toThrow(/order is \["j"\]; a permutation of i/);
    expect(() => loopTupleType({ loops: [{ name: 'i', count: 2 }], ii: 0 })).toThrow(/ii is 0/);
  });
});
