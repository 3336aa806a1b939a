/**
 * NASA's chunk accelerator as an Accelerator: a batch of images through a multiply layer, a shift
 * layer and an adder layer, each on its own ShiftAdd chunk, pipelined image by image
 * (`create.ts`); the reference is the plain layer chain (`golden.ts`); the mapper that sizes the
 * chunks is `mapper.ts`.
 *
 * Tensors: `X` [B, K0, N] sint(xWidth) (B images of K0 channels × N pixels), `W0` [M0, K0]
 * sint(wWidth), `W1_sign`/`W1_exp` [M1, M0] uint(1)/uint(b), `W2` [M2, M1] sint(wWidth) →
 * `Y` [B, M2, N].
 */
import { defineAccelerator, type Accelerator, type GoldenResult, type Tensor, type TensorSpec, type TokenFields, type TokenValue } from '../../dsl/generator.ts';
import { checkInputs } from '../../dsl/tensors.ts';
import { arrayLayout } from '../shiftadd/array.ts';
import { activationTokens, decodeOutputs, dims2, shiftLane, weightTokens } from '../shiftadd/codec.ts';
import type { Matrix } from '../shiftadd/golden.ts';
import { intRng } from '../random.ts';
import { chunkConfigs, createNasa } from './create.ts';
import { chainCounts, chainImage, type ChainWeights } from './golden.ts';
import { nasaParamSpecs, nasaPresets, validateNasa, type NasaParams } from './params.ts';

/** Largest batch of images in one run. */
export const B_MAX = 64;

const expBits = (p: number): number => Math.ceil(Math.log2(p + 1));

function inputs(p: NasaParams): TensorSpec[] {
  return [
    { name: 'X', shape: [B_MAX, p.k0Max, p.nMax], dims: ['B', 'K0', 'N'], width: p.xWidth, signed: true },
    { name: 'W0', shape: [p.m0Max, p.k0Max], dims: ['M0', 'K0'], width: p.wWidth, signed: true },
    { name: 'W1_sign', shape: [p.m1Max, p.m0Max], dims: ['M1', 'M0'], width: 1, signed: false },
    { name: 'W1_exp', shape: [p.m1Max, p.m0Max], dims: ['M1', 'M0'], width: expBits(p.p), signed: false },
    { name: 'W2', shape: [p.m2Max, p.m1Max], dims: ['M2', 'M1'], width: p.wWidth, signed: true },
  ];
}

function outputs(p: NasaParams): TensorSpec[] {
  return [{ name: 'Y', shape: [B_MAX, p.m2Max, p.nMax], dims: ['B', 'M2', 'N'], width: arrayLayout(chunkConfigs(p)[2]).accWidth, signed: true }];
}

const matrix = (name: string, t: Tensor | undefined): Matrix => {
  const d = dims2(name, t);
  return { rows: d.rows, cols: d.cols, data: t!.data };
};

/** The batch's sizes and image `b` of X as a [K0, N] matrix. */
function images(t: Record<string, Tensor>): { B: number; K: number; N: number; image(b: number): Matrix } {
  const x = t.X;
  if (!x || x.shape.length !== 3) throw new RangeError(`tensor 'X' must be 3-D [B, K0, N], got ${x ? `shape [${x.shape.join(', ')}]` : 'nothing'}`);
  const [B, K, N] = x.shape as [number, number, number];
  return { B, K, N, image: (b) => ({ rows: K, cols: N, data: x.data.slice(b * K * N, (b + 1) * K * N) }) };
}

const weights = (t: Record<string, Tensor>): ChainWeights => ({
  w0: matrix('W0', t.W0), w1Sign: matrix('W1_sign', t.W1_sign), w1Exp: matrix('W1_exp', t.W1_exp), w2: matrix('W2', t.W2),
});

/** Every image through the chain; ideal cycles: the batch times the slowest chunk's work / PEs. */
function golden(p: NasaParams, t: Record<string, Tensor>): GoldenResult {
  checkInputs(nasa, p, t);
  const w = weights(t);
  const x = images(t);
  const data: bigint[] = [];
  for (let b = 0; b < x.B; b++) data.push(...chainImage(p, w, x.image(b)).data);
  const counts = chainCounts(w, x.N);
  const [c0, c1, c2] = chunkConfigs(p);
  const perImage = Math.max(
    Math.ceil((w.w0.rows * x.K * x.N) / (c0.rows * c0.cols)),
    Math.ceil((w.w1Sign.rows * w.w1Sign.cols * x.N) / (c1.rows * c1.cols)),
    Math.ceil((w.w2.rows * w.w2.cols * x.N) / (c2.rows * c2.cols)),
  );
  return {
    outputs: { Y: { shape: [x.B, w.w2.rows, x.N], data } },
    counts: { multiplies: counts.multiplies * x.B, shifts: counts.shifts * x.B, adds: counts.adds * x.B },
    idealCycles: perImage * x.B,
  };
}

/** Per image: one cfg token, each chunk's weights (in its use order) and the image's activations. */
function toTokens(p: NasaParams, t: Record<string, Tensor>): Record<string, TokenValue[]> {
  checkInputs(nasa, p, t);
  const [c0, c1, c2] = chunkConfigs(p);
  const [w0, sign, exp, w2] = [dims2('W0', t.W0), dims2('W1_sign', t.W1_sign), dims2('W1_exp', t.W1_exp), dims2('W2', t.W2)];
  const x = images(t);
  const out: Record<string, TokenValue[]> = { cfg: [], w0: [], w1: [], w2: [], x: [] };
  for (let b = 0; b < x.B; b++) {
    out.cfg!.push({ m0: w0.rows, k0: x.K, m1: sign.rows, m2: w2.rows, n: x.N });
    out.w0!.push(...weightTokens(c0, w0.rows, x.K, w0.at));
    out.w1!.push(...weightTokens(c1, sign.rows, w0.rows, shiftLane(sign, exp)));
    out.w2!.push(...weightTokens(c2, w2.rows, sign.rows, w2.at));
    const img = x.image(b);
    out.x!.push(...activationTokens(c0, { rows: img.rows, cols: img.cols, at: (r, c) => img.data[r * img.cols + c]! }));
  }
  return out;
}

/** Output tokens per image: ⌈M2 / adderRows⌉ m-tiles × N pixels. */
function outputTokens(p: NasaParams, t: Record<string, Tensor>): Record<string, number> {
  const x = images(t);
  return { y: x.B * Math.ceil(dims2('W2', t.W2).rows / p.adderRows) * x.N };
}

function fromTokens(p: NasaParams, tokens: Record<string, TokenFields[]>, t: Record<string, Tensor>): Record<string, Tensor> {
  const x = images(t);
  const m2 = dims2('W2', t.W2).rows;
  const per = Math.ceil(m2 / p.adderRows) * x.N;
  const y = tokens.y ?? [];
  if (y.length !== per * x.B) throw new RangeError(`stream 'y' delivered ${y.length} tokens; ${x.B} images of ${per} tokens need ${per * x.B}`);
  const data: bigint[] = [];
  for (let b = 0; b < x.B; b++) data.push(...decodeOutputs(chunkConfigs(p)[2], y.slice(b * per, (b + 1) * per), m2, x.N).data);
  return { Y: { shape: [x.B, m2, x.N], data } };
}

/** Random inputs: `B` images and weights of the given sizes (defaults: the maxima, 2 images). */
export function randomNasaInputs(p: NasaParams, seed: number, s: Partial<{ B: number; M0: number; K0: number; M1: number; M2: number; N: number }> = {}): Record<string, Tensor> {
  const r = intRng(seed);
  const [B, M0, K0, M1, M2, N] = [s.B ?? 2, s.M0 ?? p.m0Max, s.K0 ?? p.k0Max, s.M1 ?? p.m1Max, s.M2 ?? p.m2Max, s.N ?? p.nMax];
  const fill = (shape: number[], lo: number, hi: number): Tensor => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => BigInt(r(lo, hi))) });
  const sw = (w: number): [number, number] => [-(2 ** (w - 1)), 2 ** (w - 1) - 1];
  return {
    X: fill([B, K0, N], ...sw(p.xWidth)),
    W0: fill([M0, K0], ...sw(p.wWidth)),
    W1_sign: fill([M1, M0], 0, 1),
    W1_exp: fill([M1, M0], 0, p.p),
    W2: fill([M2, M1], ...sw(p.wWidth)),
  };
}

const nasa = defineAccelerator<NasaParams>({
  name: 'nasa',
  description: 'NASA chunk accelerator: multiply, shift and adder ShiftAdd chunks side by side, a hybrid layer chain pipelined across them image by image',
  params: nasaParamSpecs,
  presets: nasaPresets,
  defaultPreset: 'ci',
  validate: validateNasa,
  create: createNasa,
  inputs,
  outputs,
  golden,
  toTokens,
  fromTokens,
  outputTokens,
  randomInputs: (p, seed) => randomNasaInputs(p, seed),
});

/** The registered accelerator (parameter type erased for the registry). */
export const nasaAccelerator = nasa as unknown as Accelerator;
/** Typed handle for tests and benches. */
export const nasaTyped = nasa;
