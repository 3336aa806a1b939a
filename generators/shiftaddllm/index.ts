/**
 * The ShiftAddLLM engine as an Accelerator: tensors in (x, packed weight bytes, scale codes), y out,
 * and the mapping between tensors and the tokens of its streams, as field values of the payload types
 * its ports declare (`llmPorts` in `create.ts`); `defineAccelerator` packs them with the ports' codecs.
 */
import { defineAccelerator, defineGenerator, type Accelerator, type Tensor, type TokenFields, type TokenValue } from '../../dsl/generator.ts';
import { createShiftAddLlm } from './create.ts';
import { checkInputs, tensorError } from '../../dsl/tensors.ts';
import { llmIdealCycles, shiftAddLlmGolden, type LlmProblem } from './golden.ts';
import { shiftAddLlmParamSpecs, shiftAddLlmPresets, validateShiftAddLlm, type ShiftAddLlmParams } from './params.ts';
import { mulberry32 as rng } from '../random.ts';

const num = (v: bigint): number => Number(v);

/** Tensors → the golden kernel's plain arrays (sizes from the tensors' shapes). */
export function toProblem(p: ShiftAddLlmParams, t: Record<string, Tensor>): LlmProblem {
  checkInputs(shiftaddllmAccelerator, p, t);
  const [x, idx, sc] = [t.x!, t.idx!, t.scales!];
  const [q, N, G] = idx.shape as [number, number, number];
  const sg = sc.shape[2]!;
  const nest = (d: bigint[], cols: number): number[][][] =>
    Array.from({ length: q }, (_, b) => Array.from({ length: N }, (_, n) => d.slice((b * N + n) * cols, (b * N + n + 1) * cols).map(num)));
  return { x: x.data.map(num), idx: nest(idx.data, G), scales: nest(sc.data, sg), mode: p.scales, actWidth: p.actWidth };
}

/**
 * Problem → the tokens of each input stream as field values (`llmPorts` in `create.ts` gives their
 * types): cfg, x, (scale), w. Lane l of row chunk r serves row r·L + l; lanes past N get zeros.
 */
export function llmTokens(p: ShiftAddLlmParams, pr: LlmProblem): Record<string, TokenValue[]> {
  const G = pr.x.length / 8;
  const N = pr.idx[0]!.length;
  const chunks = Math.ceil(N / p.lanes);
  const lanes = (r: number, f: (n: number) => TokenValue, zero: TokenValue): TokenValue[] =>
    Array.from({ length: p.lanes }, (_, l) => (r * p.lanes + l < N ? f(r * p.lanes + l) : zero));
  const tokens: Record<string, TokenValue[]> = {
    cfg: [{ groupsM1: G - 1, chunksM1: chunks - 1 }],
    x: Array.from({ length: G }, (_, g) => pr.x.slice(8 * g, 8 * g + 8)),
  };
  if (p.scales === 'row') {
    tokens.scale = [];
    for (let r = 0; r < chunks; r++) for (let b = 0; b < p.q; b++) tokens.scale.push(lanes(r, (n) => pr.scales[b]![n]![0]!, 0));
  }
  const w: TokenValue[] = (tokens.w = []);
  const block = p.scales === 'block';
  for (let g = 0; g < G; g++)
    for (let r = 0; r < chunks; r++)
      for (let b = 0; b < p.q; b++)
        w.push(lanes(r, (n) => (block ? { code: pr.scales[b]![n]![g]!, byte: pr.idx[b]![n]![g]! } : pr.idx[b]![n]![g]!), block ? { code: 0, byte: 0 } : 0));
  return tokens;
}

/** y tokens (L int32 lanes each) → the first N rows. */
export function llmOutputs(y: readonly TokenFields[], N: number): bigint[] {
  return y.flatMap((tok) => tok as bigint[]).slice(0, N);
}

/** Random tensors at the design's maximum sizes. */
export function randomLlmInputs(p: ShiftAddLlmParams, seed: number, K = p.kmax, N = p.nmax): Record<string, Tensor> {
  const r = rng(seed);
  const int = (lo: number, hi: number): bigint => BigInt(lo + Math.floor(r() * (hi - lo + 1)));
  const G = K / 8;
  const sg = p.scales === 'block' ? G : 1;
  const half = 2 ** (p.actWidth - 1);
  return {
    x: { shape: [K], data: Array.from({ length: K }, () => int(-half, half - 1)) },
    idx: { shape: [p.q, N, G], data: Array.from({ length: p.q * N * G }, () => int(0, 255)) },
    scales: { shape: [p.q, N, sg], data: Array.from({ length: p.q * N * sg }, () => int(0, 511)) },
  };
}

/** The engine: generator (params, presets, create) and accelerator contract (golden, tensors, tokens). */
export const shiftaddllmAccelerator: Accelerator<ShiftAddLlmParams> = defineAccelerator({
  name: 'shiftaddllm',
  description: 'ShiftAddLLM: multiplication-less GEMV by 256-entry table lookup and three-shift scales',
  params: shiftAddLlmParamSpecs,
  presets: shiftAddLlmPresets,
  defaultPreset: 'ci',
  validate: validateShiftAddLlm,
  create: createShiftAddLlm,
  // K and N are chosen at run time (K a multiple of 8: one table per 8 activations); q is the design's.
  inputs: (p) => [
    { name: 'x', shape: [p.kmax], dims: ['K'], multipleOf: [8], minShape: [8], width: p.actWidth, signed: true },
    { name: 'idx', shape: [p.q, p.nmax, p.kmax / 8], dims: ['Q', 'N', 'G'], minShape: [p.q, 1, 1], width: 8, signed: false },
    { name: 'scales', shape: [p.q, p.nmax, p.scales === 'block' ? p.kmax / 8 : 1], dims: ['Q', 'N', p.scales === 'block' ? 'G' : 'S'], minShape: [p.q, 1, 1], width: 9, signed: false },
  ],
  checkRelations(p, t) {
    const [K, G] = [t.x!.shape[0]!, t.idx!.shape[2]!];
    if (K !== 8 * G) throw tensorError(shiftaddllmAccelerator.inputs(p)[1]!, `shape [${t.idx!.shape.join(', ')}] with G = ${G} groups, but x has K = ${K} = 8 × ${K / 8} activations (G must be K/8)`);
  },
  outputs: (p) => [{ name: 'y', shape: [p.nmax], dims: ['N'], width: 32, signed: true }],
  outputTokens: (p, t) => ({ y: Math.ceil(t.idx!.shape[1]! / p.lanes) }),
  golden(p, t) {
    const pr = toProblem(p, t);
    const res = shiftAddLlmGolden(pr);
    const N = pr.idx[0]!.length;
    const G = pr.x.length / 8;
    return { outputs: { y: { shape: [N], data: res.y.map(BigInt) } }, counts: { ...res.counts }, idealCycles: llmIdealCycles(N, p.q, G, p.lanes) };
  },
  toTokens: (p, t) => llmTokens(p, toProblem(p, t)),
  fromTokens(_p, tokens, t) {
    const N = t.idx!.shape[1]!;
    return { y: { shape: [N], data: llmOutputs(tokens.y ?? [], N) } };
  },
  randomInputs: (p, seed) => randomLlmInputs(p, seed),
});

/** For the registry. */
export const shiftaddllm = defineGenerator(shiftaddllmAccelerator);
