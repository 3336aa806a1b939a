/**
 * The RTL island dispatcher (generators/igcn/dispatch.ts) alone in Verilator, under random stalls on
 * its input streams and on every consumer's command stream: fed the host locator's hubs and islands
 * for random graphs back to back, each consumer's LOADs and its ops are exactly the model's
 * (dispatch-model.ts) given the consumer each unit went to (read off the LOADs: the hardware chooses
 * by outstanding work, which depends on the stalls); a unit's ops follow all its LOADs; and the
 * command streams as the hardware interleaved them compute the golden layer (ring slots never
 * overwritten while read).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDesign } from '../dsl/output.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { igcn, igcnPlan, overlapCsrTokens } from '../generators/igcn/index.ts';
import { igcnPresets, type IgcnParams } from '../generators/igcn/params.ts';
import { combine } from '../generators/igcn/golden.ts';
import { igcnCommandWidths } from '../generators/igcn/create.ts';
import { dispatchParams } from '../generators/igcn/create-overlap.ts';
import { createDispatcher } from '../generators/igcn/dispatch.ts';
import { D_LOAD, dispatchModel, runDispatch, type DispatchCommand } from '../generators/igcn/dispatch-model.ts';
import { LOC_END, LOC_HUB, LOC_LAST, LOC_NODE } from '../generators/igcn/locator-hw.ts';
import type { Islands } from '../generators/igcn/locator.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { Rng, testSeed } from './support/rng.ts';

const P: IgcnParams = igcnPresets['ci-overlap']!;
const OP_END = 3;
const GRAPHS = 12;

/** The locator's token stream for a result: hubs and islands in unit order, then END. */
function islandTokens(isl: Islands): { kind: number; id: number }[] {
  const toks: { kind: number; id: number }[] = [];
  for (const code of isl.units) {
    if (code < 0) toks.push({ kind: LOC_HUB, id: -code - 1 });
    else isl.islands[code]!.forEach((v, i, all) => toks.push({ kind: i + 1 === all.length ? LOC_LAST : LOC_NODE, id: v }));
  }
  toks.push({ kind: LOC_END, id: 0 });
  return toks;
}

const strip = (c: DispatchCommand): DispatchCommand => ({ op: c.op, a: c.a, slot: c.slot, r: c.r, v: c.v });

describe('igcn dispatcher alone (Verilator)', () => {
  it('random graphs under random stalls: per consumer the model\'s LOADs and ops, golden layer from the interleaved streams', async () => {
    const seed = testSeed();
    console.info(`igcn dispatcher RTL: seed ${seed} (HWFLOW_SEED=${seed} repeats it)`);
    const rng = new Rng(seed);
    const cases = Array.from({ length: GRAPHS }, () => {
      const inputs = igcn.randomInputs(P, rng.int(1, 1e9));
      return { inputs, plan: igcnPlan(P, inputs) };
    });
    const dir = mkdtempSync(join(tmpdir(), 'igcn-dispatch-'));
    try {
      const dp = dispatchParams(P);
      const design = writeDesign(elaborate(createDispatcher(dp, igcnCommandWidths(P))), join(dir, 'design'), { generator: 'igcn-dispatch', params: { ...dp } });
      const sim = await openSim({ dir: design.dir, manifest: design.manifest }, { seed, stall: { in: 0.3, out: 0.75 }, failureWaves: false, record: false, hangCycles: 20_000 });
      try {
        sim.poke('start', 1);
        const pos = Array.from({ length: P.engines }, () => 0);
        let hubUnits = 0;
        let spread = 0;
        for (const [g, { inputs, plan }] of cases.entries()) {
          const at = `seed ${seed}, graph ${g}`;
          // One graph at a time (the next graph's LOADs could pass this one's END in a command stream).
          sim.send('csr', overlapCsrTokens(P, plan));
          sim.send('islands', islandTokens(plan.islands));
          await sim.run({ drain: true, cycles: 200_000 });
          // Its END has been taken; let the command FIFOs drain.
          await sim.run({ cycles: 1000 });
          const mine = Array.from({ length: P.engines }, (_, e) => {
            const all = (sim.receivedFields(`cmd_${e}`) as Record<string, number>[]).map((t) => ({ op: Number(t.op), a: Number(t.a), slot: Number(t.slot), r: Number(t.r), v: Number(t.v) }));
            const list = all.slice(pos[e]!);
            pos[e] = all.length;
            expect(list.at(-1)?.op, `${at}: consumer ${e} ends with END`).toBe(OP_END);
            return list.slice(0, -1);
          });
          const consumerOf = new Map<number, number>();
          mine.forEach((list, e) => list.filter((c) => c.op === D_LOAD).forEach((c) => consumerOf.set(c.v, e)));
          const isl = plan.islands;
          const assign = isl.units.map((code) => consumerOf.get(code < 0 ? -code - 1 : isl.islands[code]![0]!) ?? -1);
          const model = dispatchModel(plan.a, isl, P.engines, P.slots, assign);
          for (let e = 0; e < P.engines; e++) {
            const units = model.units.filter((u) => u.consumer === e);
            expect(mine[e]!.filter((c) => c.op === D_LOAD), `${at}: consumer ${e} LOADs`).toEqual(units.flatMap((u) => u.loads.map(strip)));
            expect(mine[e]!.filter((c) => c.op !== D_LOAD), `${at}: consumer ${e} ops`).toEqual(units.flatMap((u) => u.ops.map(strip)));
            // A unit's ops only after all its LOADs.
            let loadsSeen = 0;
            let opsSeen = 0;
            let need = 0;
            let unit = 0;
            for (const c of mine[e]!) {
              if (c.op === D_LOAD) loadsSeen++;
              else {
                while (opsSeen >= need) need += units[unit++]!.ops.length;
                const loadsNeeded = units.slice(0, unit).reduce((k, u) => k + u.loads.length, 0);
                expect(loadsSeen, `${at}: consumer ${e}, an op of unit ${unit - 1} before its LOADs`).toBeGreaterThanOrEqual(loadsNeeded);
                opsSeen++;
              }
            }
          }
          const n = plan.a.n;
          const z = Int32Array.from(combine(inputs.x!.data.map(Number), inputs.w!.data.map(Number), n, P.features, P.hidden));
          expect(runDispatch({ ...model, commands: mine }, z, n, P.hidden, P.slots), `${at}: the streams as interleaved`).toEqual(igcn.golden(P, inputs).outputs.y!.data);
          hubUnits += isl.hubs.length;
          spread += new Set(assign).size > 1 ? 1 : 0;
        }
        // The graphs exercise hubs, islands and units spread over the consumers.
        expect(hubUnits, `seed ${seed}`).toBeGreaterThan(0);
        expect(spread, `seed ${seed}`).toBeGreaterThan(GRAPHS / 2);
      } finally {
        await sim.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
