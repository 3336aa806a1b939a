// NASA's mapper (no hardware): the cost model fitted from the measured table reproduces the table,
// the search finds the same optimum as a plain exhaustive search, stays within budget and keeps the
// chain constraint; bad networks and budgets are named. And the golden chain on a hand example.
import { describe, expect, it } from 'vitest';
import { loadCostTable } from '../generators/nasa/cost-table.ts';
import { chainImage } from '../generators/nasa/golden.ts';
import { allInForm, chunkLutsOf, costModel, layerCycles, mapNetwork, predictChunks, shiftAddOnly } from '../generators/nasa/mapper.ts';
import { NASA_CIFAR, TINY_CHAIN, TINY_ROUNDS, type HybridLayer } from '../generators/nasa/network.ts';
import type { OpForm } from '../generators/nasa/cost-table.ts';

const table = loadCostTable();
const model = costModel(table);

/** Every combination of chunk sides, no pruning: the reference the mapper's search must match. */
function exhaustive(net: HybridLayer[], luts: number, sides: number[]): number {
  const forms = (['mul', 'shift', 'adder'] as OpForm[]).filter((f) => net.some((l) => l.op === f));
  let best = Infinity;
  const rec = (i: number, spent: number, slow: number): void => {
    if (i === forms.length) { best = Math.min(best, slow); return; }
    for (const r of sides) for (const c of sides) {
      const cost = chunkLutsOf(model, forms[i]!, r, c);
      if (spent + cost > luts) continue;
      const cyc = net.filter((l) => l.op === forms[i]).reduce((a, l) => a + layerCycles(model, l, r, c), 0);
      rec(i + 1, spent + cost, Math.max(slow, cyc));
    }
  };
  rec(0, 0, 0);
  return best;
}

describe('nasa mapper', () => {
  it('its cycle model reproduces every measured entry of the cost table within 0.1%', () => {
    for (const e of table.entries) {
      const layer: HybridLayer = { name: e.op, op: e.form, shape: e.op, cin: e.layer.cin, cout: e.layer.cout, r: e.layer.r, hw: e.layer.hw };
      const predicted = layerCycles(model, layer, e.engine.rows, e.engine.cols);
      expect(Math.abs(predicted - e.cycles) / e.cycles, `${e.op}/${e.form}`).toBeLessThan(0.001);
    }
    expect(model.lutsPerPe.adder).toBeLessThan(model.lutsPerPe.shift);
    expect(model.lutsPerPe.shift).toBeLessThan(model.lutsPerPe.mul);
    for (const l of [model.luts.adder, model.luts.shift, model.luts.mul]) expect(l.perPe).toBeGreaterThan(0);
    expect(model.luts.adder.perPe).toBeLessThan(model.luts.shift.perPe);
    expect(model.luts.shift.perPe).toBeLessThan(model.luts.mul.perPe);
  });

  it('fits the LUT model to synthesised chunks: base plus per PE, exact on two sizes', () => {
    const entry = (form: OpForm, rows: number, cols: number, luts: number) => ({ form, rows, cols, mMax: 16, kMax: 32, nMax: 16, luts, ffs: 0, brams: 0 });
    const t = { hwflowChunkLuts: 1 as const, source: 'test', entries: [entry('mul', 4, 4, 1000), entry('mul', 4, 8, 1800), entry('shift', 2, 2, 300), entry('shift', 4, 4, 600), entry('adder', 4, 4, 500), entry('adder', 8, 8, 1700)] };
    const fit = costModel(table, t).luts;
    expect(fit.mul.perPe).toBeCloseTo(50, 9);
    expect(fit.mul.base).toBeCloseTo(200, 9);
    expect(chunkLutsOf(costModel(table, t), 'adder', 6, 6)).toBe(Math.round(fit.adder.base + 36 * fit.adder.perPe));
    expect(() => costModel(table, { ...t, entries: t.entries.slice(1) })).toThrow(/mul chunks of fewer than two sizes/);
  });

  it('finds the exhaustive optimum on the CIFAR network within the LUT budget', () => {
    const sides = [2, 4, 8, 16];
    for (const luts of [15_000, 40_000]) {
      const m = mapNetwork(NASA_CIFAR, { luts }, table, { sides });
      expect(m.luts).toBeLessThanOrEqual(luts);
      expect(m.cyclesPerImage).toBe(Math.max(...m.chunks.map((c) => c.cycles)));
      expect(m.cyclesPerImage).toBe(exhaustive(NASA_CIFAR, luts, sides));
      expect(m.chunks.flatMap((c) => c.layers).sort()).toEqual(NASA_CIFAR.map((l) => l.name).sort());
    }
  });

  it('more budget never predicts a slower pipeline; baselines are single-form', () => {
    let last = Infinity;
    for (const pes of [48, 96, 192, 384]) {
      const m = mapNetwork(NASA_CIFAR, { pes }, table);
      expect(m.pes).toBeLessThanOrEqual(pes);
      expect(m.cyclesPerImage).toBeLessThanOrEqual(last);
      last = m.cyclesPerImage;
    }
    expect(mapNetwork(allInForm(NASA_CIFAR, 'mul'), { pes: 96 }, table).chunks.map((c) => c.form)).toEqual(['mul']);
    expect(mapNetwork(shiftAddOnly(NASA_CIFAR), { pes: 96 }, table).chunks.map((c) => c.form)).toEqual(['shift', 'adder']);
  });

  it('chains chunks as the hardware does: each chunk\'s cols are the previous rows', () => {
    const m = mapNetwork(TINY_CHAIN, { pes: 96 }, table, { chain: true, sides: [2, 4, 8] });
    expect(m.chunks.map((c) => c.form)).toEqual(['mul', 'shift', 'adder']);
    for (let i = 1; i < 3; i++) expect(m.chunks[i]!.cols).toBe(m.chunks[i - 1]!.rows);
    expect(m.pes).toBeLessThanOrEqual(96);
  });

  it('closes the ring for a network of several rounds: the last chunk\'s rows are the first chunk\'s cols', () => {
    const m = mapNetwork(TINY_ROUNDS, { pes: 96 }, table, { chain: true, sides: [2, 4, 8] });
    expect(m.chunks.map((c) => [c.form, c.layers.length])).toEqual([['mul', 2], ['shift', 2], ['adder', 2]]);
    for (let i = 1; i < 3; i++) expect(m.chunks[i]!.cols).toBe(m.chunks[i - 1]!.rows);
    expect(m.chunks[2]!.rows).toBe(m.chunks[0]!.cols);
    // A chunk's cycles are the sum over its layers; predictChunks gives the same for the same sizes.
    const sizes = Object.fromEntries(m.chunks.map((c) => [c.form, { rows: c.rows, cols: c.cols }]));
    expect(predictChunks(TINY_ROUNDS, sizes, table).cycles).toBe(m.cyclesPerImage);
    expect(() => predictChunks(TINY_ROUNDS, { mul: { rows: 4, cols: 4 } }, table)).toThrow(/layer 'r0shift' is in shift form, but no shift chunk size was given/);
  });

  it('names what is wrong with a network or a budget', () => {
    expect(() => mapNetwork([{ ...TINY_CHAIN[0]!, op: 'div' as OpForm }], { pes: 64 }, table)).toThrow(/layer 0 \('l0'\): op 'div' is not one of mul, shift, adder/);
    expect(() => mapNetwork([{ ...TINY_CHAIN[0]!, cin: 0 }], { pes: 64 }, table)).toThrow(/cin = 0 must be a positive integer/);
    expect(() => mapNetwork(TINY_CHAIN, { luts: 100 }, table)).toThrow(/budget \{"luts":100\} is too small/);
    expect(() => mapNetwork(NASA_CIFAR, { pes: 96 }, table, { chain: true })).toThrow(/chain mapping needs the layers' forms to repeat one cycle/);
  });

  it('the golden chain requantises between layers (hand example)', () => {
    const m = (rows: number, cols: number, v: number[]) => ({ rows, cols, data: v.map(BigInt) });
    // X = [[100], [50]]: W0 = [[1, 1]] → 150 >> 1 = 75; shift w = +2^−0 (P = 7): 75 << 7 = 9600 >> 7 = 75; W2 = [[5]]: −|75 − 5| = −70.
    const y = chainImage({ xWidth: 8, wWidth: 8, p: 7, q0: 1, q1: 7 }, { w0: m(1, 2, [1, 1]), w1Sign: m(1, 1, [0]), w1Exp: m(1, 1, [0]), w2: m(1, 1, [5]) }, m(2, 1, [100, 50]));
    expect(y.data).toEqual([-70n]);
    // Saturation: 300 >> 0 saturates to 127 before the shift layer.
    const s = chainImage({ xWidth: 9, wWidth: 8, p: 7, q0: 0, q1: 7 }, { w0: m(1, 1, [2]), w1Sign: m(1, 1, [1]), w1Exp: m(1, 1, [0]), w2: m(1, 1, [0]) }, m(1, 1, [150]));
    expect(s.data).toEqual([-127n]);
  });
});

describe('nasa accelerator inputs', () => {
  it('names the tensor of a bad input', async () => {
    const { nasaTyped: nasa, randomNasaInputs } = await import('../generators/nasa/index.ts');
    const { nasaPresets } = await import('../generators/nasa/params.ts');
    const p = nasaPresets.ci!;
    const t = randomNasaInputs(p, 5, { B: 1, M0: 4, K0: 6, M1: 3, M2: 2, N: 5 });
    expect(() => nasa.toTokens(p, { ...t, W0: { shape: [1, 4, 7], data: new Array(28).fill(0n) } })).toThrow(/tensor 'W0' .* K0 = 7, but tensor 'X' has K0 = 6/);
    expect(() => nasa.toTokens(p, { ...t, W1_exp: { shape: [1, 3, 4], data: new Array(12).fill(8n) } })).toThrow(/tensor 'W1_exp' .* W1_exp\[0, 0, 0\] = 8/);
    expect(() => nasa.golden(p, { ...t, X: { shape: [1, 40, 5], data: new Array(200).fill(0n) } })).toThrow(/tensor 'X' .* K0 = 40 is not in 1\.\.32/);
    expect(nasa.golden(p, t).outputs.Y!.shape).toEqual([1, 2, 5]);
  });
});
