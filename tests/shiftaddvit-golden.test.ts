/**
 * ShiftAddViT golden kernels (ACCELERATORS.md §11) on hand-checked cases: the binary-code state KV and
 * cnt, O = Q·(Kᵀ·V) and L = Q·(Kᵀ·1) against the plain 0/1 matrix products, the adds, the widths at
 * the extremes; the routed MLP's two experts; the tensor checks naming the bad tensor; the tokens.
 */
import { describe, expect, it } from 'vitest';
import { checkInputs } from '../dsl/tensors.ts';
import { attentionAdds, codeAttention, codeState, quadraticMacs, routedMlp } from '../generators/shiftaddvit/golden.ts';
import { shiftAddVitAccelerator as acc, attentionTokens, mlpTokens, randomAttentionInputs, randomMlpInputs, toHeads, toMlpJob } from '../generators/shiftaddvit/index.ts';
import { shiftAddVitPresets, validateShiftAddVit } from '../generators/shiftaddvit/params.ts';
import { attentionWidths } from '../generators/shiftaddvit/widths.ts';
import { Rng, testSeed } from './support/rng.ts';

const seed = testSeed();
const ci = shiftAddVitPresets.ci!;

describe('shiftaddvit attention golden, by hand', () => {
  // b = 2: key 0 has code 0b01, key 1 0b11, key 2 0b10.
  const h = { qc: [0b01, 0b10, 0b11, 0], kc: [0b01, 0b11, 0b10, 0], v: [[1, -2], [3, 4], [5, 6], [7, 8]] };

  it('KV[m] sums the V rows of the keys with bit m; cnt[m] counts them', () => {
    expect(codeState(h, 2)).toEqual({ kv: [[4, 2], [8, 10]], cnt: [2, 2] });
  });

  it('each query sums the rows its code selects: O and L; a query with no bit gets zeros', () => {
    const r = codeAttention(h, 2);
    expect(r.o).toEqual([[4, 2], [8, 10], [12, 12], [0, 0]]);
    expect(r.l).toEqual([2, 2, 4, 0]);
    // adds: 4 keys · b(d + 1) + 4 queries · (b − 1)(d + 1); useful: popcounts (1+2+1+0 keys, 1+1+2+0 queries)·(d + 1)
    expect(r.counts).toEqual({ adds: 4 * 2 * 3 + 4 * 1 * 3, usefulAdds: (4 + 4) * 3 });
  });

  it('equals Q·(Kᵀ·V) and Q·(Kᵀ·1) with Q, K the 0/1 code matrices, on random heads', () => {
    const rng = new Rng(seed);
    const b = 16;
    const N = 9;
    const d = 5;
    const codes = Array.from({ length: 2 * N }, () => rng.int(0, 2 ** b - 1));
    const head = { qc: codes.slice(0, N), kc: codes.slice(N), v: Array.from({ length: N }, () => Array.from({ length: d }, () => rng.int(-128, 127))) };
    const bitOf = (c: number, m: number) => (c >> m) & 1;
    // Quadratic form: score s_ik = popcount(q_i & k_k) = Σ_m q_im·k_km, O_i = Σ_k s_ik·v_k.
    const score = (i: number, k: number) => Array.from({ length: b }, (_, m) => bitOf(head.qc[i]!, m) * bitOf(head.kc[k]!, m)).reduce((a, x) => a + x, 0);
    const o = head.qc.map((_, i) => Array.from({ length: d }, (_, j) => head.kc.reduce((a, _k, k) => a + score(i, k) * head.v[k]![j]!, 0)));
    const l = head.qc.map((_, i) => head.kc.reduce((a, _k, k) => a + score(i, k), 0));
    const r = codeAttention(head, b);
    expect(r.o, `seed ${seed}`).toEqual(o);
    expect(r.l, `seed ${seed}`).toEqual(l);
  });

  it('widths hold the extremes: every bit set, V = −128, at N = 3136 and b = 16', () => {
    const w = attentionWidths(3136, 16);
    const N = 3136;
    const r = codeAttention({ qc: [0xffff], kc: new Array<number>(N).fill(0xffff), v: Array.from({ length: N }, () => [-128]) }, 16);
    expect(r.o[0]![0]).toBe(-128 * N * 16);
    expect(r.o[0]![0]).toBeGreaterThanOrEqual(-(2 ** (w.o - 1)));
    expect(r.l[0]).toBe(N * 16);
    expect(r.l[0]).toBeLessThan(2 ** w.l);
    expect(w.kv).toBe(20); // 128·3136 = 401408 < 2^19
  });

  it('adds against quadratic MACs: linear in N; fewer once N is past ~ (b(d+1) + (b−1)(d+1)) / 2d', () => {
    expect(attentionAdds(197, 64, 16)).toBe(197 * 16 * 65 + 197 * 15 * 65);
    expect(attentionAdds(197, 32, 16) / quadraticMacs(197, 32)).toBeLessThan(0.1);
    expect(attentionAdds(15, 32, 16)).toBeGreaterThan(quadraticMacs(15, 32));
    expect(attentionAdds(17, 32, 16)).toBeLessThan(quadraticMacs(17, 32));
  });
});

describe('shiftaddvit routed MLP golden, by hand', () => {
  it('route 0: multiply expert Σ W·x; route 1: shift expert Σ ±(x << (P − e))', () => {
    const job = { x: [[1, -2], [3, 4]], route: [0, 1], wm: [[2, 3]], sign: [[0, 1]], exp: [[7, 5]] };
    const r = routedMlp(job, 7);
    // token 0: 2·1 + 3·(−2) = −4; token 1: (3 << 0) − (4 << 2) = −13
    expect(r.y).toEqual([[-4n], [-13n]]);
    expect(r.counts).toEqual({ macs: 2, shifts: 2 });
  });
});

describe('shiftaddvit checks and tokens', () => {
  it('bad input names the tensor', () => {
    const t = randomAttentionInputs(ci, seed, 1, 4);
    expect(() => checkInputs(acc, ci, t)).not.toThrow();
    expect(() => checkInputs(acc, ci, { ...t, Qc: { ...t.Qc!, data: t.Qc!.data.map((x, i) => (i === 2 ? 1n << 16n : x)) } })).toThrow(/Qc\[0, 2\] = 65536/);
    expect(() => checkInputs(acc, ci, { ...t, V: { ...t.V!, data: t.V!.data.map((x, i) => (i === 0 ? -129n : x)) } })).toThrow(/V\[0, 0, 0\] = -129/);
    expect(() => checkInputs(acc, ci, { ...t, Kc: { shape: [1, 5], data: new Array(5).fill(0n) } })).toThrow(/Kc/);
    expect(() => checkInputs(acc, ci, { ...t, V: { shape: [1, 4, 7], data: new Array(28).fill(0n) } })).toThrow(/V/);
    const { Kc: _k, ...noK } = t;
    expect(() => checkInputs(acc, ci, noK)).toThrow(/'Kc'.*no such tensor/);
    expect(() => validateShiftAddVit({ ...ci, p: 6 })).toThrow(/'p' = 6/);
  });

  it('MLP: bad input names the tensor; an expert no token goes to gets no weight tokens', () => {
    const mlp = { ...ci, part: 'mlp' };
    const t = randomMlpInputs(mlp, seed, 5, 0);
    expect(() => checkInputs(acc, mlp, t)).not.toThrow();
    expect(() => checkInputs(acc, mlp, { ...t, R: { shape: [5], data: [0n, 2n, 0n, 0n, 0n] } })).toThrow(/R\[1\] = 2/);
    expect(() => checkInputs(acc, mlp, { ...t, R: { shape: [4], data: [0n, 0n, 0n, 0n] } })).toThrow(/'R'/);
    expect(() => checkInputs(acc, mlp, { ...t, Ws_exp: { ...t.Ws_exp!, data: t.Ws_exp!.data.map(() => 8n) } })).toThrow(/Ws_exp\[0, 0\] = 8/);
    expect(() => checkInputs(acc, mlp, { ...t, Wm: { shape: [4, 7], data: new Array(28).fill(0n) } })).toThrow(/'Wm'/);
    const tok = mlpTokens(toMlpJob(mlp, t));
    expect(tok.mcfg).toEqual([{ nM1: 4 }]);
    expect(tok.wm!.length).toBe(4);
    expect(tok.ws).toEqual([]);
    const y = acc.golden(mlp, t).outputs.Y!;
    expect(y.shape).toEqual([5, 4]);
  });

  it('tokens: a cfg per head, a {k, v} token per key, a code per query', () => {
    const t = randomAttentionInputs(ci, seed, 2, 3);
    const tok = attentionTokens(toHeads(ci, t));
    expect(tok.cfg).toEqual([{ nM1: 2 }, { nM1: 2 }]);
    expect(tok.kv!.length).toBe(6);
    expect(tok.kv![4]).toEqual({ k: Number(t.Kc!.data[4]), v: t.V!.data.slice(4 * 8, 5 * 8).map(Number) });
    expect(tok.q).toEqual(t.Qc!.data.map(Number));
  });
});
