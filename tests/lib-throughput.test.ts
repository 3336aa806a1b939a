// Throughput warnings (issue 16, point 7): a loopNest with ii 4 feeding serialize (4 pieces) with no
// buffer in between runs at ii + 4 - 1 = 7 cycles per tuple (the nest starts its gap only when
// serialize takes the tuple, after the last piece); with a buffer in front it runs at max(4, 4) = 4.
// Measured in the IR simulator (no stalls, cycles are exact), and the unbuffered design warns at the
// serialize line while every buffered one stays silent.
import { describe, expect, it } from 'vitest';
import { In, Out, Stream, connect, elaborate, forwardSlice, loopNest, module, queue, serialize, skidBuffer, uint, type ModuleDef, type PortRecord } from '../dsl/index.ts';
import type { Stream as StreamT } from '../dsl/index.ts';
import { runStreams, simulate } from './lib-support.ts';

const TUPLES = 40;
function nestIntoSerialize(name: string, ii: number, buffer: (s: StreamT) => StreamT): ModuleDef<PortRecord> {
  // Tuple: i (6 bits for 0..39), first_i, last_i = 8 bits, serialized in four 2-bit pieces.
  return module(name, { go: In(Stream(uint(1))), out: Out(Stream(uint(2))) }, (io, m) => {
    const nest = loopNest(m, { loops: [{ name: 'i', count: TUPLES }], ii, start: io.go });
    connect(serialize(buffer(nest.out), { parts: 4 }), io.out); // the serialize line
  });
}
const SERIALIZE_LINE = /lib-throughput\.test\.ts:16: serialize holds each token of '[^']+' 4 cycles with no buffer in front, and its producer \(loopNest with ii 4, at .*lib-throughput\.test\.ts:15\)/;

function cyclesPerTuple(def: ModuleDef<PortRecord>): number {
  const { sim } = simulate(def);
  const r = runStreams(sim, { inputs: { go: [1n] }, expect: { out: TUPLES * 4 }, seed: 1 });
  const firsts = r.outCycles.out!.filter((_, k) => k % 4 === 0);
  // Steady state: the spacing of the first piece of successive tuples, away from the start.
  return (firsts.at(-1)! - firsts[4]!) / (firsts.length - 1 - 4);
}

describe('throughput along a stream path', () => {
  it('serialize straight after a loopNest with ii 4: 7 cycles per tuple, and a warning at the serialize line', () => {
    const def = nestIntoSerialize('tp_unbuffered', 4, (s) => s);
    expect(cyclesPerTuple(def)).toBe(7);
    const ws = (elaborate(def).warnings ?? []).map((w) => w.message);
    expect(ws).toHaveLength(1);
    expect(ws[0]).toMatch(SERIALIZE_LINE);
    expect(ws[0]).toMatch(/the path runs at 7 cycles per token where both could do 4; put a buffer in front \(queue\(s, 1\), forwardSlice or skidBuffer\)/);
  });
  it.each([
    ['queue(s, 2)', (s: StreamT) => queue(s, 2)],
    ['queue(s, 1)', (s: StreamT) => queue(s, 1)],
    ['forwardSlice', (s: StreamT) => forwardSlice(s)],
    ['skidBuffer', (s: StreamT) => skidBuffer(s)],
  ])('with %s in front: 4 cycles per tuple and no warning', (_, buffer) => {
    const def = nestIntoSerialize(`tp_${_.replace(/\W/g, '')}`, 4, buffer);
    expect(cyclesPerTuple(def)).toBe(4);
    expect(elaborate(def).warnings).toEqual([]);
  });
  it('a nest with ii 1 loses nothing and does not warn', () => {
    const def = nestIntoSerialize('tp_ii1', 1, (s) => s);
    expect(cyclesPerTuple(def)).toBe(4);
    expect(elaborate(def).warnings).toEqual([]);
  });
});
