/**
 * Tensors ↔ stream tokens of the ShiftAdd engines, as field values (the bits come from the codecs
 * of the design's stream types). The host streams each weight once, in the order the array uses it
 * (m-tile, k-tile, row; `cols` lanes a token, zero past K), each activation once (k-tile, n; `cols`
 * lanes a token, zero past K), and one cfg token {m, k, n}. Output tokens come (m-tile, n) with
 * `rows` lanes; lanes past M are dropped here.
 */
import type { Tensor, TokenFields, TokenValue } from '../../dsl/generator.ts';
import type { ArrayConfig } from './array.ts';
import type { PeConfig } from './pe.ts';

/** Tensor → row-major matrix accessor with its sizes; throws naming the tensor on a bad rank. */
export function dims2(name: string, t: Tensor | undefined): { rows: number; cols: number; at(r: number, c: number): bigint } {
  if (!t) throw new RangeError(`input tensor '${name}' is missing`);
  if (t.shape.length !== 2) throw new RangeError(`tensor '${name}' must be 2-D, got shape [${t.shape.join(', ')}]`);
  const [rows, cols] = t.shape as [number, number];
  if (t.data.length !== rows * cols) throw new RangeError(`tensor '${name}' has ${t.data.length} values for shape [${rows}, ${cols}]`);
  return { rows, cols, at: (r, c) => t.data[r * cols + c]! };
}

/** A weight lane of value zero: a zero weight, or {sign: 0, exp: 0} for shift PEs. */
export const zeroLane = (c: PeConfig): TokenValue => (c.kind === 'shift' ? { sign: 0, exp: 0 } : 0);

/** A shift weight lane {sign, exp} from the sign and exponent tensors. */
export const shiftLane = (sign: ReturnType<typeof dims2>, exp: ReturnType<typeof dims2>) =>
  (m: number, k: number): TokenValue => ({ sign: sign.at(m, k), exp: exp.at(m, k) });

/**
 * Weight tokens in use order. `lane(m, k)` gives one lane (a signed weight, or {sign, exp}).
 * Only the rows of each m-tile that exist are sent; a tile row is one token of `cols` lanes.
 */
export function weightTokens(c: ArrayConfig, M: number, K: number, lane: (m: number, k: number) => TokenValue): TokenValue[] {
  const out: TokenValue[] = [];
  for (let m0 = 0; m0 < M; m0 += c.rows)
    for (let k0 = 0; k0 < K; k0 += c.cols)
      for (let r = 0; r < c.rows && m0 + r < M; r++)
        out.push(Array.from({ length: c.cols }, (_, i) => (k0 + i < K ? lane(m0 + r, k0 + i) : zeroLane(c))));
  return out;
}

/** Activation tokens: for each k-tile, for each n, X[k0 .. k0+cols−1, n]. */
export function activationTokens(c: ArrayConfig, x: { rows: number; cols: number; at(r: number, c: number): bigint }): TokenValue[] {
  const out: TokenValue[] = [];
  for (let k0 = 0; k0 < x.rows; k0 += c.cols)
    for (let n = 0; n < x.cols; n++) out.push(Array.from({ length: c.cols }, (_, i) => (k0 + i < x.rows ? x.at(k0 + i, n) : 0n)));
  return out;
}

/** Output tokens (m-tile, n) → Y[M×N]. Throws when the count is not what the sizes imply. */
export function decodeOutputs(c: ArrayConfig, tokens: readonly TokenFields[], M: number, N: number): Tensor {
  const tiles = Math.ceil(M / c.rows);
  if (tokens.length !== tiles * N)
    throw new RangeError(`stream 'y' delivered ${tokens.length} tokens; M=${M}, N=${N} on ${c.rows} rows need ${tiles * N}`);
  const data: bigint[] = new Array<bigint>(M * N).fill(0n);
  tokens.forEach((token, i) => {
    const m0 = Math.floor(i / N) * c.rows;
    const n = i % N;
    (token as bigint[]).forEach((v, r) => {
      if (m0 + r < M) data[(m0 + r) * N + n] = v;
    });
  });
  return { shape: [M, N], data };
}
