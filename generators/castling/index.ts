/**
 * The Castling-ViT engine as an Accelerator: tensors Q, K, V (int8, [heads, N, d]; q̂, k̂ normalised
 * with scale 2^7) and, bidirectional, W (int8 depthwise taps, [heads, d, 9]) in; O ([heads, N, d],
 * signed, scale 2^29 bidirectional, 2^14 causal) out. The mode is the parameter `causal`.
 */
import { checkInputs } from '../../dsl/tensors.ts';
import { defineAccelerator, defineGenerator, type Accelerator, type Tensor, type TokenValue } from '../../dsl/generator.ts';
import { createCastling } from './create.ts';
import { castlingCausal, castlingHead, type CastlingHead } from './golden.ts';
import { runBound, castlingParamSpecs, castlingPresets, castlingSizes, validateCastling, type CastlingParams } from './params.ts';
import { TAPS } from './widths.ts';
import { mulberry32 as rng } from '../random.ts';

/** Largest number of heads one run takes. */
export const MAX_HEADS = 64;

/** Tensors → per-head problems, after the shared input check (which names a bad tensor). */
export function toHeads(p: CastlingParams, t: Record<string, Tensor>): CastlingHead[] {
  checkInputs(castlingAccelerator, p, t);
  const [H, N, d] = t.Q!.shape as [number, number, number];
  const rows = (x: Tensor, h: number, n: number, w: number) =>
    Array.from({ length: n }, (_, r) => Array.from({ length: w }, (_, c) => Number(x.data[(h * n + r) * w + c]!)));
  return Array.from({ length: H }, (_, h) => ({
    q: rows(t.Q!, h, N, d),
    k: rows(t.K!, h, N, d),
    v: rows(t.V!, h, N, d),
    ...(p.causal ? {} : { w: rows(t.W!, h, d, TAPS) }),
  }));
}

/** Heads → the tokens of each input stream, as field values. */
export function castlingTokens(p: CastlingParams, heads: readonly CastlingHead[]): Record<string, TokenValue[]> {
  const tok: Record<string, TokenValue[]> = { cfg: [], w: [], kv: [], q: [] };
  for (const h of heads) {
    tok.cfg!.push({ nM1: h.q.length - 1, causal: p.causal });
    if (!p.causal) for (let s = 0; s < TAPS; s++) tok.w!.push(h.w!.map((taps) => taps[s]!));
    h.k.forEach((k, t) => tok.kv!.push({ k, v: h.v[t]! }));
    tok.q!.push(...h.q);
  }
  return tok;
}

/** Random int8 tensors of `heads` heads of N tokens. */
export function randomCastlingInputs(p: CastlingParams, seed: number, heads = 2, N = p.nmax): Record<string, Tensor> {
  const r = rng(seed);
  const int8 = (): bigint => BigInt(Math.floor(r() * 256) - 128);
  const qkv = (): Tensor => ({ shape: [heads, N, p.d], data: Array.from({ length: heads * N * p.d }, int8) });
  const t: Record<string, Tensor> = { Q: qkv(), K: qkv(), V: qkv() };
  if (!p.causal) t.W = { shape: [heads, p.d, TAPS], data: Array.from({ length: heads * p.d * TAPS }, int8) };
  return t;
}

export const castlingAccelerator: Accelerator<CastlingParams> = defineAccelerator({
  name: 'castling',
  description: 'Castling-ViT linear-angular attention: a d x d state over the tokens, queries streamed through it, a 9-tap FIR on V; causal mode per token',
  params: castlingParamSpecs,
  presets: castlingPresets,
  defaultPreset: 'ci',
  validate: validateCastling,
  create: createCastling,
  inputs: (p) => [
    ...['Q', 'K', 'V'].map((name) => ({ name, shape: [MAX_HEADS, p.nmax, p.d], dims: ['H', 'N', 'D'], minShape: [1, 1, p.d], width: 8, signed: true })),
    ...(p.causal ? [] : [{ name: 'W', shape: [MAX_HEADS, p.d, TAPS], dims: ['H', 'D', 'T'], minShape: [1, p.d, TAPS], width: 8, signed: true }]),
  ],
  outputs: (p) => [{ name: 'O', shape: [MAX_HEADS, p.nmax, p.d], dims: ['H', 'N', 'D'], width: castlingSizes(p).w.out, signed: true }],
  outputTokens: (_p, t) => ({ out: t.Q!.shape[0]! * t.Q!.shape[1]! }),
  golden(p, t) {
    const heads = toHeads(p, t);
    const res = heads.map((h) => (p.causal ? castlingCausal(h) : castlingHead(h)));
    const N = heads[0]!.q.length;
    const macs = res.reduce((a, r) => a + r.counts.macs, 0);
    const adds = res.reduce((a, r) => a + r.counts.adds, 0);
    return {
      outputs: { O: { shape: [heads.length, N, p.d], data: res.flatMap((r) => r.out.flat()) } },
      counts: { macs, adds },
      idealCycles: runBound(p, heads.map(() => ({ N, causal: p.causal === 1 }))),
    };
  },
  toTokens: (p, t) => castlingTokens(p, toHeads(p, t)),
  fromTokens(p, tokens, t) {
    const [H, N] = t.Q!.shape as [number, number];
    const rows = (tokens.out ?? []) as unknown as bigint[][];
    return { O: { shape: [H, N, p.d], data: rows.flat() } };
  },
  randomInputs: (p, seed) => randomCastlingInputs(p, seed),
});

/** For the registry. */
export const castling = defineGenerator(castlingAccelerator);
