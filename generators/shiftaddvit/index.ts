/**
 * The ShiftAddViT engine as an Accelerator. `part` = 'attention': tensors Qc, Kc (uint(b) codes,
 * [H, N]) and V (int8, [H, N, d]) in, O ([H, N, d]) and L ([H, N]) out. `part` = 'mlp': X (int8,
 * [N, K]), R (uint(1), [N]: 0 multiply expert, 1 shift expert), Wm (int8, [M, K]), Ws_sign, Ws_exp
 * ([M, K]) in, Y ([N, M]) out.
 */
import { checkInputs } from '../../dsl/tensors.ts';
import { defineAccelerator, defineGenerator, type Accelerator, type GoldenResult, type Tensor, type TensorSpec, type TokenValue } from '../../dsl/generator.ts';
import { createShiftAddVit } from './create.ts';
import { codeAttention, routedMlp, type AttentionHead, type MlpJob } from './golden.ts';
import { attentionBound, shiftAddVitParamSpecs, shiftAddVitPresets, shiftAddVitSizes, validateShiftAddVit, type ShiftAddVitParams } from './params.ts';
import { mulberry32 as rng } from '../random.ts';

/** Largest number of heads one run takes. */
export const MAX_HEADS = 64;

const num = (x: bigint | undefined): number => Number(x!);

/** Tensors → per-head problems, after the shared input check (which names a bad tensor). */
export function toHeads(p: ShiftAddVitParams, t: Record<string, Tensor>): AttentionHead[] {
  checkInputs(shiftAddVitAccelerator, p, t);
  const [H, N, d] = t.V!.shape as [number, number, number];
  return Array.from({ length: H }, (_, h) => ({
    qc: Array.from({ length: N }, (_, i) => num(t.Qc!.data[h * N + i])),
    kc: Array.from({ length: N }, (_, i) => num(t.Kc!.data[h * N + i])),
    v: Array.from({ length: N }, (_, i) => Array.from({ length: d }, (_, j) => num(t.V!.data[(h * N + i) * d + j]))),
  }));
}

/** Heads → the tokens of the attention's input streams, as field values. */
export function attentionTokens(heads: readonly AttentionHead[]): Record<string, TokenValue[]> {
  const tok: Record<string, TokenValue[]> = { cfg: [], kv: [], q: [] };
  for (const h of heads) {
    tok.cfg!.push({ nM1: h.qc.length - 1 });
    h.kc.forEach((k, i) => tok.kv!.push({ k, v: h.v[i]! }));
    tok.q!.push(...h.qc);
  }
  return tok;
}

/** Random codes (each bit set with probability `density`) and int8 values of `heads` heads of N tokens. */
export function randomAttentionInputs(p: ShiftAddVitParams, seed: number, heads = 2, N = p.nmax, density = 0.5): Record<string, Tensor> {
  const r = rng(seed);
  const code = (): bigint => {
    let c = 0n;
    for (let m = 0; m < p.b; m++) if (r() < density) c |= 1n << BigInt(m);
    return c;
  };
  const codes = (): Tensor => ({ shape: [heads, N], data: Array.from({ length: heads * N }, code) });
  return { Qc: codes(), Kc: codes(), V: { shape: [heads, N, p.d], data: Array.from({ length: heads * N * p.d }, () => BigInt(Math.floor(r() * 256) - 128)) } };
}

/** Tensors → the MLP job, after the input check. */
export function toMlpJob(p: ShiftAddVitParams, t: Record<string, Tensor>): MlpJob {
  checkInputs(shiftAddVitAccelerator, p, t);
  const N = t.X!.shape[0]!;
  const K = p.mlpK;
  const rows = (x: Tensor, n: number) => Array.from({ length: n }, (_, r) => Array.from({ length: K }, (_, c) => num(x.data[r * K + c])));
  return { x: rows(t.X!, N), route: t.R!.data.map(Number), wm: rows(t.Wm!, p.mlpM), sign: rows(t.Ws_sign!, p.mlpM), exp: rows(t.Ws_exp!, p.mlpM) };
}

/** The MLP job → the tokens of the router's input streams; an expert no token goes to gets no weights. */
export function mlpTokens(job: MlpJob): Record<string, TokenValue[]> {
  const uses = (e: number) => job.route.includes(e);
  return {
    mcfg: [{ nM1: job.x.length - 1 }],
    route: job.route,
    x: job.x,
    wm: uses(0) ? job.wm : [],
    ws: uses(1) ? job.sign.map((s, m) => s.map((sign, k) => ({ sign, exp: job.exp[m]![k]! }))) : [],
  };
}

/** Random MLP inputs: N int8 tokens, each routed to the shift expert with probability `toShift`. */
export function randomMlpInputs(p: ShiftAddVitParams, seed: number, N = p.nmax, toShift = 0.5): Record<string, Tensor> {
  const r = rng(seed);
  const fill = (shape: number[], lo: number, hi: number): Tensor => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => BigInt(lo + Math.floor(r() * (hi - lo + 1)))) });
  const w = [p.mlpM, p.mlpK];
  return {
    X: fill([N, p.mlpK], -128, 127),
    R: { shape: [N], data: Array.from({ length: N }, () => (r() < toShift ? 1n : 0n)) },
    Wm: fill(w, -128, 127),
    Ws_sign: fill(w, 0, 1),
    Ws_exp: fill(w, 0, p.p),
  };
}

function inputs(p: ShiftAddVitParams): TensorSpec[] {
  if (p.part === 'mlp') {
    const w = (name: string, width: number, signed: boolean): TensorSpec => ({ name, shape: [p.mlpM, p.mlpK], width, signed });
    return [
      { name: 'X', shape: [p.nmax, p.mlpK], dims: ['N', 'K'], minShape: [1, p.mlpK], width: 8, signed: true },
      { name: 'R', shape: [p.nmax], dims: ['N'], width: 1, signed: false },
      w('Wm', 8, true), w('Ws_sign', 1, false), w('Ws_exp', shiftAddVitSizes(p).expBits, false),
    ];
  }
  const codes = (name: string): TensorSpec => ({ name, shape: [MAX_HEADS, p.nmax], dims: ['H', 'N'], width: p.b, signed: false });
  return [codes('Qc'), codes('Kc'), { name: 'V', shape: [MAX_HEADS, p.nmax, p.d], dims: ['H', 'N', 'D'], minShape: [1, 1, p.d], width: 8, signed: true }];
}

function outputs(p: ShiftAddVitParams): TensorSpec[] {
  if (p.part === 'mlp') return [{ name: 'Y', shape: [p.nmax, p.mlpM], dims: ['N', 'M'], minShape: [1, p.mlpM], width: shiftAddVitSizes(p).mlp.y, signed: true }];
  const w = shiftAddVitSizes(p).att;
  return [
    { name: 'O', shape: [MAX_HEADS, p.nmax, p.d], dims: ['H', 'N', 'D'], width: w.o, signed: true },
    { name: 'L', shape: [MAX_HEADS, p.nmax], dims: ['H', 'N'], width: w.l, signed: false },
  ];
}

export const shiftAddVitAccelerator: Accelerator<ShiftAddVitParams> = defineAccelerator({
  name: 'shiftaddvit',
  description: 'ShiftAddViT: attention on 16-bit binary codes of Q and K by masked accumulation (add-only, normalisation deferred); MLP token router to a multiply or a shift expert',
  params: shiftAddVitParamSpecs,
  presets: shiftAddVitPresets,
  defaultPreset: 'ci',
  validate: validateShiftAddVit,
  create: createShiftAddVit,
  inputs,
  outputs,
  outputTokens: (p, t): Record<string, number> => (p.part === 'mlp' ? { y: t.X!.shape[0]! } : { out: t.V!.shape[0]! * t.V!.shape[1]! }),
  golden(p, t): GoldenResult {
    if (p.part === 'mlp') {
      const job = toMlpJob(p, t);
      const r = routedMlp(job, p.p);
      const N = job.x.length;
      const perExpert = [0, 1].map((e) => job.route.filter((x) => x === e).length);
      return {
        outputs: { Y: { shape: [N, p.mlpM], data: r.y.flat() } },
        counts: r.counts,
        // The experts work in parallel, one token per cycle each.
        idealCycles: Math.max(...perExpert),
      };
    }
    const heads = toHeads(p, t);
    const res = heads.map((h) => codeAttention(h, p.b));
    const N = heads[0]!.qc.length;
    return {
      outputs: {
        O: { shape: [heads.length, N, p.d], data: res.flatMap((r) => r.o.flat().map(BigInt)) },
        L: { shape: [heads.length, N], data: res.flatMap((r) => r.l.map(BigInt)) },
      },
      counts: { adds: res.reduce((a, r) => a + r.counts.adds, 0), usefulAdds: res.reduce((a, r) => a + r.counts.usefulAdds, 0) },
      idealCycles: attentionBound(heads.map(() => N)),
    };
  },
  toTokens: (p, t) => (p.part === 'mlp' ? mlpTokens(toMlpJob(p, t)) : attentionTokens(toHeads(p, t))),
  fromTokens(p, tokens, t): Record<string, Tensor> {
    if (p.part === 'mlp') {
      const rows = (tokens.y ?? []) as unknown as bigint[][];
      return { Y: { shape: [rows.length, p.mlpM], data: rows.flat() } };
    }
    const [H, N] = t.V!.shape as [number, number];
    const toks = (tokens.out ?? []) as unknown as { o: bigint[]; l: bigint }[];
    return {
      O: { shape: [H, N, p.d], data: toks.flatMap((x) => x.o) },
      L: { shape: [H, N], data: toks.map((x) => x.l) },
    };
  },
  randomInputs: (p, seed) => (p.part === 'mlp' ? randomMlpInputs(p, seed) : randomAttentionInputs(p, seed)),
});

/** For the registry. */
export const shiftaddvit = defineGenerator(shiftAddVitAccelerator);
