/** Parameters, presets and sizes of the VSA engine. */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';
import { OP } from './ops.ts';

export interface VsaParams extends Record<string, number | string> {
  /** Bits of a hypervector (a multiple of 32 and of w). */
  D: number;
  /** Bits per cycle through the datapath (a power of two, 8..512). */
  w: number;
  /** Codebook items held (block RAM). */
  C: number;
  /** Hypervectors in the register file. */
  regs: number;
  /**
   * Bits of an element: 1 = binary (bit algebra: XOR, majority, Hamming); 2, 4 or 8 = bipolar
   * integer elements (two's complement; product, sum, dot product), w/elemBits lanes per word.
   */
  elemBits: number;
}

export const vsaParamSpecs: Record<keyof VsaParams & string, ParamSpec> = {
  D: { kind: 'int', doc: 'bits of a hypervector (multiple of 32 and of w)', min: 32, max: 8192 },
  w: { kind: 'int', doc: 'bits per cycle through XOR and popcount (power of two)', min: 8, max: 512 },
  C: { kind: 'int', doc: 'codebook items in block RAM', min: 2, max: 1024 },
  regs: { kind: 'int', doc: 'hypervectors in the register file', min: 2, max: 64 },
  elemBits: { kind: 'int', doc: 'bits of an element: 1 = binary, 2/4/8 = bipolar signed integers', min: 1, max: 8 },
};

export const vsaPresets: Record<string, VsaParams> = {
  ci: { D: 256, w: 32, C: 16, regs: 8, elemBits: 1 },
  /** The bipolar variant: 64 elements of 4 bits, 8 lanes per word. */
  'ci-bipolar': { D: 256, w: 32, C: 8, regs: 8, elemBits: 4 },
  /** The smallest size of the paper's range: D = 1024, C = 64 items, 64 bits per cycle. */
  d1k: { D: 1024, w: 64, C: 64, regs: 16, elemBits: 1 },
  /** The largest: D = 8192, C = 1024. */
  paper: { D: 8192, w: 128, C: 1024, regs: 16, elemBits: 1 },
};

export interface VsaSizes {
  /** Words of w bits per hypervector: D / w. */
  words: number;
  wordBits: number;
  regBits: number;
  itemBits: number;
  /** The imm field: a rotation 0..D − 1, an item count 1..C, a bundle count 1..regs. */
  immBits: number;
  /** Hamming distance 0..D. */
  hamBits: number;
  /** Similarity −D..D (binary) or the dot product's range (bipolar), signed. */
  simBits: number;
  /** Elements of a hypervector: D / elemBits. */
  elems: number;
  /** Elements per word: w / elemBits. */
  lanes: number;
  /** Bits of a per-bit count in a bundle (0..regs). */
  countBits: number;
}

export const clog2 = (n: number): number => Math.max(1, Math.ceil(Math.log2(n)));

export function vsaSizes(p: VsaParams): VsaSizes {
  const words = p.D / p.w;
  const e = p.elemBits;
  return {
    words,
    wordBits: clog2(words),
    regBits: clog2(p.regs),
    itemBits: clog2(p.C),
    immBits: clog2(Math.max(p.D, p.C + 1, p.regs + 1)),
    hamBits: clog2(p.D + 1),
    // Bipolar: |dot| <= elems · 2^(2·elemBits − 2) (the product of two most negative elements).
    simBits: e === 1 ? clog2(p.D + 1) + 1 : clog2((p.D / e) * 2 ** (2 * e - 2) + 1) + 1,
    elems: p.D / e,
    lanes: p.w / e,
    countBits: clog2(p.regs + 1),
  };
}

export function validateVsa(p: VsaParams): void {
  if (!Number.isInteger(Math.log2(p.w)))
    throw new ParamError(`parameter 'w' = ${p.w} must be a power of two (8, 16, ..., 512)`, undefined, { field: 'w', value: p.w });
  if (p.D % 32 !== 0 || p.D % p.w !== 0 || p.D / p.w < 2)
    throw new ParamError(`parameter 'D' = ${p.D} must be a multiple of 32 and of w = ${p.w}, at least 2·w`, undefined, { field: 'D', value: p.D });
  if (![1, 2, 4, 8].includes(p.elemBits))
    throw new ParamError(`parameter 'elemBits' = ${p.elemBits} must be 1 (binary) or 2, 4, 8 (bipolar integer elements)`, undefined, { field: 'elemBits', value: p.elemBits });
}

export function vsaModuleName(p: VsaParams): string {
  return `vsa_d${p.D}_w${p.w}_c${p.C}_r${p.regs}${p.elemBits > 1 ? `_e${p.elemBits}` : ''}`;
}

/** Cycles of one instruction without stalls (the engine's model; checked by tests/vsa-rtl.test.ts). */
export function instrCycles(p: VsaParams, op: number, imm: number): number {
  // One cycle to take the instruction, the word walk, two to drain EXECUTE and COUNT (LOAD and
  // CBLOAD: a word per cycle from the vec stream, no pipeline to drain).
  const n = p.D / p.w;
  const walk: Record<number, number> = { [OP.LOAD]: n, [OP.CBLOAD]: n, [OP.PERM]: n + 1, [OP.BUNDLE]: n * imm, [OP.CLEANUP]: n * imm };
  return (op === OP.LOAD || op === OP.CBLOAD ? 1 : 3) + (walk[op] ?? n);
}
