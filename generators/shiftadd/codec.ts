/**
 * Tensors ↔ stream tokens of the ShiftAdd engines. The host streams each weight once, in the order
 * the array uses it (m-tile, k-tile, row; `cols` lanes a token, zero past K), each activation once
 * (k-tile, n; `cols` lanes a token, zero past K), and one cfg token {m, k, n}. Output tokens come
 * (m-tile, n) with `rows` lanes; lanes past M are dropped here.
 */
import type { Tensor } from '../../dsl/generator.ts';
import { arrayLayout, type ArrayConfig } from './array.ts';

/** Tensor → row-major matrix accessor with its sizes; throws naming the tensor on a bad rank. */
export function dims2(name: string, t: Tensor | undefined): { rows: number; cols: number; at(r: number, c: number): bigint } {
  if (!t) throw new RangeError(`input tensor '${name}' is missing`);
  if (t.shape.length !== 2) throw new RangeError(`tensor '${name}' must be 2-D, got shape [${t.shape.join(', ')}]`);
  const [rows, cols] = t.shape as [number, number];
  if (t.data.length !== rows * cols) throw new RangeError(`tensor '${name}' has ${t.data.length} values for shape [${rows}, ${cols}]`);
  return { rows, cols, at: (r, c) => t.data[r * cols + c]! };
}

const laneBits = (v: bigint, width: number): bigint => BigInt.asUintN(width, v);

/** Pack lane values (two's complement in `width` bits), lane 0 least significant. */
export function packLanes(values: readonly bigint[], width: number): bigint {
  let token = 0n;
  for (let i = values.length - 1; i >= 0; i--) token = (token << BigInt(width)) | laneBits(values[i]!, width);
  return token;
}

/** Unpack `count` lanes of `width` bits, as signed or unsigned values. */
export function unpackLanes(token: bigint, count: number, width: number, signed: boolean): bigint[] {
  return Array.from({ length: count }, (_, i) => {
    const bits = BigInt.asUintN(width, token >> BigInt(i * width));
    return signed ? BigInt.asIntN(width, bits) : bits;
  });
}

/** The cfg token {m, k, n} of one array (n least significant). */
export function cfgToken(c: ArrayConfig, m: number, k: number, n: number): bigint {
  const L = arrayLayout(c);
  return (BigInt(m) << BigInt(L.kBits + L.nBits)) | (BigInt(k) << BigInt(L.nBits)) | BigInt(n);
}

/**
 * Weight tokens in use order. `lane(m, k)` gives the lane's bits (a signed weight, or {sign, e}).
 * Only the rows of each m-tile that exist are sent; a tile row is one token of `cols` lanes.
 */
export function weightTokens(c: ArrayConfig, M: number, K: number, lane: (m: number, k: number) => bigint): bigint[] {
  const L = arrayLayout(c);
  const out: bigint[] = [];
  for (let m0 = 0; m0 < M; m0 += c.rows)
    for (let k0 = 0; k0 < K; k0 += c.cols)
      for (let r = 0; r < c.rows && m0 + r < M; r++)
        out.push(packLanes(Array.from({ length: c.cols }, (_, i) => (k0 + i < K ? lane(m0 + r, k0 + i) : 0n)), L.wLane));
  return out;
}

/** Activation tokens: for each k-tile, for each n, X[k0 .. k0+cols−1, n]. */
export function activationTokens(c: ArrayConfig, x: { rows: number; cols: number; at(r: number, c: number): bigint }): bigint[] {
  const out: bigint[] = [];
  for (let k0 = 0; k0 < x.rows; k0 += c.cols)
    for (let n = 0; n < x.cols; n++)
      out.push(packLanes(Array.from({ length: c.cols }, (_, i) => (k0 + i < x.rows ? x.at(k0 + i, n) : 0n)), c.xWidth));
  return out;
}

/** Output tokens (m-tile, n) → Y[M×N]. Throws when the count is not what the sizes imply. */
export function decodeOutputs(c: ArrayConfig, tokens: readonly bigint[], M: number, N: number): Tensor {
  const L = arrayLayout(c);
  const tiles = Math.ceil(M / c.rows);
  if (tokens.length !== tiles * N)
    throw new RangeError(`stream 'y' delivered ${tokens.length} tokens; M=${M}, N=${N} on ${c.rows} rows need ${tiles * N}`);
  const data: bigint[] = new Array<bigint>(M * N).fill(0n);
  tokens.forEach((token, i) => {
    const m0 = Math.floor(i / N) * c.rows;
    const n = i % N;
    unpackLanes(token, c.rows, L.accWidth, true).forEach((v, r) => {
      if (m0 + r < M) data[(m0 + r) * N + n] = v;
    });
  });
  return { shape: [M, N], data };
}
