// The IR simulator against independent golden models of the example designs, and on wide values.
import { describe, expect, it } from 'vitest';
import { In, Out, Simulator, cat, elaborate, module, sint, u, uint } from '../dsl/index.ts';
import { counterGolden } from '../generators/counter/golden.ts';
import { macGolden } from '../generators/mac/golden.ts';
import { counter, mac } from '../generators/examples.ts';
import { Rng, testSeed } from './support/rng.ts';

const seed = testSeed();

describe(`IR simulator (seed ${seed})`, () => {
  it('counter matches its golden model under random enables', () => {
    const rng = new Rng(seed);
    const p = counter.presets.ci!;
    const sim = new Simulator(elaborate(counter.create(p)));
    sim.reset();
    const enables = Array.from({ length: 200 }, () => rng.int(0, 1));
    const seen: number[] = [];
    for (const en of enables) {
      sim.poke('enable', en);
      seen.push(Number(sim.peek('count')));
      sim.step();
    }
    expect(seen).toEqual(counterGolden(p.limit as number, enables));
  });

  it('MAC matches its golden model, wrapping at the accumulator width', () => {
    const rng = new Rng(seed + 1);
    const p = { width: 8, accWidth: 17 };
    const sim = new Simulator(elaborate(mac.create(p)));
    sim.reset();
    const steps = Array.from({ length: 300 }, () => ({ a: rng.int(-128, 127), b: rng.int(-128, 127), valid: rng.int(0, 3) ? 1 : 0, clear: rng.int(0, 40) ? 0 : 1 }));
    const seen: bigint[] = [];
    for (const st of steps) {
      for (const [k, v] of Object.entries(st)) sim.poke(k, v);
      seen.push(sim.peek('acc'));
      sim.step();
    }
    expect(seen).toEqual(macGolden(17, steps));
  });

  it('computes with constants and values wider than 64 bits (bigint)', () => {
    const big = 0x1234_5678_9abc_def0_1122_3344n;
    const d = module('wide_ops', { a: In(uint(96)), sum: Out(uint(97)), hi: Out(uint(32)), neg: Out(sint(98)), joined: Out(uint(192)) }, (io) => {
      io.sum.set(io.a.add(u(96, big)));
      io.hi.set(io.a.slice(95, 64));
      io.neg.set(io.a.toSigned().neg());
      io.joined.set(cat(io.a, io.a));
    });
    const sim = new Simulator(elaborate(d));
    const a = (1n << 96n) - 5n;
    sim.poke('a', a);
    expect(sim.peek('sum')).toBe(a + big);
    expect(sim.peek('hi')).toBe(a >> 64n);
    expect(sim.peek('neg')).toBe(-a);
    expect(sim.peek('joined')).toBe((a << 96n) | a);
  });

  it('saturates, truncates and shifts as declared', () => {
    const d = module('narrowing', { a: In(sint(12)), n: In(uint(4)), sat: Out(sint(8)), tr: Out(sint(8)), sra: Out(sint(12)), shr: Out(sint(9)) }, (io) => {
      io.sat.set(io.a.sat(8));
      io.tr.set(io.a.trunc(8));
      io.sra.set(io.a.shrBy(io.n));
      io.shr.set(io.a.shr(3));
    });
    const sim = new Simulator(elaborate(d));
    for (const [a, n] of [[1000, 3], [-1000, 15], [-5, 1], [127, 0], [-129, 2]] as const) {
      sim.poke('a', a);
      sim.poke('n', n);
      expect(sim.peek('sat')).toBe(BigInt(Math.max(-128, Math.min(127, a))));
      expect(sim.peek('tr')).toBe(BigInt.asIntN(8, BigInt(a)));
      expect(sim.peek('sra')).toBe(BigInt(a) >> BigInt(n));
      expect(sim.peek('shr')).toBe(BigInt(a) >> 3n);
    }
  });
});
