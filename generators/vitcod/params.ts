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
  /** Bytes per cycle of the off-chip port that feeds the Q/K/V loads (divides 3d; d with the encoder). */
  portBytes: number;
  /** Cycles from a head's load request to its first off-chip byte. */
  latency: number;
  /** 1: the Q/K auto-encoder's on-chip decoder (3 heads' Q and K sent as 2 codes each, int8 map and shift). */
  encoder: number;
}

export const vitcodParamSpecs: Record<keyof VitcodParams & string, ParamSpec> = {
  nmax: { kind: 'int', doc: 'largest number of tokens N per head', min: 1, max: 4096 },
  d: { kind: 'int', doc: 'head dimension (multiple of macs)', min: 1, max: 256 },
  lines: { kind: 'int', doc: 'MAC lines, split between the denser and the sparser engine per head', min: 1, max: 256 },
  macs: { kind: 'int', doc: 'MAC units per line', min: 1, max: 64 },
  steps: { kind: 'int', doc: 'longest list of pairs per line and head', min: 1, max: 1 << 20 },
  mergeRows: { kind: 'int', doc: 'rows whose maxima are merged per cycle (power of two)', min: 1, max: 64 },
  sigma: { kind: 'int', doc: 'right shift of m - S before the exp table', min: 0, max: 31 },
  portBytes: { kind: 'int', doc: 'bytes per cycle of the off-chip port feeding the Q/K/V loads (divides 3d, or d with the encoder)', min: 1, max: 4096 },
  latency: { kind: 'int', doc: 'cycles from a head\'s load request to its first off-chip byte', min: 0, max: 4095 },
  encoder: { kind: 'int', doc: '1: on-chip decoder of the Q/K auto-encoder (3 heads -> 2 codes, int8 map with a right shift)', min: 0, max: 1 },
};

export const vitcodPresets: Record<string, VitcodParams> = {
  /** Tests: a port of one Q, K and V row per cycle (3d bytes), no latency. */
  ci: { nmax: 16, d: 16, lines: 4, macs: 8, steps: 64, mergeRows: 2, sigma: 10, portBytes: 48, latency: 0, encoder: 0 },
  /** Tests of the auto-encoder's decoder and a narrow port with a latency. */
  'ci-ae': { nmax: 16, d: 16, lines: 4, macs: 8, steps: 64, mergeRows: 2, sigma: 10, portBytes: 8, latency: 5, encoder: 1 },
  /** Real masks at a small head dimension (tests): all 197 tokens, d = 8. */
  'deit-d8': { nmax: 197, d: 8, lines: 8, macs: 8, steps: 2048, mergeRows: 4, sigma: 9, portBytes: 24, latency: 0, encoder: 0 },
  /** Real masks at the real head dimension d = 64 on 8 lines (bench:vitcod --quick, npm run test:vitcod-d64). */
  'deit-d64': { nmax: 197, d: 64, lines: 8, macs: 8, steps: 1280, mergeRows: 4, sigma: 11, portBytes: 64, latency: 20, encoder: 1 },
  /** DeiT-Tiny attention on the paper's 64 lines x 8 MACs = 512 MACs; a 192-byte port (a Q, K and V row per cycle), 100 cycles of latency. */
  paper: { nmax: 197, d: 64, lines: 64, macs: 8, steps: 256, mergeRows: 8, sigma: 11, portBytes: 192, latency: 100, encoder: 0 },
  /** The paper's engine with the auto-encoder's decoder on a 64-byte port (raw or coded Q/K per head). */
  'paper-ae': { nmax: 197, d: 64, lines: 64, macs: 8, steps: 256, mergeRows: 8, sigma: 11, portBytes: 64, latency: 100, encoder: 1 },
};

/** Rows of d bytes a head's load sends per token: Q, K, V (raw), the 4 codes and V (codes arrive), V (codes reused). */
export const GROUP_ROWS = [3, 5, 1] as const;

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
  const group = p.encoder ? p.d : 3 * p.d;
  if (group % p.portBytes !== 0)
    throw new ParamError(`parameter 'portBytes' = ${p.portBytes} must divide ${group} (${p.encoder ? 'd: with the encoder a head may load only its V rows' : "3d: a token's Q, K and V rows"}), so every row group is whole beats`, undefined, { field: 'portBytes', value: p.portBytes });
  if (p.nmax * 255 * 128 >= 2 ** 31)
    throw new ParamError(`parameter 'nmax' = ${p.nmax} is too large for int32 outputs`, undefined, { field: 'nmax', value: p.nmax });
}

export function vitcodModuleName(p: VitcodParams): string {
  return `vitcod_n${p.nmax}_d${p.d}_l${p.lines}x${p.macs}_s${p.steps}_r${p.mergeRows}_sg${p.sigma}_p${p.portBytes}_lat${p.latency}${p.encoder ? '_ae' : ''}`;
}
