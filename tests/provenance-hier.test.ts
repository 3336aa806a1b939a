// Failure provenance inside child instances. (1) Library elements in a child are traced and modelled
// under hierarchical names (`u0.x_fifo_map`): the model agrees with the RTL, and a fault in a child's
// element is named with its instance path and TS line. (2) Hand-written logic (GCoD's engines): the
// lockstep replay of every instance's IR against a waveform names the engine instance, the signal and
// the TS line of a seeded fault in the engine module. The whole campaign: npm run mutate.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { buildManifest } from '../dsl/manifest.ts';
import type { Accelerator, ParamValue, Tensor } from '../dsl/generator.ts';
import { openSim } from '../testbenches/index.ts';
import { checkAgainstModel, checkLockstep, LockstepError, ProvenanceError } from '../testbenches/model/index.ts';
import { applyMutant, enumerateMutants } from '../testbenches/model/mutants.ts';
import { applyHandMutant, enumerateHandMutants } from '../testbenches/model/hand-mutants.ts';
import { driveProvenanceDesign } from '../testbenches/model/drive.ts';
import { mulberry32 } from '../generators/random.ts';
import { registry, presetParams } from '../generators/registry.ts';
import { hierChain } from './provenance-hier-designs.ts';

const seed = Number(process.env.HWFLOW_SEED ?? 5);

describe(`provenance inside child instances (seed ${seed})`, () => {
  const circuit = elaborate(hierChain);

  it('prov_hier: the children\'s streams are traced under instance paths and every one agrees with the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hwflow-prov-hier-'));
    try {
      writeDesign(circuit, dir, { generator: 'test' });
      const sim = await openSim(dir, { seed, stall: { in: 0.3, out: 0.3 }, trace: true, compile: 'quick' });
      try {
        await driveProvenanceDesign(sim, mulberry32(seed), { tokens: 24 });
        const model = await checkAgainstModel(sim, circuit);
        expect(model.unmodelled.map((e) => e.name)).toEqual([]);
        const taps = await sim.taps();
        for (const name of ['u0.x', 'u0.x_fifo_map', 'u0.twice', 'u1.x', 'u1.y']) expect(taps.get(name)?.tokens.length, name).toBe(24);
        expect(model.graph.elements.filter((e) => e.element === 'instance_in').map((e) => e.name)).toEqual(['u0', 'u1']);
      } finally {
        await sim.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a fault in the child module\'s map is named by its instance path and the child\'s TS line', async () => {
    const manifest = buildManifest(circuit, { generator: 'test' });
    const mutant = enumerateMutants(manifest, circuit, 'u0').find((x) => x.element.element === 'map' && x.op === 'operator')!;
    expect(mutant.element.name).toBe('u0.x_fifo_map');
    const dir = mkdtempSync(join(tmpdir(), 'hwflow-prov-hier-'));
    try {
      writeDesign(applyMutant(circuit, mutant), join(dir, 'rtl'), { generator: 'test' });
      const sim = await openSim(join(dir, 'rtl'), { seed, stall: { in: 0.3, out: 0.3 }, trace: true, compile: 'quick', hangCycles: 2000 });
      try {
        await driveProvenanceDesign(sim, mulberry32(seed), { tokens: 24 });
        const err = await checkAgainstModel(sim, circuit, { reportDir: join(dir, 'report'), waves: false }).then(() => undefined, (e: unknown) => e);
        expect(err, `no divergence found (seed ${seed})`).toBeInstanceOf(ProvenanceError);
        const e = err as ProvenanceError;
        expect(e.divergence.element?.name, e.message).toBe('u0.x_fifo_map');
        expect(e.divergence.stream).toBe('u0.x_fifo_map');
        expect(e.message).toMatch(/map 'u0\.x_fifo_map' made at tests\/provenance-hier-designs\.ts:\d+/);
        expect(JSON.parse(readFileSync(e.files.json, 'utf8')).element.name).toBe('u0.x_fifo_map');
      } finally {
        await sim.kill();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('gcod (ci): a fault in the engine module is located in an engine instance, at its signal and TS line', async () => {
    const acc = registry['gcod'] as unknown as Accelerator<Record<string, ParamValue>>;
    const p = presetParams(acc, 'ci').params;
    const gcod = elaborate(acc.create(p));
    const engine = gcod.modules.find((m) => m !== gcod.top && m.name.startsWith('gcod_engine_s8'))!;
    // Mux arms swapped in what drives the engine's output token: a fault every job shows.
    const mutant = enumerateHandMutants(gcod, (m) => m === engine).find((x) => x.what === 'mux arms swapped' && x.owners.includes('out_payload'))!;
    expect(mutant, 'the engine has a mux feeding out_payload').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'hwflow-prov-gcod-'));
    try {
      const w = writeDesign(applyHandMutant(gcod, mutant), join(dir, 'rtl'), { generator: 'gcod', params: p });
      const sim = await openSim(w.dir, { seed, stall: { in: 0.3, out: 0.3 }, compile: 'quick', failureWaves: false, hangCycles: 3000, waveDir: join(dir, 'waves') });
      try {
        const inputs = acc.randomInputs(p, seed);
        for (const [s, list] of Object.entries(acc.encode(p, inputs))) sim.send(s, list);
        const counts = acc.outputTokens!(p, inputs);
        await sim.run({ until: counts, cycles: 50_000 });
        const got = acc.decode(p, Object.fromEntries(Object.keys(counts).map((s) => [s, sim.received(s)])), inputs);
        const want = acc.golden(p, inputs).outputs;
        const same = (a: Tensor, b: Tensor) => a.data.every((x, i) => BigInt(x) === BigInt(b.data[i]!));
        expect(Object.keys(want).every((k) => same(got[k]!, want[k]!)), 'the mutant must fail the scoreboard').toBe(false);
        const err = await checkLockstep(sim, gcod, { reportDir: join(dir, 'report') }).then(() => undefined, (e: unknown) => e);
        expect(err, `the lockstep replay found no divergence (seed ${seed})`).toBeInstanceOf(LockstepError);
        const d = (err as LockstepError).divergence;
        expect(d.module, (err as Error).message).toBe(engine.name);
        expect(d.instance).toMatch(/^engine_cmd_\d$/);
        expect(d.instanceLoc).toMatch(/generators\/gcod\/create\.ts:\d+/);
        expect(d.loc).toMatch(/generators\/gcod\/engine\.ts:\d+/);
        expect([d.signal, ...d.otherRoots, ...d.hidden].some((s) => mutant.owners.includes(s)), (err as Error).message).toBe(true);
        expect((err as Error).message).toContain(`inside instance '${d.instance}'`);
        expect(JSON.parse(readFileSync((err as LockstepError).files.json, 'utf8')).instance).toBe(d.instance);
      } finally {
        await sim.kill();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
