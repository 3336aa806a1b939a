/**
 * The Castling-ViT engine's RTL in Verilator against the golden kernel: random int8 heads at the CI
 * preset, ragged N, bidirectional and causal heads back to back on the same hardware, the extremes
 * (every value −128, N = 1), runs of both modes queued at once, under seeded random stalls on every
 * stream; then, without stalls, the cycles against the run model (`runCycles`: phase one of a head
 * overlapping phase two of the one before; causal d per token) and the bound (`runBound`).
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../dsl/generator.ts';
import { castlingAccelerator as acc, randomCastlingInputs } from '../generators/castling/index.ts';
import { castlingPresets, runBound, runCycles, type CastlingParams } from '../generators/castling/params.ts';
import { acceleratorSession, openAcceleratorSim, runJob } from './support/accelerator-sim.ts';
import { Rng, testSeed } from './support/rng.ts';
import type { Sim } from '../testbenches/stream/session.ts';

const seed = testSeed();
const ci = castlingPresets.ci!;
const ciCausal = { ...ci, causal: 1 };

/** Run the heads of `inputs` (mode from `p`) through an open session. */
const run = (sim: Sim, p: CastlingParams, inputs: Record<string, Tensor>) => runJob(sim, acc, p, inputs, 'out');

/** Queue several runs (each with its own mode) at once, then collect them in order. */
async function runQueued(sim: Sim, runs: { p: CastlingParams; inputs: Record<string, Tensor> }[]) {
  const before = sim.received('out').length;
  const start = sim.cycle;
  let total = 0;
  for (const r of runs) {
    for (const [s, list] of Object.entries(acc.encode(r.p, r.inputs))) sim.send(s, list);
    total += acc.outputTokens!(r.p, r.inputs).out!;
  }
  await sim.run({ until: { out: before + total } });
  const toks = sim.received('out').slice(before);
  let at = 0;
  for (const [n, r] of runs.entries()) {
    const count = acc.outputTokens!(r.p, r.inputs).out!;
    check(acc.decode(r.p, { out: toks.slice(at, at + count) }, r.inputs), r.inputs, r.p, `queued run ${n} (causal ${r.p.causal})`);
    at += count;
  }
  return sim.cycles('out').at(-1)! - start + 1;
}

const shape = (runs: { p: CastlingParams; inputs: Record<string, Tensor> }[]) =>
  runs.flatMap((r) => Array.from({ length: r.inputs.Q!.shape[0]! }, () => ({ N: r.inputs.Q!.shape[1]!, causal: r.p.causal === 1 })));

function check(got: Record<string, Tensor>, inputs: Record<string, Tensor>, p: CastlingParams, what: string): void {
  expect(got.O!.data, `${what}: O, seed ${seed}`).toEqual(acc.golden(p, inputs).outputs.O!.data);
}

const full = (shape: number[], v: bigint): Tensor => ({ shape, data: new Array<bigint>(shape.reduce((a, b) => a * b, 1)).fill(v) });

describe(`castling RTL, CI preset under random stalls 0.3 (seed ${seed})`, () => {
  const sim = acceleratorSession(acc, ci, { seed, stall: 0.3 });

  it('random heads: 2 of N = 16, then ragged N, bidirectional and causal back to back', async () => {
    const rng = new Rng(seed);
    const a = randomCastlingInputs(ci, seed, 2, 16);
    check((await run(sim, ci, a)).got, a, ci, 'N = 16');
    for (const N of [1, 5, 16, 9, 4]) {
      const p = rng.next() < 0.5 ? ci : ciCausal;
      const t = randomCastlingInputs(p, seed + N, rng.int(1, 2), N);
      check((await run(sim, p, t)).got, t, p, `N = ${N}, causal ${p.causal}`);
    }
    const c = randomCastlingInputs(ciCausal, seed + 99, 2, 16);
    check((await run(sim, ciCausal, c)).got, c, ciCausal, 'causal N = 16');
  });

  it('runs of both modes queued at once: 2 heads, causal, 1 head (ragged), causal', async () => {
    await runQueued(sim, [
      { p: ci, inputs: randomCastlingInputs(ci, seed + 1, 2, 16) },
      { p: ciCausal, inputs: randomCastlingInputs(ciCausal, seed + 2, 1, 7) },
      { p: ci, inputs: randomCastlingInputs(ci, seed + 3, 1, 11) },
      { p: ciCausal, inputs: randomCastlingInputs(ciCausal, seed + 4, 2, 3) },
    ]);
  });

  it('extremes: every value −128 at N = 16 (the largest state and outputs), both modes; one token', async () => {
    const t = { Q: full([1, 16, 8], -128n), K: full([1, 16, 8], -128n), V: full([1, 16, 8], -128n), W: full([1, 8, 9], -128n) };
    check((await run(sim, ci, t)).got, t, ci, 'all −128');
    const { W: _w, ...qkv } = t;
    check((await run(sim, ciCausal, qkv)).got, qkv, ciCausal, 'causal all −128');
    const one = { Q: full([1, 1, 8], 127n), K: full([1, 1, 8], -128n), V: full([1, 1, 8], 127n), W: full([1, 8, 9], 127n) };
    check((await run(sim, ci, one)).got, one, ci, 'one token');
  });
});

describe(`castling RTL cycles without stalls (seed ${seed})`, () => {
  it('cycles = the run model (runCycles) exactly; ≤ 1.10× the bound (runBound)', async () => {
    const { sim, cleanup } = await openAcceleratorSim(acc, ci, { seed, stall: 0 });
    try {
      const cases = [
        [{ p: ci, inputs: randomCastlingInputs(ci, seed, 3, 16) }],
        [{ p: ciCausal, inputs: randomCastlingInputs(ciCausal, seed, 2, 16) }],
        [
          { p: ci, inputs: randomCastlingInputs(ci, seed + 5, 2, 16) },
          { p: ciCausal, inputs: randomCastlingInputs(ciCausal, seed + 6, 1, 9) },
          { p: ci, inputs: randomCastlingInputs(ci, seed + 7, 2, 13) },
        ],
      ];
      for (const runs of cases) {
        const cycles = await runQueued(sim, runs);
        const model = runCycles(ci, shape(runs));
        expect(cycles, `cycles ${cycles}, model ${model}`).toBe(model);
        expect(cycles / runBound(ci, shape(runs))).toBeLessThanOrEqual(1.1);
      }
    } finally {
      await cleanup();
    }
  }, 240_000);
});
