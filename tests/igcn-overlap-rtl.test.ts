/**
 * I-GCN with the locator and the dispatcher in RTL (locate 'overlap', create-overlap.ts):
 * in Verilator under random stalls on every stream, on random small graphs, the output equals the
 * golden layer bit for bit and the off-chip reads are the dispatcher model's LOADs (one per node).
 * On the host, the dispatcher model's commands compute the same layer (dispatch-model.ts).
 */
import { describe, expect, it } from 'vitest';
import { igcn, igcnPlan } from '../generators/igcn/index.ts';
import { igcnPresets, type IgcnParams } from '../generators/igcn/params.ts';
import { combine } from '../generators/igcn/golden.ts';
import { dispatchModel, runDispatch } from '../generators/igcn/dispatch-model.ts';
import { Rng, testSeed } from './support/rng.ts';
import { runAggregation } from './support/gcod-run.ts';

const STALL = { in: 0.2, out: 0.2 };
const P: IgcnParams = igcnPresets['ci-overlap']!;

describe('igcn overlap: dispatcher model (host)', () => {
  it('random graphs: the model computes the golden layer, one LOAD per node, every non-zero once', () => {
    const seed = testSeed();
    console.info(`igcn dispatcher model: seed ${seed} (HWFLOW_SEED=${seed} repeats it)`);
    const rng = new Rng(seed);
    for (let t = 0; t < 30; t++) {
      const inputs = igcn.randomInputs(P, rng.int(1, 1e9));
      const plan = igcnPlan(P, inputs);
      const n = plan.a.n;
      const z = Int32Array.from(combine(inputs.x!.data.map(Number), inputs.w!.data.map(Number), n, P.features, P.hidden));
      const model = dispatchModel(plan.a, plan.islands, P.engines, P.slots);
      expect(runDispatch(model, z, n, P.hidden, P.slots), `seed ${seed}, graph ${t}`).toEqual(igcn.golden(P, inputs).outputs.y!.data);
      expect(model.loads, `seed ${seed}, graph ${t}`).toBe(n);
      expect(model.ops, `seed ${seed}, graph ${t}`).toBe(plan.a.rowPtr[n]);
    }
  });
});

describe('igcn overlap (Verilator)', () => {
  // 'serial' differs only in when dispatching starts (one more Verilator build): bench:igcn checks its Y on Cora and CiteSeer.
  it('overlap: random graphs under random stalls give the golden layer, n reads', async () => {
    const p: IgcnParams = P;
    const seed = testSeed();
    console.info(`igcn overlap RTL: seed ${seed} (HWFLOW_SEED=${seed} repeats it)`);
    const rng = new Rng(seed);
    let islands = 0;
    let hubs = 0;
    for (let t = 0; t < 4; t++) {
      const inputs = igcn.randomInputs(p, rng.int(1, 1e9));
      const want = igcn.golden(p, inputs);
      islands += want.counts.islands!;
      hubs += want.counts.hubs!;
      const got = await runAggregation(igcn, p, inputs, { seed: seed + t, stall: STALL });
      expect(got.y.data, `seed ${seed}, graph ${t}`).toEqual(want.outputs.y!.data);
      expect(got.reads, `seed ${seed}, graph ${t}`).toBe(inputs.x!.shape[0]);
    }
    // Both kinds of unit are dispatched.
    expect(islands, `seed ${seed}`).toBeGreaterThan(0);
    expect(hubs, `seed ${seed}`).toBeGreaterThan(0);
  });
});
