import { mulberry32 } from '../../generators/random.ts';

/** A small seeded PRNG (mulberry32) for reproducible random tests; print the seed on failure. */
export class Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
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
