/**
 * SmartExchange golden kernels: Ce codes, the power-of-two projection, the shift-and-add rebuild and
 * Y = W·X on hand-checked cases, and the decomposition (ALS) on seeded Gaussian weights: exact on a
 * block that is already Ce·B, error and storage against int8 dense on a 3×3 conv layer and an FC row.
 */
import { describe, expect, it } from 'vitest';
import {
  blockBits, ceCode, decompose, decomposeLayer, gaussianWeights, im2col3x3, int8Error, isCeValue, rebuild, reconstructionError, seMatmul, toBlock, toPow2,
} from '../generators/smartexchange/golden.ts';
import { testSeed } from './support/rng.ts';

const seed = testSeed();

describe('smartexchange golden', () => {
  it('Ce values and codes: 0, ±2^k for k in 0..5', () => {
    expect([0, 1, -1, 2, -32, 32].every(isCeValue)).toBe(true);
    expect([3, -6, 64, 0.5, -64].some(isCeValue)).toBe(false);
    expect(ceCode(-8)).toEqual({ nz: 1, sign: 1, k: 3 });
    expect(ceCode(0)).toEqual({ nz: 0, sign: 0, k: 0 });
    expect(() => ceCode(5)).toThrow(/not 0 or ±2\^k/);
    expect([toPow2(0.4, 0.5), toPow2(0.6, 0.5), toPow2(-3, 0.5), toPow2(100, 0.5), toPow2(-1.3, 1)]).toEqual([0, 1, -4, 32, -1]);
  });

  it('rebuild: three shifted basis rows added, by hand', () => {
    const B = [[1, 2, 3], [-4, 5, -6], [127, -128, 0]];
    // row 0: 2·B0 − B2 = [2-127, 4+128, 6] ; row 1: −8·B1 = [32, -40, 48]; row 2: 0
    expect(rebuild(B, [[2, 0, -1], [0, -8, 0], [0, 0, 0]])).toEqual([[-125, 132, 6], [32, -40, 48], [0, 0, 0]]);
    // The extreme: 32·(−128) three times = −12288, within int16.
    const Bm = [[-128, -128, -128], [-128, -128, -128], [-128, -128, -128]];
    expect(rebuild(Bm, [[32, 32, 32]])).toEqual([[-12288, -12288, -12288]]);
    expect(rebuild(Bm, [[-32, -32, -32]])).toEqual([[12288, 12288, 12288]]);
  });

  it('Y = W·X with W rebuilt per filter, int32, and the non-zero work counted', () => {
    const B = [[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 1, 1], [0, 0, 0], [2, 0, -1]]];
    const ce = [[[1, 0, 0], [0, 0, 4]], [[0, 0, 0], [-2, 0, 1]]];
    // filter 0: W = [1 0 0 | 0 0 4]; filter 1: W = [0 0 0 | -2+2, -2, -2-1] = [0 0 0 | 0 -2 -3]
    const X = [[1, 2], [3, 4], [5, 6], [0, 1], [1, 0], [2, 2]];
    const { Y, counts } = seMatmul(B, ce, X);
    expect(Y).toEqual([[1 + 8, 2 + 8], [-2 - 6, -6]]);
    expect(counts.denseMacs).toBe(24);
    // filter 0: both rows nonzero: nonzero X = 10 of 12; filter 1: row 1 only: X rows 3..5 nonzero = 4 of 6
    expect(counts.macs).toBe(10 + 4);
    expect(counts.shiftAdds).toBe(3 * 4);
  });

  it('im2col for a 3×3 kernel with padding 1', () => {
    const x = [1, 2, 3, 4]; // C = 1, 2×2
    const cols = im2col3x3(x, 1, 2, 2);
    expect(cols.length).toBe(9);
    expect(cols[4]).toEqual([1, 2, 3, 4]); // centre tap
    expect(cols[0]).toEqual([0, 0, 0, 1]); // dy = −1, dx = −1
    expect(toBlock([1, 2, 3, 4])).toEqual([[1, 2, 3], [4, 0, 0]]);
  });

  it('decompose: a block that is already Ce·B comes back close (ALS from the identity finds a near, not always the exact, factorisation)', () => {
    const B = [[100, -50, 20], [10, 90, -30], [-40, 25, 110]];
    const ce = [[32, 0, 0], [0, 32, 0], [0, 0, 32], [16, -8, 0], [0, 4, 2], [-32, 0, 1]];
    const W = rebuild(B, ce).map((r) => r.map((x) => x / 1000));
    const d = decompose(W, { threshold: 0.5, iterations: 20 });
    expect(reconstructionError(W, d)).toBeLessThan(0.05);
    expect(d.ce.flat().every(isCeValue)).toBe(true);
  });

  it(`decompose Gaussian weights (seed ${seed}): 3×3 conv 16→16 and an FC layer; codes valid, error bounded, fewer bytes than int8`, () => {
    const conv = gaussianWeights(seed, 16, 9 * 16);
    const L = decomposeLayer(conv, { threshold: 1, iterations: 10 });
    expect(L.blocks.every((b) => b.ce.length === 48 && b.ce.flat().every(isCeValue) && b.B.flat().every((x) => x >= -128 && x <= 127))).toBe(true);
    expect(L.blocks.every((b) => b.iterations >= 1 && b.iterations <= 10)).toBe(true);
    expect(L.denseBytes).toBe(16 * 144);
    expect(L.bytes).toBeLessThan(L.denseBytes);
    expect(L.error, `seed ${seed}`).toBeLessThan(0.6);
    expect(L.int8Error).toBeLessThan(0.02);
    const fc = gaussianWeights(seed + 1, 10, 64); // 64 → padded to 66 = 22 rows
    const F = decomposeLayer(fc);
    expect(F.blocks[0]!.ce.length).toBe(22);
    expect(F.error).toBeLessThan(0.6);
    expect(int8Error([[0, 0, 0]])).toBe(0);
    expect(blockBits([[0, 0, 0], [1, -2, 0]])).toBe(72 + 6 + 8);
  });
});
