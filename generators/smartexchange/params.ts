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
  /** Words of the activation buffer, `xw` triples each: ceil(G / xw)·N must fit. */
  xdepth: number;
  /** Activation triples per `x` token (a power of two): the load moves 3·xw bytes a cycle. */
  xw: number;
  /** Weight buffer banks per lane: 1 (a group's basis and rebuild wait for the previous group's compute) or 2 (double-buffered: the next group is rebuilt while the current one computes). */
  wbanks: number;
}

export const seParamSpecs: Record<keyof SeParams & string, ParamSpec> = {
  lanes: { kind: 'int', doc: 'filters in parallel (3 MACs each)', min: 1, max: 256 },
  gmax: { kind: 'int', doc: 'largest number of Ce rows per filter (K = 3G)', min: 2, max: 1024 },
  nmax: { kind: 'int', doc: 'largest number of activation columns N', min: 1, max: 1 << 16 },
  mmax: { kind: 'int', doc: 'largest number of filters M', min: 1, max: 1 << 16 },
  xdepth: { kind: 'int', doc: 'activation buffer words (xw triples each); ceil(G/xw)*N must fit', min: 1, max: 1 << 20 },
  xw: { kind: 'int', doc: 'activation triples per x token (power of two)', min: 1, max: 16 },
  wbanks: { kind: 'int', doc: 'weight buffer banks: 1, or 2 to rebuild the next group while the current one computes', min: 1, max: 2 },
};

export const sePresets: Record<string, SeParams> = {
  ci: { lanes: 4, gmax: 8, nmax: 8, mmax: 16, xdepth: 32, xw: 2, wbanks: 2 },
  /** ResNet-20 3×3 layers (c_in ≤ 64, so G ≤ 192; 32×32 maps at 16 channels), 16 lanes = 48 MACs, 12 activation bytes a cycle. */
  resnet20: { lanes: 16, gmax: 192, nmax: 1024, mmax: 64, xdepth: 12288, xw: 4, wbanks: 2 },
};

export interface SeSizes {
  gBits: number;
  nBits: number;
  groupBits: number;
  xaBits: number;
  /** log2(xw). */
  xwBits: number;
  /** Groups of `lanes` filters at most. */
  groups: number;
}

const bits = (n: number): number => Math.max(1, Math.ceil(Math.log2(n)));

export function seSizes(p: SeParams): SeSizes {
  const groups = Math.ceil(p.mmax / p.lanes);
  return { gBits: bits(p.gmax), nBits: bits(p.nmax), groupBits: bits(groups), xaBits: bits(p.xdepth), xwBits: Math.log2(p.xw), groups };
}

export function validateSe(p: SeParams): void {
  if (!Number.isInteger(Math.log2(p.xw)))
    throw new ParamError(`parameter 'xw' = ${p.xw} must be a power of two`, undefined, { field: 'xw', value: p.xw });
  if (p.xdepth < Math.ceil(p.gmax / p.xw))
    throw new ParamError(`parameter 'xdepth' = ${p.xdepth} must hold at least one column of ceil(gmax / xw) = ${Math.ceil(p.gmax / p.xw)} words`, undefined, { field: 'xdepth', value: p.xdepth });
  // |W| ≤ 3·32·128 = 12288, |x| ≤ 128: K·12288·128 must stay within int32.
  if (3 * p.gmax * 12288 * 128 >= 2 ** 31)
    throw new ParamError(`parameter 'gmax' = ${p.gmax} is too large for int32 outputs`, undefined, { field: 'gmax', value: p.gmax });
}

export function seModuleName(p: SeParams): string {
  return `smartexchange_l${p.lanes}_g${p.gmax}_n${p.nmax}_m${p.mmax}_x${p.xdepth}w${p.xw}_b${p.wbanks}`;
}
