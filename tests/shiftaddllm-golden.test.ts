// The ShiftAddLLM golden kernel against the direct formula Σ_b Σ_k α·B·x, its table against the
// spec's definition, its counts against the sizes, and the quantiser's reconstruction error.
import { describe, expect, it } from 'vitest';
import {
  buildTable, llmCounts, llmIdealCycles, scaleCode, scaleValue, shiftAddLlmDirect, shiftAddLlmGolden, type LlmProblem,
} from '../generators/shiftaddllm/golden.ts';
import type { ScaleMode } from '../generators/shiftaddllm/widths.ts';
import { shiftAddLlmPresets, validateShiftAddLlm, llmSizes } from '../generators/shiftaddllm/params.ts';
import { nearestLevel, quantizeWeights, reconstruct } from '../generators/shiftaddllm/quantize.ts';
import { Rng, testSeed } from './support/rng.ts';

const seed = testSeed();

function randomProblem(rng: Rng, K: number, N: number, q: number, mode: ScaleMode, actWidth = 8): LlmProblem {
  const G = K / 8;
  const half = 2 ** (actWidth - 1);
  return {
    x: Array.from({ length: K }, () => rng.int(-half, half - 1)),
    idx: Array.from({ length: q }, () => Array.from({ length: N }, () => Array.from({ length: G }, () => rng.int(0, 255)))),
    scales: Array.from({ length: q }, () => Array.from({ length: N }, () => Array.from({ length: mode === 'block' ? G : 1 }, () => rng.int(0, 511)))),
    mode,
    actWidth,
  };
}

describe(`shiftaddllm golden (seed ${seed})`, () => {
  it('builds T[j] = Σ_t (2·bit_t(j) − 1)·x[t] for all 256 entries, bit 0 ↔ x[0]', () => {
    const rng = new Rng(seed);
    for (let trial = 0; trial < 20; trial++) {
      const x8 = Array.from({ length: 8 }, () => rng.int(-128, 127));
      const t = buildTable(x8);
      for (let j = 0; j < 256; j++) expect(t[j]).toBe(x8.reduce((a, v, s) => a + ((j >> s) & 1 ? v : -v), 0));
    }
    // The extremes: all −128 gives T[0] = 1024, which is why entries are 12 bits wide, not 11.
    expect(buildTable(new Array(8).fill(-128))[0]).toBe(1024);
    expect(buildTable([1, 0, 0, 0, 0, 0, 0, 0])[1]).toBe(1);
  });

  it.each([
    [8, 1, 2, 'block'], [16, 5, 3, 'block'], [64, 16, 3, 'block'], [24, 7, 4, 'row'], [64, 16, 2, 'row'],
  ] as const)('K=%i N=%i q=%i %s scales: equals Σ_b Σ_k α·B·x', (K, N, q, mode) => {
    const rng = new Rng(seed + K * 131 + N);
    for (let trial = 0; trial < 5; trial++) {
      const p = randomProblem(rng, K, N, q, mode);
      expect(shiftAddLlmGolden(p).y, `seed ${seed}`).toEqual(shiftAddLlmDirect(p));
    }
  });

  it('counts table builds, lookups, shifts and adds from the sizes', () => {
    const p = randomProblem(new Rng(seed), 64, 16, 3, 'block');
    const c = shiftAddLlmGolden(p).counts;
    expect(c.tableBuilds).toBe(8);
    expect(c.tableAdds).toBe(8 * 262);
    expect(c.lookups).toBe(16 * 3 * 8);
    expect(c.shifts).toBe(3 * 16 * 3 * 8);
    expect(c.adds).toBe(c.tableAdds + 3 * c.lookups);
    expect(llmCounts(16, 3, 8, 'row').scaleCodes).toBe(48);
    // K = N = 768, q = 3, 4 lanes: lanes bound (192·3·96 = 55296) beats the builder (96·258).
    expect(llmIdealCycles(768, 3, 96, 4)).toBe(55296);
    expect(llmIdealCycles(16, 3, 8, 4)).toBe(8 * 258);
  });

  it('rejects bad inputs naming the element', () => {
    const p = randomProblem(new Rng(seed), 16, 2, 2, 'block');
    p.idx[1]![0]![1] = 256;
    expect(() => shiftAddLlmGolden(p)).toThrow(/idx\[1\]\[0\]\[1\] = 256/);
    const r = randomProblem(new Rng(seed), 16, 2, 2, 'block');
    r.x[3] = 128;
    expect(() => shiftAddLlmGolden(r)).toThrow(/x\[3\] = 128/);
  });
});

describe(`shiftaddllm quantiser (seed ${seed})`, () => {
  it('rounds scales to the nearest sum of three powers of two', () => {
    expect(nearestLevel(3)).toEqual({ value: 3, code: scaleCode(0, 0, 0) });
    expect(scaleValue(nearestLevel(100).code)).toBe(nearestLevel(100).value);
    expect(nearestLevel(1000).value).toBe(384);
    expect([96, 97, 100].map((v) => nearestLevel(v).value)).toEqual([96, 97, 100]);
  });

  it.each(['block', 'row'] as const)('%s scales: error falls with more planes; reconstruction matches the reported error', (mode) => {
    const rng = new Rng(seed);
    // Gaussian-ish weights (sum of uniforms), as in an LLM layer.
    const W = Array.from({ length: 12 }, () => Array.from({ length: 64 }, () => rng.next() + rng.next() + rng.next() - 1.5));
    const errs = [1, 2, 3, 4].map((q) => {
      const qz = quantizeWeights(W, { q, mode });
      const hat = reconstruct(qz, mode);
      let e = 0;
      let nrm = 0;
      W.forEach((row, n) => row.forEach((v, k) => ((e += (v - hat[n]![k]!) ** 2), (nrm += v * v))));
      expect(Math.sqrt(e / nrm)).toBeCloseTo(qz.relError, 9);
      return qz;
    });
    for (let i = 1; i < 4; i++) expect(errs[i]!.relErrorFloat, `seed ${seed}`).toBeLessThan(errs[i - 1]!.relErrorFloat);
    // Three planes: over seeds 1..2000 the relative error is 0.113 median, 0.126 at worst with block
    // scales and 0.171 / 0.189 with per-row scales (coarser); the bounds leave room above the worst.
    expect(errs[2]!.relError, `seed ${seed}`).toBeLessThan(mode === 'block' ? 0.14 : 0.21);
  });

  it('codes an integer matrix the golden kernel then multiplies: s·y ≈ W·x', () => {
    const rng = new Rng(seed + 7);
    const W = Array.from({ length: 8 }, () => Array.from({ length: 32 }, () => rng.int(-127, 127)));
    const x = Array.from({ length: 32 }, () => rng.int(-128, 127));
    const qz = quantizeWeights(W, { q: 4, mode: 'block' });
    const y = shiftAddLlmGolden({ x, idx: qz.idx, scales: qz.scales, mode: 'block', actWidth: 8 }).y;
    const exact = W.map((row) => row.reduce((a, v, k) => a + v * x[k]!, 0));
    const hat = reconstruct(qz, 'block');
    const viaHat = hat.map((row) => row.reduce((a, v, k) => a + v * x[k]!, 0));
    y.forEach((v, n) => expect(v * qz.scaleFactor).toBeCloseTo(viaHat[n]!, 6));
    const rel = Math.hypot(...exact.map((v, n) => v - viaHat[n]!)) / Math.hypot(...exact);
    expect(rel, `seed ${seed}`).toBeLessThan(0.15);
  });
});

describe('shiftaddllm parameters', () => {
  it('derives widths from the maxima and rejects what the hardware cannot hold, naming the field', () => {
    const ci = shiftAddLlmPresets.ci!;
    expect(llmSizes(ci)).toMatchObject({ gmax: 8, chunksMax: 4, tableWidth: 12, accWidth: 25 });
    expect(() => validateShiftAddLlm({ ...ci, kmax: 60 })).toThrow(/'kmax' = 60 must be a multiple of 8/);
    expect(() => validateShiftAddLlm({ ...ci, kmax: 8192, q: 4, actWidth: 10 })).toThrow(/accumulator; y is int32/);
    for (const p of Object.values(shiftAddLlmPresets)) expect(() => validateShiftAddLlm(p)).not.toThrow();
  });
});
