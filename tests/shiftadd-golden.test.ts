// The ShiftAdd reference kernels against hand-computed values and against a second, independent
// formulation (Number arithmetic, shifts as multiplications by powers of two, Math.abs).
import { describe, expect, it } from 'vitest';
import {
  adderLayer, computeEnergyPj, idealCycles, inRange, mulLayer, opCounts, requantise, shiftLayer, type Matrix,
} from '../generators/shiftadd/golden.ts';
import { accWidth } from '../generators/shiftadd/widths.ts';
import { Rng, testSeed } from './support/rng.ts';

const mat = (rows: number, cols: number, values: number[]): Matrix => ({ rows, cols, data: values.map(BigInt) });
const nums = (m: Matrix): number[] => m.data.map(Number);

describe('shiftadd golden kernels: hand-computed values', () => {
  it('multiply: [[1,-2],[3,4]]·[[5],[6]] = [[-7],[39]]', () => {
    expect(nums(mulLayer(mat(2, 2, [1, -2, 3, 4]), mat(2, 1, [5, 6]), 8, 8))).toEqual([-7, 39]);
  });
  it('multiply: the extreme product (-128)·(-128)·64 fits the declared 22-bit accumulator', () => {
    const y = mulLayer(mat(1, 64, Array(64).fill(-128)), mat(64, 1, Array(64).fill(-128)), 8, 8);
    expect(nums(y)).toEqual([64 * 16384]);
    expect(accWidth('mul', 8, 8, 0, 64)).toBe(22);
    expect(inRange(y.data[0]!, 22, true)).toBe(true);
    expect(inRange(y.data[0]! * 2n, 22, true)).toBe(false);
  });
  it('shift with P=3: +x<<3 (e=0), -x<<1 (e=2), +x<<0 (e=3)', () => {
    // row 0: s=(0,1,0) e=(0,2,3); x = (5, 7, -3): 40 - 14 - 3 = 23
    expect(nums(shiftLayer(mat(1, 3, [0, 1, 0]), mat(1, 3, [0, 2, 3]), mat(3, 1, [5, 7, -3]), 8, 3))).toEqual([23]);
  });
  it('shift: -(-128 << 15) needs the extra bit of the declared term width', () => {
    const y = shiftLayer(mat(1, 1, [1]), mat(1, 1, [0]), mat(1, 1, [-128]), 8, 15);
    expect(nums(y)).toEqual([128 * 32768]);
    expect(inRange(y.data[0]!, accWidth('shift', 8, 0, 15, 1), true)).toBe(true);
  });
  it('adder: -(|3-1| + |-4-5|) = -11', () => {
    expect(nums(adderLayer(mat(1, 2, [1, 5]), mat(2, 1, [3, -4]), 8, 8))).toEqual([-11]);
  });
  it('adder: |127 - (-128)| = 255 at the limit', () => {
    expect(nums(adderLayer(mat(1, 1, [-128]), mat(1, 1, [127]), 8, 8))).toEqual([-255]);
  });
  it('requantise: arithmetic shift rounds toward -inf, then saturates to int8', () => {
    expect(nums(requantise(mat(1, 6, [5, -5, 1000, -1000, 255, -256]), 1))).toEqual([2, -3, 127, -128, 127, -128]);
  });
  it('operation counts, ideal cycles and energy', () => {
    expect(opCounts('mul', 2, 3, 4)).toEqual({ multiplies: 24, shifts: 0, adds: 24 });
    expect(opCounts('adder', 2, 3, 4)).toEqual({ multiplies: 0, shifts: 0, adds: 48 });
    expect(idealCycles(16, 64, 16, 8, 8)).toBe(256);
    expect(idealCycles(9, 10, 3, 8, 8)).toBe(5);
    expect(computeEnergyPj(opCounts('mul', 1, 1, 10), 8)).toBeCloseTo(2.3);
    expect(computeEnergyPj(opCounts('shift', 1, 1, 10), 8)).toBeCloseTo(0.54);
  });
  it('rejects out-of-range weights and mismatched shapes', () => {
    expect(() => mulLayer(mat(1, 1, [128]), mat(1, 1, [0]), 8, 8)).toThrow(/W\[0,0\] = 128 is outside sint\(8\)/);
    expect(() => shiftLayer(mat(1, 1, [0]), mat(1, 1, [9]), mat(1, 1, [1]), 8, 7)).toThrow(/W_exp\[0,0\] = 9 is outside 0..7/);
    expect(() => adderLayer(mat(1, 2, [0, 0]), mat(3, 1, [0, 0, 0]), 8, 8)).toThrow(/inner sizes differ/);
  });
});

describe('shiftadd golden kernels: against an independent formulation', () => {
  const seed = testSeed();
  it(`random sizes and values (seed ${seed})`, () => {
    const rng = new Rng(seed);
    for (let trial = 0; trial < 40; trial++) {
      const [M, K, N] = [rng.int(1, 9), rng.int(1, 17), rng.int(1, 5)];
      const P = rng.int(0, 7);
      const rand = (r: number, c: number, lo: number, hi: number) => Array.from({ length: r * c }, () => rng.int(lo, hi));
      const w = rand(M, K, -128, 127);
      const x = rand(K, N, -128, 127);
      const s = rand(M, K, 0, 1);
      const e = rand(M, K, 0, P);
      const ref = (term: (m: number, k: number, xv: number) => number) => {
        const out: number[] = [];
        for (let i = 0; i < M * N; i++) {
          const [m, n] = [Math.floor(i / N), i % N];
          out.push(Array.from({ length: K }, (_, k) => term(m, k, x[k * N + n]!)).reduce((a, b) => a + b, 0));
        }
        return out;
      };
      const where = `seed ${seed} trial ${trial}`;
      expect(nums(mulLayer(mat(M, K, w), mat(K, N, x), 8, 8)), where).toEqual(ref((m, k, xv) => w[m * K + k]! * xv));
      expect(nums(shiftLayer(mat(M, K, s), mat(M, K, e), mat(K, N, x), 8, P)), where).toEqual(
        ref((m, k, xv) => (s[m * K + k] ? -1 : 1) * xv * 2 ** (P - e[m * K + k]!)),
      );
      expect(nums(adderLayer(mat(M, K, w), mat(K, N, x), 8, 8)), where).toEqual(ref((m, k, xv) => -Math.abs(xv - w[m * K + k]!)));
    }
  });
});
