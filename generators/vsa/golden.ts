/**
 * The vector-symbolic kernels, bit-exact, in plain TypeScript on typed arrays (ACCELERATORS.md §7),
 * and an interpreter of the engine's instruction stream. Imports nothing from dsl/.
 *
 * Binary hypervectors of D bits (D a multiple of 32) as Uint32Array words (bit order in ops.ts):
 *   bind(a, b)       = a XOR b
 *   permute(a, r)[i] = a[(i − r) mod D]                       (rotation towards higher indices)
 *   bundle(v1..vn)   = bitwise majority; where exactly n/2 are set, the tie vector's bit
 *   sim(a, b)        = D − 2·popcount(a XOR b)                 int, −D..D (log2(D) + 2 bits signed)
 *   cleanup(q, CB)   = argmax_c sim(q, CB[c]), ties → lowest c
 * The bipolar integer variant (elements ±1 and their sums as Int32Array; bit 0 ↔ +1, bit 1 ↔ −1):
 *   bind = elementwise product, bundle = elementwise sum (no threshold), sim = dot product,
 *   permute = rotation of elements. On ±1 vectors sim and bind agree with the binary ones, and
 *   threshold(bundle) (sign, 0 → tie bit) is the binary majority (tests/vsa-golden.test.ts).
 */
import { OP, tieVector } from './ops.ts';

export type Hv = Uint32Array;

/** Set bits of a 32-bit word. */
export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function bind(a: Hv, b: Hv): Hv {
  const out = new Uint32Array(a.length);
  for (let j = 0; j < a.length; j++) out[j] = a[j]! ^ b[j]!;
  return out;
}

/** Rotate by r bits (any integer; taken mod D) towards higher bit indices. */
export function permute(a: Hv, r: number): Hv {
  const n = a.length;
  const D = 32 * n;
  const rr = ((r % D) + D) % D;
  const q = Math.floor(rr / 32);
  const s = rr % 32;
  const out = new Uint32Array(n);
  for (let j = 0; j < n; j++) {
    const cur = a[(j - q + n) % n]!;
    const prev = a[(j - q - 1 + 2 * n) % n]!;
    out[j] = s ? ((cur << s) | (prev >>> (32 - s))) >>> 0 : cur;
  }
  return out;
}

/** Bitwise majority of `vs` (at least one); a bit set in exactly half of them takes `tie`'s bit. */
export function bundle(vs: readonly Hv[], tie: Hv): Hv {
  if (vs.length === 0) throw new Error('bundle needs at least one vector');
  const n = vs.length;
  const out = new Uint32Array(vs[0]!.length);
  for (let j = 0; j < out.length; j++) {
    let w = 0;
    for (let b = 0; b < 32; b++) {
      let c = 0;
      for (const v of vs) c += (v[j]! >>> b) & 1;
      const bit = 2 * c > n ? 1 : 2 * c < n ? 0 : (tie[j]! >>> b) & 1;
      w |= bit << b;
    }
    out[j] = w >>> 0;
  }
  return out;
}

export function hamming(a: Hv, b: Hv): number {
  let h = 0;
  for (let j = 0; j < a.length; j++) h += popcount32(a[j]! ^ b[j]!);
  return h;
}

/** D − 2·popcount(a XOR b). */
export function similarity(a: Hv, b: Hv): number {
  return 32 * a.length - 2 * hamming(a, b);
}

export interface CleanupResult {
  index: number;
  sim: number;
}

/** The codebook item most similar to q (ties: the lowest index). */
export function cleanup(q: Hv, codebook: readonly Hv[]): CleanupResult {
  let best = { index: 0, sim: -Infinity };
  codebook.forEach((c, index) => {
    const sim = similarity(q, c);
    if (sim > best.sim) best = { index, sim };
  });
  return best;
}

// ---- the bipolar integer variant ------------------------------------------------------------

export type Bipolar = Int32Array;

/** Binary → bipolar: bit 0 → +1, bit 1 → −1. */
export function toBipolar(a: Hv): Bipolar {
  return Int32Array.from({ length: 32 * a.length }, (_, i) => 1 - 2 * ((a[i >>> 5]! >>> (i & 31)) & 1));
}

/** Bipolar → binary by sign: negative → 1, positive → 0, zero → the tie vector's bit. */
export function threshold(x: Bipolar, tie: Hv): Hv {
  const out = new Uint32Array(x.length / 32);
  x.forEach((v, i) => {
    const bit = v < 0 ? 1 : v > 0 ? 0 : (tie[i >>> 5]! >>> (i & 31)) & 1;
    out[i >>> 5]! |= bit << (i & 31);
  });
  return out;
}

export const bipolar = {
  bind: (a: Bipolar, b: Bipolar): Bipolar => a.map((x, i) => Math.imul(x, b[i]!)),
  permute: (a: Bipolar, r: number): Bipolar => {
    const D = a.length;
    const rr = ((r % D) + D) % D;
    return a.map((_, i) => a[(i - rr + D) % D]!);
  },
  bundle: (vs: readonly Bipolar[]): Bipolar => vs.slice(1).reduce((s, v) => s.map((x, i) => x + v[i]!), Int32Array.from(vs[0]!)),
  similarity: (a: Bipolar, b: Bipolar): number => a.reduce((s, x, i) => s + x * b[i]!, 0),
  cleanup: (q: Bipolar, codebook: readonly Bipolar[]): CleanupResult => {
    let best = { index: 0, sim: -Infinity };
    codebook.forEach((c, index) => {
      const sim = bipolar.similarity(q, c);
      if (sim > best.sim) best = { index, sim };
    });
    return best;
  },
};

/** x wrapped to a `bits`-bit two's complement integer. */
export function wrapSigned(x: number, bits: number): number {
  const m = 2 ** bits;
  const r = ((x % m) + m) % m;
  return r >= m / 2 ? r - m : r;
}

/**
 * The bipolar algebra at a declared element width (the engine with elemBits = bits > 1): bind and
 * bundle wrap each element to `bits` bits, two's complement (the same as `bipolar` while no element
 * overflows); similarity and clean-up are exact (their width is made to hold the largest dot product).
 */
export function bipolarAlgebraBits(bits: number): Algebra<Bipolar> {
  const wrap = (v: Bipolar): Bipolar => v.map((x) => wrapSigned(x, bits));
  return { bind: (a, b) => wrap(bipolar.bind(a, b)), permute: bipolar.permute, bundle: (vs) => wrap(bipolar.bundle(vs)), similarity: bipolar.similarity, cleanup: bipolar.cleanup };
}

/** 32-bit words → signed elements of `bits` bits (2, 4, 8): element i is bits i·bits .. of the words, little-endian. */
export function unpackElems(words: Hv, bits: number): Bipolar {
  const per = 32 / bits;
  return Int32Array.from({ length: words.length * per }, (_, i) => wrapSigned((words[Math.floor(i / per)]! >>> ((i % per) * bits)) & (2 ** bits - 1), bits));
}

/** Signed elements of `bits` bits → 32-bit words (the inverse of unpackElems; elements wrapped). */
export function packElems(x: Bipolar, bits: number): Hv {
  const per = 32 / bits;
  const out = new Uint32Array(x.length / per);
  x.forEach((v, i) => {
    out[Math.floor(i / per)]! |= (v & (2 ** bits - 1)) << ((i % per) * bits);
  });
  return out;
}

// ---- the instruction stream -----------------------------------------------------------------

/** One instruction: opcode (ops.ts) and its fields; unused fields are 0. */
export interface Instr {
  op: number;
  dst: number;
  a: number;
  b: number;
  imm: number;
}

/** The operations on one kind of hypervector: binary (Uint32Array) or bipolar (Int32Array). */
export interface Algebra<V> {
  bind(a: V, b: V): V;
  permute(a: V, r: number): V;
  bundle(vs: readonly V[]): V;
  similarity(a: V, b: V): number;
  cleanup(q: V, codebook: readonly V[]): CleanupResult;
}

/** The binary algebra of D-bit hypervectors with the fixed tie vector. */
export function binaryAlgebra(D: number): Algebra<Hv> {
  const tie = tieVector(D);
  return { bind, permute, bundle: (vs) => bundle(vs, tie), similarity, cleanup };
}

export const bipolarAlgebra: Algebra<Bipolar> = bipolar;

export interface ProgramResult<V> {
  /** Registers named by STORE, in order. */
  stores: V[];
  /** One per SIM ({index: 0, sim}) and CLEANUP, in order. */
  results: CleanupResult[];
  /** Operation counts: words of D bits moved through the datapath, per op. */
  counts: Record<string, number>;
}

/**
 * Run a program on a register file of `regs` hypervectors: LOAD takes `vectors` in order, CLEANUP
 * scans `codebook`. Throws on a register read before it is written or an operand out of range.
 */
export function runProgram<V>(alg: Algebra<V>, program: readonly Instr[], vectors: readonly V[], codebook: readonly V[], regs: number): ProgramResult<V> {
  const r: (V | undefined)[] = new Array(regs).fill(undefined);
  const get = (k: number, at: number): V => {
    const v = r[k];
    if (v === undefined) throw new Error(`instruction ${at} reads register ${k} before any instruction writes it`);
    return v;
  };
  let next = 0;
  const stores: V[] = [];
  const results: CleanupResult[] = [];
  const counts: Record<string, number> = { vectors: 0 };
  // What each opcode does (a table by opcode, like the hardware's decode).
  const step: Record<number, (x: Instr, at: number) => void> = {
    [OP.LOAD]: (x, at) => {
      if (next >= vectors.length) throw new Error(`instruction ${at} (LOAD) finds no vector left: ${vectors.length} given`);
      r[x.dst] = vectors[next++]!;
    },
    [OP.BIND]: (x, at) => void (r[x.dst] = alg.bind(get(x.a, at), get(x.b, at))),
    [OP.PERM]: (x, at) => void (r[x.dst] = alg.permute(get(x.a, at), x.imm)),
    [OP.BUNDLE]: (x, at) => void (r[x.dst] = alg.bundle(Array.from({ length: x.imm }, (_, k) => get(x.a + k, at)))),
    [OP.SIM]: (x, at) => void results.push({ index: 0, sim: alg.similarity(get(x.a, at), get(x.b, at)) }),
    [OP.CLEANUP]: (x, at) => void results.push(alg.cleanup(get(x.a, at), codebook.slice(0, x.imm))),
    [OP.STORE]: (x, at) => void stores.push(get(x.a, at)),
  };
  program.forEach((x, at) => {
    counts.vectors! += x.op === OP.BUNDLE ? x.imm : x.op === OP.CLEANUP ? x.imm : 1;
    const run = step[x.op];
    if (!run) throw new Error(`instruction ${at}: opcode ${x.op} is not an operation of a program`);
    run(x, at);
  });
  return { stores, results, counts };
}
