/**
 * The ShiftAdd engines as an Accelerator: ShiftAddNet / ShiftAddNAS layers (multiply, shift, adder,
 * and the fused shift→add pair) on a weight-stationary PE array. Architecture: `array.ts` (one
 * array and its loop-nest control), `create.ts` (the top and the fused pair), `pe.ts` (the PEs),
 * `codec.ts` (tensors ↔ stream tokens as field values; the bits come from the codecs of the
 * design's stream types), `golden.ts` (the reference kernels).
 *
 * Tensors (sizes chosen at run time, up to the parameters' maxima):
 * - mul, adder: `W` [M, K] sint(wWidth), `X` [K, N] sint(xWidth) → `Y` [M, N]
 * - shift: `W_sign` [M, K] uint(1) (1 = negative), `W_exp` [M, K] uint(b) (e ∈ 0..P), `X` → `Y`
 *   (Y has P fraction bits: the integer is Σ ±X·2^(P−e))
 * - pair: `W1_sign`, `W1_exp` [M1, K], `W2` [M2, M1] sint(wWidth), `X` [K, N] → `Y` [M2, N]
 */
import { defineAccelerator, type Accelerator, type GoldenResult, type Tensor, type TensorSpec, type TokenFields, type TokenValue } from '../../dsl/generator.ts';
import { checkInputs } from '../../dsl/tensors.ts';
import { arrayLayout } from './array.ts';
import { activationTokens, decodeOutputs, dims2, shiftLane, weightTokens } from './codec.ts';
import { arrayConfig, createShiftAdd } from './create.ts';
import {
  adderLayer, idealCycles, mulLayer, opCounts, requantise, shiftLayer, type Matrix, type OpCounts,
} from './golden.ts';
import type { PeKind } from './widths.ts';
import { convFromTokens, convToTokens, convGolden, convInputs, convOutputSpecs, convOutputTokens, convRelations } from './convio.ts';
import { expBits, shiftAddParamSpecs, shiftAddPresets, validateShiftAdd, type ShiftAddParams } from './params.ts';
import { intRng as rng } from '../random.ts';

const matrix = (name: string, t: Tensor | undefined): Matrix => {
  const d = dims2(name, t);
  return { rows: d.rows, cols: d.cols, data: t!.data };
};
const tensor = (m: Matrix): Tensor => ({ shape: [m.rows, m.cols], data: m.data });
const sumCounts = (a: OpCounts, b: OpCounts): OpCounts => ({ multiplies: a.multiplies + b.multiplies, shifts: a.shifts + b.shifts, adds: a.adds + b.adds });

/** Input tensor specs of an engine. */
function inputs(p: ShiftAddParams): TensorSpec[] {
  if (p.conv) return convInputs(p);
  const x: TensorSpec = { name: 'X', shape: [p.kMax, p.nMax], dims: ['K', 'N'], width: p.xWidth, signed: true };
  const shiftWeights = (prefix: string, m: string): TensorSpec[] => [
    { name: `${prefix}_sign`, shape: [p.mMax, p.kMax], dims: [m, 'K'], width: 1, signed: false },
    { name: `${prefix}_exp`, shape: [p.mMax, p.kMax], dims: [m, 'K'], width: expBits(p.p), signed: false },
  ];
  if (p.kind === 'shift') return [...shiftWeights('W', 'M'), x];
  if (p.kind === 'pair')
    return [...shiftWeights('W1', 'M1'), { name: 'W2', shape: [p.m2Max, p.mMax], dims: ['M2', 'M1'], width: p.wWidth, signed: true }, x];
  return [{ name: 'W', shape: [p.mMax, p.kMax], dims: ['M', 'K'], width: p.wWidth, signed: true }, x];
}

function outputs(p: ShiftAddParams): TensorSpec[] {
  if (p.conv) return convOutputSpecs(p, arrayLayout(arrayConfig(p)).accWidth);
  const last = arrayConfig(p, p.kind === 'pair' ? 'second' : 'single');
  const rows = p.kind === 'pair' ? p.m2Max : p.mMax;
  return [{ name: 'Y', shape: [rows, p.nMax], dims: [p.kind === 'pair' ? 'M2' : 'M', 'N'], width: arrayLayout(last).accWidth, signed: true }];
}

/** The bit-exact result, operation counts and ideal cycles (work / all PEs of the design). */
function golden(p: ShiftAddParams, t: Record<string, Tensor>): GoldenResult {
  checkInputs(engine, p, t);
  if (p.conv) return convGolden(p, t);
  const x = matrix('X', t.X);
  const pes = p.rows * p.cols;
  if (p.kind === 'pair') {
    const y1 = shiftLayer(matrix('W1_sign', t.W1_sign), matrix('W1_exp', t.W1_exp), x, p.xWidth, p.p);
    const w2 = matrix('W2', t.W2);
    const y = adderLayer(w2, requantise(y1, p.requantShift, 8), 8, p.wWidth);
    const counts = sumCounts(opCounts('shift', y1.rows, x.rows, x.cols), opCounts('adder', w2.rows, w2.cols, x.cols));
    const pairs = y1.rows * x.rows * x.cols + w2.rows * w2.cols * x.cols;
    return { outputs: { Y: tensor(y) }, counts: { ...counts }, idealCycles: Math.ceil(pairs / (2 * pes)) };
  }
  const kind = p.kind as PeKind;
  const y = kind === 'shift'
    ? shiftLayer(matrix('W_sign', t.W_sign), matrix('W_exp', t.W_exp), x, p.xWidth, p.p)
    : (kind === 'mul' ? mulLayer : adderLayer)(matrix('W', t.W), x, p.xWidth, p.wWidth);
  return { outputs: { Y: tensor(y) }, counts: { ...opCounts(kind, y.rows, x.rows, x.cols) }, idealCycles: idealCycles(y.rows, x.rows, x.cols, p.rows, p.cols) };
}

/** Input tensors → tokens per stream, as field values: cfg {m, k, n} (the pair: {m2, m1, k, n}), weights, activations. */
function toTokens(p: ShiftAddParams, t: Record<string, Tensor>): Record<string, TokenValue[]> {
  checkInputs(engine, p, t);
  if (p.conv) return convToTokens(p, t);
  const x = dims2('X', t.X);
  if (p.kind === 'pair') {
    const [sign, exp, w2] = [dims2('W1_sign', t.W1_sign), dims2('W1_exp', t.W1_exp), dims2('W2', t.W2)];
    const [a, b] = [arrayConfig(p, 'first'), arrayConfig(p, 'second')];
    return {
      cfg: [{ m2: w2.rows, m1: sign.rows, k: x.rows, n: x.cols }],
      w1: weightTokens(a, sign.rows, x.rows, shiftLane(sign, exp)),
      w2: weightTokens(b, w2.rows, w2.cols, w2.at),
      x: activationTokens(a, x),
    };
  }
  const c = arrayConfig(p);
  if (p.kind === 'shift') {
    const [sign, exp] = [dims2('W_sign', t.W_sign), dims2('W_exp', t.W_exp)];
    return { cfg: [{ m: sign.rows, k: x.rows, n: x.cols }], w: weightTokens(c, sign.rows, x.rows, shiftLane(sign, exp)), x: activationTokens(c, x) };
  }
  const w = dims2('W', t.W);
  return { cfg: [{ m: w.rows, k: x.rows, n: x.cols }], w: weightTokens(c, w.rows, x.rows, w.at), x: activationTokens(c, x) };
}

/** Output tokens (each `rows` lanes of Y) → Y. */
function fromTokens(p: ShiftAddParams, tokens: Record<string, TokenFields[]>, t: Record<string, Tensor>): Record<string, Tensor> {
  if (p.conv) return convFromTokens(p, tokens, t);
  const x = dims2('X', t.X);
  const m = p.kind === 'pair' ? dims2('W2', t.W2).rows : dims2(p.kind === 'shift' ? 'W_sign' : 'W', t[p.kind === 'shift' ? 'W_sign' : 'W']).rows;
  return { Y: decodeOutputs(arrayConfig(p, p.kind === 'pair' ? 'second' : 'single'), tokens.y ?? [], m, x.cols) };
}

/** One output token per (m-tile, n) of the last array. */
function outputTokens(p: ShiftAddParams, t: Record<string, Tensor>): Record<string, number> {
  if (p.conv) return convOutputTokens(p, t);
  const m = p.kind === 'pair' ? dims2('W2', t.W2).rows : dims2(p.kind === 'shift' ? 'W_sign' : 'W', t[p.kind === 'shift' ? 'W_sign' : 'W']).rows;
  return { y: Math.ceil(m / p.rows) * dims2('X', t.X).cols };
}

/** Random inputs of given run-time sizes (M2 only for the pair). */
export function randomShiftAddInputs(p: ShiftAddParams, sizes: { M: number; K: number; N: number; M2?: number }, seed: number): Record<string, Tensor> {
  const r = rng(seed);
  const fill = (rows: number, cols: number, lo: number, hi: number): Tensor => ({ shape: [rows, cols], data: Array.from({ length: rows * cols }, () => BigInt(r(lo, hi))) });
  const signed = (w: number): [number, number] => [-(2 ** (w - 1)), 2 ** (w - 1) - 1];
  const X = fill(sizes.K, sizes.N, ...signed(p.xWidth));
  if (p.kind === 'mul' || p.kind === 'adder') return { W: fill(sizes.M, sizes.K, ...signed(p.wWidth)), X };
  const prefix = p.kind === 'pair' ? 'W1' : 'W';
  const out: Record<string, Tensor> = { [`${prefix}_sign`]: fill(sizes.M, sizes.K, 0, 1), [`${prefix}_exp`]: fill(sizes.M, sizes.K, 0, p.p), X };
  if (p.kind === 'pair') out.W2 = fill(sizes.M2 ?? p.m2Max, sizes.M, ...signed(p.wWidth));
  return out;
}

/** Random convolution inputs: weights [M, Cin, R, R] and a map [Cin, H, W]. */
export function randomConvInputs(p: ShiftAddParams, sizes: { M: number; Cin: number; R: number; H: number; W: number }, seed: number): Record<string, Tensor> {
  const flat = randomShiftAddInputs(p, { M: sizes.M, K: sizes.Cin * sizes.R * sizes.R, N: sizes.H * sizes.W }, seed);
  const wShape = [sizes.M, sizes.Cin, sizes.R, sizes.R];
  const out: Record<string, Tensor> = { X: { shape: [sizes.Cin, sizes.H, sizes.W], data: flat.X!.data.slice(0, sizes.Cin * sizes.H * sizes.W) } };
  for (const name of p.kind === 'shift' ? ['W_sign', 'W_exp'] : ['W']) out[name] = { shape: wShape, data: flat[name]!.data };
  return out;
}

const engine = defineAccelerator<ShiftAddParams>({
  name: 'shiftadd',
  description: 'ShiftAddNet/NAS layer engine: weight-stationary mul, shift or adder PE array, or the fused shift->add pair',
  params: shiftAddParamSpecs,
  presets: shiftAddPresets,
  defaultPreset: 'ci',
  validate: validateShiftAdd,
  create: createShiftAdd,
  inputs,
  outputs,
  golden,
  toTokens,
  fromTokens,
  outputTokens,
  checkRelations: (p, t) => (p.conv ? convRelations(p, t) : undefined),
  randomInputs: (p, seed) =>
    p.conv ? randomConvInputs(p, { M: p.mMax, Cin: p.cinMax, R: 3, H: p.hwMax, W: p.hwMax }, seed) : randomShiftAddInputs(p, { M: p.mMax, K: p.kMax, N: p.nMax, M2: p.m2Max }, seed),
});

/** The registered accelerator (parameter type erased for the registry). */
export const shiftadd = engine as unknown as Accelerator;
