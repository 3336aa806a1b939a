/**
 * ViTCoD at the real head dimension d = 64 on real DeiT-Tiny masks, in Verilator under random
 * stalls: layer 2's three heads (head 0 has the most global tokens, 70) and layer 0 head 0 (a single
 * global token), on the `deit-d64` preset (8 lines × 8 MACs, the auto-encoder's decoder, a 64-byte
 * port with 20 cycles of latency). Run once coded (layer 2's Q/K as 2 codes each, decoded on chip;
 * golden on the decoded Q/K) and once raw (the exact kernel), the port's byte counter checked.
 * The build takes minutes, so the suite runs only with HWFLOW_VITCOD_D64=1:
 * `npm run test:vitcod-d64` (it skips, saying so, under plain `npm test`).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../dsl/generator.ts';
import { groupRows, headLoads, planHeads, toHeads, vitcodAccelerator as acc, vitcodTokens } from '../generators/vitcod/index.ts';
import { vitcodHead } from '../generators/vitcod/golden.ts';
import { dataDir, readDeitMasks } from '../generators/vitcod/npy.ts';
import { vitcodPresets } from '../generators/vitcod/params.ts';
import { openAcceleratorSim, runJob } from './support/accelerator-sim.ts';
import { Rng, testSeed } from './support/rng.ts';

const seed = testSeed();
const ON = process.env.HWFLOW_VITCOD_D64 === '1';
const DATA = dataDir(path.resolve(import.meta.dirname, '..'));
if (!ON) console.warn('vitcod-d64: skipped (minutes of Verilator build); run it with `npm run test:vitcod-d64`');
else if (!DATA) console.warn('vitcod-d64: no ../shared/data (or HWFLOW_DATA) folder; skipped');

describe.skipIf(!ON || !DATA)(`vitcod RTL at d = 64 on real masks, stalls 0.2 (seed ${seed})`, () => {
  it('layer 2 (head 0: 70 global tokens) and layer 0 head 0 (1 global token): coded and raw, equal to golden, bytes counted', async () => {
    const p = vitcodPresets['deit-d64']!;
    const masks = readDeitMasks(DATA!);
    const picks = [[2, 0], [2, 1], [2, 2], [0, 0]] as const;
    expect(masks.globalCount(2, 0)).toBe(70);
    expect(masks.globalCount(0, 0)).toBe(1);
    const N = masks.N;
    const H = picks.length;
    const rng = new Rng(seed);
    const qkv = (): Tensor => ({ shape: [H, N, p.d], data: Array.from({ length: H * N * p.d }, () => BigInt(rng.int(-128, 127))) });
    const inputs: Record<string, Tensor> = {
      Q: qkv(), K: qkv(), V: qkv(),
      M: { shape: [H, N, N], data: picks.flatMap(([l, h]) => masks.keep(l, h).flat().map((k) => (k ? 1n : 0n))) },
    };
    const heads = toHeads(p, inputs);
    const plans = planHeads(p, heads, picks.map(([l, h]) => masks.globalCount(l, h)));
    const loads = headLoads(p, heads);
    expect(loads.map((l) => l.mode)).toEqual([1, 2, 2, 1]);
    // Layer 2 head 0 computes ~15 k cycles (968 pair steps × 8 chunks × 2 walks) without moving a token.
    const { sim, cleanup } = await openAcceleratorSim(acc, p, { seed, stall: 0.2, hangCycles: 100_000 });
    const bits = (tok: Record<string, unknown[]>) => Object.fromEntries(Object.entries(tok).map(([s, v]) => [s, v.map((x) => sim.codec(s).encode(x as never))]));
    try {
      // Coded: golden on the decoded Q/K (the accelerator's golden for a design with the decoder).
      const want = acc.golden(p, inputs).outputs;
      const coded = await runJob(sim, acc, p, inputs, 'out', bits(vitcodTokens(p, heads, plans, loads)));
      expect(coded.got.L!.data, `coded L, seed ${seed}`).toEqual(want.L!.data);
      expect(coded.got.O!.data, `coded O, seed ${seed}`).toEqual(want.O!.data);
      const codedBytes = await sim.peek('offchipBytes');
      expect(codedBytes).toBe(BigInt(loads.reduce((a, l) => a + groupRows(l.mode) * N * p.d, 0)));
      // Raw: Q, K, V over the port, the exact kernel.
      const raw = heads.map(() => ({ mode: 0 as const, dq: [0, 0] as [number, number], sq: 0, dk: [0, 0] as [number, number], sk: 0 }));
      const exact = heads.map((h) => vitcodHead(h, p.sigma));
      const r = await runJob(sim, acc, p, inputs, 'out', bits(vitcodTokens(p, heads, plans, raw)));
      expect(r.got.L!.data.map(Number), `raw L, seed ${seed}`).toEqual(exact.flatMap((x) => x.l));
      expect(r.got.O!.data.map(Number), `raw O, seed ${seed}`).toEqual(exact.flatMap((x) => x.o.flat()));
      expect((await sim.peek('offchipBytes')) - codedBytes).toBe(BigInt(H * 3 * N * p.d));
      console.log(`vitcod-d64 (seed ${seed}): coded ${coded.cycles} cycles, ${codedBytes} bytes; raw ${r.cycles} cycles, ${H * 3 * N * p.d} bytes`);
    } finally {
      await cleanup();
    }
  }, 2_400_000);
});
