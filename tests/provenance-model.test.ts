// The token model agrees with the RTL on every traced stream of the provenance designs under random
// stalls (so a divergence report can only come from a real fault), and the taps record what moved.
// prov_loop (the loop nest's model) runs in `npm run mutate` only, to keep CI builds few; prov_arb
// checks the arbiter's model, whose order comes from the RTL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { openSim } from '../testbenches/index.ts';
import { checkAgainstModel } from '../testbenches/model/index.ts';
import { driveProvenanceDesign } from '../testbenches/model/drive.ts';
import { mulberry32 } from '../generators/random.ts';
import { PROVENANCE_DESIGNS, arbiterChain } from './provenance-designs.ts';
import type { ModuleDef, PortRecord } from '../dsl/index.ts';

const DESIGNS: Record<string, ModuleDef<PortRecord>> = { ...PROVENANCE_DESIGNS, prov_arb: arbiterChain as unknown as ModuleDef<PortRecord> };

const seed = Number(process.env.HWFLOW_SEED ?? 7);

describe(`token model vs RTL (seed ${seed})`, () => {
  for (const name of ['prov_luma', 'prov_width', 'prov_mux', 'prov_arb']) {
    it(`${name}: every traced stream agrees, every element has a model`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hwflow-prov-'));
      try {
        const circuit = elaborate(DESIGNS[name]!);
        writeDesign(circuit, dir, { generator: 'test' });
        const sim = await openSim(dir, { seed, stall: { in: 0.3, out: 0.3 }, trace: true });
        try {
          await driveProvenanceDesign(sim, mulberry32(seed));
          const model = await checkAgainstModel(sim, circuit);
          expect(model.graph.order.length).toBeGreaterThan(5);
          expect(model.unmodelled.map((e) => e.element)).toEqual([]);
          const taps = await sim.taps();
          expect([...taps.keys()].sort()).toEqual(sim.manifest.taps!.map((t) => t.name).sort());
          for (const t of taps.values()) {
            expect(t.cycles.length).toBe(t.tokens.length);
            expect(t.cycles.every((c, i) => i === 0 || c > t.cycles[i - 1]!), `${t.name}: one token per cycle at most, in order`).toBe(true);
            expect(t.tokens.length, `${t.name} moved no token`).toBeGreaterThan(0);
          }
        } finally {
          await sim.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }

  it('trace: true on the Icarus back end is refused with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwflow-prov-'));
    try {
      writeDesign(elaborate(PROVENANCE_DESIGNS['prov_mux']!), dir, { generator: 'test' });
      await expect(openSim(dir, { backend: 'icarus', trace: true })).rejects.toThrow(/trace: true needs the Verilator back end/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
