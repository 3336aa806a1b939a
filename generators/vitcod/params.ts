/** Parameters, presets and checks of the ViTCoD engine. */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';

export interface VitcodParams extends Record<string, number | string> {
  /** Largest number of tokens N (queries = keys) per head. */
  nmax: number;
  /** Head dimension d (a multiple of `macs`). */
  d: number;
  /** MAC lines. */
  lines: number;
  /** MAC units per line (the paper: 8). */
  macs: number;
  /** Longest list of pairs one line may get per head. */
  steps: number;
  /** Rows merged per cycle (a power of two): the row maxima over the lines. */
  mergeRows: number;
  /** Right shift σ of m − S before the exp table. */
  sigma: number;
}

export const vitcodParamSpecs: Record<keyof VitcodParams & string, ParamSpec> = {
  nmax: { kind: 'int', doc: 'largest number of tokens N per head', min: 1, max: 4096 },
  d: { kind: 'int', doc: 'head dimension (multiple of macs)', min: 1, max: 256 },
  lines: { kind: 'int', doc: 'MAC lines, split between the denser and the sparser engine per head', min: 1, max: 256 },
  macs: { kind: 'int', doc: 'MAC units per line', min: 1, max: 64 },
  steps: { kind: 'int', doc: 'longest list of pairs per line and head', min: 1, max: 1 << 20 },
  mergeRows: { kind: 'int', doc: 'rows whose maxima are merged per cycle (power of two)', min: 1, max: 64 },
  sigma: { kind: 'int', doc: 'right shift of m - S before the exp table', min: 0, max: 31 },
};

export const vitcodPresets: Record<string, VitcodParams> = {
  ci: { nmax: 16, d: 16, lines: 4, macs: 8, steps: 64, mergeRows: 2, sigma: 10 },
  /** Real masks at a small head dimension (tests): all 197 tokens, d = 8. */
  'deit-d8': { nmax: 197, d: 8, lines: 8, macs: 8, steps: 2048, mergeRows: 4, sigma: 9 },
  /** DeiT-Tiny attention on the paper's 64 lines x 8 MACs = 512 MACs. */
  paper: { nmax: 197, d: 64, lines: 64, macs: 8, steps: 256, mergeRows: 8, sigma: 11 },
};

export interface VitcodSizes {
  /** Chunks of `macs` elements per row: d / macs. */
  chunks: number;
  rowBits: number;
  stepBits: number;
  chunkBits: number;
}

const bits = (n: number): number => Math.max(1, Math.ceil(Math.log2(n)));

export function vitcodSizes(p: VitcodParams): VitcodSizes {
  const chunks = p.d / p.macs;
  return { chunks, rowBits: bits(p.nmax), stepBits: bits(p.steps), chunkBits: bits(chunks) };
}

export function validateVitcod(p: VitcodParams): void {
  if (p.d % p.macs !== 0)
    throw new ParamError(`parameter 'd' = ${p.d} must be a multiple of 'macs' = ${p.macs} (a line does macs elements per cycle)`, undefined, { field: 'd', value: p.d });
  if (!Number.isInteger(Math.log2(p.mergeRows)) || p.mergeRows > 2 ** vitcodSizes(p).rowBits)
    throw new ParamError(`parameter 'mergeRows' = ${p.mergeRows} must be a power of two no larger than 2^ceil(log2(nmax))`, undefined, { field: 'mergeRows', value: p.mergeRows });
  if (p.nmax * 255 * 128 >= 2 ** 31)
    throw new ParamError(`parameter 'nmax' = ${p.nmax} is too large for int32 outputs`, undefined, { field: 'nmax', value: p.nmax });
}

export function vitcodModuleName(p: VitcodParams): string {
  return `vitcod_n${p.nmax}_d${p.d}_l${p.lines}x${p.macs}_s${p.steps}_r${p.mergeRows}_sg${p.sigma}`;
}
