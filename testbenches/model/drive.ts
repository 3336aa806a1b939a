/**
 * A generic stimulus for a traced session: random tokens on every input stream (field values drawn
 * within each leaf's range by its codec layout), random values on other input ports, then run until
 * the inputs are drained and the outputs have settled. Used by the mutation campaign and its tests,
 * where the designs differ but the question is the same: where do RTL and model first disagree?
 */
import type { Sim } from '../stream/session.ts';

/**
 * Random tokens in, drained, then `settle` more cycles for the pipelines to empty. `rng` is a
 * seeded uniform source in [0, 1) (generators/random.ts's mulberry32 in the callers).
 */
export async function driveProvenanceDesign(sim: Sim, rng: () => number, opts: { tokens?: number; settle?: number } = {}): Promise<void> {
  const bits = (w: number): bigint => {
    let v = 0n;
    for (let i = 0; i < w; i += 16) v |= BigInt(Math.floor(rng() * 65536)) << BigInt(i);
    return BigInt.asUintN(w, v);
  };
  const streamPorts = new Set(sim.layout.inStreams.flatMap((s) => [s.valid, ...s.fields.map((f) => f.port)]).concat(sim.layout.outStreams.map((s) => s.ready)));
  for (const p of sim.layout.ports)
    if (p.dir === 'in' && p.name !== sim.layout.clock && p.name !== sim.layout.reset && !streamPorts.has(p.name)) sim.poke(p.name, bits(p.width));
  const n = opts.tokens ?? 40;
  for (const s of sim.layout.inStreams) sim.send(s.name, Array.from({ length: n }, () => bits(s.width)));
  try {
    await sim.run({ drain: true, cycles: 20_000 });
  } catch {
    // A hang is a finding too: the diff names who held the tokens back.
  }
  await sim.run({ cycles: opts.settle ?? 64 });
}
