/**
 * The ViTCoD engine as an Accelerator: tensors Q, K, V (int8, [heads, N, d]) and M (0/1 kept mask,
 * [heads, N, N]) in; O (int32, [heads, N, d]) and L ([heads, N]) out. The host plans every head
 * (`planHead`: global columns, dense block, coordinate list, line split) and lays the plan out into
 * tokens of the payload types the ports declare (`vitcodPorts` in create.ts).
 */
import { ParamError } from '../../dsl/errors.ts';
import { checkTensors, tensorError } from '../../dsl/tensors.ts';
import { defineAccelerator, defineGenerator, type Accelerator, type Tensor, type TensorSpec, type TokenValue } from '../../dsl/generator.ts';
import { createVitcod } from './create.ts';
import { autoEncodeHeads, headMacs, planHead, vitcodHead, type HeadLoad, type HeadPlan, type HeadProblem } from './golden.ts';
import { GROUP_ROWS, validateVitcod, vitcodParamSpecs, vitcodPresets, vitcodSizes, type VitcodParams } from './params.ts';
import { mulberry32 as rng } from '../random.ts';
import { vitcodLayerInputs } from './layer.ts';

/** Largest number of heads one run takes (the tensors' first dimension). */
export const MAX_HEADS = 64;
/** Default global-column threshold: key columns keeping at least this fraction of the queries. */
export const GLOBAL_THRESHOLD = 0.5;

/** The input specs: Q, K, V int8 [H, N, d] and the 0/1 mask M [H, N, N], N ≤ nmax, H ≤ MAX_HEADS. */
export function vitcodInputs(p: VitcodParams): TensorSpec[] {
  return [
    ...['Q', 'K', 'V'].map((name) => ({ name, shape: [MAX_HEADS, p.nmax, p.d], dims: ['H', 'N', 'D'], minShape: [1, 1, p.d], width: 8, signed: true })),
    { name: 'M', shape: [MAX_HEADS, p.nmax, p.nmax], dims: ['H', 'N', 'N'], width: 1, signed: false },
  ];
}

/** Tensors → per-head problems; the shared checkTensors first, so a bad tensor is an error naming it. */
export function toHeads(p: VitcodParams, t: Record<string, Tensor>): HeadProblem[] {
  checkTensors(vitcodInputs(p), t);
  const [H, N, d] = t.Q!.shape as [number, number, number];
  const rows = (x: Tensor, h: number, n: number, w: number) =>
    Array.from({ length: n }, (_, r) => Array.from({ length: w }, (_, c) => Number(x.data[(h * n + r) * w + c]!)));
  return Array.from({ length: H }, (_, h) => ({
    q: rows(t.Q!, h, N, d),
    k: rows(t.K!, h, N, d),
    v: rows(t.V!, h, N, d),
    keep: rows(t.M!, h, N, N).map((r) => r.map((x) => x === 1)),
  }));
}

/** The plan of every head; `globalCounts` (e.g. the data's global_token_info) or the default threshold. */
export function planHeads(p: VitcodParams, heads: readonly HeadProblem[], globalCounts?: readonly number[]): HeadPlan[] {
  return heads.map((h, n) => {
    const plan = planHead(h.keep, p.lines, globalCounts ? { count: globalCounts[n]! } : { threshold: GLOBAL_THRESHOLD });
    if (plan.steps > p.steps)
      throw new ParamError(`head ${n}: a line gets ${plan.steps} pairs but the design holds ${p.steps} (parameter 'steps'); the mask keeps ${plan.dense.length + plan.sparse.length} pairs on ${p.lines} lines`);
    return plan;
  });
}

/** The raw load of a head (mode 0: Q, K and V rows over the port; no decoder weights). */
const RAW: HeadLoad = { mode: 0, dq: [0, 0], sq: 0, dk: [0, 0], sk: 0 };

/** How each head's Q and K reach the engine: coded by the auto-encoder on a design with the decoder, else raw. */
export function headLoads(p: VitcodParams, heads: readonly HeadProblem[]): HeadLoad[] {
  return p.encoder ? autoEncodeHeads(heads).loads : heads.map(() => RAW);
}

/** The heads as the engine computes them: Q and K through the auto-encoder on a design with the decoder. */
export function engineHeads(p: VitcodParams, heads: readonly HeadProblem[]): HeadProblem[] {
  return p.encoder ? autoEncodeHeads(heads).decoded : [...heads];
}

/**
 * Heads, their plans and loads → the tokens of each input stream, as field values. The off-chip
 * stream `mem` carries, per token of each head, its row group (Q, K, V; the 4 codes and V; or V,
 * by the head's load mode) in beats of `portBytes` bytes.
 */
export function vitcodTokens(p: VitcodParams, heads: readonly HeadProblem[], plans: readonly HeadPlan[], loads: readonly HeadLoad[] = headLoads(p, heads)): Record<string, TokenValue[]> {
  const tok: Record<string, TokenValue[]> = { cfg: [], mem: [], pairs: [] };
  const none = { valid: 0, first: 0, row: 0, key: 0 };
  const bytes: number[] = [];
  heads.forEach((h, n) => {
    const plan = plans[n]!;
    const ld = loads[n]!;
    if (ld.mode !== 0 && !p.encoder) throw new Error(`internal: head ${n} is coded but the design has no decoder (parameter 'encoder' = 0)`);
    const steps = Math.max(1, plan.steps);
    const N = h.q.length;
    tok.cfg!.push(p.encoder ? { nM1: N - 1, stepsM1: steps - 1, mode: ld.mode, dq: ld.dq, sq: ld.sq, dk: ld.dk, sk: ld.sk } : { nM1: N - 1, stepsM1: steps - 1 });
    const group = ld.mode === 0 ? [h.q, h.k, h.v] : ld.mode === 1 ? [...ld.codes!, h.v] : [h.v];
    for (let r = 0; r < N; r++) for (const rows of group) bytes.push(...rows[r]!);
    for (let s = 0; s < steps; s++)
      tok.pairs!.push(Array.from({ length: p.lines }, (_, l) => {
        const e = plan.lists[l]?.[s];
        return e ? { valid: 1, first: e.first ? 1 : 0, row: e.i, key: e.j } : none;
      }));
  });
  for (let at = 0; at < bytes.length; at += p.portBytes) tok.mem!.push(bytes.slice(at, at + p.portBytes));
  return tok;
}

/**
 * Cycles of one head's phases without stalls: its load (the port's latency, then its row groups of
 * `rows` rows in beats of portBytes, next to its pair list of `steps` tokens), its compute (SCORE,
 * MERGE, SV) and its read-out.
 */
export function headCycles(p: VitcodParams, N: number, steps: number, rows = 3): { load: number; compute: number; out: number } {
  const chunks = vitcodSizes(p).chunks;
  const beats = (N * rows * p.d) / p.portBytes;
  return { load: 2 + Math.max(p.latency + beats, steps), compute: 1 + 2 * steps * chunks + Math.ceil(N / p.mergeRows), out: N };
}

/** Rows per token a head of load mode `mode` sends over the port (3 raw, 5 with the codes, 1 V only). */
export const groupRows = (mode: number): number => GROUP_ROWS[mode]!;

/** Bytes one head reads: its row groups over the port (Q/K/V or codes, int8), the pair lists (one entry per line per step), cfg. */
export function headBytesIn(p: VitcodParams, N: number, steps: number, rows = 3): { port: number; lists: number; cfg: number } {
  const z = vitcodSizes(p);
  return { port: rows * N * p.d, lists: Math.ceil((steps * p.lines * (2 + 2 * z.rowBits)) / 8), cfg: Math.ceil(((z.rowBits + z.stepBits) + (p.encoder ? 2 + 4 * 8 + 8 : 0)) / 8) };
}

/**
 * The engine's cycles for a run of heads without stalls: three stages (load, compute, read-out)
 * overlapped through the double-buffered Q/K/V/lists and line state. A head's load waits for its
 * half of the buffers (freed when head h − 2 is computed), its compute for its load, the previous
 * compute and its half of the line state (freed when head h − 2 is read out).
 */
export function pipelineCycles(p: VitcodParams, heads: readonly { N: number; steps: number; rows?: number }[]): { total: number; compute: number; perHead: number[] } {
  const loadEnd: number[] = [];
  const compEnd: number[] = [];
  const outEnd: number[] = [];
  let compute = 0;
  heads.forEach((h, n) => {
    const c = headCycles(p, h.N, Math.max(1, h.steps), h.rows);
    const loadStart = Math.max(loadEnd[n - 1] ?? 0, compEnd[n - 2] ?? 0);
    loadEnd.push(loadStart + c.load);
    const compStart = Math.max(loadEnd[n]!, compEnd[n - 1] ?? 0, outEnd[n - 2] ?? 0);
    compEnd.push(compStart + c.compute);
    const outStart = Math.max(compEnd[n]!, outEnd[n - 1] ?? 0) + 1;
    outEnd.push(outStart + c.out);
    compute += c.compute;
  });
  return { total: Math.max(0, (outEnd.at(-1) ?? 0) - 1), compute, perHead: outEnd.map((e, n) => e - (outEnd[n - 1] ?? 0)) };
}

/**
 * Random tensors: int8 Q/K/V and a mask like the real ones (every query keeps the CLS key 0 and
 * itself, a few random global columns, random sparse pairs at `density`), `heads` heads of N tokens.
 */
export function randomVitcodInputs(p: VitcodParams, seed: number, heads = 2, N = p.nmax, density = 0.15): Record<string, Tensor> {
  const r = rng(seed);
  const int8 = (): bigint => BigInt(Math.floor(r() * 256) - 128);
  const qkv = (): Tensor => ({ shape: [heads, N, p.d], data: Array.from({ length: heads * N * p.d }, int8) });
  const M: bigint[] = [];
  for (let h = 0; h < heads; h++) {
    const glob = new Set(Array.from({ length: Math.floor(r() * 3) }, () => Math.floor(r() * N)));
    for (let i = 0; i < N; i++)
      for (let j = 0; j < N; j++) {
        const keep = j === 0 || i === j || (glob.has(j) && r() < 0.9) || r() < density;
        M.push(keep ? 1n : 0n);
      }
  }
  return { Q: qkv(), K: qkv(), V: qkv(), M: { shape: [heads, N, N], data: M } };
}

export const vitcodAccelerator: Accelerator<VitcodParams> = defineAccelerator({
  name: 'vitcod',
  description: 'ViTCoD: fixed-mask sparse attention, a denser and a sparser engine on lines of 8 MACs, exp-table softmax with deferred normalisation',
  params: vitcodParamSpecs,
  presets: vitcodPresets,
  defaultPreset: 'ci',
  validate: validateVitcod,
  create: createVitcod,
  inputs: vitcodInputs,
  outputs: (p) => [
    { name: 'O', shape: [MAX_HEADS, p.nmax, p.d], dims: ['H', 'N', 'D'], width: 32, signed: true },
    { name: 'L', shape: [MAX_HEADS, p.nmax], dims: ['H', 'N'], width: 32, signed: false },
  ],
  checkRelations(p, t) {
    // The specs fix shapes and ranges; what remains is whether every head's plan fits the lines' lists.
    try {
      planHeads(p, toHeads(p, t));
    } catch (e) {
      if (e instanceof ParamError) throw tensorError(vitcodAccelerator.inputs(p)[3]!, e.message);
      throw e;
    }
  },
  outputTokens: (_p, t) => ({ out: t.Q!.shape[0]! * t.Q!.shape[1]! }),
  golden(p, t) {
    const heads = engineHeads(p, toHeads(p, t));
    const res = heads.map((h) => vitcodHead(h, p.sigma));
    const N = heads[0]!.q.length;
    const kept = res.reduce((a, r) => a + r.kept, 0);
    const macs = headMacs(kept, p.d);
    return {
      outputs: {
        O: { shape: [heads.length, N, p.d], data: res.flatMap((r) => r.o.flat()).map(BigInt) },
        L: { shape: [heads.length, N], data: res.flatMap((r) => r.l).map(BigInt) },
      },
      counts: { kept, macs, lookups: kept },
      idealCycles: Math.ceil(macs / (p.lines * p.macs)),
    };
  },
  toTokens: (p, t) => {
    const heads = toHeads(p, t);
    return vitcodTokens(p, heads, planHeads(p, heads));
  },
  fromTokens(p, tokens, t) {
    const [H, N] = t.Q!.shape as [number, number];
    const rows = (tokens.out ?? []) as unknown as { l: bigint; o: bigint[] }[];
    return {
      O: { shape: [H, N, p.d], data: rows.flatMap((r) => r.o) },
      L: { shape: [H, N], data: rows.map((r) => r.l) },
    };
  },
  randomInputs: (p, seed) => randomVitcodInputs(p, seed),
  layerInputs: vitcodLayerInputs,
});

/** For the registry. */
export const vitcod = defineGenerator(vitcodAccelerator);
