// A small valid/ready driver over the IR simulator for the ShiftAddLLM tests: every input stream
// sends its tokens in order (streams are served concurrently; the design takes them when it is
// ready), the output stream is read with random back-pressure, inputs stall at random.
import { Simulator } from '../dsl/index.ts';
import type { Circuit } from '../dsl/index.ts';
import type { Accelerator, Tensor } from '../dsl/generator.ts';
import type { Sim } from '../testbenches/stream/session.ts';
import { runJob } from './support/accelerator-sim.ts';
import { Rng } from './support/rng.ts';

export interface DriveResult {
  outputs: Record<string, bigint[]>;
  cycles: number;
  /** Cycle of the first and last token on the output streams. */
  lastOutputCycle: number;
}

/**
 * Drive `inputs` (tokens per stream name) into the top module and collect `expect` tokens per output
 * stream. `stall` is the probability that a source holds back or the sink refuses in a cycle.
 */
export function driveStreams(circuit: Circuit, inputs: Record<string, bigint[]>, expect: Record<string, number>, opts: { seed: number; stall: number; maxCycles: number }): DriveResult {
  const sim = new Simulator(circuit);
  const rng = new Rng(opts.seed);
  const pos: Record<string, number> = Object.fromEntries(Object.keys(inputs).map((k) => [k, 0]));
  const outputs: Record<string, bigint[]> = Object.fromEntries(Object.keys(expect).map((k) => [k, []]));
  for (const k of Object.keys(inputs)) sim.poke(`${k}_valid`, 0);
  sim.reset(2);
  let lastOutputCycle = 0;
  const done = (): boolean => Object.entries(expect).every(([k, n]) => outputs[k]!.length >= n);
  let cycle = 0;
  for (; cycle < opts.maxCycles && !done(); cycle++) {
    const offering: string[] = [];
    for (const [k, toks] of Object.entries(inputs)) {
      const i = pos[k]!;
      const go = i < toks.length && rng.next() >= opts.stall;
      sim.poke(`${k}_valid`, go ? 1 : 0);
      sim.poke(`${k}_payload`, go ? toks[i]! : 0n);
      if (go) offering.push(k);
    }
    const taking: string[] = [];
    for (const k of Object.keys(expect)) {
      const rdy = rng.next() >= opts.stall;
      sim.poke(`${k}_ready`, rdy ? 1 : 0);
      if (rdy) taking.push(k);
    }
    for (const k of offering) if (sim.peek(`${k}_ready`) === 1n) pos[k]!++;
    for (const k of taking)
      if (sim.peek(`${k}_valid`) === 1n) {
        outputs[k]!.push(sim.peekBits(`${k}_payload`));
        lastOutputCycle = cycle;
      }
    sim.step();
  }
  return { outputs, cycles: cycle, lastOutputCycle };
}

/** One problem through an open Verilator session; returns y and the cycles from first send to last y. */
export async function runOnSim<P extends Record<string, number | string>>(sim: Sim, acc: Accelerator<P>, p: P, inputs: Record<string, Tensor>): Promise<{ y: bigint[]; cycles: number }> {
  const { got, cycles } = await runJob(sim, acc, p, inputs, 'y');
  return { y: got.y!.data, cycles };
}
