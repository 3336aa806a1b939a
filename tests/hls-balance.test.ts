// Tree-height reduction (hls/balance.ts): chains of an associative, commutative op written as loops
// (a popcount sum, a running max) become balanced trees of ceil(log2 n) levels, and the graph and the
// Verilog still equal the TS function on random arguments.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../generators/random.ts';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { hls, parseTypes } from '../hls/index.ts';
import type { HNode, HOp } from '../hls/graph.ts';
import { evaluateKernel, type HostValue } from '../hls/evaluate.ts';
import { checkKernel, randomValue } from '../cli/commands/hls.ts';
import { testSeed } from './support/rng.ts';

type Fn = (...a: never[]) => unknown;

/** The most `op` nodes on any path from an input to `n`. */
function depth(n: HNode, op: HOp, memo = new Map<HNode, number>()): number {
  const hit = memo.get(n);
  if (hit !== undefined) return hit;
  const d = (n.op === op ? 1 : 0) + Math.max(0, ...n.args.map((a) => depth(a, op, memo)));
  memo.set(n, d);
  return d;
}
const leafOf = (r: ReturnType<typeof hls>, i?: number): HNode => {
  const v = r.kernel.result;
  if (v.t === 'arr') return (v.items[i ?? v.items.length - 1] as { n: HNode }).n;
  return v.n;
};

function agrees(r: ReturnType<typeof hls>, f: Fn, types: ReturnType<typeof parseTypes>, seed: number, n = 300): void {
  const next = mulberry32(seed);
  for (let i = 0; i < n; i++) {
    const args = Object.fromEntries(Object.entries(types).map(([p, ty]) => [p, randomValue(ty, next)])) as Record<string, HostValue>;
    expect(evaluateKernel(r.kernel, args), `seed ${seed}, ${JSON.stringify(args)}`).toEqual((f as (...a: unknown[]) => unknown)(...Object.values(structuredClone(args))));
  }
}

function sumOf(v: number[]): number {
  let s = 0;
  for (let i = 0; i < 13; i++) s += v[i]!;
  return s;
}
function maxOf(v: number[]): number {
  let m = v[0]!;
  for (let i = 1; i < 8; i++) m = Math.max(m, v[i]!);
  return m;
}
function minOf(v: number[]): number {
  let m = v[0]!;
  for (let i = 1; i < 5; i++) m = Math.min(m, v[i]!);
  return m;
}
function bitsOf(v: number[]): number {
  let x = 0, o = 0, a = -1;
  for (let i = 0; i < 6; i++) { x ^= v[i]!; o |= v[i]! << i; a &= v[i]! * 3; }
  return (x + o) ^ a;
}
function popcount(a: number[]): number {
  let n = 0;
  for (let w = 0; w < 4; w++) for (let j = 0; j < 16; j++) n += (a[w]! >> j) & 1;
  return n;
}
/** A term shared with the output ends no chain wrongly: the running sums are outputs too. */
function prefix(v: number[]): number[] {
  const out = new Array(3).fill(0);
  let s = 0;
  for (let i = 0; i < 6; i++) { s += v[i]!; if (i % 2 === 1) out[i >> 1] = s; }
  return out;
}

describe('hls: associative chains become balanced trees', () => {
  const cases: [string, Fn, string, HOp, number][] = [
    ['sum of 13 signed terms', sumOf, '{ v: Vec(sint(10), 13) }', 'add', 4],
    ['64-bit popcount', popcount, '{ a: Vec(uint(16), 4) }', 'add', 6],
    ['running max of 8', maxOf, '{ v: Vec(sint(12), 8) }', 'max', 3],
    ['running min of 5', minOf, '{ v: Vec(uint(7), 5) }', 'min', 3],
  ];
  it.each(cases)('%s: depth ceil(log2 n), graph equals the TS function', (_name, f, types, op, want) => {
    const seed = testSeed();
    const t = parseTypes(types);
    const r = hls(f, f.name, t);
    expect(depth(leafOf(r), op)).toBe(want);
    agrees(r, f, t, seed);
  });

  it('int32 bit operators (^, |, & with wrapping shifts and products) keep their JS meaning', () => {
    const seed = testSeed();
    const t = parseTypes('{ v: Vec(sint(31), 6) }');
    const r = hls(bitsOf, 'bitsOf', t);
    agrees(r, bitsOf, t, seed, 500);
    expect(depth(leafOf(r), 'xor')).toBeLessThanOrEqual(4);
  });

  it('a running sum that is also an output stays a chain where it is read', () => {
    const seed = testSeed();
    const t = parseTypes('{ v: Vec(uint(8), 6) }');
    const r = hls(prefix, 'prefix', t);
    agrees(r, prefix, t, seed);
  });

  it('the popcount and the softmax row schedule in fewer stages at 48 MHz than their chains did', () => {
    const pop = hls('hls/examples/popcount.ts', 'similarity', parseTypes('{ a: Vec(uint(16), 4), b: Vec(uint(16), 4) }'));
    expect(pop.schedule.stages).toBeLessThanOrEqual(2); // 8 as a chain
    const sm = hls('hls/examples/vitcod-softmax.ts', 'softmaxRow', parseTypes('{ s: Vec(sint(12), 8) }'));
    expect(sm.schedule.stages).toBeLessThanOrEqual(3); // 4 as a chain
  });

  it('Verilator: balanced popcount and max trees equal the TS functions under random stalls', async () => {
    const seed = testSeed();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hls-balance-'));
    try {
      for (const [f, types] of [[popcount, '{ a: Vec(uint(16), 4) }'], [maxOf, '{ v: Vec(sint(12), 8) }']] as const) {
        const r = hls(f, f.name, parseTypes(types), { clockMHz: 120 });
        const w = writeDesign(elaborate(r.def), path.join(dir, f.name), { generator: 'hls' });
        const res = await checkKernel(r, w.dir, [{ f: f as (...a: unknown[]) => unknown, name: f.name }], 200, seed, 'quick');
        expect(res.tokens).toBe(200);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
