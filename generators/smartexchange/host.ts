/**
 * `hwflow run smartexchange --decompose`: the input file gives float weights W instead of B and C.
 * W is [M, K] (a filter a row: a 3×3 conv filter of c_in channels flattened in ci, dy, dx order, or
 * an FC row), or [M, c_in, 3, 3]; every filter is decomposed by ALS (golden.ts, `decomposeLayer`)
 * into a 3×3 int8 basis and Ce of 0 / ±2^k, zero-padded to G = ceil(K / 3) rows. X passes through
 * (it must then have 3·G rows). The run computes Y = (Ce·B)·X; W ≈ scale_m · Ce·B per filter, so
 * the float result is scale_m · Y[m, :] (the scales are printed).
 */
import { TensorError } from '../../dsl/errors.ts';
import { decomposeLayer } from './golden.ts';
import type { SeParams } from './params.ts';

const ALS = { threshold: 1, iterations: 10 };

function wError(p: SeParams, got: string): TensorError {
  return new TensorError(`tensor 'W' (--decompose) takes float weights [M, K] or [M, c_in, 3, 3] with M in 1..${p.mmax} and K = 3·c_in ≤ ${3 * p.gmax}; got ${got}`);
}

/** The filters of W (nested arrays or {shape, data}) as rows of finite numbers. */
function filtersOf(p: SeParams, w: unknown): number[][] {
  let shape: number[];
  let data: unknown[];
  if (Array.isArray(w)) {
    shape = [];
    for (let level: unknown = w; Array.isArray(level); level = level[0]) shape.push(level.length);
    data = (w as unknown[]).flat(shape.length - 1);
    if (data.length !== shape.reduce((a, b) => a * b, 1) || data.some(Array.isArray)) throw wError(p, `ragged nested arrays (first row's shape [${shape.join(', ')}])`);
  } else if (w !== null && typeof w === 'object' && Array.isArray((w as { shape?: unknown }).shape) && Array.isArray((w as { data?: unknown }).data)) {
    shape = (w as { shape: number[] }).shape;
    data = (w as { data: unknown[] }).data;
    if (!shape.every((d) => Number.isInteger(d) && d >= 0) || data.length !== shape.reduce((a, b) => a * b, 1))
      throw wError(p, `shape ${JSON.stringify(shape)} with ${data.length} values`);
  } else throw wError(p, w === undefined ? 'no tensor W in the input file' : `${JSON.stringify(w)?.slice(0, 40)}`);
  if (shape.length !== 2 && !(shape.length === 4 && shape[2] === 3 && shape[3] === 3)) throw wError(p, `shape [${shape.join(', ')}]`);
  const M = shape[0]!;
  const K = data.length / Math.max(1, M);
  if (M < 1 || M > p.mmax || K < 1 || K > 3 * p.gmax) throw wError(p, `shape [${shape.join(', ')}]: M = ${M}, K = ${K}`);
  const bad = data.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw wError(p, `value #${bad} = ${JSON.stringify(data[bad])}, not a finite number`);
  return Array.from({ length: M }, (_, m) => (data as number[]).slice(m * K, (m + 1) * K));
}

/** Replace W by the decomposition's B and C; X passes through. */
export function seDecomposeInput(p: SeParams, json: Record<string, unknown>): { json: Record<string, unknown>; notes: string[] } {
  for (const given of ['B', 'C'])
    if (given in json) throw new TensorError(`tensor '${given}' is given, but with --decompose B and C come from the float weights W; give W and X only`);
  const W = filtersOf(p, json.W);
  const d = decomposeLayer(W, ALS);
  const M = W.length;
  const G = d.blocks[0]!.ce.length;
  const { W: _w, ...rest } = json;
  void _w;
  const scales = d.blocks.map((b) => b.scale.toPrecision(4));
  return {
    json: {
      ...rest,
      B: { shape: [M, 3, 3], data: d.blocks.flatMap((b) => b.B.flat()) },
      C: { shape: [M, G, 3], data: d.blocks.flatMap((b) => b.ce.flat()) },
    },
    notes: [
      `W [${M}, ${W[0]!.length}] decomposed (ALS, threshold ${ALS.threshold}, at most ${ALS.iterations} rounds) into B [${M}, 3, 3] and C [${M}, ${G}, 3]: ` +
        `relative error ${d.error.toFixed(3)} (int8: ${d.int8Error.toFixed(4)}), ${d.bytes} bytes stored against ${d.denseBytes} int8, ${(100 * d.ceSparsity).toFixed(0)}% zero coefficients.`,
      `Y is computed with Ce·B; the float result is scale_m · Y[m, :], scales: ${scales.slice(0, 16).join(', ')}${M > 16 ? ', ...' : ''}`,
    ],
  };
}
