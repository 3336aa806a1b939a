/** Parameters, presets and checks of the SmartExchange engine. */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';

export interface SeParams extends Record<string, number | string> {
  /** Filters computed in parallel, one lane each (3 MACs a lane: MACs = 3 · lanes). */
  lanes: number;
  /** Largest number of basis-coefficient rows G per filter (K = 3·G, e.g. 3·c_in for a 3×3 conv). */
  gmax: number;
  /** Largest number of activation columns N (output pixels or batch). */
  nmax: number;
  /** Largest number of filters M. */
  mmax: number;
  /** Words (of 3 activations) of the activation buffer: G·N must fit. */
  xdepth: number;
}

export const seParamSpecs: Record<keyof SeParams & string, ParamSpec> = {
  lanes: { kind: 'int', doc: 'filters in parallel (3 MACs each)', min: 1, max: 256 },
  gmax: { kind: 'int', doc: 'largest number of Ce rows per filter (K = 3G)', min: 2, max: 1024 },
  nmax: { kind: 'int', doc: 'largest number of activation columns N', min: 1, max: 1 << 16 },
  mmax: { kind: 'int', doc: 'largest number of filters M', min: 1, max: 1 << 16 },
  xdepth: { kind: 'int', doc: 'activation buffer words (3 int8 each); G*N must fit', min: 1, max: 1 << 20 },
};

export const sePresets: Record<string, SeParams> = {
  ci: { lanes: 4, gmax: 8, nmax: 8, mmax: 16, xdepth: 64 },
  /** ResNet-20 3×3 layers (c_in ≤ 64, so G ≤ 192; 32×32 maps at 16 channels), 16 lanes = 48 MACs. */
  resnet20: { lanes: 16, gmax: 192, nmax: 1024, mmax: 64, xdepth: 49152 },
};

export interface SeSizes {
  gBits: number;
  nBits: number;
  groupBits: number;
  xaBits: number;
  /** Groups of `lanes` filters at most. */
  groups: number;
}

const bits = (n: number): number => Math.max(1, Math.ceil(Math.log2(n)));

export function seSizes(p: SeParams): SeSizes {
  const groups = Math.ceil(p.mmax / p.lanes);
  return { gBits: bits(p.gmax), nBits: bits(p.nmax), groupBits: bits(groups), xaBits: bits(p.xdepth), groups };
}

export function validateSe(p: SeParams): void {
  if (p.xdepth < p.gmax)
    throw new ParamError(`parameter 'xdepth' = ${p.xdepth} must hold at least one column of gmax = ${p.gmax} words`, undefined, { field: 'xdepth', value: p.xdepth });
  // |W| ≤ 3·32·128 = 12288, |x| ≤ 128: K·12288·128 must stay within int32.
  if (3 * p.gmax * 12288 * 128 >= 2 ** 31)
    throw new ParamError(`parameter 'gmax' = ${p.gmax} is too large for int32 outputs`, undefined, { field: 'gmax', value: p.gmax });
}

export function seModuleName(p: SeParams): string {
  return `smartexchange_l${p.lanes}_g${p.gmax}_n${p.nmax}_m${p.mmax}_x${p.xdepth}`;
}
