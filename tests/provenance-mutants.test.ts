// A small seeded sample of the mutation campaign (npm run mutate runs the whole one): a fault in
// one element of the RTL must make the diff name that element, its TS line, the stream and token,
// and write failure.json and failure.html.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { writeDesign } from '../dsl/output.ts';
import { buildManifest } from '../dsl/manifest.ts';
import { openSim } from '../testbenches/index.ts';
import { checkAgainstModel, ProvenanceError } from '../testbenches/model/index.ts';
import { applyMutant, enumerateMutants } from '../testbenches/model/mutants.ts';
import { driveProvenanceDesign } from '../testbenches/model/drive.ts';
import { lumaChain } from './provenance-designs.ts';
import { mulberry32 } from '../generators/random.ts';

const seed = Number(process.env.HWFLOW_SEED ?? 5);

describe('provenance of a fault (seed printed in every report)', () => {
  const circuit = elaborate(lumaChain);
  const all = enumerateMutants(buildManifest(circuit, { generator: 'test' }), circuit);
  // One of each kind of fault, in different elements: the user's map, a pipeline stage, a FIFO's ready.
  const picks = [
    all.find((x) => x.element.element === 'map' && x.op === 'operator')!,
    all.find((x) => x.element.element === 'pipeline' && x.op === 'stage')!,
    all.find((x) => x.element.element === 'fork' && x.op === 'ready')!,
  ];

  for (const mutant of picks) {
    it(`${mutant.element.element} '${mutant.element.name}', ${mutant.what}: the report names it`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hwflow-prov-mut-'));
      try {
        writeDesign(applyMutant(circuit, mutant), join(dir, 'rtl'), { generator: 'test' });
        const sim = await openSim(join(dir, 'rtl'), { seed, stall: { in: 0.3, out: 0.3 }, trace: true, hangCycles: 2000 });
        try {
          await driveProvenanceDesign(sim, mulberry32(seed), { tokens: 24 });
          const err = await checkAgainstModel(sim, circuit, { reportDir: join(dir, 'report'), waves: mutant.op === 'operator' }).then(() => undefined, (e: unknown) => e);
          expect(err, `no divergence found (seed ${seed})`).toBeInstanceOf(ProvenanceError);
          const e = err as ProvenanceError;
          expect(e.divergence.element?.name, e.message).toBe(mutant.element.name);
          expect(e.message).toMatch(/tests\/provenance-designs\.ts:\d+/);
          expect(e.message).toContain(`stream '${e.divergence.stream}'`);
          expect(e.message).toContain(`seed:      ${seed}`);
          const json = JSON.parse(readFileSync(e.files.json, 'utf8'));
          expect(json.element.name).toBe(mutant.element.name);
          expect(json.inputs.length).toBeGreaterThan(0);
          const html = readFileSync(e.files.html, 'utf8');
          expect(html).toContain('<svg');
          expect(html).toContain('fill="#d33"');
          if (mutant.op === 'operator') expect(e.message).toMatch(/waveform: .*\.vcd/);
        } finally {
          await sim.kill();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
