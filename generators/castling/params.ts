/** Parameters, presets and sizes of the Castling-ViT linear-angular attention engine. */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';
import { TAPS, castlingWidths } from './widths.ts';

export interface CastlingParams extends Record<string, number | string> {
  /** Largest number of tokens N per head. */
  nmax: number;
  /** Head dimension d. */
  d: number;
  /** 0: bidirectional (ViT) attention with the depthwise convolution; 1: causal (LLM decoding). Host side only: the hardware does both, per head. */
  causal: number;
}

export const castlingParamSpecs: Record<keyof CastlingParams & string, ParamSpec> = {
  nmax: { kind: 'int', doc: 'largest number of tokens N per head', min: 1, max: 4096 },
  d: { kind: 'int', doc: 'head dimension d (at least 2: a row is written while the next is read)', min: 2, max: 128 },
  causal: { kind: 'int', doc: '1 = causal form (S_t updated per token, o_t = q_t . S_t), 0 = bidirectional with the depthwise convolution', min: 0, max: 1 },
};

/**
 * Presets. The hardware does not depend on `causal` (its module name does not name it), so one preset
 * per size: the causal mode of the CI size is `ci` with `--param causal=1`.
 */
export const castlingPresets: Record<string, CastlingParams> = {
  ci: { nmax: 16, d: 8, causal: 0 },
  /** DeiT attention heads: 197 tokens, d = 32 and 64. */
  'deit-d32': { nmax: 197, d: 32, causal: 0 },
  'deit-d64': { nmax: 197, d: 64, causal: 0 },
  /** PVT stage 1 (N = 3136, d = 32). */
  'pvt-d32': { nmax: 3136, d: 32, causal: 0 },
  /** Causal decoding of a linearized LLM head, d = 64, up to 4096 tokens. */
  'llm-d64': { nmax: 4096, d: 64, causal: 1 },
};

const bits = (n: number): number => Math.max(1, Math.ceil(Math.log2(n)));

export function castlingSizes(p: CastlingParams) {
  /** Cycles of one query in the bidirectional form: d rows of KV, and the 9 taps in parallel. */
  const qSteps = Math.max(p.d, TAPS);
  return {
    rowBits: bits(p.nmax),
    /** Counter of the query steps and the state rows. */
    stepBits: bits(qSteps),
    rowAddrBits: bits(p.d),
    qSteps,
    w: castlingWidths(p.nmax, p.d),
  };
}

export function validateCastling(p: CastlingParams): void {
  if (castlingSizes(p).w.out > 64)
    throw new ParamError(`nmax = ${p.nmax} and d = ${p.d} need ${castlingSizes(p).w.out}-bit outputs; the engine takes at most 64`, undefined, { field: 'nmax', value: p.nmax });
}

export function castlingModuleName(p: CastlingParams): string {
  return `castling_n${p.nmax}_d${p.d}`;
}

/**
 * Cycles of one head alone without stalls: bidirectional, the cfg token, the 9 tap tokens and N·d
 * (state, one row of KV per cycle), then N·max(d, 9) (queries); causal, the cfg token, one cycle of
 * waiting for earlier queries, and d per token (the fused pass).
 */
export function headCycles(p: CastlingParams, N: number, causal: boolean): number {
  return causal ? 2 + N * p.d : 1 + TAPS + N * p.d + N * castlingSizes(p).qSteps;
}

/**
 * Cycles of a run of heads without stalls: the load side (cfg, taps, phase one into a free half of
 * the state) overlaps the query side (phase two on the other half); a causal head waits until every
 * earlier query has left, then makes its fused pass. Equal to the RTL's count (tests, bench).
 */
export function runCycles(p: CastlingParams, heads: readonly { N: number; causal: boolean }[]): number {
  const qSteps = castlingSizes(p).qSteps;
  const bankFree = [0, 0];
  let sb = 0;
  let loadEnd = 0;
  let queriesEnd = 0;
  for (const h of heads) {
    const cfgAt = Math.max(loadEnd, bankFree[sb]!);
    if (h.causal) {
      const go = Math.max(cfgAt + 1, queriesEnd);
      loadEnd = go + 1 + h.N * p.d;
      queriesEnd = loadEnd;
    } else {
      loadEnd = cfgAt + 1 + TAPS + h.N * p.d;
      queriesEnd = Math.max(loadEnd, queriesEnd) + h.N * qSteps;
      bankFree[sb] = queriesEnd;
      sb ^= 1;
    }
  }
  return queriesEnd;
}

/**
 * The bound of one head: N·d (state) + N·max(d, 9) (queries, the FIR in parallel); causal N·d (the
 * state and the query MACs busy in the same cycles).
 */
export function boundCycles(p: CastlingParams, N: number, causal: boolean): number {
  return causal ? N * p.d : N * p.d + N * castlingSizes(p).qSteps;
}

/**
 * The bound of a run of heads with phase one of a head overlapping phase two of the one before:
 * the first head's phase one, then every head's busier side (max of state N·d and queries
 * N·max(d, 9)); a causal head N·d after all earlier work.
 */
export function runBound(p: CastlingParams, heads: readonly { N: number; causal: boolean }[]): number {
  const qSteps = castlingSizes(p).qSteps;
  let total = 0;
  let pendingState = true;
  for (const h of heads) {
    if (h.causal) {
      total += h.N * p.d;
      pendingState = true;
    } else {
      if (pendingState) total += h.N * p.d;
      total += Math.max(h.N * qSteps, h.N * p.d);
      pendingState = false;
    }
  }
  return total;
}
