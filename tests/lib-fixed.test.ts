// Fixed point (issue 16, point 3): sfix/ufix arithmetic and conversions checked bit for bit in the IR
// simulator against a plain-TS golden in exact rational arithmetic (value = raw / 2^frac, BigInt),
// on random formats and values (printed seed); the host codec in real numbers; bad conversions name the
// user's line; and a Q1.7 x Q1.7 multiply-accumulate with rounding and saturation in Verilator under stalls.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  In, Out, ParamError, Record, Stream, WidthError, codec, elaborate, fixed, fixedConst, module, sfix, sint, toFixed, ufix, type FixedType,
} from '../dsl/index.ts';
import { withSim, writeTempDesign } from '../testbenches/vitest.ts';
import { defaultSeed } from '../testbenches/index.ts';
import { readFileSync } from 'node:fs';
import { makeRng, runStreams, simulate, verilatorLint } from './lib-support.ts';

// ---- golden: exact rationals raw / 2^frac, no dsl/ arithmetic ------------------------------------
interface Fmt { signed: boolean; i: number; f: number }
interface Num { raw: bigint; fmt: Fmt }
const width = (t: Fmt): number => t.i + t.f;
const lo = (t: Fmt): bigint => (t.signed ? -(1n << BigInt(width(t) - 1)) : 0n);
const hi = (t: Fmt): bigint => (t.signed ? 1n << BigInt(width(t) - 1) : 1n << BigInt(width(t))) - 1n;
const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));
const wrapTo = (t: Fmt, raw: bigint): bigint => (t.signed ? BigInt.asIntN(width(t), raw) : BigInt.asUintN(width(t), raw));
/** Same rational at a finer scale. */
const at = (x: Num, f: number): bigint => x.raw << BigInt(f - x.fmt.f);
const g = {
  add: (a: Num, b: Num): Num => {
    const f = Math.max(a.fmt.f, b.fmt.f);
    return { raw: at(a, f) + at(b, f), fmt: { signed: a.fmt.signed, i: Math.max(a.fmt.i, b.fmt.i) + 1, f } };
  },
  sub: (a: Num, b: Num): Num => {
    const f = Math.max(a.fmt.f, b.fmt.f);
    const fmt = { signed: a.fmt.signed, i: Math.max(a.fmt.i, b.fmt.i) + 1, f };
    return { raw: wrapTo(fmt, at(a, f) - at(b, f)), fmt }; // unsigned differences wrap, as for integers
  },
  mul: (a: Num, b: Num): Num => ({ raw: a.raw * b.raw, fmt: { signed: a.fmt.signed, i: a.fmt.i + b.fmt.i, f: a.fmt.f + b.fmt.f } }),
  // Rounding: q = x * 2^f exactly as a fraction n / 2^d, then the rule on n / 2^d.
  floor: (x: Num, f: number): Num => (f >= x.fmt.f ? { raw: at(x, f), fmt: { ...x.fmt, f } } : { raw: floorDiv(x.raw, 1n << BigInt(x.fmt.f - f)), fmt: { ...x.fmt, f } }),
  round: (x: Num, f: number): Num => {
    if (f >= x.fmt.f) return { raw: at(x, f), fmt: { ...x.fmt, f } };
    const den = 1n << BigInt(x.fmt.f - f);
    return { raw: floorDiv(2n * x.raw + den, 2n * den), fmt: { ...x.fmt, i: x.fmt.i + 1, f } }; // floor(x + 1/2)
  },
  roundEven: (x: Num, f: number): Num => {
    if (f >= x.fmt.f) return { raw: at(x, f), fmt: { ...x.fmt, f } };
    const den = 1n << BigInt(x.fmt.f - f);
    const q = floorDiv(x.raw, den);
    const twiceRem = 2n * (x.raw - q * den);
    const up = twiceRem > den || (twiceRem === den && (q & 1n) === 1n);
    return { raw: up ? q + 1n : q, fmt: { ...x.fmt, i: x.fmt.i + 1, f } };
  },
  sat: (x: Num, i: number): Num => {
    const fmt = { ...x.fmt, i };
    return { raw: x.raw > hi(fmt) ? hi(fmt) : x.raw < lo(fmt) ? lo(fmt) : x.raw, fmt };
  },
  wrap: (x: Num, i: number): Num => {
    const fmt = { ...x.fmt, i };
    return { raw: wrapTo(fmt, x.raw), fmt };
  },
};
const typeOf = (t: Fmt): FixedType => (t.signed ? sfix(t.i, t.f) : ufix(t.i, t.f));

describe('fixed-point arithmetic and conversions, IR simulator against the rational golden', () => {
  const seed = defaultSeed();
  it(`random formats and values (seed ${seed})`, () => {
    const rng = makeRng(seed);
    const int = (a: number, b: number): number => a + Math.floor(rng() * (b - a + 1));
    console.log(`lib-fixed seed ${seed}`);
    for (let trial = 0; trial < 8; trial++) {
      const signed = trial % 2 === 0;
      const fa: Fmt = { signed, i: int(signed ? 1 : 0, 4), f: int(0, 6) };
      const fb: Fmt = { signed, i: int(signed ? 1 : 0, 4), f: int(0, 6) };
      if (width(fa) < 1) fa.f = 1;
      if (width(fb) < 1) fb.f = 1;
      const prod = g.mul({ raw: 0n, fmt: fa }, { raw: 0n, fmt: fb }).fmt;
      // Conversion target: fewer, equal or more fraction bits (at least one when the product has no
      // integer bits, so that floor(cf) keeps a bit: ufix(0, 0) is no type).
      const cf = int(prod.i === 0 ? 1 : 0, prod.f + 1);
      const ci = int(signed ? 1 : 0, 3);
      const z = (fmt: Fmt): Num => ({ raw: 0n, fmt });
      const outs = {
        sum: (a: Num, b: Num) => g.add(a, b),
        diff: (a: Num, b: Num) => g.sub(a, b),
        prod: (a: Num, b: Num) => g.mul(a, b),
        fl: (a: Num, b: Num) => g.floor(g.mul(a, b), cf),
        rd: (a: Num, b: Num) => g.round(g.mul(a, b), cf),
        re: (a: Num, b: Num) => g.roundEven(g.mul(a, b), cf),
        st: (a: Num, b: Num) => g.sat(g.roundEven(g.mul(a, b), cf), Math.max(ci, 1)),
        wr: (a: Num, b: Num) => g.wrap(g.add(a, b), Math.max(ci, 1)),
      };
      const ports = Object.fromEntries(Object.entries(outs).map(([k, fn]) => [k, Out(typeOf(fn(z(fa), z(fb)).fmt))]));
      const name = `fix_ops_${trial}`;
      const def = module(name, { a: In(typeOf(fa)), b: In(typeOf(fb)), ...ports }, (io) => {
        const a = fixed(typeOf(fa), io.a);
        const b = fixed(typeOf(fb), io.b);
        const p = a.mul(b);
        const got = {
          sum: a.add(b), diff: a.sub(b), prod: p, fl: p.floor(cf), rd: p.round(cf), re: p.roundEven(cf),
          st: p.roundEven(cf).sat(Math.max(ci, 1)), wr: a.add(b).wrap(Math.max(ci, 1)),
        };
        // Output ports are typed from the golden's growth rule: a width mismatch fails here.
        for (const [k, v] of Object.entries(got)) (io as unknown as { [k: string]: { set(x: unknown): void } })[k]!.set(v.raw);
      });
      const { sim } = simulate(def);
      const values = (t: Fmt): bigint[] => [lo(t), hi(t), 0n, ...Array.from({ length: 60 }, () => lo(t) + BigInt(Math.floor(rng() * Number(hi(t) - lo(t) + 1n))))];
      const as = values(fa);
      const bs = values(fb);
      for (let n = 0; n < as.length; n++) {
        const a: Num = { raw: as[n]!, fmt: fa };
        const b: Num = { raw: bs[(n * 7) % bs.length]!, fmt: fb };
        sim.poke('a', a.raw);
        sim.poke('b', b.raw);
        for (const [k, fn] of Object.entries(outs))
          expect(sim.peek(k), `${name} ${k}: a=${a.raw}/2^${fa.f} (${JSON.stringify(fa)}) b=${b.raw}/2^${fb.f} (${JSON.stringify(fb)}) cf=${cf} ci=${ci} seed ${seed}`).toBe(fn(a, b).raw);
      }
    }
  });

  it('rounding rules on the ties: half up and half to even', () => {
    const def = module('fix_ties', { x: In(sfix(3, 2)), up: Out(sfix(4, 0)), even: Out(sfix(4, 0)), fl: Out(sfix(3, 0)) }, (io) => {
      const x = fixed(sfix(3, 2), io.x);
      io.up.set(x.round(0).raw);
      io.even.set(x.roundEven(0).raw);
      io.fl.set(x.floor(0).raw);
    });
    const { sim } = simulate(def);
    const rows: [number, number, number, number][] = [
      // x, round half up, round half even, floor
      [2.5, 3, 2, 2], [1.5, 2, 2, 1], [-0.5, 0, 0, -1], [-1.5, -1, -2, -2], [-2.5, -2, -2, -3], [0.75, 1, 1, 0], [-0.25, 0, 0, -1], [3.75, 4, 4, 3],
    ];
    for (const [x, up, even, fl] of rows) {
      sim.poke('x', BigInt(x * 4));
      expect([Number(sim.peek('up')), Number(sim.peek('even')), Number(sim.peek('fl'))], `x = ${x}`).toEqual([up, even, fl]);
    }
  });
});

describe('the host codec in real numbers', () => {
  it('encodes and decodes at the type\'s scale, records included', () => {
    const q = codec(sfix(2, 2));
    expect(q.encode(1.25)).toBe(5n);
    expect(q.encode(-2)).toBe(8n);
    expect(q.decode(5n)).toBe(1.25);
    expect(q.decode(8n)).toBe(-2);
    expect(q.decodeBig(8n)).toBe(-8n); // bigint form: the raw integer
    expect(q.encode(-8n)).toBe(8n);
    const r = codec(Record({ a: ufix(1, 3), b: sint(4) }));
    expect(r.decode(r.encode({ a: 1.875, b: -3 }))).toEqual({ a: 1.875, b: -3 });
    expect(r.show(r.encode({ a: 0.5, b: 2 }))).toBe('{a: 0.5, b: 2}');
  });
  it('rejects a value not representable at the scale, or out of range, naming the field', () => {
    expect(() => codec(sfix(2, 2)).encode(1.3)).toThrow(/token = 1\.3 is not a multiple of 2\^-2, the step of sfix\(2, 2\)/);
    expect(() => codec(sfix(2, 2)).encode(2)).toThrow(/token = 2 is out of range of sfix\(2, 2\) \(-2 to 1\.75\)/);
    expect(() => codec(Record({ a: ufix(1, 3), b: sint(4) })).encode({ a: -0.5, b: 0 })).toThrow(/a = -0\.5 is out of range of ufix\(1, 3\)/);
  });
});

describe('bad fixed-point designs name the user\'s line', () => {
  const bad = (body: (x: ReturnType<typeof fixed>, raw: import('../dsl/index.ts').Value) => void) =>
    module('fix_bad', { x: In(sfix(2, 6)), y: In(sint(8)) }, (io) => body(fixed(sfix(2, 6), io.x), io.y));
  it('mixing with a plain integer', () => {
    expect(() => elaborate(bad((x, y) => x.add(y as never)))).toThrow(WidthError);
    expect(() => elaborate(bad((x, y) => x.add(y as never)))).toThrow(/lib-fixed\.test\.ts:\d+: add mixes sfix\(2, 6\) and a plain sint\(8\); state the integer's scale with toFixed\(v\)/);
    expect(() => elaborate(bad((x, y) => x.add(toFixed(y))))).not.toThrow();
  });
  it('mixing signedness, a wrong view, a bad conversion, an inexact constant', () => {
    expect(() => elaborate(bad((x) => x.mul(fixedConst(ufix(1, 2), 0.5))))).toThrow(/lib-fixed\.test\.ts:\d+: mul mixes sfix\(2, 6\) and ufix\(1, 2\)/);
    expect(() => elaborate(bad((_, y) => fixed(sfix(1, 6), y)))).toThrow(/lib-fixed\.test\.ts:\d+: fixed\(sfix\(1, 6\), v\) needs a sint\(7\) value, got sint\(8\)/);
    expect(() => elaborate(bad((x) => x.sat(0)))).toThrow(ParamError);
    expect(() => elaborate(bad((x) => x.sat(0)))).toThrow(/lib-fixed\.test\.ts:\d+: sfix needs an integer count of integer bits >= 1/);
    expect(() => elaborate(bad((x) => x.round(-1)))).toThrow(/lib-fixed\.test\.ts:\d+: round needs an integer count of fraction bits >= 0, got -1/);
    expect(() => elaborate(bad(() => fixedConst(sfix(2, 2), 0.1)))).toThrow(/lib-fixed\.test\.ts:\d+: constant = 0\.1 is not a multiple of 2\^-2/);
    expect(() => sfix(0, 4)).toThrow(/sfix needs an integer count of integer bits >= 1 \(the sign bit counts\), got 0/);
  });
});

// ---- a Q1.7 x Q1.7 multiply-accumulate, in Verilator under random stalls ---------------------------
// acc' = sat4(acc + round7(a * b)); out = { acc: acc' (sfix(4, 7)), q: sat2(roundEven3(acc')) }.
const Q17 = sfix(1, 7);
const ACC = sfix(4, 7);
const OutT = Record({ acc: ACC, q: sfix(2, 3) });
const mac = module('fix_mac_q17', { x: In(Stream(Record({ a: Q17, b: Q17 }))), y: Out(Stream(OutT)) }, (io, m) => {
  const acc = m.reg('acc', ACC, { reset: 0 });
  const { a, b } = io.x.fields;
  const next = fixed(ACC, acc).add(fixed(Q17, a).mul(fixed(Q17, b)).round(7)).sat(ACC.width - ACC.frac);
  io.y.valid.set(io.x.valid);
  io.x.ready.set(io.y.ready);
  io.y.setFields({ acc: next.raw, q: next.roundEven(3).sat(2).raw });
  m.when(io.x.valid.and(io.y.ready), () => acc.set(next.raw));
});
function macModel(xs: { a: number; b: number }[]): { acc: number; q: number }[] {
  let acc = 0n; // raw, 7 fraction bits
  return xs.map(({ a, b }) => {
    const p: Num = { raw: BigInt(a * 128) * BigInt(b * 128), fmt: { signed: true, i: 2, f: 14 } };
    const sum = g.add({ raw: acc, fmt: { signed: true, i: 4, f: 7 } }, g.round(p, 7));
    const next = g.sat(sum, 4);
    acc = next.raw;
    const q = g.sat(g.roundEven(next, 3), 2);
    return { acc: Number(next.raw) / 128, q: Number(q.raw) / 8 };
  });
}

describe('a Q1.7 multiply-accumulate with rounding and saturation', () => {
  const design = writeTempDesign(mac);
  afterAll(() => rmSync(join(design.dir, '..'), { recursive: true, force: true }));
  it('is verilator -Wall clean (the dropped fraction bits included)', async () => {
    expect(await verilatorLint(elaborate(mac))).toBe('');
  }, 120_000);
  it('records the scale in the manifest', () => {
    const { manifest } = design as Exclude<typeof design, string>;
    const s = manifest.streams.find((x) => x.name === 'x')!;
    expect(JSON.stringify(s.meta?.['type'])).toContain('"frac":7');
  });
  it('matches the rational model in Verilator under 30% random stalls, saturating both ways', async () => {
    const seed = defaultSeed();
    const rng = makeRng(seed);
    const q = (): number => (Math.floor(rng() * 256) - 128) / 128;
    // Long runs of extremes drive the accumulator into both rails; random values in between.
    const xs = [
      ...Array.from({ length: 20 }, () => ({ a: -1, b: -1 })),
      ...Array.from({ length: 40 }, () => ({ a: -1, b: 127 / 128 })),
      ...Array.from({ length: 200 }, () => ({ a: q(), b: q() })),
    ];
    const want = macModel(xs);
    expect(want.some((w) => w.acc === 8 - 1 / 128) && want.some((w) => w.acc === -8), 'the stimulus reaches both rails').toBe(true);
    await withSim(design, { seed, stall: { in: 0.3, out: 0.3 } }, async (sim) => {
      sim.send('x', xs);
      await sim.run({ until: { y: xs.length } });
      await sim.scoreboard('y', want);
      expect(sim.receivedFields('y').slice(0, 3)).toEqual(want.slice(0, 3));
    });
  }, 300_000);
});

// ---- docs/library.md's fixed-point example, verbatim (the text between the markers is in the docs) ----
// docs-begin
const Q17d = sfix(1, 7), ACCd = sfix(4, 7);
const macDoc = module('fix_mac_q17', { x: In(Stream(Record({ a: Q17d, b: Q17d }))), y: Out(Stream(ACCd)) }, (io, m) => {
  const acc = m.reg('acc', ACCd, { reset: 0 });
  const { a, b } = io.x.fields;
  const next = fixed(ACCd, acc).add(fixed(Q17d, a).mul(fixed(Q17d, b)).round(7)).sat(4); // sfix(4, 7)
  io.y.valid.set(io.x.valid);
  io.x.ready.set(io.y.ready);
  io.y.payload.set(next.raw);
  m.when(io.x.valid.and(io.y.ready), () => acc.set(next.raw));
});
// docs-end

describe('the docs/library.md fixed-point example', () => {
  it('is in the docs verbatim and runs in the IR simulator under stalls', () => {
    const me = readFileSync(new URL(import.meta.url), 'utf8');
    const code = me.slice(me.indexOf('// docs-begin\n') + 14, me.indexOf('// docs-end')).replaceAll('Q17d', 'Q17').replaceAll('ACCd', 'ACC').replace('const macDoc', 'const mac');
    expect(readFileSync(new URL('../docs/library.md', import.meta.url), 'utf8')).toContain(code);
    const xs = [{ a: 0.5, b: -0.25 }, { a: -1, b: -1 }, ...Array.from({ length: 12 }, () => ({ a: -1, b: -1 }))];
    const want = macModel(xs).map((w) => w.acc);
    const { sim } = simulate(macDoc);
    const inC = codec(Record({ a: Q17d, b: Q17d }));
    const r = runStreams(sim, { inputs: { x: xs.map((x) => inC.encode(x)) }, expect: { y: xs.length }, inStall: 0.3, outStall: 0.3, seed: 7 });
    expect(r.outputs.y!.map((b) => codec(ACCd).decode(b))).toEqual(want);
    expect(want[0]).toBe(-0.125);
    expect(want.at(-1)).toBe(8 - 1 / 128); // saturated
  });
});
