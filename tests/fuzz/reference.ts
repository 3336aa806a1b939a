/**
 * The IR simulator's side of the differential fuzzer: a batch's outputs, cycle by cycle, and the
 * first output of each program where another run (a Verilog simulator, or the IR after a pass)
 * differs from it.
 */
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { Simulator } from '../../dsl/sim/simulator.ts';
import type { Backend } from '../../testbenches/vectors/index.ts';
import { batchPrefix } from './build.ts';

/** What a batch is checked on: a Verilog simulator, or `passes`: the IR simulated before and after each compiler pass. */
export type Check = Backend | 'passes';

/** One output that differed: which program, where and how. */
export interface Mismatch {
  /** Index of the program in the batch. */
  program: number;
  backend: Check;
  /** With `passes`: the pass after which the outputs changed (or whose printing decisions are wrong). */
  pass?: string;
  /** First differing cycle, port (program-local name), reference value and the checked run's value (raw bits). */
  cycle: number;
  port: string;
  expected: bigint;
  actual: bigint;
  /** Set instead of values when the back end could not build or run the program at all. */
  error?: string;
}

export type Outputs = Record<string, bigint>[];

/** The IR simulator's outputs for each cycle, under the vector runner's protocol. */
export function simulate(circuit: Circuit, rows: readonly Record<string, bigint>[]): Outputs {
  const sim = new Simulator(circuit);
  const outs = circuit.top.ports.filter((p) => p.kind === 'output').map((p) => p.name);
  const result: Outputs = [];
  for (const row of rows) {
    for (const [name, v] of Object.entries(row)) if (name !== 'rst' || circuit.top.sequential) sim.poke(name, v);
    const rec: Record<string, bigint> = {};
    for (const o of outs) rec[o] = sim.peekBits(o);
    result.push(rec);
    sim.step();
  }
  return result;
}

/**
 * The IR simulator's view of a batch, one program at a time: each instance's module is simulated
 * as a circuit of its own (the same IR objects the Verilog was emitted from), which keeps the
 * simulator's per-port work proportional to one program rather than the whole batch.
 */
export function simulateBatch(circuit: Circuit, rows: readonly Record<string, bigint>[]): Outputs {
  const expected: Outputs = rows.map(() => ({}));
  circuit.top.instances.forEach((inst, k) => {
    const prefix = batchPrefix(k);
    const own = rows.map((row) => {
      const r: Record<string, bigint> = {};
      if (inst.module.sequential && row.rst !== undefined) r.rst = row.rst;
      for (const p of inst.module.ports) if (p.kind === 'input') r[p.name] = row[prefix + p.name]!;
      return r;
    });
    simulate({ top: inst.module, modules: [inst.module] }, own).forEach((rec, c) => {
      for (const [port, v] of Object.entries(rec)) expected[c]![prefix + port] = v;
    });
  });
  return expected;
}

/** Split a batch port name `p<k>_<port>` into the program index and its own port name. */
export function owner(port: string): { program: number; port: string } {
  const m = /^p(\d+)_(.*)$/.exec(port)!;
  return { program: Number(m[1]), port: m[2]! };
}

/** The first output of each program where `actual` differs from `expected`; `index` maps batch to caller program numbers. */
export function firstMismatches(expected: Outputs, actual: Outputs, check: Pick<Mismatch, 'backend' | 'pass'>, index: (k: number) => number = (k) => k): Mismatch[] {
  const first = new Map<number, Mismatch>();
  expected.forEach((exp, cycle) => {
    for (const [port, want] of Object.entries(exp)) {
      const got = actual[cycle]?.[port];
      if (got === want) continue;
      const o = owner(port);
      const k = index(o.program);
      if (!first.has(k)) first.set(k, { program: k, ...check, cycle, port: o.port, expected: want, actual: got ?? -1n });
    }
  });
  return [...first.values()];
}
