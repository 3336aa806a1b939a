/**
 * Tokens (unsigned bit patterns as bigint) to and from little-endian 32-bit word arrays, the unit of
 * the harness's binary framing. The one- and two-word cases avoid bigint shifts: they are the common
 * widths and the encoding cost is paid per token on the TypeScript side of a native-speed loop.
 */

/** A token value that does not fit its stream (negative, or wider than the stream). */
export class TokenRangeError extends RangeError {
  override readonly name = 'TokenRangeError';
}

const MASK32 = 0xffffffffn;

/**
 * Tokens for one stream: bigint bit patterns, or (the fast path, no bigint per token) a
 * `BigUint64Array` with one token per element for streams up to 64 bits, or a `Uint32Array` holding
 * each token as `ceil(width / 32)` little-endian words.
 */
export type TokenBatch = readonly bigint[] | BigUint64Array | Uint32Array;

/** Number of tokens in a batch. */
export function batchLength(b: TokenBatch, words: number): number {
  return b instanceof Uint32Array ? b.length / words : b.length;
}

/**
 * The batch as framing words: a view of the caller's memory (no copy) for a `Uint32Array`, and for a
 * `BigUint64Array` on a 33–64-bit stream; copied only for a `BigUint64Array` on a stream of up to
 * 32 bits (one word per token) and for `bigint[]`.
 */
export function encodeBatch(b: TokenBatch, width: number, words: number, what: string): Buffer {
  if (Array.isArray(b)) return encodeTokens(b as readonly bigint[], width, words, what);
  const topMask = width % 32 === 0 ? 0xffffffff : 2 ** (width % 32) - 1;
  const check = (u32: Uint32Array, stride: number, used: number) => {
    // Every bit pattern of whole words fits: nothing to check (the 64-bit BigUint64Array fast path).
    if (width % 32 === 0 && used === stride) return;
    for (let i = 0, t = 0; i < u32.length; i += stride, t++) {
      if (u32[i + used - 1]! > topMask) throw new TokenRangeError(`${what}: token #${t} does not fit ${width} unsigned bits`);
      for (let k = used; k < stride; k++)
        if (u32[i + k] !== 0) throw new TokenRangeError(`${what}: token #${t} does not fit ${width} unsigned bits`);
    }
  };
  if (b instanceof Uint32Array) {
    if (b.length % words !== 0) throw new TokenRangeError(`${what}: a Uint32Array batch needs ${words} words per token; its length ${b.length} is not a multiple`);
    check(b, words, words);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  }
  if (words > 2) throw new TokenRangeError(`${what}: a BigUint64Array batch carries at most 64-bit tokens; this stream is ${width} bits (use bigint[] or Uint32Array)`);
  const u32 = new Uint32Array((b as BigUint64Array).buffer, (b as BigUint64Array).byteOffset, b.length * 2);
  check(u32, 2, words);
  if (words === 2) return Buffer.from(u32.buffer, u32.byteOffset, u32.byteLength);
  const out = new Uint32Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = u32[2 * i]!;
  return Buffer.from(out.buffer);
}

/** The batch as bigints (for the Icarus back end, whose framing is text). */
export function batchToBigints(b: TokenBatch, words: number): readonly bigint[] {
  if (Array.isArray(b)) return b as readonly bigint[];
  if (b instanceof BigUint64Array) return Array.from(b);
  const u = b as Uint32Array;
  return decodeTokens(Buffer.from(u.buffer, u.byteOffset, u.byteLength), u.length / words, words);
}

/**
 * Encodes `tokens` into `words` 32-bit words each (little-endian, least significant word first).
 * `what` names the stream for the error message of an out-of-range token.
 */
export function encodeTokens(tokens: readonly bigint[], width: number, words: number, what: string): Buffer {
  const n = tokens.length;
  const buf = Buffer.allocUnsafe(n * words * 4);
  const max = (1n << BigInt(width)) - 1n;
  const bad = (i: number, t: bigint): never => {
    throw new TokenRangeError(`${what}: token #${i} = ${t} does not fit ${width} unsigned bits (tokens are bit patterns; wrap signed values with BigInt.asUintN)`);
  };
  if (words === 1) {
    const u32 = new Uint32Array(buf.buffer, buf.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const t = tokens[i]!;
      if (t < 0n || t > max) bad(i, t);
      u32[i] = Number(t);
    }
  } else if (words === 2) {
    for (let i = 0; i < n; i++) {
      const t = tokens[i]!;
      if (t < 0n || t > max) bad(i, t);
      buf.writeBigUInt64LE(t, i * 8);
    }
  } else {
    for (let i = 0; i < n; i++) {
      let t = tokens[i]!;
      if (t < 0n || t > max) bad(i, t);
      const base = i * words * 4;
      for (let k = 0; k < words; k++) {
        buf.writeUInt32LE(Number(t & MASK32), base + 4 * k);
        t >>= 32n;
      }
    }
  }
  return buf;
}

/** Decodes `n` tokens of `words` words each from `buf` (a view at the first token). */
export function decodeTokens(buf: Buffer, n: number, words: number): bigint[] {
  const out = new Array<bigint>(n);
  if (words === 1) {
    for (let i = 0; i < n; i++) out[i] = BigInt(buf.readUInt32LE(i * 4));
  } else if (words === 2) {
    for (let i = 0; i < n; i++) out[i] = buf.readBigUInt64LE(i * 8);
  } else {
    for (let i = 0; i < n; i++) {
      let v = 0n;
      const base = i * words * 4;
      for (let k = words - 1; k >= 0; k--) v = (v << 32n) | BigInt(buf.readUInt32LE(base + 4 * k));
      out[i] = v;
    }
  }
  return out;
}

/**
 * Two's-complement reading of a `width`-bit pattern (for signed ports and fields).
 * @param v the bit pattern
 * @param width its width in bits
 */
export function toSigned(v: bigint, width: number): bigint {
  return BigInt.asIntN(width, v);
}

/**
 * Hex with the stream's digit count, e.g. `0x00ff`: how the reports print values.
 * @param v the bit pattern
 * @param width its width in bits (sets the digit count)
 */
export function hex(v: bigint, width: number): string {
  return `0x${v.toString(16).padStart(Math.ceil(width / 4), '0')}`;
}
