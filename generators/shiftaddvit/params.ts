/** Parameters, presets, sizes and cycle bounds of the ShiftAddViT engine. */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';
import { attentionWidths, expertWidths, unsignedBits } from './widths.ts';

export interface ShiftAddVitParams extends Record<string, number | string> {
  /** Largest number of tokens N per head (and per MLP job). */
  nmax: number;
  /** Head dimension d. */
  d: number;
  /** Bits b of the binary codes of Q and K. */
  b: number;
  /** MLP experts: K input features (the PE array's cols) and M output features (its rows). */
  mlpK: number;
  mlpM: number;
  /** Largest shift exponent P of the shift expert (2^e − 1). */
  p: number;
  /** Which part a run feeds: 'attention' or 'mlp'. Host side only: the hardware has both. */
  part: string;
}

export const shiftAddVitParamSpecs: Record<keyof ShiftAddVitParams & string, ParamSpec> = {
  nmax: { kind: 'int', doc: 'largest number of tokens N per head (and per MLP job)', min: 1, max: 4096 },
  d: { kind: 'int', doc: 'head dimension d', min: 1, max: 128 },
  b: { kind: 'int', doc: 'bits of the binary codes of Q and K (the paper: 16)', min: 1, max: 32 },
  mlpK: { kind: 'int', doc: 'input features K of the MLP experts (their PE arrays are M x K)', min: 1, max: 64 },
  mlpM: { kind: 'int', doc: 'output features M of the MLP experts', min: 1, max: 64 },
  p: { kind: 'int', doc: 'largest shift exponent P of the shift expert (2^e - 1)', min: 1, max: 31 },
  part: { kind: 'enum', doc: "the tensors a run takes: 'attention' (binary-code attention) or 'mlp' (the token router and its two experts)", values: ['attention', 'mlp'] },
};

const base = { b: 16, mlpK: 8, mlpM: 8, p: 7, part: 'attention' };

/** Presets. `part` changes only the host's tensors, so the MLP of a size is `--param part=mlp`. */
export const shiftAddVitPresets: Record<string, ShiftAddVitParams> = {
  ci: { nmax: 16, d: 8, ...base, mlpK: 8, mlpM: 4 },
  /** DeiT attention heads: 197 tokens, d = 32 and 64. */
  'deit-d32': { nmax: 197, d: 32, ...base },
  'deit-d64': { nmax: 197, d: 64, ...base },
  /** PVT stage 1 (N = 3136, d = 32); stage 2 (N = 784) runs on it. */
  'pvt-d32': { nmax: 3136, d: 32, ...base },
};

export function shiftAddVitSizes(p: ShiftAddVitParams) {
  return {
    /** N − 1 fits. */
    rowBits: unsignedBits(p.nmax - 1),
    /** Exponent field of the shift expert's weights. */
    expBits: unsignedBits(p.p),
    att: attentionWidths(p.nmax, p.b),
    mlp: expertWidths(p.mlpK, p.p),
  };
}

export function validateShiftAddVit(p: ShiftAddVitParams): void {
  if (2 ** unsignedBits(p.p) !== p.p + 1)
    throw new ParamError(`parameter 'p' = ${p.p} must be 2^e - 1 (an e-bit exponent field uses every code), e.g. 7 or 15`, undefined, { field: 'p', value: p.p });
}

export function shiftAddVitModuleName(p: ShiftAddVitParams): string {
  return `shiftaddvit_n${p.nmax}_d${p.d}_b${p.b}_k${p.mlpK}m${p.mlpM}p${p.p}`;
}

/**
 * Attention cycles of a run of heads without stalls, equal to the RTL's count: per head the cfg
 * token, N key tokens (phase one, one per cycle), N queries (phase two, one per cycle).
 */
export function attentionCycles(heads: readonly number[]): number {
  return heads.reduce((a, N) => a + 1 + 2 * N, 0);
}

/** The bound: one key token (b·d masked adds) and one query (b-row adder tree) per cycle, 2N per head. */
export function attentionBound(heads: readonly number[]): number {
  return heads.reduce((a, N) => a + 2 * N, 0);
}
