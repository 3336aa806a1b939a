/**
 * A small stream driver over the IR Simulator (no Verilator): feeds every input stream its tokens
 * with seeded random valid gaps, takes output tokens with seeded random ready gaps, and counts
 * cycles. Fast enough for the CI-sized ShiftAdd arrays; the Verilator harness runs the same tokens.
 */
import { Simulator } from '../../dsl/sim/simulator.ts';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { Rng } from './rng.ts';

export interface SimRun {
  outputs: Record<string, bigint[]>;
  cycles: number;
}

/** Run until every input token is taken and `expected[stream]` output tokens arrived (or `limit`). */
export function runStreams(
  circuit: Circuit,
  inputs: Record<string, bigint[]>,
  expected: Record<string, number>,
  opts: { seed: number; stall?: number; limit?: number },
): SimRun {
  const sim = new Simulator(circuit);
  const rng = new Rng(opts.seed);
  const stall = opts.stall ?? 0;
  const streams = circuit.top.streams;
  const pos: Record<string, number> = {};
  const outputs: Record<string, bigint[]> = {};
  for (const s of streams) (s.dir === 'in' ? (pos[s.name] = 0) : (outputs[s.name] = []));
  sim.reset(2);
  const limit = opts.limit ?? 200_000;
  let cycles = 0;
  const done = () =>
    streams.every((s) => (s.dir === 'in' ? pos[s.name]! >= (inputs[s.name]?.length ?? 0) : outputs[s.name]!.length >= (expected[s.name] ?? 0)));
  while (!done()) {
    if (cycles >= limit) {
      const state = streams.map((s) => (s.dir === 'in' ? `${s.name} ${pos[s.name]}/${inputs[s.name]?.length ?? 0}` : `${s.name} ${outputs[s.name]!.length}/${expected[s.name] ?? 0}`));
      throw new Error(`no completion after ${limit} cycles (seed ${opts.seed}): ${state.join(', ')}`);
    }
    const fires: (() => void)[] = [];
    for (const s of streams) {
      if (s.dir === 'in') {
        const tokens = inputs[s.name] ?? [];
        const i = pos[s.name]!;
        const valid = i < tokens.length && rng.next() >= stall;
        sim.poke(s.valid, valid ? 1 : 0);
        sim.poke(s.payload[0]!, valid ? tokens[i]! : 0n);
      } else sim.poke(s.ready, rng.next() >= stall ? 1 : 0);
    }
    for (const s of streams) {
      if (s.dir === 'in') {
        if (sim.peekBits(s.valid) === 1n && sim.peekBits(s.ready) === 1n) fires.push(() => pos[s.name]!++);
      } else if (sim.peekBits(s.valid) === 1n && sim.peekBits(s.ready) === 1n) {
        const token = sim.peekBits(s.payload[0]!);
        fires.push(() => outputs[s.name]!.push(token));
      }
    }
    sim.step();
    cycles++;
    for (const f of fires) f();
  }
  return { outputs, cycles };
}
