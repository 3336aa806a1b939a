/** Parameters, presets, modes and checks of the Bit Fusion array (FracTrain / LDP, ACCELERATORS.md §9). */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';
import { MODE_BITS, ELEMENTS_PER_UNIT } from './modes.ts';

export interface BitFusionParams extends Record<string, number | string> {
  /** Fused units (16 bricks each), one output column each: peak U products a cycle at 8 bits, 4U at 4, 16U at 2. */
  units: number;
  /** Largest reduction length K. */
  kmax: number;
  /** Largest number of rows M (activations: pixels or batch). */
  mmax: number;
  /** Largest number of columns N (weights: output channels). */
  nmax: number;
  /** 1: fused units of 2-bit bricks; 0: the baseline, one fixed int8 multiplier per unit (every job at the 8-bit rate). */
  fused: number;
}

export const bitFusionParamSpecs: Record<keyof BitFusionParams & string, ParamSpec> = {
  units: { kind: 'int', doc: 'fused units (16 2-bit bricks each), one output column each', min: 1, max: 64 },
  kmax: { kind: 'int', doc: 'largest reduction length K', min: 1, max: 1 << 16 },
  mmax: { kind: 'int', doc: 'largest number of rows M', min: 1, max: 1 << 16 },
  nmax: { kind: 'int', doc: 'largest number of columns N', min: 1, max: 1 << 12 },
  fused: { kind: 'int', doc: '1: fused 2-bit bricks (modes 2/4/8 bits); 0: baseline of fixed int8 multipliers', min: 0, max: 1 },
};

export const bitFusionPresets: Record<string, BitFusionParams> = {
  ci: { units: 2, kmax: 40, mmax: 4, nmax: 4, fused: 1 },
  /** The ci array with fixed int8 multipliers: the baseline of the same peak 8-bit throughput. */
  'ci-mac': { units: 2, kmax: 40, mmax: 4, nmax: 4, fused: 0 },
  /** Every ResNet-20 (CIFAR) layer as an im2col GEMM: K ≤ 9·64, M ≤ 32·32 pixels, N ≤ 64 channels; 16 units. */
  resnet20: { units: 16, kmax: 576, mmax: 1024, nmax: 64, fused: 1 },
  'resnet20-mac': { units: 16, kmax: 576, mmax: 1024, nmax: 64, fused: 0 },
};

const bits = (n: number): number => Math.max(1, Math.ceil(Math.log2(n)));

export interface BitFusionSizes {
  /** Bits of the chunk counter (chunks of a row ≤ kmax, at 8 bits one element a chunk). */
  chunkBits: number;
  /** Bits of the output counter (ceil(nmax / units)·mmax tokens a job). */
  outBits: number;
}

export function bitFusionSizes(p: BitFusionParams): BitFusionSizes {
  return { chunkBits: bits(p.kmax), outBits: bits(Math.ceil(p.nmax / p.units) * p.mmax) };
}

/** Accumulators are int32: K products of at most 2^14 (−128·−128) must fit. */
export function validateBitFusion(p: BitFusionParams): void {
  if (p.kmax * 2 ** 14 >= 2 ** 31)
    throw new ParamError(`parameter 'kmax' = ${p.kmax} is too large for int32 sums of 8-bit products (at most ${2 ** 17 - 1})`, undefined, { field: 'kmax', value: p.kmax });
}

export function bitFusionModuleName(p: BitFusionParams): string {
  return `${p.fused ? 'bitfusion' : 'bitfusion_mac'}_u${p.units}_k${p.kmax}_m${p.mmax}_n${p.nmax}`;
}

/** The brick mode a job of `bits`-bit operands runs in (the smallest of 2, 4, 8 that holds it); the baseline runs everything at 8. */
export function modeOf(p: BitFusionParams, bits: number): number {
  if (!p.fused) return 8;
  return MODE_BITS.find((b) => b >= bits)!;
}

export { MODE_BITS, ELEMENTS_PER_UNIT };
