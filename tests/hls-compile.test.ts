// The HLS front end without a simulator: the example kernels and a seeded sample of random kernels
// compiled and their graphs evaluated against calling the same TS functions in Node; widths from
// ranges; the schedule under the measured delay table; and every construct outside the subset an
// error at the user's line that says what to write instead.
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../generators/random.ts';
import { elaborate } from '../dsl/index.ts';
import { hls, parseTypes, HlsError } from '../hls/index.ts';
import { compileFunction } from '../hls/frontend.ts';
import { evaluateKernel, type HostValue } from '../hls/evaluate.ts';
import { asField, randomValue } from '../cli/commands/hls.ts';
import { fuzzBatch } from '../scripts/fuzz-hls.ts';
import { testSeed } from './support/rng.ts';

const EX = path.resolve('hls/examples');
const KERNELS = [
  ['dot.ts', 'dot', '{ x: Vec(sint(8), 8), w: Vec(sint(8), 8) }'],
  ['shiftaddllm-table.ts', 'buildTable', '{ x: Vec(sint(8), 8) }'],
  ['vitcod-softmax.ts', 'softmaxRow', '{ s: Vec(sint(12), 8) }'],
  ['popcount.ts', 'similarity', '{ a: Vec(uint(16), 4), b: Vec(uint(16), 4) }'],
] as const;

describe('hls: example kernels', () => {
  it.each(KERNELS)('%s: the graph equals the TS function on random arguments, and elaborates', async (file, fn, types) => {
    const seed = testSeed();
    const t = parseTypes(types);
    const r = hls(path.join(EX, file), fn, t);
    const f = ((await import(path.join(EX, file))) as Record<string, (...a: unknown[]) => unknown>)[fn]!;
    const next = mulberry32(seed);
    for (let i = 0; i < 200; i++) {
      const args = Object.fromEntries(Object.entries(t).map(([p, ty]) => [p, randomValue(ty, next)])) as Record<string, HostValue>;
      // As `hwflow hls --check` compares: integers, so a -0 of the TS function reads back as 0.
      expect(evaluateKernel(r.kernel, args), `seed ${seed}, ${JSON.stringify(args)}`).toEqual(asField(f(...Object.values(structuredClone(args)))));
    }
    expect(r.schedule.ii).toBe(1);
    expect(r.schedule.stages).toBeGreaterThanOrEqual(1);
    expect(() => elaborate(r.def)).not.toThrow();
  });

  it('sizes results from ranges: the dot product of 8 sint(8) pairs is sint(16 + 3) wide', () => {
    const r = hls(path.join(EX, 'dot.ts'), 'dot', parseTypes('{ x: Vec(sint(8), 8), w: Vec(sint(8), 8) }'));
    expect(r.resultType).toEqual({ signed: true, width: 19 });
    expect(r.schedule.units).toEqual({ multiplier: 8, adder: 7 }); // a tree of 7 (the `acc = 0` start folds away)
  });

  it('schedules more stages for a faster clock, and records the schedule in the manifest notes', () => {
    const t = parseTypes('{ x: Vec(sint(8), 8), w: Vec(sint(8), 8) }');
    const slow = hls(path.join(EX, 'dot.ts'), 'dot', t, { clockMHz: 12 });
    const fast = hls(path.join(EX, 'dot.ts'), 'dot', t, { clockMHz: 100 });
    expect(slow.schedule.stages).toBe(1);
    expect(fast.schedule.stages).toBeGreaterThan(slow.schedule.stages);
    const note = elaborate(fast.def).top.notes.find((n) => n.element === 'hls');
    expect(note).toMatchObject({ ii: 1, stages: fast.schedule.stages, clockMHz: 100 });
  });
});

describe('hls: a seeded sample of random kernels (the fuzzer, graph only)', () => {
  it('40 random kernels: graph == Node on 10 argument sets each', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hls-fuzz-test-'));
    try {
      const seed = testSeed();
      const st = await fuzzBatch(Array.from({ length: 40 }, (_, i) => seed * 1000 + i), { args: 10, dir, rtl: false, stallSeed: seed });
      expect(st.graphChecks + st.rejected * 10).toBe(400);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Compile a one-file kernel from text; the error message of a rejected one. */
const compile = (text: string, types = '{ x: sint(8), v: Vec(sint(8), 4) }', fn = 'f') => compileFunction({ file: 'k.ts', text }, fn, parseTypes(types));
const errorOf = (text: string, types?: string): string => {
  try {
    compile(text, types);
  } catch (e) {
    expect(e).toBeInstanceOf(HlsError);
    return (e as Error).message;
  }
  throw new Error('compiled without an error');
};

describe('hls: outside the subset is an error at the line, naming what to do', () => {
  it.each([
    ['a data-dependent loop bound', 'export function f(x: number, v: number[]) {\n  let s = 0;\n  for (let i = 0; i < x; i++) s += 1;\n  return s;\n}', /k\.ts:3: the loop condition 'i < x' depends on the data.*constant bound/],
    ['recursion', 'export function f(x: number, v: number[]): number {\n  return g(x);\n}\nfunction g(y: number): number {\n  return y > 0 ? g(y - 1) : 0;\n}', /k\.ts:5: 'g' calls itself \(recursion\).*for loop/],
    ['a float literal', 'export function f(x: number, v: number[]) {\n  return x * 0.5;\n}', /k\.ts:2: 0\.5 is not an integer.*fixed point/],
    ['a division', 'export function f(x: number, v: number[]) {\n  return x / 3;\n}', /k\.ts:2: '\/' gives a non-integer.*Math\.floor\(a \/ 2 \*\* k\)/],
    ['a closure', 'export function f(x: number, v: number[]) {\n  const g = (y: number) => y + 1;\n  return g(x);\n}', /k\.ts:2: closures .* top-level function/],
    ['a string', "export function f(x: number, v: number[]) {\n  const s = 'a';\n  return x;\n}", /k\.ts:2: strings are not in the HLS subset/],
    ['an array method with a closure', 'export function f(x: number, v: number[]) {\n  return v.reduce((a, b) => a + b, 0);\n}', /k\.ts:2: \.reduce\(\.\.\.\) takes a closure.*for loop/],
    ['an out-of-range data index', 'export function f(x: number, v: number[]) {\n  return v[x];\n}', /k\.ts:2: index 'x' can be -128\.\.127, outside 0\.\.3/],
    ['a value beyond 2^53', 'export function f(x: number, v: number[]) {\n  let p = x;\n  for (let i = 0; i < 8; i++) p = p * 1000;\n  return p;\n}', /k\.ts:3: this product can reach .* beyond 2\^53.*wrapS/],
    ['a missing return path', 'export function f(x: number, v: number[]) {\n  if (x > 0) return 1;\n}', /does not return a value on every path/],
  ])('%s', (_what, text, re) => {
    expect(errorOf(text)).toMatch(re);
  });

  it('names a parameter without a type, and a type for no parameter', () => {
    expect(errorOf('export function f(x: number, y: number) { return x + y; }', '{ x: sint(8) }')).toMatch(/parameter 'y' of f has no type.*\{ y: sint\(8\) \}/);
    expect(errorOf('export function f(x: number) { return x; }', '{ x: sint(8), z: uint(2) }')).toMatch(/names 'z', which is no parameter of f/);
  });

  it('reads the type map as a TS expression or as JSON, and rejects nonsense', () => {
    expect(parseTypes('{"x": "Vec(uint(4), 2)"}')).toEqual(parseTypes('{ x: Vec(uint(4), 2) }'));
    expect(() => parseTypes('{ x: Foo(3) }')).toThrow(/--types: cannot read/);
  });
});

describe('hls: semantics that differ from naive hardware', () => {
  const run = (text: string, args: Record<string, HostValue>, types = '{ x: sint(8), v: Vec(sint(8), 4) }') => evaluateKernel(compile(text, types), args);
  it('bit operators truncate to int32 as TS does, shifts take the amount mod 32', () => {
    const src = 'export function f(x: number, v: number[]) { return ((x * 70000000) | 0) + (x << 33) + (x >>> 28); }';
    const g = (x: number) => ((x * 70000000) | 0) + (x << 33) + (x >>> 28);
    for (const x of [-128, -1, 0, 1, 77, 127]) expect(run(src, { x, v: [0, 0, 0, 0] })).toBe(g(x));
  });
  it('early returns, breaks and writes under data conditions', () => {
    const src = `export function f(x: number, v: number[]) {
  let s = 0;
  for (let i = 0; i < 4; i++) { if (v[i] < x) break; s += v[i]; v[i] = 0; }
  if (s > 100) return -1;
  return s + v[0] + v[3];
}`;
    const g = (x: number, v: number[]) => { let s = 0; for (let i = 0; i < 4; i++) { if (v[i]! < x) break; s += v[i]!; v[i] = 0; } if (s > 100) return -1; return s + v[0]! + v[3]!; };
    const next = mulberry32(5);
    for (let t = 0; t < 200; t++) {
      const x = randomValue({ signed: true, width: 8 }, next) as number;
      const v = randomValue({ kind: 'vector', element: { signed: true, width: 8 }, length: 4 } as never, next) as number[];
      expect(run(src, { x, v: [...v] })).toBe(g(x, [...v]));
    }
  });
});
