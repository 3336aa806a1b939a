/**
 * The multiply baseline of the ShiftAddLLM engine as an Accelerator (`shiftaddllm-mac`): tensors x
 * and W in, y out, laid out into the tokens of the streams `create.ts` declares. Its golden kernel is
 * the engine's int8 GEMV reference (`../shiftaddllm/golden.ts`).
 */
import { defineAccelerator, defineGenerator, type Accelerator, type Tensor, type TokenValue } from '../../dsl/generator.ts';
import { checkInputs } from '../../dsl/tensors.ts';
import { multiplyGemvGolden } from '../shiftaddllm/golden.ts';
import { createMacGemv, macGemvParamSpecs, macGemvPresets, validateMacGemv, type MacGemvParams } from './create.ts';

const n = (v: bigint): number => Number(v);

/** Tokens as field values: cfg, x in groups of 8, and per row chunk, per column, L weights (rows past N are zero). */
export function macGemvTokens(p: MacGemvParams, w: number[][], x: number[]): Record<string, TokenValue[]> {
  const L = p.lanes;
  const G = x.length / 8;
  const chunks = Math.ceil(w.length / L);
  const ws: TokenValue[] = [];
  for (let r = 0; r < chunks; r++)
    for (let k = 0; k < x.length; k++) ws.push(Array.from({ length: L }, (_, l) => w[r * L + l]?.[k] ?? 0));
  return {
    cfg: [{ groupsM1: G - 1, chunksM1: chunks - 1 }],
    x: Array.from({ length: G }, (_, g) => x.slice(8 * g, 8 * g + 8)),
    w: ws,
  };
}

function gemvProblem(t: Record<string, Tensor>): { w: number[][]; x: number[] } {
  const [N, K] = t.W!.shape as [number, number];
  const w = Array.from({ length: N }, (_, r) => t.W!.data.slice(r * K, (r + 1) * K).map(n));
  return { w, x: t.x!.data.map(n) };
}

/** The multiply baseline as an Accelerator. */
export const macGemvAccelerator: Accelerator<MacGemvParams> = defineAccelerator({
  name: 'shiftaddllm-mac',
  description: 'int8 multiply GEMV on L MAC lanes: the baseline of the ShiftAddLLM engine',
  params: macGemvParamSpecs,
  presets: macGemvPresets,
  defaultPreset: 'ci',
  validate: validateMacGemv,
  create: createMacGemv,
  // K and N are chosen at run time; K is a multiple of 8, since x is loaded 8 activations a word.
  inputs: (p) => [
    { name: 'x', shape: [p.kmax], dims: ['K'], multipleOf: [8], minShape: [8], width: p.actWidth, signed: true },
    { name: 'W', shape: [p.nmax, p.kmax], dims: ['N', 'K'], multipleOf: [1, 8], minShape: [1, 8], width: 8, signed: true },
  ],
  outputs: (p) => [{ name: 'y', shape: [p.nmax], dims: ['N'], width: 32, signed: true }],
  outputTokens: (p, t) => ({ y: Math.ceil(t.W!.shape[0]! / p.lanes) }),
  golden(p, t) {
    checkInputs(macGemvAccelerator, p, t);
    const { w, x } = gemvProblem(t);
    const r = multiplyGemvGolden(w, x);
    return { outputs: { y: { shape: [w.length], data: r.y.map(BigInt) } }, counts: { ...r.counts }, idealCycles: Math.ceil(w.length / p.lanes) * x.length };
  },
  toTokens(p, t) {
    checkInputs(macGemvAccelerator, p, t);
    const { w, x } = gemvProblem(t);
    return macGemvTokens(p, w, x);
  },
  fromTokens(_p, tokens, t) {
    const N = t.W!.shape[0]!;
    return { y: { shape: [N], data: (tokens.y ?? []).flatMap((tok) => tok as bigint[]).slice(0, N) } };
  },
  randomInputs(p, seed) {
    let s = seed >>> 0;
    const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
    const int = (lo: number, hi: number): bigint => BigInt(lo + Math.floor(next() * (hi - lo + 1)));
    const half = 2 ** (p.actWidth - 1);
    return {
      x: { shape: [p.kmax], data: Array.from({ length: p.kmax }, () => int(-half, half - 1)) },
      W: { shape: [p.nmax, p.kmax], data: Array.from({ length: p.nmax * p.kmax }, () => int(-128, 127)) },
    };
  },
});

/** For the registry. */
export const shiftaddllmMac = defineGenerator(macGemvAccelerator);
