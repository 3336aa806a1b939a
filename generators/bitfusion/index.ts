/**
 * The Bit Fusion array as an Accelerator: tensors X (activations [M, K]), W (weights [N, K]) and
 * `bits` (the job's precision, 2..8) in; Y = X·Wᵀ (int32 [M, N]) out. The job runs in the smallest
 * brick mode of 2, 4 or 8 bits that holds `bits` (3 → 4, 6 → 8); the host lays the values out as
 * 2-bit digits in that mode (modes.ts) and pads columns to whole groups of `units`, K to whole chunks.
 */
import { tensorError, checkInputs, indexOf } from '../../dsl/tensors.ts';
import { defineAccelerator, defineGenerator, type Accelerator, type Tensor, type TensorSpec, type TokenValue } from '../../dsl/generator.ts';
import { createBitFusion } from './create.ts';
import { dotGemm, fracTrainEnergy } from './golden.ts';
import { ELEMENTS_PER_UNIT, modeCode, operandWord } from './modes.ts';
import { bitFusionParamSpecs, bitFusionPresets, modeOf, validateBitFusion, type BitFusionParams } from './params.ts';
import { mulberry32 } from '../random.ts';

export function bitFusionInputs(p: BitFusionParams): TensorSpec[] {
  return [
    { name: 'X', shape: [p.mmax, p.kmax], dims: ['M', 'K'], width: 8, signed: true },
    { name: 'W', shape: [p.nmax, p.kmax], dims: ['N', 'K'], width: 8, signed: true },
    { name: 'bits', shape: [1], width: 4, signed: false },
  ];
}

/** The sizes of a job: M, N, K, its precision, brick mode, products per unit per cycle E, column groups, chunks of K. */
export function bitFusionShape(p: BitFusionParams, t: Record<string, Tensor>) {
  const [M, K] = t.X!.shape as [number, number];
  const N = t.W!.shape[0]!;
  const bits = Number(t.bits!.data[0]!);
  const mode = modeOf(p, bits);
  const E = ELEMENTS_PER_UNIT[mode]!;
  return { M, N, K, bits, mode, E, groups: Math.ceil(N / p.units), chunks: Math.ceil(K / E) };
}

/** Cycles of a job without stalls: cfg, then one x/w pair a cycle, then the last y token. */
export function bitFusionCycles(p: BitFusionParams, t: Record<string, Tensor>): { total: number; tokens: number; bound: number } {
  const s = bitFusionShape(p, t);
  const tokens = s.groups * s.M * s.chunks;
  return { total: tokens + 2, tokens, bound: Math.ceil((s.M * s.N * s.K) / (p.units * s.E)) };
}

const rows = (t: Tensor): number[][] => {
  const [R, C] = t.shape as [number, number];
  return Array.from({ length: R }, (_, r) => t.data.slice(r * C, (r + 1) * C).map(Number));
};

/** Random inputs of `bits` bits: M rows, N columns, K long. */
export function randomBitFusionInputs(seed: number, s: { M: number; N: number; K: number; bits: number }): Record<string, Tensor> {
  const r = mulberry32(seed);
  const half = 2 ** (s.bits - 1);
  const val = () => BigInt(Math.floor(r() * 2 * half) - half);
  return {
    X: { shape: [s.M, s.K], data: Array.from({ length: s.M * s.K }, val) },
    W: { shape: [s.N, s.K], data: Array.from({ length: s.N * s.K }, val) },
    bits: { shape: [1], data: [BigInt(s.bits)] },
  };
}

export const bitFusionAccelerator = defineAccelerator({
  name: 'bitfusion',
  description: 'Bit Fusion / FracTrain: fused units of 2-bit bricks, one 8x8, four 4x4 or sixteen 2x2 signed products a cycle each, precision per job',
  params: bitFusionParamSpecs,
  presets: bitFusionPresets,
  defaultPreset: 'ci',
  validate: validateBitFusion,
  create: createBitFusion,
  inputs: bitFusionInputs,
  outputs: (p) => [{ name: 'Y', shape: [p.mmax, p.nmax], dims: ['M', 'N'], width: 32, signed: true }],
  checkRelations(p, t) {
    const [X, W, B] = bitFusionInputs(p);
    const bits = Number(t.bits!.data[0]!);
    if (bits < 2 || bits > 8) throw tensorError(B!, `bits = ${bits}: the precision of a job is 2..8 bits (run in brick modes 2, 4, 8)`);
    const lo = -(2n ** BigInt(bits - 1));
    const hi = -lo - 1n;
    for (const spec of [X!, W!]) {
      const d = t[spec.name]!;
      const bad = d.data.findIndex((v) => v < lo || v > hi);
      if (bad >= 0) throw tensorError(spec, `${spec.name}[${indexOf(d.shape, bad).join(', ')}] = ${d.data[bad]}, out of the job's ${bits}-bit range ${lo}..${hi} (tensor 'bits')`);
    }
  },
  outputTokens: (p, t) => {
    const s = bitFusionShape(p, t);
    return { y: s.groups * s.M };
  },
  golden(p, t) {
    checkInputs(bitFusionAccelerator, p, t);
    const s = bitFusionShape(p, t);
    const { Y, macs } = dotGemm(rows(t.X!), rows(t.W!), s.bits);
    return {
      outputs: { Y: { shape: [s.M, s.N], data: Y.flat().map(BigInt) } },
      counts: { macs, energy: fracTrainEnergy(macs, s.bits, s.bits), energyAtMode: fracTrainEnergy(macs, s.mode, s.mode) },
      idealCycles: Math.ceil(macs / (p.units * s.E)),
    };
  },
  toTokens(p, t) {
    checkInputs(bitFusionAccelerator, p, t);
    const s = bitFusionShape(p, t);
    const X = rows(t.X!);
    const W = rows(t.W!);
    const chunkOf = (row: readonly number[] | undefined, c: number) => operandWord(row ? row.slice(c * s.E, c * s.E + s.E) : [], s.mode);
    const tok: Record<string, TokenValue[]> = { cfg: [{ mode: modeCode(s.mode), chunksM1: s.chunks - 1, outsM1: s.groups * s.M - 1 }], x: [], w: [] };
    for (let g = 0; g < s.groups; g++)
      for (let m = 0; m < s.M; m++)
        for (let c = 0; c < s.chunks; c++) {
          tok.x!.push(chunkOf(X[m], c));
          tok.w!.push(Array.from({ length: p.units }, (_, u) => chunkOf(W[g * p.units + u], c)));
        }
    return tok;
  },
  fromTokens(p, tokens, t) {
    const s = bitFusionShape(p, t);
    const ys = (tokens.y ?? []) as unknown as bigint[][];
    const data: bigint[] = [];
    for (let m = 0; m < s.M; m++) for (let n = 0; n < s.N; n++) data.push(ys[Math.floor(n / p.units) * s.M + m]?.[n % p.units] ?? 0n);
    return { Y: { shape: [s.M, s.N], data } };
  },
  randomInputs: (p, seed) => {
    const r = mulberry32(seed ^ 0xb1f);
    const pick = (max: number) => 1 + Math.floor(r() * max);
    return randomBitFusionInputs(seed, { M: pick(p.mmax), N: pick(p.nmax), K: pick(p.kmax), bits: 2 + Math.floor(r() * 7) });
  },
});

/** For the registry. */
export const bitfusion = defineGenerator(bitFusionAccelerator as unknown as Accelerator<BitFusionParams>);
