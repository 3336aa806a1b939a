/**
 * A small seeded random number generator (sfc32 seeded through splitmix32) for the fuzzer. Every
 * random choice of the fuzzer flows from one of these, so a seed printed in a failure replays it.
 */

/** Seeded PRNG with the helpers the fuzzer needs (integers, picks, wide bit patterns). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    // splitmix32 spreads even tiny seeds (0, 1, 2) over the whole state.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniformly random unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }
  /** A float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }
  /** An integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.float() * items.length)]!;
  }
  /** Pick by weight: `weighted([['add', 3], ['mul', 1]])`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.float() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1]![0];
  }
  /** `width` uniformly random bits. */
  bits(width: number): bigint {
    let out = 0n;
    for (let done = 0; done < width; done += 32) out = (out << 32n) | BigInt(this.u32());
    return BigInt.asUintN(width, out);
  }
  /** A bit pattern biased to the values that break hardware: 0, all ones, sign boundaries, small numbers. */
  edgyBits(width: number): bigint {
    const w = BigInt(width);
    const all = (1n << w) - 1n;
    switch (this.int(0, 9)) {
      case 0: return 0n;
      case 1: return all;
      case 2: return 1n << (w - 1n); // most negative signed
      case 3: return all >> 1n; // most positive signed
      case 4: return BigInt.asUintN(width, BigInt(this.int(0, width + 2))); // shift amounts around the width
      case 5: return BigInt.asUintN(width, BigInt(-this.int(1, 4))); // small negatives
      default: return this.bits(width);
    }
  }
  /** A fresh generator derived from this one (for independent streams). */
  fork(): Rng {
    return new Rng(this.u32());
  }
}

/** Mix integers into one 32-bit seed (to derive a stream from a seed and a tag). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
    h = Math.imul(h, 0x2c1b3c6d) >>> 0;
    h = (h ^ (h >>> 12)) >>> 0;
  }
  return h >>> 0;
}
