/**
 * The VSA engine as an Accelerator: a program P ([S, 5]: op, dst, a, b, imm per instruction), the
 * hypervectors V its LOADs take in order and the codebook CB ([items, D/32] 32-bit words each) in;
 * the registers its STOREs name (O, [stores, D/32]) and the {index, sim} of every SIM and CLEANUP
 * (R, [results, 2]) out. The host loads the codebook first (one CBLOAD per item), then runs P.
 */
import { tensorError } from '../../dsl/tensors.ts';
import { defineAccelerator, defineGenerator, type Accelerator, type Tensor, type TensorSpec, type TokenValue } from '../../dsl/generator.ts';
import { createVsa } from './create.ts';
import { binaryAlgebra, bipolarAlgebraBits, packElems, runProgram, unpackElems, type Hv, type Instr } from './golden.ts';
import { OP, OP_NAMES, fromWideWords, toWideWords } from './ops.ts';
import { instrCycles, validateVsa, vsaParamSpecs, vsaPresets, vsaSizes, type VsaParams } from './params.ts';
import { intRng } from '../random.ts';

/** Longest program one run takes, and most hypervectors loaded. */
export const MAX_INSTRS = 4096;
export const MAX_VECTORS = 4096;
const FIELDS = ['op', 'dst', 'a', 'b', 'imm'] as const;

/** Rows of a [rows, D/32] tensor as hypervectors. */
export function toHvs(t: Tensor): Hv[] {
  const [rows, cols] = t.shape as [number, number];
  return Array.from({ length: rows }, (_, r) => Uint32Array.from(t.data.slice(r * cols, (r + 1) * cols), Number));
}

/** Hypervectors as a [rows, D/32] tensor. */
export function fromHvs(vs: readonly Hv[], D: number): Tensor {
  return { shape: [vs.length, D / 32], data: vs.flatMap((v) => Array.from(v, BigInt)) };
}

/** The rows of P as instructions. */
export function toProgram(t: Tensor): Instr[] {
  const rows = t.shape[0]!;
  return Array.from({ length: rows }, (_, r) => {
    const x = t.data.slice(r * 5, r * 5 + 5).map(Number);
    return { op: x[0]!, dst: x[1]!, a: x[2]!, b: x[3]!, imm: x[4]! };
  });
}

/** Instructions as the P tensor. */
export function fromProgram(prog: readonly Instr[]): Tensor {
  return { shape: [prog.length, 5], data: prog.flatMap((x) => FIELDS.map((f) => BigInt(x[f]))) };
}

/** Why instruction `x` (number `at`) cannot run, or undefined; `written` tracks registers written so far. */
function instrProblem(p: VsaParams, x: Instr, at: number, written: boolean[], items: number): string | undefined {
  const name = OP_NAMES[x.op];
  const where = `instruction ${at} (${name ?? `op ${x.op}`})`;
  if (x.op > OP.STORE) return `${where}: op must be 0..6 (${OP_NAMES.slice(0, 7).map((n, i) => `${i} ${n}`).join(', ')}); the host issues CBLOAD itself from CB`;
  const reg = (f: 'dst' | 'a' | 'b'): string | undefined => (x[f] >= p.regs ? `${where}: ${f} = ${x[f]} is not a register (0..${p.regs - 1})` : undefined);
  const read = (r: number): string | undefined => (written[r] ? undefined : `${where} reads register ${r} before any instruction writes it`);
  const reads: number[] = [];
  const checks: (string | undefined)[] = [];
  // What each opcode checks and reads (a table by opcode).
  const rules: Record<number, () => void> = {
    [OP.LOAD]: () => checks.push(reg('dst')),
    [OP.BIND]: () => {
      checks.push(reg('dst'), reg('a'), reg('b'));
      reads.push(x.a, x.b);
    },
    [OP.PERM]: () => {
      checks.push(reg('dst'), reg('a'), x.imm >= vsaSizes(p).elems ? `${where}: imm = ${x.imm} is not a rotation 0..${vsaSizes(p).elems - 1} (elements)` : undefined,
        x.dst === x.a ? `${where}: dst must differ from a (the rotation reads words it would overwrite)` : undefined);
      reads.push(x.a);
    },
    [OP.BUNDLE]: () => {
      checks.push(reg('dst'), reg('a'), x.imm < 1 || x.a + x.imm > p.regs ? `${where}: imm = ${x.imm} registers from a = ${x.a} must be 1..${p.regs - x.a} (registers 0..${p.regs - 1})` : undefined);
      for (let k = 0; k < x.imm && x.a + k < p.regs; k++) reads.push(x.a + k);
    },
    [OP.SIM]: () => {
      checks.push(reg('a'), reg('b'));
      reads.push(x.a, x.b);
    },
    [OP.CLEANUP]: () => {
      checks.push(reg('a'), x.imm < 1 || x.imm > items ? `${where}: imm = ${x.imm} codebook items must be 1..${items} (the rows of CB)` : undefined);
      reads.push(x.a);
    },
    [OP.STORE]: () => {
      checks.push(reg('a'));
      reads.push(x.a);
    },
  };
  rules[x.op]!();
  const bad = checks.find((c) => c !== undefined) ?? reads.map(read).find((c) => c !== undefined);
  if (bad) return bad;
  if (x.op === OP.LOAD || x.op === OP.BIND || x.op === OP.PERM || x.op === OP.BUNDLE) written[x.dst] = true;
  return undefined;
}

/** The program's instructions, after checking them against the design (errors name tensor P, V or CB). */
export function checkedProgram(p: VsaParams, t: Record<string, Tensor>): Instr[] {
  const specs = vsaAccelerator.inputs(p);
  const prog = toProgram(t.P!);
  const written = new Array<boolean>(p.regs).fill(false);
  const items = t.CB!.shape[0]!;
  prog.forEach((x, at) => {
    const why = instrProblem(p, x, at, written, items);
    if (why) throw tensorError(specs[0]!, why);
  });
  const loads = prog.filter((x) => x.op === OP.LOAD).length;
  if (loads !== t.V!.shape[0]) throw tensorError(specs[1]!, `${t.V!.shape[0]} vectors for the program's ${loads} LOAD instructions (one each)`);
  return prog;
}

/** Tensors → the tokens of each input stream: the codebook's CBLOADs and words, then the program and its LOADs' words. */
export function vsaTokens(p: VsaParams, prog: readonly Instr[], vectors: readonly Hv[], codebook: readonly Hv[]): Record<string, TokenValue[]> {
  const instr: TokenValue[] = [];
  const vec: TokenValue[] = [];
  codebook.forEach((c, item) => {
    instr.push({ op: OP.CBLOAD, dst: 0, a: 0, b: 0, imm: item });
    vec.push(...toWideWords(c, p.w));
  });
  for (const x of prog) instr.push({ ...x });
  for (const v of vectors) vec.push(...toWideWords(v, p.w));
  return { instr, vec };
}

/** Cycles of the run without stalls (the engine's model): the codebook's loads, then every instruction. */
export function runCycles(p: VsaParams, prog: readonly Instr[], items: number): number {
  return items * instrCycles(p, OP.CBLOAD, 0) + prog.reduce((s, x) => s + instrCycles(p, x.op, x.imm), 0);
}

/** Random hypervectors of D bits. */
export function randomHvs(D: number, count: number, seed: number): Hv[] {
  const r = intRng(seed);
  return Array.from({ length: count }, () => Uint32Array.from({ length: D / 32 }, () => r(0, 2 ** 32 - 1)));
}

/**
 * A record of `pairs` role–filler pairs and its queries (every op): LOAD the roles and fillers,
 * BIND each pair, BUNDLE the pairs, PERM and its inverse, SIM, and for each role BIND the record
 * with it and CLEANUP against the codebook (random items; the fillers are codebook items), STORE.
 */
export function recordProgram(p: VsaParams, seed: number, items = Math.min(p.C, 16), pairs = Math.min(3, Math.floor((p.regs - 2) / 2))): Record<string, Tensor> {
  const r = intRng(seed);
  const codebook = randomHvs(p.D, items, seed + 1);
  const roles = randomHvs(p.D, pairs, seed + 2);
  const picks = Array.from({ length: pairs }, () => r(0, items - 1));
  const prog: Instr[] = [];
  const ins = (op: number, dst: number, a: number, b: number, imm: number) => prog.push({ op, dst, a, b, imm });
  for (let k = 0; k < 2 * pairs; k++) ins(OP.LOAD, k, 0, 0, 0); // roles in 0.., fillers in pairs..
  for (let k = 0; k < pairs; k++) ins(OP.BIND, pairs + k, k, pairs + k, 0);
  const rec = 2 * pairs;
  const tmp = rec + 1;
  ins(OP.BUNDLE, rec, pairs, 0, pairs);
  const elems = vsaSizes(p).elems;
  const rot = r(1, elems - 1);
  ins(OP.PERM, tmp, rec, 0, rot);
  ins(OP.STORE, 0, tmp, 0, 0);
  ins(OP.PERM, pairs, tmp, 0, elems - rot);
  ins(OP.SIM, 0, pairs, rec, 0);
  for (let k = 0; k < pairs; k++) {
    ins(OP.BIND, tmp, rec, k, 0);
    ins(OP.CLEANUP, 0, tmp, 0, items);
  }
  ins(OP.STORE, 0, rec, 0, 0);
  return { P: fromProgram(prog), V: fromHvs([...roles, ...picks.map((i) => codebook[i]!)], p.D), CB: fromHvs(codebook, p.D) };
}

/**
 * A random valid program of `length` instructions over every op (random registers, rotations,
 * bundle sizes, item counts), its vectors and a codebook of `items` items (some repeated, for ties).
 */
export function randomProgram(p: VsaParams, seed: number, length = 24, items = Math.min(p.C, 8)): Record<string, Tensor> {
  const r = intRng(seed);
  const base = randomHvs(p.D, items, seed + 1);
  const codebook = base.map((c, i) => (i > 0 && r(0, 3) === 0 ? base[r(0, i - 1)]! : c));
  const prog: Instr[] = [];
  let loads = 0;
  for (let k = 0; k < p.regs; k++) {
    prog.push({ op: OP.LOAD, dst: k, a: 0, b: 0, imm: 0 });
    loads++;
  }
  const reg = () => r(0, p.regs - 1);
  while (prog.length < length) {
    const op = r(0, 6);
    const x: Instr = { op, dst: reg(), a: reg(), b: reg(), imm: 0 };
    if (op === OP.LOAD) loads++;
    if (op === OP.PERM) {
      const z = vsaSizes(p);
      x.imm = r(0, 3) === 0 ? r(0, 2) * z.lanes : r(0, z.elems - 1);
      if (x.dst === x.a) x.dst = (x.a + 1) % p.regs;
    }
    if (op === OP.BUNDLE) {
      x.imm = r(1, Math.min(5, p.regs));
      x.a = r(0, p.regs - x.imm);
    }
    if (op === OP.CLEANUP) x.imm = r(1, items);
    prog.push(x);
  }
  const norm = prog.map((x) => ({ ...x, ...(x.op === OP.SIM || x.op === OP.CLEANUP || x.op === OP.STORE ? { dst: 0 } : {}), ...(x.op === OP.BIND || x.op === OP.SIM ? {} : { b: 0 }), ...(x.op === OP.LOAD ? { a: 0 } : {}) }));
  return { P: fromProgram(norm), V: fromHvs(randomHvs(p.D, loads, seed + 2), p.D), CB: fromHvs(codebook, p.D) };
}

const specs = (p: VsaParams): TensorSpec[] => [
  { name: 'P', shape: [MAX_INSTRS, 5], dims: ['S', 'F'], minShape: [1, 5], width: 16, signed: false },
  { name: 'V', shape: [MAX_VECTORS, p.D / 32], dims: ['NV', 'DW'], minShape: [0, p.D / 32], width: 32, signed: false },
  { name: 'CB', shape: [p.C, p.D / 32], dims: ['NC', 'DW'], minShape: [0, p.D / 32], width: 32, signed: false },
];

export const vsaAccelerator: Accelerator<VsaParams> = defineAccelerator({
  name: 'vsa',
  description: 'vector-symbolic engine: bind, permute, bundle, similarity and codebook clean-up on D-bit hypervectors, w bits per cycle, from an instruction stream',
  params: vsaParamSpecs,
  presets: vsaPresets,
  defaultPreset: 'ci',
  validate: validateVsa,
  create: createVsa,
  inputs: specs,
  outputs: (p) => [
    { name: 'O', shape: [MAX_INSTRS, p.D / 32], dims: ['NO', 'DW'], width: 32, signed: false },
    { name: 'R', shape: [MAX_INSTRS, 2], dims: ['NR', 'F'], width: 32, signed: true },
  ],
  checkRelations(p, t) {
    checkedProgram(p, t);
  },
  outputTokens(p, t) {
    const prog = toProgram(t.P!);
    const stores = prog.filter((x) => x.op === OP.STORE).length;
    const results = prog.filter((x) => x.op === OP.SIM || x.op === OP.CLEANUP).length;
    return { out: stores * vsaSizes(p).words + results };
  },
  golden(p, t) {
    const prog = checkedProgram(p, t);
    const codebook = toHvs(t.CB!);
    const e = p.elemBits;
    // Binary: bits; bipolar: the words unpacked into elements of e bits and the stores packed back.
    const res =
      e === 1
        ? runProgram(binaryAlgebra(p.D), prog, toHvs(t.V!), codebook, p.regs)
        : (() => {
            const r = runProgram(bipolarAlgebraBits(e), prog, toHvs(t.V!).map((v) => unpackElems(v, e)), codebook.map((c) => unpackElems(c, e)), p.regs);
            return { ...r, stores: r.stores.map((v) => packElems(v, e)) };
          })();
    const n = vsaSizes(p).words;
    // Words of w bits through the datapath: the bound of one word per cycle.
    const words = (codebook.length + res.counts.vectors!) * n;
    return {
      outputs: {
        O: fromHvs(res.stores, p.D),
        R: { shape: [res.results.length, 2], data: res.results.flatMap((x) => [BigInt(x.index), BigInt(x.sim)]) },
      },
      counts: { instructions: prog.length, words, cleanups: prog.filter((x) => x.op === OP.CLEANUP).length },
      idealCycles: words,
    };
  },
  toTokens(p, t) {
    const prog = checkedProgram(p, t);
    return vsaTokens(p, prog, toHvs(t.V!), toHvs(t.CB!));
  },
  fromTokens(p, tokens, t) {
    const prog = toProgram(t.P!);
    const n = vsaSizes(p).words;
    const out = (tokens.out ?? []) as unknown as { word: bigint; index: bigint; sim: bigint }[];
    const stores: Hv[] = [];
    const results: bigint[] = [];
    let at = 0;
    for (const x of prog) {
      if (x.op === OP.STORE) {
        stores.push(fromWideWords(out.slice(at, at + n).map((o) => o.word), p.w));
        at += n;
      } else if (x.op === OP.SIM || x.op === OP.CLEANUP) {
        results.push(out[at]!.index, out[at]!.sim);
        at++;
      }
    }
    return { O: fromHvs(stores, p.D), R: { shape: [results.length / 2, 2], data: results } };
  },
  randomInputs: (p, seed) => recordProgram(p, seed),
});

/** For the registry. */
export const vsa = defineGenerator(vsaAccelerator);
