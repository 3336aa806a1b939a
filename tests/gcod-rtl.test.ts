/**
 * GCoD and its baseline in Verilator against the golden layer: small random graphs (CI preset) and
 * Cora with 64 seeded sparse binary features, hidden 16, all under random stalls on every stream.
 * Both variants must give the golden integers, and the off-chip reads the hardware counts must
 * equal the golden buffer model's.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../dsl/generator.ts';
import { readCites } from '../generators/gcod/graph.ts';
import { gcod } from '../generators/gcod/index.ts';
import { gcodPresets, type GcodParams } from '../generators/gcod/params.ts';
import { Rng, testSeed } from './support/rng.ts';
import { runGcod } from './support/gcod-run.ts';

// The workloads live outside the repo (../shared/data); HWFLOW_DATA points elsewhere.
const DATA = process.env.HWFLOW_DATA ?? resolve(import.meta.dirname, '../../shared/data');
const haveCora = existsSync(join(DATA, 'cora/cora.cites'));
if (!haveCora) console.warn(`gcod-rtl: ${DATA}/cora/cora.cites is missing; the Cora test is skipped`);

const STALL = { in: 0.2, out: 0.2 };

function expectedReads(p: GcodParams, counts: Record<string, number>): number {
  return p.variant === 'baseline' ? counts.baselineReads! : counts.gcodReads!;
}

describe('gcod engine (Verilator)', () => {
  it.each(['ci', 'ci-baseline', 'ci-resident'])('%s: random graphs give the golden layer and read counts', async (preset) => {
    const p = gcodPresets[preset]!;
    const seed = testSeed();
    const rng = new Rng(seed);
    for (let t = 0; t < 3; t++) {
      const inputs = gcod.randomInputs(p, rng.int(1, 1e9));
      const want = gcod.golden(p, inputs);
      const got = await runGcod(p, inputs, { seed: seed + t, stall: STALL });
      expect(got.y.data, `seed ${seed}, graph ${t}`).toEqual(want.outputs.y!.data);
      expect(got.reads, `seed ${seed}, graph ${t}`).toBe(expectedReads(p, want.counts));
      expect(want.outputs.y!.data.some((v) => v !== 0n)).toBe(true);
    }
  });

  it('int8 features take the multiplier path and still give the golden layer', async () => {
    const p: GcodParams = { ...gcodPresets.ci!, binaryFeatures: false };
    const seed = testSeed();
    const inputs = gcod.randomInputs(p, seed);
    expect(inputs.x!.data.some((v) => v < 0n || v > 1n)).toBe(true);
    const want = gcod.golden(p, inputs);
    const got = await runGcod(p, inputs, { seed, stall: STALL });
    expect(got.y.data, `seed ${seed}`).toEqual(want.outputs.y!.data);
    expect(got.reads, `seed ${seed}`).toBe(want.counts.gcodReads);
  });

  it('the other memory forms give the golden layer: asynchronous block buffers, a block-RAM ring, one-group MACs, latency 1', async () => {
    // ci's block buffers (8 rows) are block RAM and its sparser ring (4) is not; here the reverse
    // (SYNC_MIN_DEPTH in engine.ts), and a sparser branch that emits every cycle, so the merge's
    // same-row hazard stall and the engines' output stall are exercised.
    const p: GcodParams = { ...gcodPresets.ci!, blockRows: 4, sparseSlots: 8, sparseMacs: 4, latency: 1 };
    const seed = testSeed();
    const rng = new Rng(seed);
    for (let t = 0; t < 3; t++) {
      const inputs = gcod.randomInputs(p, rng.int(1, 1e9));
      const want = gcod.golden(p, inputs);
      const got = await runGcod(p, inputs, { seed: seed + t, stall: STALL });
      expect(got.y.data, `seed ${seed}, graph ${t}`).toEqual(want.outputs.y!.data);
      expect(got.reads, `seed ${seed}, graph ${t}`).toBe(want.counts.gcodReads);
    }
  });

  it('rejects parameters that do not fit, naming the field', () => {
    expect(() => gcod.validate!({ ...gcodPresets.ci!, macs: 3 })).toThrow("parameter 'macs' = 3 must divide hidden (4)");
    const inputs = gcod.randomInputs(gcodPresets.ci!, 1);
    expect(() => gcod.encode({ ...gcodPresets.ci!, features: 8 }, inputs)).toThrow(/^tensor 'x' takes \[nodes 1\.\.64, features = 8\] of uint\(1\) \(0\.\.1\); got shape \[\d+, 16\]: features = 16 is not 8$/);
  });

  it.skipIf(!haveCora)('Cora, 64 binary features, hidden 16: GCoD and the baseline give the same golden integers', async () => {
    const seed = testSeed();
    const rng = new Rng(seed);
    const g = readCites(join(DATA, 'cora/cora.cites'));
    const f = 64;
    const edges: Tensor = { shape: [g.edges.length, 2], data: g.edges.flat().map(BigInt) };
    const x: Tensor = { shape: [g.n, f], data: Array.from({ length: g.n * f }, () => (rng.next() < 0.05 ? 1n : 0n)) };
    const w: Tensor = { shape: [f, 16], data: Array.from({ length: f * 16 }, () => BigInt(rng.int(-128, 127))) };
    const inputs = { edges, x, w };
    const results: Record<string, number> = {};
    for (const preset of ['cora64', 'cora64-baseline']) {
      const p = gcodPresets[preset]!;
      const want = gcod.golden(p, inputs);
      const got = await runGcod(p, inputs, { seed, stall: STALL });
      expect(got.y.data, `seed ${seed}, ${preset}`).toEqual(want.outputs.y!.data);
      expect(got.reads, `seed ${seed}, ${preset}`).toBe(expectedReads(p, want.counts));
      results[preset] = got.cycles;
      console.log(`${preset}: ${got.cycles} cycles (stalls ${STALL.in}/${STALL.out}), ${got.reads} off-chip Z reads, ideal ${want.idealCycles}`);
    }
  });
});
