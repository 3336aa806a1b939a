/**
 * The SmartExchange engine as an Accelerator: tensors B (int8 bases, [M, 3, 3]), C (Ce, [M, G, 3],
 * values 0 or ±2^k, k ∈ 0..5) and X (int8, [K = 3·G, N]) in; Y = W·X (int32, [M, N]) out, W rebuilt
 * per filter as Ce·B. The host lays the tensors out into the tokens of `sePorts` (create.ts): the Ce
 * values as codes {nz, sign, k}, filters padded to whole groups of `lanes` with zero bases and codes.
 */
import { tensorError, checkInputs, indexOf } from '../../dsl/tensors.ts';
import { defineAccelerator, defineGenerator, type Accelerator, type Tensor, type TensorSpec, type TokenValue } from '../../dsl/generator.ts';
import { createSmartExchange } from './create.ts';
import { ceCode, isCeValue, seMatmul, K_MAX } from './golden.ts';
import { seParamSpecs, sePresets, seSizes, validateSe, type SeParams } from './params.ts';
import { mulberry32 } from '../random.ts';
import { seDecomposeInput } from './host.ts';

export function seInputs(p: SeParams): TensorSpec[] {
  return [
    { name: 'B', shape: [p.mmax, 3, 3], dims: ['M', 'R', 'J'], minShape: [1, 3, 3], width: 8, signed: true },
    { name: 'C', shape: [p.mmax, p.gmax, 3], dims: ['M', 'G', 'J'], minShape: [1, 1, 3], width: 7, signed: true },
    { name: 'X', shape: [3 * p.gmax, p.nmax], dims: ['K', 'N'], minShape: [3, 1], multipleOf: [3, 1], width: 8, signed: true },
  ];
}

/** The sizes of a run: filters M, Ce rows G, columns N, groups of lanes. */
export function seShape(p: SeParams, t: Record<string, Tensor>): { M: number; G: number; N: number; groups: number } {
  const [M, G] = t.C!.shape as [number, number];
  const N = t.X!.shape[1]!;
  return { M, G, N, groups: Math.ceil(M / p.lanes) };
}

/** Tensors → nested arrays for the golden kernel. */
export function seProblem(t: Record<string, Tensor>) {
  const [M, G] = t.C!.shape as [number, number];
  const [K, N] = t.X!.shape as [number, number];
  const num = (x: bigint) => Number(x);
  return {
    B: Array.from({ length: M }, (_, m) => [0, 1, 2].map((j) => [0, 1, 2].map((c) => num(t.B!.data[m * 9 + j * 3 + c]!)))),
    ce: Array.from({ length: M }, (_, m) => Array.from({ length: G }, (_, r) => [0, 1, 2].map((j) => num(t.C!.data[(m * G + r) * 3 + j]!)))),
    X: Array.from({ length: K }, (_, k) => Array.from({ length: N }, (_, n) => num(t.X!.data[k * N + n]!))),
  };
}

/**
 * Cycles of one job without stalls, as the two control units walk it: cfg (cycle 0); the load, one
 * token of xw triples a cycle from cycle 1 (column n complete at cycle (n + 1)·ceil(G / xw)).
 * The rebuild unit takes group g's basis (1 cycle) and its G Ce rows (G cycles) into bank
 * g mod wbanks, starting once it has finished group g − 1 and the compute of group g − wbanks (the
 * bank's previous user) is over. The compute unit starts group g once group g − 1 is computed and
 * group g rebuilt (both seen a cycle later, registered), and spends per column max(1, rows with
 * work), where a row has work when an activation of its triple and a Ce entry of the row in some
 * lane of the group are nonzero; group 0's column n starts no earlier than cycle (n + 1)·ceil(G / xw) + 1.
 * With one bank this is the sequential 1 + G + compute per group.
 */
export function seCycles(p: SeParams, t: Record<string, Tensor>): { total: number; load: number; rebuild: number; compute: number } {
  const { G, N, groups, M } = seShape(p, t);
  const { ce, X } = seProblem(t);
  const T = Math.ceil(G / p.xw);
  let rebuild = 0;
  let compute = 0;
  let rEnd = 0; // the cycle of the previous group's last Ce row
  const cEnd: number[] = []; // the last compute cycle of each group
  let next = 1; // the first cycle the compute unit is free
  for (let g = 0; g < groups; g++) {
    const rStart = Math.max(g === 0 ? 1 : rEnd + 1, g >= p.wbanks ? cEnd[g - p.wbanks]! + 1 : 0);
    rEnd = rStart + G;
    rebuild += 1 + G;
    let at = Math.max(next, rEnd + 1);
    const wRow = Array.from({ length: G }, (_, r) => ce.slice(g * p.lanes, Math.min(M, (g + 1) * p.lanes)).some((f) => f[r]!.some((c) => c !== 0)));
    for (let n = 0; n < N; n++) {
      let work = 0;
      for (let r = 0; r < G; r++) if (wRow[r]) for (let c = 0; c < 3; c++) if (X[3 * r + c]![n] !== 0) work++;
      const cycles = Math.max(1, Math.ceil(work / 3));
      compute += cycles;
      if (g === 0) at = Math.max(at, (n + 1) * T + 1);
      at += cycles;
    }
    cEnd.push(at - 1);
    next = at;
  }
  return { total: next, load: T * N, rebuild, compute };
}

/** Random inputs: M filters, G rows, N columns, a fraction `ceZero` of zero Ce and `xZero` of zero activations. */
export function randomSeInputs(seed: number, s: { M: number; G: number; N: number; ceZero?: number; xZero?: number }): Record<string, Tensor> {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const ceZero = s.ceZero ?? 0.3;
  const xZero = s.xZero ?? 0.5;
  return {
    B: { shape: [s.M, 3, 3], data: Array.from({ length: s.M * 9 }, () => BigInt(int(-128, 127))) },
    C: { shape: [s.M, s.G, 3], data: Array.from({ length: s.M * s.G * 3 }, () => BigInt(r() < ceZero ? 0 : (r() < 0.5 ? -1 : 1) * 2 ** int(0, K_MAX))) },
    X: { shape: [3 * s.G, s.N], data: Array.from({ length: 3 * s.G * s.N }, () => BigInt(r() < xZero ? 0 : int(-128, 127))) },
  };
}

export const seAccelerator = defineAccelerator({
  name: 'smartexchange',
  description: 'SmartExchange: weights rebuilt from a 3x3 int8 basis and power-of-two coefficients by shift-and-add, a weight-stationary MAC array skipping zero rows and activations',
  params: seParamSpecs,
  presets: sePresets,
  defaultPreset: 'ci',
  validate: validateSe,
  create: createSmartExchange,
  inputs: seInputs,
  outputs: (p) => [{ name: 'Y', shape: [p.mmax, p.nmax], dims: ['M', 'N'], width: 32, signed: true }],
  checkRelations(p, t) {
    const [B, C, X] = seInputs(p);
    const { G, N } = seShape(p, t);
    if (t.X!.shape[0] !== 3 * G) throw tensorError(X!, `shape [${t.X!.shape.join(', ')}]: K = ${t.X!.shape[0]} but C has G = ${G} rows, so K must be 3·G = ${3 * G}`);
    const words = Math.ceil(G / p.xw) * N;
    if (words > p.xdepth) throw tensorError(X!, `ceil(G / xw)·N = ${words} words of ${p.xw} triples, over the activation buffer's ${p.xdepth} (parameter 'xdepth')`);
    const bad = t.C!.data.findIndex((v) => !isCeValue(Number(v)));
    if (bad >= 0) throw tensorError(C!, `C[${indexOf(t.C!.shape, bad).join(', ')}] = ${t.C!.data[bad]}, not 0 or ±2^k with k in 0..${K_MAX}`);
    void B;
  },
  decompose: seDecomposeInput,
  outputTokens: (p, t) => {
    const { N, groups } = seShape(p, t);
    return { y: N * groups };
  },
  golden(p, t) {
    checkInputs(seAccelerator, p, t);
    const { B, ce, X } = seProblem(t);
    const { Y, counts } = seMatmul(B, ce, X);
    return {
      outputs: { Y: { shape: [B.length, X[0]!.length], data: Y.flat().map(BigInt) } },
      counts: { ...counts },
      idealCycles: Math.ceil(counts.macs / (3 * p.lanes)),
    };
  },
  toTokens(p, t) {
    checkInputs(seAccelerator, p, t);
    const { M, G, N, groups } = seShape(p, t);
    const { B, ce, X } = seProblem(t);
    const tok: Record<string, TokenValue[]> = { cfg: [{ gM1: G - 1, nM1: N - 1, groupsM1: groups - 1 }], x: [], b: [], ce: [] };
    const T = Math.ceil(G / p.xw);
    for (let n = 0; n < N; n++)
      for (let t = 0; t < T; t++)
        tok.x!.push(Array.from({ length: p.xw }, (_, e) => [0, 1, 2].map((c) => X[3 * (t * p.xw + e) + c]?.[n] ?? 0)));
    const zero = { nz: 0, sign: 0, k: 0 };
    for (let g = 0; g < groups; g++) {
      const lanes = Array.from({ length: p.lanes }, (_, l) => g * p.lanes + l);
      tok.b!.push(lanes.map((m) => (m < M ? B[m]!.flat() : new Array<number>(9).fill(0))));
      for (let r = 0; r < G; r++) tok.ce!.push(lanes.map((m) => (m < M ? ce[m]![r]!.map(ceCode) : [zero, zero, zero])));
    }
    return tok;
  },
  fromTokens(p, tokens, t) {
    const { M, N } = seShape(p, t);
    const ys = (tokens.y ?? []) as unknown as bigint[][];
    const data: bigint[] = [];
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) data.push(ys[Math.floor(m / p.lanes) * N + n]?.[m % p.lanes] ?? 0n);
    return { Y: { shape: [M, N], data } };
  },
  randomInputs: (p, seed) => {
    const r = mulberry32(seed ^ 0x5e);
    return randomSeInputs(seed, { M: 1 + Math.floor(r() * p.mmax), G: 1 + Math.floor(r() * p.gmax), N: 1 + Math.floor(r() * Math.min(p.nmax, Math.floor(p.xdepth / Math.ceil(p.gmax / p.xw)))) });
  },
});

/** The sizes' bits, for tests. */
export { seSizes };

/** For the registry. */
export const smartexchange = defineGenerator(seAccelerator as unknown as Accelerator<SeParams>);
