// The token store keeps received cycles as the simulator's 16-bit steps (a chunk per ring slot, each
// from a base cycle) and sums them only when asked. These tests check the sums against cycles kept
// the plain way, with reads in between chunks and inside them, and the one-token path (Icarus) across
// gaps too long for a step.
import { expect, it } from 'vitest';
import { TokenStore } from '../testbenches/stream/store.ts';
import { Rng, testSeed } from './support/rng.ts';

it('sums 16-bit cycle steps chunk by chunk, whenever the cycles are read', () => {
  const seed = testSeed();
  const rng = new Rng(seed);
  const store = new TokenStore(2);
  const want: number[] = [];
  let cycle = 0;
  for (let chunk = 0; chunk < 40; chunk++) {
    const n = 1 + Number(rng.bits(10));
    // A chunk's base is at or after the previous token's cycle (the loop starts a chunk on a long gap).
    const base = cycle + Number(rng.bits(17));
    const dst = store.slot(n);
    const steps = new Uint16Array(dst.steps.buffer, dst.steps.byteOffset, n);
    cycle = base;
    for (let i = 0; i < n; i++) {
      const step = i === 0 && rng.bits(1) === 0n ? 0 : 1 + Number(rng.bits(rng.bits(1) === 0n ? 2 : 16)) % 0xffff;
      steps[i] = step;
      cycle += step;
      want.push(cycle);
    }
    store.commit(n, base);
    // Read now and then: after a chunk, or a single token's cycle from the middle.
    if (chunk % 7 === 3) expect(Array.from(store.cyclesRaw()), `seed ${seed}`).toEqual(want);
    if (chunk % 5 === 1) expect(store.cycleAt(want.length >> 1), `seed ${seed}`).toBe(want[want.length >> 1]);
  }
  expect(Array.from(store.cyclesRaw()), `seed ${seed}`).toEqual(want);
  expect(store.cycles(), `seed ${seed}`).toEqual(want);
  expect(store.cycleAt(want.length)).toBeUndefined();
});

it('keeps exact cycles of tokens appended one by one, across gaps longer than a step', () => {
  const store = new TokenStore(1);
  const cycles = [3, 4, 4 + 0xffff, 5 + 0xffff + 0x10000, 2 ** 40, 2 ** 40 + 1];
  cycles.forEach((c, i) => store.push(BigInt(i), c));
  expect(Array.from(store.cyclesRaw())).toEqual(cycles);
  expect(store.tokens()).toEqual(cycles.map((_, i) => BigInt(i)));
});
