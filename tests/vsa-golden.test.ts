/**
 * The VSA golden kernels against definitions written bit by bit (plain arrays of 0/1), the bipolar
 * variant against the binary one, the word layout of the hardware, and the host checks of programs.
 */
import { describe, expect, it } from 'vitest';
import { binaryAlgebra, bind, bipolar, bundle, cleanup, hamming, permute, popcount32, runProgram, similarity, threshold, toBipolar, type Hv } from '../generators/vsa/golden.ts';
import { OP, fromWideWords, tieVector, toWideWords } from '../generators/vsa/ops.ts';
import { checkedProgram, randomHvs, randomProgram, recordProgram, toHvs, toProgram, vsaAccelerator as acc } from '../generators/vsa/index.ts';
import { vsaPresets } from '../generators/vsa/params.ts';
import { checkInputs } from '../dsl/tensors.ts';
import { Rng, testSeed } from './support/rng.ts';

const seed = testSeed();
const bits = (v: Hv): number[] => Array.from({ length: 32 * v.length }, (_, i) => (v[i >>> 5]! >>> (i & 31)) & 1);
const ci = vsaPresets.ci!;

describe(`vsa golden against bit-by-bit definitions (seed ${seed})`, () => {
  const rng = new Rng(seed);
  const D = 32 * rng.int(2, 8);
  const [a, b, c, d] = randomHvs(D, 4, seed);

  it('popcount, bind, similarity', () => {
    for (const x of [0, 1, 0xffffffff, 0x80000000, rng.int(0, 2 ** 32 - 1)]) expect(popcount32(x)).toBe(x.toString(2).split('').filter((t) => t === '1').length);
    expect(bits(bind(a!, b!))).toEqual(bits(a!).map((x, i) => x ^ bits(b!)[i]!));
    const h = bits(a!).filter((x, i) => x !== bits(b!)[i]).length;
    expect(hamming(a!, b!)).toBe(h);
    expect(similarity(a!, b!)).toBe(D - 2 * h);
    expect(similarity(a!, a!)).toBe(D);
    expect(similarity(a!, a!.map((x) => ~x >>> 0))).toBe(-D);
  });

  it('permute by r: out[i] = a[(i - r) mod D] for rotations across and within words; inverse by D - r', () => {
    for (const r of [0, 1, 31, 32, 33, D - 1, rng.int(0, D - 1)]) {
      const want = bits(a!).map((_, i) => bits(a!)[(i - r + D) % D]!);
      expect(bits(permute(a!, r)), `r = ${r}`).toEqual(want);
      expect(permute(permute(a!, r), D - r)).toEqual(a);
    }
  });

  it('bundle: majority; ties (an even count) take the tie vector, which is fixed', () => {
    const tie = tieVector(D);
    expect(tie).toEqual(tieVector(D));
    for (const vs of [[a!], [a!, b!], [a!, b!, c!], [a!, b!, c!, d!]]) {
      const want = bits(a!).map((_, i) => {
        const n = vs.filter((v) => bits(v)[i]).length;
        return 2 * n > vs.length ? 1 : 2 * n < vs.length ? 0 : bits(tie)[i]!;
      });
      expect(bits(bundle(vs, tie)), `${vs.length} vectors`).toEqual(want);
    }
  });

  it('cleanup: argmax similarity, ties to the lowest index', () => {
    const cb = [b!, a!, c!, a!];
    expect(cleanup(a!, cb)).toEqual({ index: 1, sim: D });
    const sims = [b!, c!, d!].map((x) => similarity(a!, x));
    const best = sims.indexOf(Math.max(...sims));
    expect(cleanup(a!, [b!, c!, d!])).toEqual({ index: best, sim: sims[best] });
    expect(cleanup(a!, [b!, b!]).index).toBe(0);
  });

  it('the bipolar variant: product, sum and dot agree with XOR, majority and similarity on ±1 vectors', () => {
    const tie = tieVector(D);
    expect(bipolar.bind(toBipolar(a!), toBipolar(b!))).toEqual(toBipolar(bind(a!, b!)));
    expect(bipolar.similarity(toBipolar(a!), toBipolar(b!))).toBe(similarity(a!, b!));
    expect(bipolar.permute(toBipolar(a!), 37)).toEqual(toBipolar(permute(a!, 37)));
    for (const vs of [[a!, b!, c!], [a!, b!, c!, d!]]) expect(threshold(bipolar.bundle(vs.map(toBipolar)), tie)).toEqual(bundle(vs, tie));
    const s = bipolar.bundle([a!, b!, c!].map(toBipolar));
    expect(Math.max(...s)).toBeLessThanOrEqual(3);
    expect(bipolar.cleanup(toBipolar(a!), [b!, a!].map(toBipolar))).toEqual({ index: 1, sim: D });
  });

  it('a record decodes: each role bound with the bundle of role-filler pairs cleans up to its filler', () => {
    const t = recordProgram(ci, seed);
    const res = runProgram(binaryAlgebra(ci.D), toProgram(t.P!), toHvs(t.V!), toHvs(t.CB!), ci.regs);
    const fillers = toHvs(t.V!).slice(3);
    const cb = toHvs(t.CB!);
    expect(res.results[0]!.sim, 'the rotation and its inverse').toBe(ci.D);
    res.results.slice(1).forEach((r, k) => expect(cb[r.index], `role ${k}`).toEqual(fillers[k]));
  });

  it('w-bit words: little-endian round trip for w = 8 .. 128', () => {
    for (const w of [8, 16, 32, 64, 128].filter((x) => D % x === 0)) {
      const wide = toWideWords(a!, w);
      expect(fromWideWords(wide, w)).toEqual(a);
      expect(Number(wide[0]! & 1n)).toBe(a![0]! & 1);
    }
  });
});

describe(`vsa host checks (seed ${seed})`, () => {
  const t = randomProgram(ci, seed);
  const withInstr = (x: number[]) => ({ ...t, P: { shape: [t.P!.shape[0]! + 1, 5], data: [...t.P!.data, ...x.map(BigInt)] } });
  it('accepts random programs and rejects bad ones, naming the tensor and the instruction', () => {
    expect(() => checkInputs(acc, ci, t)).not.toThrow();
    const S = t.P!.shape[0]!;
    expect(() => checkInputs(acc, ci, withInstr([7, 0, 0, 0, 0]))).toThrow(/tensor 'P'.*instruction \d+ \(CBLOAD\).*op must be 0..6/);
    expect(() => checkInputs(acc, ci, withInstr([OP.BIND, 8, 0, 1, 0]))).toThrow(new RegExp(`tensor 'P'.*instruction ${S} \\(BIND\\): dst = 8 is not a register \\(0..7\\)`));
    expect(() => checkInputs(acc, ci, withInstr([OP.PERM, 1, 1, 0, 3]))).toThrow(/dst must differ from a/);
    expect(() => checkInputs(acc, ci, withInstr([OP.PERM, 1, 2, 0, 256]))).toThrow(/imm = 256 is not a rotation 0..255/);
    expect(() => checkInputs(acc, ci, withInstr([OP.BUNDLE, 1, 6, 0, 3]))).toThrow(/imm = 3 registers from a = 6 must be 1..2/);
    expect(() => checkInputs(acc, ci, withInstr([OP.CLEANUP, 0, 1, 0, 99]))).toThrow(/imm = 99 codebook items must be 1..8/);
    expect(() => checkInputs(acc, ci, { ...t, P: { shape: [1, 5], data: [BigInt(OP.STORE), 0n, 3n, 0n, 0n] } })).toThrow(/reads register 3 before any instruction writes it/);
    expect(() => checkInputs(acc, ci, withInstr([OP.LOAD, 0, 0, 0, 0]))).toThrow(/tensor 'V'.*for the program's \d+ LOAD/);
    expect(() => checkInputs(acc, ci, { ...t, CB: { shape: [2, 4], data: new Array(8).fill(0n) } })).toThrow(/tensor 'CB'.*DW/);
    expect(checkedProgram(ci, t).length).toBe(S);
  });
});
