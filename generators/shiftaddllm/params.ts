/** Parameters, presets and checks of the ShiftAddLLM engine. */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';
import { accumulatorWidth, tableWidth, type ScaleMode } from './widths.ts';

export interface ShiftAddLlmParams extends Record<string, number | string> {
  /** Largest K (input length) the design takes; a multiple of 8. */
  kmax: number;
  /** Largest N (output rows) the design takes. */
  nmax: number;
  /** Bit-planes q. */
  q: number;
  /** Lookup lanes L (rows served in parallel). */
  lanes: number;
  /** Scale granularity: 'block' (one per 8 columns per row and plane) or 'row' (one per row and plane). */
  scales: ScaleMode;
  /** Bits of the signed activations. */
  actWidth: number;
}

export const shiftAddLlmParamSpecs: Record<keyof ShiftAddLlmParams & string, ParamSpec> = {
  kmax: { kind: 'int', doc: 'largest input length K (multiple of 8)', min: 8, max: 8192 },
  nmax: { kind: 'int', doc: 'largest number of output rows N', min: 1, max: 16384 },
  q: { kind: 'int', doc: 'binary bit-planes of the weights', min: 1, max: 4 },
  lanes: { kind: 'int', doc: 'lookup lanes, one weight byte each per cycle', min: 1, max: 16 },
  scales: { kind: 'enum', doc: 'scale granularity: per 8-column block or per row', values: ['block', 'row'] },
  actWidth: { kind: 'int', doc: 'bits of the signed activations', min: 2, max: 16 },
};

export const shiftAddLlmPresets: Record<string, ShiftAddLlmParams> = {
  ci: { kmax: 64, nmax: 16, q: 3, lanes: 4, scales: 'block', actWidth: 8 },
  'ci-row': { kmax: 64, nmax: 16, q: 3, lanes: 4, scales: 'row', actWidth: 8 },
  'opt125m-attn': { kmax: 768, nmax: 768, q: 3, lanes: 4, scales: 'block', actWidth: 8 },
  'opt125m-fc1': { kmax: 768, nmax: 3072, q: 3, lanes: 4, scales: 'block', actWidth: 8 },
};

/** Derived sizes shared by the design, the encoder and the tests. */
export interface LlmSizes {
  gmax: number;
  /** Rows per lane: ceil(nmax / lanes). */
  chunksMax: number;
  /** Bits of a group counter and of a row-chunk counter. */
  groupBits: number;
  chunkBits: number;
  planeBits: number;
  tableWidth: number;
  accWidth: number;
  /** Depth of a lane's per-row scale memory ('row' scales): q·chunksMax. */
  scaleDepth: number;
}

export function llmSizes(p: ShiftAddLlmParams): LlmSizes {
  const gmax = p.kmax / 8;
  const chunksMax = Math.ceil(p.nmax / p.lanes);
  const bits = (n: number): number => Math.max(1, Math.ceil(Math.log2(n)));
  return {
    gmax,
    chunksMax,
    groupBits: bits(gmax),
    chunkBits: bits(chunksMax),
    planeBits: bits(p.q),
    tableWidth: tableWidth(p.actWidth),
    accWidth: accumulatorWidth(p.actWidth, p.q, gmax),
    scaleDepth: p.q * chunksMax,
  };
}

export function validateShiftAddLlm(p: ShiftAddLlmParams): void {
  if (p.kmax % 8 !== 0)
    throw new ParamError(`parameter 'kmax' = ${p.kmax} must be a multiple of 8 (one table per 8 activations)`, undefined, { field: 'kmax', value: p.kmax });
  if (p.scales !== 'block' && p.scales !== 'row')
    throw new ParamError(`parameter 'scales' = '${p.scales}' must be 'block' or 'row'`, undefined, { field: 'scales', value: p.scales });
  const acc = llmSizes(p).accWidth;
  if (acc > 32)
    throw new ParamError(`parameters kmax = ${p.kmax}, q = ${p.q}, actWidth = ${p.actWidth} need a ${acc}-bit accumulator; y is int32, so lower one of them`, undefined, { field: 'kmax', value: p.kmax });
}

/** The Verilog module name: every parameter in it. */
export function llmModuleName(p: ShiftAddLlmParams): string {
  return `shiftaddllm_k${p.kmax}_n${p.nmax}_q${p.q}_l${p.lanes}_${p.scales === 'block' ? 'blk' : 'row'}_a${p.actWidth}`;
}
