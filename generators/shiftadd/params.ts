/**
 * Parameters of the ShiftAdd engines: the PE kind, the array, the data widths, the shift exponent
 * range and the largest run-time sizes (which size the on-chip buffers and the accumulators).
 */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';
import { accWidth, ceilLog2, type PeKind } from './widths.ts';

/** `pair` is the fused shift→add design: a shift array feeding an adder array on chip. */
export type EngineKind = PeKind | 'pair';

export interface ShiftAddParams extends Record<string, number | string | boolean> {
  kind: EngineKind;
  /** PE rows: output rows (m) computed at once. */
  rows: number;
  /** PE columns: reduction indices (k) consumed at once. */
  cols: number;
  /** Signed activation width. */
  xWidth: number;
  /** Signed weight width of multiply and adder PEs. */
  wWidth: number;
  /** Largest shift exponent P: a shift weight is a sign bit and e ∈ 0..P (P = 2^b − 1, b bits). */
  p: number;
  /** Largest run-time M, K and N. K and N size the activation buffer, K the accumulator width. */
  mMax: number;
  kMax: number;
  nMax: number;
  /** Pair only: largest row count of the adder layer (its K is the shift layer's M). */
  m2Max: number;
  /** Pair only: arithmetic right shift applied to the shift layer's output before int8 saturation. */
  requantShift: number;
  /** Convolution mode: X is a feature map [Cin, H, W] streamed once, W is [M, Cin, R, R]. */
  conv: boolean;
  /** Convolution mode: largest input channels and map height/width (size the feature-map buffer). */
  cinMax: number;
  hwMax: number;
  /** Convolution mode: stride (1 or 2) and zero padding (0 or 1) of the runs (taken at run time by the hardware). */
  stride: number;
  pad: number;
}

export const shiftAddParamSpecs: Record<keyof ShiftAddParams & string, ParamSpec> = {
  kind: { kind: 'enum', doc: 'PE kind: mul, shift, adder, or pair (shift array feeding an adder array)', values: ['mul', 'shift', 'adder', 'pair'] },
  rows: { kind: 'int', doc: 'PE rows (outputs in parallel)', min: 1, max: 64 },
  cols: { kind: 'int', doc: 'PE columns (reduction lanes)', min: 1, max: 64 },
  xWidth: { kind: 'int', doc: 'bits of the signed activations', min: 2, max: 16 },
  wWidth: { kind: 'int', doc: 'bits of the signed weights of mul and adder PEs', min: 2, max: 16 },
  p: { kind: 'int', doc: 'largest shift exponent P (2^b - 1)', min: 1, max: 31 },
  mMax: { kind: 'int', doc: 'largest run-time M (weight rows)', min: 1, max: 65536 },
  kMax: { kind: 'int', doc: 'largest run-time K (reduction length)', min: 1, max: 65536 },
  nMax: { kind: 'int', doc: 'largest run-time N (activation columns)', min: 1, max: 65536 },
  m2Max: { kind: 'int', doc: 'pair: largest rows of the adder layer', min: 1, max: 65536 },
  requantShift: { kind: 'int', doc: 'pair: right shift before int8 saturation', min: 0, max: 63 },
  conv: { kind: 'bool', doc: 'convolution mode: feature map in, on-chip address generation (1x1 or 3x3 kernels)' },
  cinMax: { kind: 'int', doc: 'conv: largest input channels', min: 1, max: 4096 },
  hwMax: { kind: 'int', doc: 'conv: largest map height and width', min: 1, max: 1024 },
  stride: { kind: 'int', doc: 'conv: stride of the runs', min: 1, max: 2 },
  pad: { kind: 'int', doc: 'conv: zero padding of the runs', min: 0, max: 1 },
};

const base = { xWidth: 8, wWidth: 8, p: 15, m2Max: 16, requantShift: 8, conv: false, cinMax: 16, hwMax: 8, stride: 1, pad: 1 };

export const shiftAddPresets: Record<string, ShiftAddParams> = {
  // CI: an 8×8 array, K up to 64, N up to 16 (the spec's CI workload), one preset per PE kind.
  ci: { ...base, kind: 'shift', rows: 8, cols: 8, mMax: 16, kMax: 64, nMax: 16 },
  'ci-mul': { ...base, kind: 'mul', rows: 8, cols: 8, mMax: 16, kMax: 64, nMax: 16 },
  'ci-adder': { ...base, kind: 'adder', rows: 8, cols: 8, mMax: 16, kMax: 64, nMax: 16 },
  'ci-pair': { ...base, kind: 'pair', rows: 8, cols: 8, mMax: 16, kMax: 64, nMax: 16, m2Max: 16 },
  // Convolution: 3×3 (or 1×1) kernels over up to 16 channels of an 8×8 map (ResNet-20 shapes, reduced).
  'ci-conv': { ...base, kind: 'shift', conv: true, rows: 8, cols: 8, mMax: 16, kMax: 144, nMax: 64 },
  // Paper-sized: a 16×16 shift array for ResNet-20 layers (K = 9·64 = 576, N = 32·32 = 1024).
  resnet: { ...base, kind: 'shift', rows: 16, cols: 16, mMax: 64, kMax: 576, nMax: 1024 },
  // The same layers as convolutions: a 32×32 map of up to 64 channels streamed once.
  'resnet-conv': { ...base, kind: 'shift', conv: true, rows: 16, cols: 16, mMax: 64, kMax: 576, nMax: 1024, cinMax: 64, hwMax: 32 },
};

/** Bits of a shift weight's exponent field. */
export const expBits = (p: number): number => ceilLog2(p + 1);

/** Semantic checks beyond the ranges of the specs. */
export function validateShiftAdd(p: ShiftAddParams): void {
  if (2 ** expBits(p.p) !== p.p + 1)
    throw new ParamError(`parameter 'p' = ${p.p} must be 2^b - 1 (a b-bit exponent field uses every code), e.g. 7 or 15`, undefined, { field: 'p' });
  if (p.kind === 'pair' && p.rows !== p.cols)
    throw new ParamError(`parameter 'cols' = ${p.cols} must equal 'rows' = ${p.rows} for kind 'pair': a shift-array output token is one adder-array input token`, undefined, { field: 'cols' });
  if (p.conv) {
    if (p.kind === 'pair') throw new ParamError(`parameter 'conv' = true is not supported for kind 'pair'`, undefined, { field: 'conv' });
    const kNeed = 9 * Math.ceil(p.cinMax / p.cols) * p.cols;
    if (p.kMax < kNeed) throw new ParamError(`parameter 'kMax' = ${p.kMax} is below 9·ceil(cinMax/cols)·cols = ${kNeed}, the K of a 3×3 convolution over ${p.cinMax} channels`, undefined, { field: 'kMax' });
    if (p.nMax < p.hwMax * p.hwMax) throw new ParamError(`parameter 'nMax' = ${p.nMax} is below hwMax² = ${p.hwMax * p.hwMax}, the output pixels of a stride-1 padded convolution`, undefined, { field: 'nMax' });
  }
  const xBuffer = Math.ceil(p.kMax / p.cols) * p.nMax * p.cols * p.xWidth;
  if (xBuffer > 2 ** 26) throw new ParamError(`kMax·nMax = ${p.kMax}·${p.nMax} needs a ${xBuffer}-bit activation buffer, over the 64 Mbit limit`, undefined, { field: 'nMax' });
  const kind = p.kind === 'pair' ? 'shift' : p.kind;
  if (p.rows * accWidth(kind, p.xWidth, p.wWidth, p.p, p.kMax) > 4096)
    throw new ParamError(`an output token of ${p.rows} rows would exceed 4096 bits; use fewer rows`, undefined, { field: 'rows' });
}
