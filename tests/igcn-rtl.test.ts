/**
 * I-GCN in Verilator against the golden layer under random stalls on every stream: random small
 * graphs on the `ci` preset (several islands, hubs, inter-hub edges and reused shared sums each),
 * and the off-chip reads the hardware counts equal the LOADs the host compiled.
 */
import { describe, expect, it } from 'vitest';
import { igcn, igcnPlan } from '../generators/igcn/index.ts';
import { igcnPresets, type IgcnParams } from '../generators/igcn/params.ts';
import { Rng, testSeed } from './support/rng.ts';
import { runAggregation } from './support/gcod-run.ts';

const STALL = { in: 0.2, out: 0.2 };

describe('igcn engine (Verilator)', () => {
  it.each([
    ['ci', {}],
    ['ci, one consumer, latency 1', { engines: 1, macs: 4, latency: 1 }],
  ] as const)('%s: random graphs give the golden layer and the compiled read count', async (_label, over) => {
    const p: IgcnParams = { ...igcnPresets.ci!, ...over };
    const seed = testSeed();
    const rng = new Rng(seed);
    let saved = 0;
    let islands = 0;
    // At least 3 graphs, more (up to 6) until one has shared sums (about 1 in 3 small random graphs does).
    for (let t = 0; t < 6 && (t < 3 || saved === 0); t++) {
      const inputs = igcn.randomInputs(p, rng.int(1, 1e9));
      const want = igcn.golden(p, inputs);
      const plan = igcnPlan(p, inputs);
      saved += plan.schedule.saved;
      const got = await runAggregation(igcn, p, inputs, { seed: seed + t, stall: STALL });
      expect(got.y.data, `seed ${seed}, graph ${t}`).toEqual(want.outputs.y!.data);
      expect(got.reads, `seed ${seed}, graph ${t}`).toBe(plan.schedule.loads);
      expect(want.outputs.y!.data.some((v) => v !== 0n)).toBe(true);
      islands += want.counts.islands!;
    }
    expect(islands, `seed ${seed}`).toBeGreaterThan(0);
    expect(saved, `seed ${seed}: the graphs exercise the shared sums (keep)`).toBeGreaterThan(0);
  });
});
