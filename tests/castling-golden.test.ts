/**
 * Castling-ViT golden kernel (ACCELERATORS.md §8) on hand-checked heads: the state KV and c, the
 * output scale (c << 28, κ = 10430, DW << 29), the depthwise convolution's zero padding, the causal
 * form token by token; the declared widths; the operation counts and the crossover with quadratic
 * attention; the tensor checks naming the bad tensor; the host token layout.
 */
import { describe, expect, it } from 'vitest';
import { checkInputs } from '../dsl/tensors.ts';
import { castlingCausal, castlingHead, castlingState, depthwise, linearMacs, quadraticMacs } from '../generators/castling/golden.ts';
import { castlingAccelerator as acc, castlingTokens, randomCastlingInputs, toHeads } from '../generators/castling/index.ts';
import { castlingPresets, validateCastling } from '../generators/castling/params.ts';
import { castlingWidths, signedBits } from '../generators/castling/widths.ts';
import { Rng, testSeed } from './support/rng.ts';

const seed = testSeed();
const ci = castlingPresets.ci!;

describe('castling golden kernel, by hand', () => {
  const two = { q: [[1, 1], [2, -1]], k: [[1, 2], [-1, 0]], v: [[3, 4], [5, 6]] };

  it('KV = Σ k̂ᵀv and c = Σ v on two tokens of d = 2', () => {
    // k0ᵀv0 = [[3, 4], [6, 8]], k1ᵀv1 = [[−5, −6], [0, 0]]
    expect(castlingState(two)).toEqual({ kv: [[-2n, -2n], [6n, 8n]], c: [8n, 10n] });
  });

  it('one token, d = 1: out = (v << 28) + 10430·q·k·v + (w[4]·v << 29) (only the centre tap sees a token)', () => {
    const r = castlingHead({ q: [[2]], k: [[3]], v: [[5]], w: [[1, 2, 3, 4, 5, 6, 7, 8, 9]] });
    expect(r.out).toEqual([[5n * 2n ** 28n + 10430n * 30n + 25n * 2n ** 29n]]);
    expect(r.out[0]![0]).toBe(14764262980n);
    expect(r.counts).toEqual({ macs: 2 + 9, adds: 1 });
  });

  it('the depthwise convolution pads with zeros: V = [1, 2, 3], w = 1..9 → 38, 32, 26', () => {
    // i = 0: taps 4..6 see V[0..2]: 5·1 + 6·2 + 7·3; i = 1: taps 3..5; i = 2: taps 2..4.
    expect(depthwise([[1], [2], [3]], [[1, 2, 3, 4, 5, 6, 7, 8, 9]])).toEqual([[38n], [32n], [26n]]);
  });

  it('two tokens, d = 2, bidirectional: q̂0·KV = [4, 6], q̂1·KV = [−10, −12]', () => {
    const w = [[0, 0, 0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0]]; // identity on channel 0, nothing on 1
    const r = castlingHead({ ...two, w });
    const at = (c: bigint, qkv: bigint, dw: bigint) => (c << 28n) + 10430n * qkv + (dw << 29n);
    expect(r.out).toEqual([[at(8n, 4n, 3n), at(10n, 6n, 0n)], [at(8n, -10n, 5n), at(10n, -12n, 0n)]]);
  });

  it('causal: o_0 = q̂0·S_0 = [9, 12], o_1 = q̂1·S_1 = [−10, −12] (S_1 = KV)', () => {
    const r = castlingCausal(two);
    expect(r.out).toEqual([[9n, 12n], [-10n, -12n]]);
    expect(r.counts.macs).toBe(2 * 2 * 4);
  });

  it('the last causal output equals the bidirectional q̂·KV on random heads (same state)', () => {
    const rng = new Rng(seed);
    const mat = (n: number, w: number) => Array.from({ length: n }, () => Array.from({ length: w }, () => rng.int(-128, 127)));
    const N = 7;
    const d = 5;
    const h = { q: mat(N, d), k: mat(N, d), v: mat(N, d), w: mat(d, 9) };
    const causal = castlingCausal(h).out.at(-1)!;
    const full = castlingHead({ ...h, w: h.w.map((r) => r.map(() => 0)) });
    const { c } = castlingState(h);
    expect(full.out.at(-1)!.map((x, b) => (x - (c[b]! << 28n)) / 10430n), `seed ${seed}`).toEqual(causal);
  });
});

describe('castling widths, counts and checks', () => {
  it('widths bound the extremes: every value −128 at the DeiT size fits the declared output width, under 64 bits', () => {
    const w = castlingWidths(197, 64);
    expect(w.out).toBeLessThan(64);
    expect(signedBits(127)).toBe(8);
    expect(signedBits(128)).toBe(9);
    const N = 197;
    const d = 64;
    const m = (n: number, x: number) => Array.from({ length: n }, () => new Array<number>(d).fill(x));
    const r = castlingHead({ q: m(N, -128), k: m(N, -128), v: m(N, -128), w: Array.from({ length: d }, () => new Array<number>(9).fill(-128)) });
    const lim = 1n << BigInt(w.out - 1);
    expect(r.out.flat().every((x) => x >= -lim && x < lim)).toBe(true);
    // The largest parameters (nmax 4096, d 128) still fit 64 bits, so validate accepts every preset.
    expect(castlingWidths(4096, 128).out).toBeLessThanOrEqual(64);
    expect(() => validateCastling({ nmax: 4096, d: 128, causal: 0 })).not.toThrow();
  });

  it('MACs: linear 2·N·d² + 9·N·d against quadratic 2·N²·d; the linear form wins once N > d + 4.5', () => {
    expect(linearMacs(197, 64)).toBe(2 * 197 * 64 * 64 + 9 * 197 * 64);
    expect(quadraticMacs(197, 64)).toBe(2 * 197 * 197 * 64);
    expect(linearMacs(3136, 32) / quadraticMacs(3136, 32)).toBeLessThan(0.02);
    expect(linearMacs(69, 64)).toBeLessThan(quadraticMacs(69, 64));
    expect(linearMacs(68, 64)).toBeGreaterThan(quadraticMacs(68, 64));
  });

  it('bad input names the tensor', () => {
    const t = randomCastlingInputs(ci, seed, 1, 4);
    expect(() => checkInputs(acc, ci, t)).not.toThrow();
    const { W: _w, ...noW } = t;
    expect(() => checkInputs(acc, ci, noW)).toThrow(/W/);
    expect(() => checkInputs(acc, ci, { ...t, V: { ...t.V!, data: t.V!.data.map((x, i) => (i === 3 ? 200n : x)) } })).toThrow(/V\[0, 0, 3\] = 200/);
    expect(() => checkInputs(acc, ci, { ...t, K: { shape: [1, 5, 8], data: new Array(40).fill(0n) } })).toThrow(/K/);
    expect(() => checkInputs(acc, ci, { ...t, W: { shape: [1, 8, 3], data: new Array(24).fill(0n) } })).toThrow(/W/);
    expect(() => checkInputs(acc, ci, { ...t, Q: { shape: [1, 17, 8], data: new Array(17 * 8).fill(0n) } })).toThrow(/Q/);
    const causal = { ...ci, causal: 1 };
    expect(() => checkInputs(acc, causal, noW)).not.toThrow();
  });

  it('tokens: a cfg per head, 9 tap tokens (tap s of every channel) bidirectional only, a kv and a q token per row', () => {
    const t = randomCastlingInputs(ci, seed, 2, 3);
    const tok = castlingTokens(ci, toHeads(ci, t));
    expect(tok.cfg).toEqual([{ nM1: 2, causal: 0 }, { nM1: 2, causal: 0 }]);
    expect(tok.w!.length).toBe(18);
    expect(tok.w![1]).toEqual(Array.from({ length: 8 }, (_, b) => Number(t.W!.data[b * 9 + 1]!)));
    expect(tok.kv!.length).toBe(6);
    expect(tok.q!.length).toBe(6);
    const causal = { ...ci, causal: 1 };
    expect(castlingTokens(causal, toHeads(causal, t)).w).toEqual([]);
  });
});
