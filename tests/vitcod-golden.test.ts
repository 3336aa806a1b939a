/**
 * ViTCoD golden kernel and host side: the exp table, hand-checked heads, the planned (dense block +
 * coordinate list on split lines) kernel against the plain one on random masks, the .npy reader
 * (its errors), the tensor checks, and the real DeiT-Tiny masks (read from ../shared/data; those
 * tests skip, saying so, without it).
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { TensorError } from '../dsl/errors.ts';
import { expTable } from '../generators/vitcod/exp-table.ts';
import { autoEncodeHeads, codecError, decodeHeads, encodeHeads, fitHeadCodec, planHead, prob, vitcodHead, vitcodHeadPlanned, type HeadProblem } from '../generators/vitcod/golden.ts';
import { headBytesIn, headCycles, pipelineCycles, randomVitcodInputs, toHeads, vitcodAccelerator as acc } from '../generators/vitcod/index.ts';
import { dataDir, parseNpy, readDeitMasks } from '../generators/vitcod/npy.ts';
import { vitcodPresets } from '../generators/vitcod/params.ts';
import { Rng, testSeed } from './support/rng.ts';

const seed = testSeed();
const DATA = dataDir(resolve(import.meta.dirname, '..'));
if (!DATA) console.warn('vitcod-golden: no ../shared/data (or HWFLOW_DATA) folder; the real-mask tests are skipped');

function randomHead(rng: Rng, N: number, d: number, density: number): HeadProblem {
  const mat = (w: number) => Array.from({ length: N }, () => Array.from({ length: w }, () => rng.int(-128, 127)));
  return {
    q: mat(d), k: mat(d), v: mat(d),
    keep: Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => j === 0 || rng.next() < density || (i === 3 && j > 0))),
  };
}

describe('vitcod golden kernel', () => {
  it('E[r] = round(255 · 2^(−r/16)): 255, 244, …, 128 at 16, 64 at 32, 0 at 255', () => {
    const E = expTable();
    expect(E.length).toBe(256);
    expect([E[0], E[1], E[16], E[32], E[128], E[255]]).toEqual([255, 244, 128, 64, 1, 0]);
    expect(E.every((x) => x >= 0 && x <= 255)).toBe(true);
    // The shift and the clamp: (m − s) >> σ, at most 255.
    expect(prob(100, 100, 3)).toBe(255);
    expect(prob(100, 100 - 16 * 8, 3)).toBe(128); // 128 >> 3 = 16
    expect(prob(100, 100 - 15, 4)).toBe(255); // 15 >> 4 = 0
    expect(prob(10_000_000, 0, 0)).toBe(0); // clamped at 255
  });

  it('a hand-checked head: N = 2, d = 2', () => {
    // S = [[1·1+2·0, 1·0+2·1], [..]]: row 0 keeps both keys, row 1 keeps only key 1.
    const h: HeadProblem = {
      q: [[1, 2], [3, -1]], k: [[1, 0], [0, 1]], v: [[10, -20], [5, 7]],
      keep: [[true, true], [false, true]],
    };
    // Row 0: S = [1, 2], m = 2, σ = 0: r = [1, 0], P = [E[1], E[0]] = [244, 255].
    // O[0] = 244·[10, −20] + 255·[5, 7] = [3715, −3095]; L[0] = 499.
    // Row 1: S = [−1] on key 1 only, m = −1, P = 255: O[1] = [1275, 1785], L[1] = 255.
    const r = vitcodHead(h, 0);
    expect(r.m).toEqual([2, -1]);
    expect(r.o).toEqual([[3715, -3095], [1275, 1785]]);
    expect(r.l).toEqual([499, 255]);
    expect(r.kept).toBe(3);
  });

  it('a row with nothing kept gives O = 0 and L = 0', () => {
    const h: HeadProblem = { q: [[1], [2]], k: [[3], [4]], v: [[5], [6]], keep: [[true, false], [false, false]] };
    const r = vitcodHead(h, 2);
    expect(r.o[1]).toEqual([0]);
    expect(r.l[1]).toBe(0);
    expect(r.o[0]).toEqual([255 * 5]);
  });

  it(`the planned kernel (dense block + coordinate list on split lines) equals the plain one (seed ${seed})`, () => {
    const rng = new Rng(seed);
    for (let n = 0; n < 20; n++) {
      const N = rng.int(1, 24);
      const h = randomHead(rng, N, 8, rng.next() * 0.5);
      const lines = rng.int(1, 9);
      const plan = planHead(h.keep, lines, rng.next() < 0.5 ? { count: rng.int(0, 4) } : { threshold: 0.4 });
      const kept = h.keep.flat().filter(Boolean).length;
      expect(plan.dense.length + plan.sparse.length, `seed ${seed}`).toBe(kept);
      expect(plan.lists.flat().length).toBe(kept);
      const a = vitcodHead(h, 7);
      const b = vitcodHeadPlanned(h, plan, 7);
      expect(b.o, `seed ${seed}, N = ${N}, lines = ${lines}`).toEqual(a.o);
      expect(b.l).toEqual(a.l);
    }
  });

  it('the plan: global columns first, dense query-major, sparse key-major, lines in proportion to work', () => {
    // Key 0 kept by all 8 queries, key 5 by 6, the diagonal otherwise.
    const N = 8;
    const keep = Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => j === 0 || (j === 5 && i < 6) || i === j));
    const plan = planHead(keep, 4, { count: 2 });
    expect(plan.global).toEqual([0, 5]);
    expect(plan.perm.slice(0, 3)).toEqual([0, 5, 1]);
    expect(plan.dense.slice(0, 3)).toEqual([{ i: 0, j: 0 }, { i: 0, j: 5 }, { i: 1, j: 0 }]);
    expect(plan.dense.length).toBe(8 + 6);
    // The diagonal outside the global columns: keys 1..4, 6, 7, one query each, key-major.
    expect(plan.sparse).toEqual([1, 2, 3, 4, 6, 7].map((j) => ({ i: j, j })));
    // 14 dense pairs and 6 sparse on 4 lines: 3 + 1 lines, 5 and 6 pairs per line.
    expect([plan.denseLines, plan.sparseLines, plan.steps]).toEqual([3, 1, 6]);
    // `first` marks a line's first pair of each row.
    expect(plan.lists[0]!.map((e) => e.first)).toEqual([true, false, true, false, true]);
    // A threshold instead of a count: columns kept by at least half the queries.
    expect(planHead(keep, 4, { threshold: 0.5 }).global).toEqual([0, 5]);
  });
});

describe('vitcod .npy reader and tensors', () => {
  // A version-1 file as numpy writes it: the header padded so the data starts at byte 128.
  const npy = (header: string, data: number[]) => {
    const h = header.padEnd(117, ' ') + '\n';
    return new Uint8Array([0x93, ...Buffer.from('NUMPY'), 1, 0, h.length & 255, h.length >> 8, ...Buffer.from(h, 'latin1'), ...data]);
  };
  it('reads a bool array through npyjs and names the file and what is wrong', () => {
    const a = parseNpy(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }", [1, 0, 0, 1, 1, 0]));
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('b1');
    expect(Array.from(a.data)).toEqual([true, false, false, true, true, false]);
    expect(Array.from(parseNpy(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", [1, 0, 0, 0, 255, 255, 255, 255])).data)).toEqual([1, -1]);
    expect(() => parseNpy(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Array(8).fill(0)), 'x.npy')).toThrow(/x.npy: dtype 'c8' is not supported \(supported: b1, /);
    expect(() => parseNpy(npy("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0]), 'x.npy')).toThrow(/x.npy: dtype '>i4' is not supported/);
    expect(() => parseNpy(npy("{'descr': '|b1', 'fortran_order': True, 'shape': (1,), }", [0]), 'f.npy')).toThrow(/f.npy: Fortran-order/);
    expect(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'bad.npy')).toThrow(/bad.npy: not a .npy file/);
    expect(() => parseNpy(new Uint8Array([0x93, 78]), 'short.npy')).toThrow(/short.npy: not a .npy file/);
    expect(() => parseNpy(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", [0]), 'm.npy')).toThrow(/m.npy: 1 data elements, shape \(4\) of 'b1' needs 4/);
    expect(() => parseNpy(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", [0, 0, 0]), 'y.npy')).toThrow(/y.npy: the data block does not fit its dtype/);
  });

  it('a bad shape, a value out of range or a mask of the wrong size is an error naming the tensor (the shared checkTensors)', () => {
    const p = vitcodPresets.ci!;
    const t = randomVitcodInputs(p, seed, 1, 4);
    expect(() => toHeads(p, { ...t, M: { shape: [1, 4, 5], data: new Array(20).fill(0n) } })).toThrow(/^tensor 'M' takes \[H 1\.\.64, N 1\.\.16, N 1\.\.16\] of uint\(1\) \(0\.\.1\); got shape \[1, 4, 5\] with N = 5, but its dimension 1 is N = 4 too$/);
    expect(() => toHeads(p, { ...t, V: { shape: [1, 3, 16], data: new Array(48).fill(0n) } })).toThrow(/^tensor 'V' takes .*; got shape \[1, 3, 16\] with N = 3, but tensor 'K' has N = 4$/);
    const bad = { ...t, K: { ...t.K!, data: t.K!.data.map((x, i) => (i === 5 ? 200n : x)) } };
    expect(() => toHeads(p, bad)).toThrow(/^tensor 'K' takes \[H 1\.\.64, N 1\.\.16, D = 16\] of sint\(8\) \(-128\.\.127\); got K\[0, 0, 5\] = 200 \(values are rejected, not wrapped\)$/);
    const badM = { ...t, M: { ...t.M!, data: t.M!.data.map((x, i) => (i === 2 ? 2n : x)) } };
    expect(() => toHeads(p, badM)).toThrow(TensorError);
    expect(() => toHeads(p, badM)).toThrow(/got M\[0, 0, 2\] = 2/);
    expect(() => toHeads(p, { ...t, Q: { shape: [1, 4, 8], data: new Array(32).fill(0n) } })).toThrow(/^tensor 'Q' takes .*; got shape \[1, 4, 8\]: D = 8 is not 16$/);
    expect(() => toHeads(p, { Q: t.Q!, K: t.K!, V: t.V! })).toThrow(/^tensor 'M' takes .*; got no such tensor$/);
    expect(() => toHeads(p, { ...t, Q: { shape: [65, 1, 16], data: new Array(65 * 16).fill(0n) } })).toThrow(/tensor 'Q' .*H = 65 is not in 1\.\.64/);
  });

  it('the accelerator golden equals the kernel on random tensors', () => {
    const p = vitcodPresets.ci!;
    const t = randomVitcodInputs(p, seed, 2, 16);
    const g = acc.golden(p, t);
    const heads = toHeads(p, t);
    expect(g.outputs.L!.data.slice(16).map(Number)).toEqual(vitcodHead(heads[1]!, p.sigma).l);
    expect(g.counts.macs).toBe(2 * g.counts.kept! * p.d);
  });
});

describe('vitcod Q/K auto-encoder (golden and host fit)', () => {
  it('the int8 maps: a hand-checked token, floor shifts and saturation', () => {
    const c = { enc: [[64, 64, 0], [0, 0, 127]], encShift: 7, dec: [[127, 0], [127, 0], [0, 127]], decShift: 7 };
    // x = (10, −3, −128): z0 = (640 − 192) >> 7 = 3, z1 = (−16256) >> 7 = −127; x̂ = (381>>7, 381>>7, −16129>>7) = (2, 2, −127).
    const z = encodeHeads([[[10]], [[-3]], [[-128]]], c);
    expect(z).toEqual([[[3]], [[-127]]]);
    expect(decodeHeads(z, c)).toEqual([[[2]], [[2]], [[-127]]]);
    expect(encodeHeads([[[127]], [[127]], [[0]]], { ...c, encShift: 0 })[0]).toEqual([[127]]); // saturates
  });
  it(`3 → 2 heads: near-exact on rank-2 heads, lossy on independent ones (seed ${seed})`, () => {
    const rng = new Rng(seed);
    const N = 20;
    const d = 8;
    const a = Array.from({ length: N }, () => Array.from({ length: d }, () => rng.int(-60, 60)));
    const b = Array.from({ length: N }, () => Array.from({ length: d }, () => rng.int(-60, 60)));
    const rank2 = [a, b, a.map((r, i) => r.map((v, t) => Math.round((v + b[i]![t]!) / 2)))];
    const c = fitHeadCodec(rank2, 2);
    expect(c.enc.length).toBe(2);
    expect(c.enc.flat().every((v) => Number.isInteger(v) && v >= -128 && v <= 127)).toBe(true);
    expect(codecError(rank2, c), `seed ${seed}`).toBeLessThan(0.06);
    const indep = [0, 1, 2].map(() => Array.from({ length: N }, () => Array.from({ length: d }, () => rng.int(-128, 127))));
    expect(codecError(indep, fitHeadCodec(indep, 2))).toBeGreaterThan(0.2);
  });
});

describe('vitcod auto-encoder over a run of heads (what the decoder design is sent)', () => {
  it(`groups of 3 heads share 2 Q and 2 K codes; a last group of 1 or 2 is exact; decoded = decode(encode) (seed ${seed})`, () => {
    const rng = new Rng(seed);
    const heads = Array.from({ length: 5 }, () => randomHead(rng, 6, 8, 0.3));
    const { loads, decoded } = autoEncodeHeads(heads);
    expect(loads.map((l) => l.mode)).toEqual([1, 2, 2, 1, 2]);
    expect(loads[0]!.codes!.length).toBe(4);
    expect(loads[1]!.codes).toBeUndefined();
    const c = fitHeadCodec(heads.slice(0, 3).map((h) => h.q), 2);
    expect(decoded.slice(0, 3).map((h) => h.q)).toEqual(decodeHeads(encodeHeads(heads.slice(0, 3).map((h) => h.q), c), c));
    expect(loads[2]!.dq).toEqual(c.dec[2]);
    expect(loads[2]!.sq).toBe(c.decShift);
    // The last group of two heads: its heads are the codes, weights (1, 0) and (0, 1), no shift.
    expect(decoded.slice(3).map((h) => [h.q, h.k])).toEqual(heads.slice(3).map((h) => [h.q, h.k]));
    expect([loads[3]!.dq, loads[4]!.dq, loads[4]!.sq]).toEqual([[1, 0], [0, 1], 0]);
    expect(decoded.map((h) => h.v)).toEqual(heads.map((h) => h.v));
  });
});

describe('vitcod cycle and byte model', () => {
  const p = { ...vitcodPresets.paper!, latency: 0 };
  it('one head: load, compute, read-out in sequence; later heads overlap', () => {
    // Load 2 + max(197 beats of 192 bytes, 40), compute 1 + 2·40·8 + ceil(197/8) = 666, read-out 197 (+1 to start, −1 at the end).
    expect(pipelineCycles(p, [{ N: 197, steps: 40 }]).total).toBe(199 + 666 + 197);
    // Two heads: the second loads during the first's compute; its compute follows at once.
    expect(pipelineCycles(p, [{ N: 197, steps: 40 }, { N: 197, steps: 40 }]).total).toBe(199 + 666 + 666 + 197);
  });
  it('bytes in per head: the port\'s row groups, the lists (18 bits per line per step), cfg; a narrow port with a latency stretches the loads', () => {
    expect(headBytesIn(p, 197, 40)).toEqual({ port: 3 * 197 * 64, lists: (40 * 64 * 18) / 8, cfg: 2 });
    const narrow = { ...p, portBytes: 64, latency: 100 };
    expect(pipelineCycles(narrow, [{ N: 197, steps: 40 }]).total).toBe(2 + 100 + 3 * 197 + 666 + 197);
    // With the encoder: the layer's first head brings 4 code rows and V per token, the others V only.
    expect(pipelineCycles(narrow, [{ N: 197, steps: 40, rows: 5 }]).total).toBe(2 + 100 + 5 * 197 + 666 + 197);
    expect(headCycles(narrow, 197, 40, 1).load).toBe(2 + 100 + 197);
  });
});

describe.skipIf(!DATA)('vitcod on the real DeiT-Tiny masks', () => {
  it('74,399 kept pairs over 36 heads; every head planned with its global count; planned = plain at d = 8', () => {
    const masks = readDeitMasks(DATA!);
    expect([masks.layers, masks.heads, masks.N]).toEqual([12, 3, 197]);
    let kept = 0;
    let steps = 0;
    const rng = new Rng(seed);
    for (let l = 0; l < 12; l++)
      for (let h = 0; h < 3; h++) {
        const keep = masks.keep(l, h);
        const plan = planHead(keep, 64, { count: masks.globalCount(l, h) });
        expect(plan.global.length).toBe(masks.globalCount(l, h));
        kept += plan.dense.length + plan.sparse.length;
        steps += plan.steps;
        if ((l * 3 + h) % 11 === 0) {
          const mat = () => Array.from({ length: 197 }, () => Array.from({ length: 8 }, () => rng.int(-128, 127)));
          const hp: HeadProblem = { q: mat(), k: mat(), v: mat(), keep };
          expect(vitcodHeadPlanned(hp, planHead(keep, 8, { count: masks.globalCount(l, h) }), 6).o, `layer ${l} head ${h}, seed ${seed}`).toEqual(vitcodHead(hp, 6).o);
        }
      }
    expect(kept).toBe(74_399);
    // Every line walks `steps` pairs of d/8 = 8 cycles twice: 1,192 steps = 19,072 cycles against the 18.6 k floor.
    expect(steps).toBeLessThan(1.05 * Math.ceil(74_399 / 64));
  });
});
