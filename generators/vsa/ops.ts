/**
 * Facts the golden model and the hardware of the VSA engine share: the opcodes of the instruction
 * stream, the bit order of a hypervector in words, and the fixed seeded tie vector of `bundle`.
 * Imports nothing from dsl/ (golden.ts and create.ts both read it).
 *
 * Bit order: bit i of a D-bit hypervector is bit (i mod 32) of 32-bit word floor(i / 32) (tensors,
 * golden), and bit (i mod W) of W-bit word floor(i / W) (the hardware's words): little-endian, so a
 * W-bit word is W/32 consecutive 32-bit words, the first least significant.
 */
import { mulberry32 } from '../random.ts';

/** Opcodes of the instruction stream (the `op` field, 3 bits). */
export const OP = {
  /** dst ← the next D/W words of the `vec` stream. */
  LOAD: 0,
  /** dst ← a XOR b. */
  BIND: 1,
  /** dst ← a rotated by imm bits towards higher indices: dst[i] = a[(i − imm) mod D]. */
  PERM: 2,
  /** dst ← bitwise majority of registers a .. a + imm − 1 (ties: the tie vector's bit). */
  BUNDLE: 3,
  /** One result {index: 0, sim: D − 2·popcount(a XOR b)}. */
  SIM: 4,
  /** One result {index, sim}: the best of codebook items 0 .. imm − 1 against a (ties: lowest index). */
  CLEANUP: 5,
  /** D/W output words: register a. */
  STORE: 6,
  /** Codebook item imm ← the next D/W words of the `vec` stream (the host loads the codebook with it). */
  CBLOAD: 7,
} as const;

export type OpName = keyof typeof OP;
export const OP_NAMES = Object.keys(OP) as OpName[];

/** Seed of the tie vector (fixed: the hardware holds it as a ROM). */
export const TIE_SEED = 0x7e5a;

/** The tie vector of D bits as 32-bit words (D a multiple of 32). */
export function tieVector(D: number): Uint32Array {
  const r = mulberry32(TIE_SEED);
  return Uint32Array.from({ length: D / 32 }, () => Math.floor(r() * 2 ** 32) >>> 0);
}

/** 32-bit words → W-bit words (W a multiple of 32 or a power of two below 32) as bigints. */
export function toWideWords(words: ArrayLike<number>, W: number): bigint[] {
  const D = words.length * 32;
  const out: bigint[] = [];
  if (W % 32 === 0) {
    for (let j = 0; j < D / W; j++) {
      let x = 0n;
      for (let k = W / 32 - 1; k >= 0; k--) x = (x << 32n) | BigInt(words[(j * W) / 32 + k]! >>> 0);
      out.push(x);
    }
    return out;
  }
  for (let j = 0; j < D / W; j++) {
    let x = 0n;
    for (let b = W - 1; b >= 0; b--) {
      const i = j * W + b;
      x = (x << 1n) | BigInt((words[i >>> 5]! >>> (i & 31)) & 1);
    }
    out.push(x);
  }
  return out;
}

/** W-bit words (bigint or number) → 32-bit words. */
export function fromWideWords(wide: readonly (bigint | number)[], W: number): Uint32Array {
  const D = wide.length * W;
  const out = new Uint32Array(D / 32);
  if (W % 32 === 0) {
    wide.forEach((w, j) => {
      for (let k = 0; k < W / 32; k++) out[(j * W) / 32 + k] = Number((BigInt(w) >> BigInt(32 * k)) & 0xffffffffn);
    });
    return out;
  }
  wide.forEach((w, j) => {
    const x = BigInt(w);
    for (let b = 0; b < W; b++) if ((x >> BigInt(b)) & 1n) out[(j * W + b) >>> 5]! |= 1 << ((j * W + b) & 31);
  });
  return out;
}
