/**
 * The one seeded PRNG of the repository (mulberry32: small, fast, good enough for random test data
 * and stalls), for generators' `randomInputs`, benches and tests alike, so a seed means the same
 * numbers everywhere. Imports nothing.
 */

/** A uniform source in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integers in [lo, hi] from a seed. */
export function intRng(seed: number): (lo: number, hi: number) => number {
  const next = mulberry32(seed);
  return (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
}
