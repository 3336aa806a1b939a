// An Accelerator's preset in one Verilator session, and one job (tensors in, tensors out) through it:
// the plumbing every accelerator's RTL test shares.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { elaborate } from '../../dsl/index.ts';
import type { Accelerator, ParamValue, Tensor } from '../../dsl/generator.ts';
import { writeDesign } from '../../dsl/output.ts';
import { afterAll, beforeAll } from 'vitest';
import { openSim, type Sim } from '../../testbenches/stream/session.ts';

/** Write the preset's design to a temporary folder and open a Verilator session on it (`hangCycles`: a longer idle limit for designs that compute long without moving a token). */
export async function openAcceleratorSim<P extends Record<string, ParamValue>>(acc: Accelerator<P>, p: P, opts: { seed: number; stall: number; hangCycles?: number }): Promise<{ sim: Sim; cleanup: () => Promise<void> }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `hwflow-${acc.name}-`));
  const circuit = elaborate(acc.create(p));
  const w = writeDesign(circuit, path.join(tmp, circuit.top.name), { generator: acc.name, params: p });
  const sim = await openSim(w.dir, { seed: opts.seed, stall: { in: opts.stall, out: opts.stall }, ...(opts.hangCycles ? { hangCycles: opts.hangCycles } : {}) });
  return {
    sim,
    cleanup: async () => {
      await sim.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * A session for the tests of the enclosing `describe`: opened in its `beforeAll` (Verilator builds
 * there, with `timeout` ms to do it), closed in its `afterAll`. Returns a stand-in that forwards to the
 * open session, so the tests use it as the `Sim` itself.
 */
export function acceleratorSession<P extends Record<string, ParamValue>>(acc: Accelerator<P>, p: P, opts: { seed: number; stall: number; hangCycles?: number }, timeout = 240_000): Sim {
  let open: { sim: Sim; cleanup: () => Promise<void> } | undefined;
  beforeAll(async () => {
    open = await openAcceleratorSim(acc, p, opts);
  }, timeout);
  afterAll(async () => open?.cleanup());
  return new Proxy({} as Sim, {
    get: (_, key) => {
      if (!open) throw new Error(`${acc.name}: the session opens in beforeAll; use it inside a test`);
      const v: unknown = Reflect.get(open.sim, key, open.sim);
      return typeof v === 'function' ? v.bind(open.sim) : v;
    },
  });
}

/**
 * One job through an open session: send its tokens (`tokens`, default the encoded inputs), run until
 * the output stream `out` has every token the job makes, decode them. `cycles` counts from the first
 * send to the job's last output token.
 */
export async function runJob<P extends Record<string, ParamValue>>(
  sim: Sim, acc: Accelerator<P>, p: P, inputs: Record<string, Tensor>, out: string, tokens: Record<string, bigint[]> = acc.encode(p, inputs),
): Promise<{ got: Record<string, Tensor>; cycles: number }> {
  const expected = acc.outputTokens!(p, inputs)[out]!;
  const before = sim.received(out).length;
  const start = sim.cycle;
  for (const [s, list] of Object.entries(tokens)) sim.send(s, list);
  await sim.run({ until: { [out]: before + expected } });
  const got = acc.decode(p, { [out]: sim.received(out).slice(before) }, inputs);
  return { got, cycles: sim.cycles(out).at(-1)! - start + 1 };
}
