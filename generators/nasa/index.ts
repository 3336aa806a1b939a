/**
 * NASA's chunk accelerator as an Accelerator: a batch of images through a multiply layer, a shift
 * layer and an adder layer, each on its own ShiftAdd chunk, pipelined image by image
 * (`create.ts`); the reference is the plain layer chain (`golden.ts`); the mapper that sizes the
 * chunks is `mapper.ts`.
 *
 * Tensors: `X` [B, K0, N] sint(xWidth) (B images of K0 channels × N pixels), `W0` [R, M0, K0]
 * sint(wWidth), `W1_sign`/`W1_exp` [R, M1, M0] uint(1)/uint(b), `W2` [R, M2, M1] sint(wWidth) →
 * `Y` [B, M2, N]; R rounds of the chain (R ≤ the `rounds` parameter; K0 = M2 when R > 1).
 */
import { defineAccelerator, type Accelerator, type GoldenResult, type Tensor, type TensorSpec, type TokenFields, type TokenValue } from '../../dsl/generator.ts';
import { checkInputs } from '../../dsl/tensors.ts';
import { arrayLayout } from '../shiftadd/array.ts';
import { activationTokens, decodeOutputs, dims2, shiftLane, weightTokens } from '../shiftadd/codec.ts';
import type { Matrix } from '../shiftadd/golden.ts';
import { intRng } from '../random.ts';
import { chunkConfigs, createNasa } from './create.ts';
import { chainCounts, roundsImage, type ChainWeights } from './golden.ts';
import { nasaParamSpecs, nasaPresets, validateNasa, type NasaParams } from './params.ts';

/** Largest batch of images in one run. */
export const B_MAX = 64;

const expBits = (p: number): number => Math.ceil(Math.log2(p + 1));

function inputs(p: NasaParams): TensorSpec[] {
  return [
    { name: 'X', shape: [B_MAX, p.k0Max, p.nMax], dims: ['B', 'K0', 'N'], width: p.xWidth, signed: true },
    { name: 'W0', shape: [p.rounds, p.m0Max, p.k0Max], dims: ['R', 'M0', 'K0'], width: p.wWidth, signed: true },
    { name: 'W1_sign', shape: [p.rounds, p.m1Max, p.m0Max], dims: ['R', 'M1', 'M0'], width: 1, signed: false },
    { name: 'W1_exp', shape: [p.rounds, p.m1Max, p.m0Max], dims: ['R', 'M1', 'M0'], width: expBits(p.p), signed: false },
    { name: 'W2', shape: [p.rounds, p.m2Max, p.m1Max], dims: ['R', 'M2', 'M1'], width: p.wWidth, signed: true },
  ];
}

function outputs(p: NasaParams): TensorSpec[] {
  return [{ name: 'Y', shape: [B_MAX, p.m2Max, p.nMax], dims: ['B', 'M2', 'N'], width: arrayLayout(chunkConfigs(p)[2]).accWidth, signed: true }];
}

/** Round `r` of a [R, rows, cols] weight tensor as a matrix accessor (checkInputs has checked the rank). */
function roundOf(name: string, t: Tensor | undefined, r: number): ReturnType<typeof dims2> & { data: bigint[] } {
  if (!t || t.shape.length !== 3) throw new RangeError(`tensor '${name}' must be 3-D [R, rows, cols], got ${t ? `shape [${t.shape.join(', ')}]` : 'nothing'}`);
  const [, rows, cols] = t.shape as [number, number, number];
  const data = t.data.slice(r * rows * cols, (r + 1) * rows * cols);
  return { ...dims2(name, { shape: [rows, cols], data }), data };
}

/** Rounds of the chain in the weights (the R dimension). */
const roundCount = (t: Record<string, Tensor>): number => t.W0!.shape[0]!;

const matrix = (d: ReturnType<typeof roundOf>): Matrix => ({ rows: d.rows, cols: d.cols, data: d.data });

/** The batch's sizes and image `b` of X as a [K0, N] matrix. */
function images(t: Record<string, Tensor>): { B: number; K: number; N: number; image(b: number): Matrix } {
  const x = t.X;
  if (!x || x.shape.length !== 3) throw new RangeError(`tensor 'X' must be 3-D [B, K0, N], got ${x ? `shape [${x.shape.join(', ')}]` : 'nothing'}`);
  const [B, K, N] = x.shape as [number, number, number];
  return { B, K, N, image: (b) => ({ rows: K, cols: N, data: x.data.slice(b * K * N, (b + 1) * K * N) }) };
}

const weights = (t: Record<string, Tensor>, r: number): ChainWeights => ({
  w0: matrix(roundOf('W0', t.W0, r)), w1Sign: matrix(roundOf('W1_sign', t.W1_sign, r)), w1Exp: matrix(roundOf('W1_exp', t.W1_exp, r)), w2: matrix(roundOf('W2', t.W2, r)),
});

/** Later rounds read the adder layer's output: K0 = M2 when R > 1. */
function checkRelations(_p: NasaParams, t: Record<string, Tensor>): void {
  const [R, M2] = [t.W0!.shape[0]!, t.W2!.shape[1]!];
  const K0 = t.X!.shape[1]!;
  if (R > 1 && K0 !== M2) throw new RangeError(`tensor 'X' has K0 = ${K0}, but with R = ${R} rounds the adder layer's output feeds the multiply layer again, so K0 must equal M2 = ${M2} (tensor 'W2')`);
}

/**
 * The order the chunks run rounds in: images in groups of three, every round of a group before the
 * next group, and within a round the group's images in turn, so while image b's round r is on the
 * shift chunk the multiply chunk runs image b+1's (a lone image would leave two chunks idle).
 */
export function jobOrder(B: number, R: number): { b: number; r: number }[] {
  const out: { b: number; r: number }[] = [];
  for (let g = 0; g < B; g += 3)
    for (let r = 0; r < R; r++)
      for (let b = g; b < Math.min(g + 3, B); b++) out.push({ b, r });
  return out;
}

/** Every image through the chain; ideal cycles: the batch times the slowest chunk's work / PEs. */
function golden(p: NasaParams, t: Record<string, Tensor>): GoldenResult {
  checkInputs(nasa, p, t);
  checkRelations(p, t);
  const R = roundCount(t);
  const ws = Array.from({ length: R }, (_, r) => weights(t, r));
  const x = images(t);
  const data: bigint[] = [];
  for (let b = 0; b < x.B; b++) data.push(...roundsImage(p, ws, x.image(b)).data);
  const counts = ws.map((w) => chainCounts(w, x.N)).reduce((a, c) => ({ multiplies: a.multiplies + c.multiplies, shifts: a.shifts + c.shifts, adds: a.adds + c.adds }));
  const [c0, c1, c2] = chunkConfigs(p);
  const w = ws[0]!;
  const perImage = R * Math.max(
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
  checkRelations(p, t);
  const [c0, c1, c2] = chunkConfigs(p);
  const R = roundCount(t);
  const x = images(t);
  const out: Record<string, TokenValue[]> = { cfg: [], w0: [], w1: [], w2: [], x: [] };
  // Every chunk takes one cfg token and its layer's weights per round of an image, in job order;
  // the image itself only for its first round (later rounds read the fed-back adder output).
  for (const { b, r } of jobOrder(x.B, R)) {
    const [w0, sign, exp, w2] = [roundOf('W0', t.W0, r), roundOf('W1_sign', t.W1_sign, r), roundOf('W1_exp', t.W1_exp, r), roundOf('W2', t.W2, r)];
    const sizes = { m0: w0.rows, k0: w0.cols, m1: sign.rows, m2: w2.rows, n: x.N };
    out.cfg!.push(p.rounds > 1 ? { ...sizes, first: r === 0 ? 1 : 0, last: r === R - 1 ? 1 : 0 } : sizes);
    out.w0!.push(...weightTokens(c0, w0.rows, w0.cols, w0.at));
    out.w1!.push(...weightTokens(c1, sign.rows, w0.rows, shiftLane(sign, exp)));
    out.w2!.push(...weightTokens(c2, w2.rows, sign.rows, w2.at));
    if (r > 0) continue;
    const img = x.image(b);
    out.x!.push(...activationTokens(c0, { rows: img.rows, cols: img.cols, at: (r, c) => img.data[r * img.cols + c]! }));
  }
  return out;
}

/** Output tokens per image: ⌈M2 / adderRows⌉ m-tiles × N pixels. */
function outputTokens(p: NasaParams, t: Record<string, Tensor>): Record<string, number> {
  const x = images(t);
  return { y: x.B * Math.ceil(t.W2!.shape[1]! / p.adderRows) * x.N };
}

function fromTokens(p: NasaParams, tokens: Record<string, TokenFields[]>, t: Record<string, Tensor>): Record<string, Tensor> {
  const x = images(t);
  const m2 = t.W2!.shape[1]!;
  const per = Math.ceil(m2 / p.adderRows) * x.N;
  const y = tokens.y ?? [];
  if (y.length !== per * x.B) throw new RangeError(`stream 'y' delivered ${y.length} tokens; ${x.B} images of ${per} tokens need ${per * x.B}`);
  const data: bigint[] = [];
  for (let b = 0; b < x.B; b++) data.push(...decodeOutputs(chunkConfigs(p)[2], y.slice(b * per, (b + 1) * per), m2, x.N).data);
  return { Y: { shape: [x.B, m2, x.N], data } };
}

/** Random inputs: `B` images and R rounds of weights of the given sizes (defaults: the maxima, 2 images; K0 = M2 with several rounds). */
export function randomNasaInputs(p: NasaParams, seed: number, s: Partial<{ B: number; R: number; M0: number; K0: number; M1: number; M2: number; N: number }> = {}): Record<string, Tensor> {
  const r = intRng(seed);
  const R = s.R ?? p.rounds;
  const M2 = s.M2 ?? p.m2Max;
  const [B, M0, K0, M1, N] = [s.B ?? 2, s.M0 ?? p.m0Max, s.K0 ?? (R > 1 ? M2 : p.k0Max), s.M1 ?? p.m1Max, s.N ?? p.nMax];
  const fill = (shape: number[], lo: number, hi: number): Tensor => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => BigInt(r(lo, hi))) });
  const sw = (w: number): [number, number] => [-(2 ** (w - 1)), 2 ** (w - 1) - 1];
  return {
    X: fill([B, K0, N], ...sw(p.xWidth)),
    W0: fill([R, M0, K0], ...sw(p.wWidth)),
    W1_sign: fill([R, M1, M0], 0, 1),
    W1_exp: fill([R, M1, M0], 0, p.p),
    W2: fill([R, M2, M1], ...sw(p.wWidth)),
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
  checkRelations,
  toTokens,
  fromTokens,
  outputTokens,
  randomInputs: (p, seed) => randomNasaInputs(p, seed),
});

/** The registered accelerator (parameter type erased for the registry). */
export const nasaAccelerator = nasa as unknown as Accelerator;
/** Typed handle for tests and benches. */
export const nasaTyped = nasa;
