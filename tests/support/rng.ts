/** A small seeded PRNG (mulberry32) for reproducible random tests; print the seed on failure. */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** Random bigint of `width` bits (unsigned bit pattern). */
  bits(width: number): bigint {
    let v = 0n;
    for (let i = 0; i < width; i += 16) v = (v << 16n) | BigInt(this.int(0, 0xffff));
    return BigInt.asUintN(width, v);
  }
}

/** A seed from HWFLOW_SEED, or a fresh one; tests print it in their names or failure messages. */
export function testSeed(): number {
  const env = process.env.HWFLOW_SEED;
  return env ? Number(env) : Math.floor(Math.random() * 2 ** 31);
}
