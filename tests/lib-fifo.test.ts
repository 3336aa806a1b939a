// FIFOs and register slices: order and count of tokens under random stalls, capacity, full-and-empty
// corner cases, and one token per cycle when nothing stalls. Driven by the IR simulator.
import { describe, expect, it } from 'vitest';
import { ParamError, backwardSlice, collectElements, fifo, forwardSlice, queue, skidBuffer, sint, uint, type Stream } from '../dsl/index.ts';
import { makeRng, randomBits, runStreams, simulate, streamElement } from './lib-support.ts';

const T = uint(12);
const tokens = (seed: number, n: number): bigint[] => {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => randomBits(rng, 12));
};

const fifoOf = (depth: number, style: 'auto' | 'registers' | 'bram' = 'auto') =>
  streamElement(`fifo_d${depth}_${style}`, T, T, (s) => queue(s, { depth, style }));

const cases: [string, number, 'auto' | 'registers' | 'bram'][] = [
  ['depth 1', 1, 'auto'], ['depth 2', 2, 'auto'], ['depth 3', 3, 'auto'], ['depth 16', 16, 'auto'],
  ['depth 1024 (block RAM)', 1024, 'auto'], ['depth 3 (block RAM)', 3, 'bram'], ['depth 5 (block RAM)', 5, 'bram'], ['depth 100 (block RAM)', 100, 'auto'],
];

describe('FIFO', () => {
  it.each(cases)('%s keeps every token in order under random stalls', (_n, depth, style) => {
    const { sim } = simulate(fifoOf(depth, style));
    for (const [seed, inStall, outStall] of [[11, 0.3, 0.3], [12, 0.7, 0.1], [13, 0.1, 0.7], [14, 0, 0.5], [15, 0.5, 0]] as const) {
      const data = tokens(seed, Math.max(200, 2 * depth + 50));
      const r = runStreams(sim, { inputs: { in: data }, expect: { out: data.length }, inStall, outStall, seed });
      expect(r.outputs.out, `seed ${seed}`).toEqual(data);
    }
  });

  it.each(cases)('%s holds exactly its depth, then drains in order', (_n, depth, style) => {
    const { sim } = simulate(fifoOf(depth, style));
    const data = tokens(7, depth + 5);
    sim.reset();
    let accepted = 0;
    sim.poke('out_ready', 0);
    for (let c = 0; c < 2 * depth + 10; c++) {
      sim.poke('in_valid', 1);
      sim.poke('in_payload', data[accepted]!);
      if (sim.peek('in_ready') === 1n) accepted++;
      sim.step();
    }
    expect(accepted).toBe(depth);
    // Full and draining at once: both sides active every cycle.
    const out: bigint[] = [];
    sim.poke('out_ready', 1);
    for (let c = 0; c < depth + 10 && out.length < depth + 5; c++) {
      sim.poke('in_valid', accepted < data.length ? 1 : 0);
      sim.poke('in_payload', data[Math.min(accepted, data.length - 1)]!);
      if (sim.peek('out_valid') === 1n) out.push(sim.peekBits('out_payload'));
      if (accepted < data.length && sim.peek('in_ready') === 1n) accepted++;
      sim.step();
    }
    expect(out).toEqual(data);
  });

  it.each(cases)('%s moves one token per cycle when nothing stalls', (_n, depth, style) => {
    const { sim, circuit } = simulate(fifoOf(depth, style));
    const data = tokens(3, 300);
    const r = runStreams(sim, { inputs: { in: data }, expect: { out: data.length } });
    const at = r.outCycles.out!;
    const latency = collectElements(circuit).find((e) => e.element === 'fifo')!.latency;
    expect(at[0]).toBe(latency);
    expect(at[at.length - 1]! - at[0]!).toBe(data.length - 1);
  });

  it('passes a token through an empty depth-1 FIFO while taking the next one (full and empty at once)', () => {
    const { sim } = simulate(fifoOf(1));
    sim.reset();
    sim.poke('out_ready', 1);
    const seen: bigint[] = [];
    for (let c = 0; c < 10; c++) {
      sim.poke('in_valid', 1);
      sim.poke('in_payload', c);
      expect(sim.peek('in_ready')).toBe(1n);
      if (sim.peek('out_valid') === 1n) seen.push(sim.peek('out_payload'));
      sim.step();
    }
    expect(seen).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
  });

  it('reports its occupancy and style', () => {
    let style = '';
    const def = streamElement('fifo_status', sint(8), sint(8), (s) => {
      const f = fifo(s, { depth: 300 });
      style = f.style;
      return f.out;
    });
    simulate(def);
    expect(style).toBe('bram');
  });

  it('rejects a bad depth with a ParamError naming the field', () => {
    expect(() => simulate(fifoOf(0))).toThrow(/FIFO depth must be an integer from 1 to \d+, got 0/);
    // The error points at the user's call of queue (inside dsl/lib frames are skipped).
    let err: unknown;
    try {
      simulate(fifoOf(0));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParamError);
    expect((err as ParamError).details).toMatchObject({ field: 'depth', value: 0 });
    expect((err as ParamError).loc?.file).toBe('tests/lib-fifo.test.ts');
    expect(() => simulate(fifoOf(1, 'bram'))).toThrow(/block RAM FIFO needs depth >= 3/);
  });
});

const slices: [string, (s: Stream<typeof T>) => Stream<typeof T>, number][] = [
  ['forward slice', (s) => forwardSlice(s), 1],
  ['backward slice', (s) => backwardSlice(s), 0],
  ['skid buffer', (s) => skidBuffer(s), 1],
  ['three slices in a row', (s) => skidBuffer(backwardSlice(forwardSlice(s))), 2],
];

describe('register slices', () => {
  it.each(slices)('%s keeps every token in order under random stalls', (name, f) => {
    const { sim } = simulate(streamElement(`slice_${name.replace(/\W+/g, '_')}`, T, T, f));
    for (const [seed, inStall, outStall] of [[21, 0.3, 0.3], [22, 0.7, 0.1], [23, 0.1, 0.7], [24, 0, 0.5]] as const) {
      const data = tokens(seed, 300);
      const r = runStreams(sim, { inputs: { in: data }, expect: { out: data.length }, inStall, outStall, seed });
      expect(r.outputs.out, `seed ${seed}`).toEqual(data);
    }
  });

  it.each(slices)('%s moves one token per cycle when nothing stalls', (name, f, latency) => {
    const { sim } = simulate(streamElement(`slice_${name.replace(/\W+/g, '_')}`, T, T, f));
    const data = tokens(5, 200);
    const r = runStreams(sim, { inputs: { in: data }, expect: { out: data.length } });
    const at = r.outCycles.out!;
    expect(at[0]).toBe(latency);
    expect(at[at.length - 1]! - at[0]!).toBe(data.length - 1);
  });
});
