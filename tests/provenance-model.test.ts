// The token model agrees with the RTL on every traced stream of the provenance designs under random
// stalls (so a divergence report can only come from a real fault).
import { describe, expect, it } from 'vitest';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { openSim } from '../testbenches/index.ts';
import { checkAgainstModel } from '../testbenches/model/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVENANCE_DESIGNS } from './provenance-designs.ts';
import { driveProvenanceDesign } from '../testbenches/model/drive.ts';
import { mulberry32 } from '../generators/random.ts';

describe('token model vs RTL', () => {
  for (const [name, def] of Object.entries(PROVENANCE_DESIGNS)) {
    it(`${name}: every traced stream agrees`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hwflow-prov-'));
      try {
        const circuit = elaborate(def);
        writeDesign(circuit, dir, { generator: 'test' });
        const sim = await openSim(dir, { seed: 7, stall: { in: 0.3, out: 0.3 }, trace: true });
        try {
          await driveProvenanceDesign(sim, mulberry32(7));
          const model = await checkAgainstModel(sim, circuit);
          expect(model.graph.order.length).toBeGreaterThan(3);
          expect(model.unmodelled.map((e) => e.element)).toEqual([]);
        } finally {
          await sim.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
