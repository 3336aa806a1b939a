/**
 * Random programs: well-typed expression graphs over every op of the IR, and small sequential
 * circuits (registers with reset and enable, wires assigned in when/elsewhen/otherwise chains,
 * memories with init read synchronously and asynchronously and written under conditions). Widths
 * run from 1 to 128 bits (wider inside, where ops grow them), both signednesses.
 *
 * The generator grows the program inside a scratch DSL module (`ProgramBuilder`), so it knows every
 * node's type exactly as the real build will make it, and steers choices by type: signed
 * comparisons of unequal widths, shift amounts that cover and pass the width, slices in range.
 */
import { module } from '../../dsl/builder/module.ts';
import type { OpName } from '../../dsl/ir/ops.ts';
import type { HwType } from '../../dsl/ir/types.ts';
import { ProgramBuilder, hwType, inputName, rememberTypes } from './build.ts';
import { hex, walkStmts, type FuzzOp, type MemDesc, type NodeDesc, type Program, type Stmt, type TypeDesc } from './program.ts';
import type { Rng } from './rng.ts';

export interface GenOptions {
  /** Upper bound on operator nodes (the default 24 keeps a program a few dozen nodes). */
  maxOps?: number;
}

/** Every IR op, with a weight; the builder-level operators expand into several IR ops. */
const OP_WEIGHTS: readonly (readonly [FuzzOp, number])[] = [
  ['add', 3], ['sub', 3], ['mul', 2], ['neg', 1],
  ['and', 2], ['or', 2], ['xor', 2], ['not', 1],
  ['shl', 2], ['shr', 2], ['shlv', 3], ['shrv', 3],
  ['lt', 2], ['le', 2], ['gt', 2], ['ge', 2], ['eq', 2], ['ne', 2],
  ['mux', 3], ['cat', 2], ['slice', 3],
  ['andr', 1], ['orr', 1], ['xorr', 1],
  ['resize', 3], ['asuint', 1], ['assint', 1],
  ['sat', 2], ['abs', 1], ['select', 1], ['sumtree', 1],
] satisfies readonly (readonly [OpName | FuzzOp, number])[];

/** Widths: mostly narrow, where carries and sign bits are easy to hit, some wide (bigint paths, >64). */
export function randomWidth(rng: Rng): number {
  return rng.weighted<() => number>([
    [() => rng.int(1, 8), 4],
    [() => rng.int(9, 32), 3],
    [() => rng.int(33, 72), 2],
    [() => rng.int(73, 128), 1],
  ])();
}
const randomType = (rng: Rng): TypeDesc => ({ s: rng.chance(0.5), w: randomWidth(rng) });

/** Grow one random program. Deterministic in the generator's state. */
export function generateProgram(rng: Rng, opts: GenOptions = {}): Program {
  const maxOps = opts.maxOps ?? 24;
  const p: Program = { nodes: [], mems: [], body: [], outs: [] };
  const types: HwType[] = [];
  const used = new Set<number>();

  const nMems = rng.chance(0.35) ? rng.int(1, 2) : 0;
  for (let i = 0; i < nMems; i++) {
    const t = randomType(rng);
    const depth = rng.pick([1, 2, 3, 4, 5, 8, 8, 16, 12]);
    p.mems.push({ t, depth, init: Array.from({ length: depth }, () => hex(rng.edgyBits(t.w))) } satisfies MemDesc);
  }

  module('fuzz_gen', {}, (_io, m) => {
    const b = new ProgramBuilder(m, p.mems, (i, t) => m.wire(inputName(i), hwType(t)));
    const push = (n: NodeDesc): number => {
      const i = p.nodes.length;
      types.push(b.add(n, i).type);
      p.nodes.push(n);
      for (const a of n.a) used.add(a);
      return i;
    };
    /** An earlier node: often a recent or an unused one, so graphs get deep and little is dead. */
    const arg = (pred?: (t: HwType) => boolean): number => {
      const n = p.nodes.length;
      const ok = (i: number): boolean => !pred || pred(types[i]!);
      for (let tries = 0; tries < 8; tries++) {
        const r = rng.float();
        const i = r < 0.45 ? rng.int(Math.max(0, n - 6), n - 1) : r < 0.65 ? rng.pick([...Array(n).keys()].filter((x) => !used.has(x)).concat(n - 1)) : rng.int(0, n - 1);
        if (ok(i)) return i;
      }
      return rng.int(0, n - 1);
    };
    const constNode = (t: TypeDesc): number => push({ k: 'const', t, v: hex(rng.edgyBits(t.w)), a: [] });

    const nInputs = rng.int(1, 6);
    for (let i = 0; i < nInputs; i++) push({ k: 'input', t: randomType(rng), tag: rng.u32(), a: [] });
    if (rng.chance(0.5)) constNode(randomType(rng));

    // The rest in random order: operators, registers, wires, memory reads.
    const plan: string[] = [];
    const nOps = rng.int(3, maxOps);
    for (let i = 0; i < nOps; i++) plan.push('op');
    for (let i = rng.chance(0.6) ? rng.int(1, 4) : 0; i > 0; i--) plan.push('reg');
    for (let i = rng.chance(0.4) ? rng.int(1, 3) : 0; i > 0; i--) plan.push('wire');
    for (let i = 0; i < nMems; i++) for (let j = rng.int(1, 2); j > 0; j--) plan.push(`read${i}`);
    for (let i = 0; i < 3; i++) plan.push(rng.chance(0.3) ? 'const' : 'op');
    for (let i = plan.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [plan[i], plan[j]] = [plan[j]!, plan[i]!];
    }

    for (const what of plan) {
      if (what === 'reg') {
        const t = randomType(rng);
        const reset = rng.chance(0.6) ? hex(rng.edgyBits(t.w)) : undefined;
        const init = reset === undefined || rng.chance(0.3) ? hex(rng.edgyBits(t.w)) : undefined;
        push({ k: 'reg', t, ...(reset !== undefined ? { reset } : {}), ...(init !== undefined ? { init } : {}), a: rng.chance(0.3) ? [arg()] : [] });
      } else if (what === 'wire') {
        push({ k: 'wire', t: rng.chance(0.5) ? randomType(rng) : toDesc(types[arg()]!), a: [arg()] });
      } else if (what.startsWith('read')) {
        const mem = Number(what.slice(4));
        if (rng.chance(0.5)) push({ k: 'rdasync', mem, a: [arg()] });
        else push({ k: 'rdsync', mem, a: rng.chance(0.5) ? [arg(), arg()] : [arg()] });
      } else if (what === 'const') {
        constNode(rng.chance(0.5) ? randomType(rng) : toDesc(types[arg()]!));
      } else push(opNode(rng, types, arg));
    }
  }).elaborate();

  p.body = generateBody(rng, p, types);
  // Outputs: everything nothing else reads, every register and wire, and a few more at random.
  const read = new Set(p.nodes.flatMap((n) => n.a));
  const outs = new Set<number>();
  p.nodes.forEach((n, i) => {
    if (n.k === 'input' || n.k === 'const') return;
    if (!read.has(i) || n.k === 'reg' || n.k === 'wire' || rng.chance(0.15)) outs.add(i);
  });
  if (outs.size === 0) outs.add(p.nodes.length - 1);
  p.outs = [...outs].slice(0, 16);
  rememberTypes(p, types);
  return p;
}

const toDesc = (t: HwType): TypeDesc => ({ s: t.signed, w: t.width });

function opNode(rng: Rng, types: HwType[], arg: (pred?: (t: HwType) => boolean) => number): NodeDesc {
  const op = rng.weighted(OP_WEIGHTS);
  const a0 = arg();
  const t0 = types[a0]!;
  const w = t0.width;
  const narrow = (max: number) => (t: HwType): boolean => t.width <= max;
  switch (op) {
    case 'add': case 'sub': case 'lt': case 'le': case 'gt': case 'ge': case 'eq': case 'ne':
      // Same signedness mostly, so the conversion the builder inserts is the rarer path.
      return { k: 'op', op, a: [a0, arg((t) => t.signed === t0.signed || rng.chance(0.2))], p: [] };
    case 'mul':
      return { k: 'op', op, a: [a0, arg(narrow(Math.max(1, 200 - w)))], p: [] };
    case 'and': case 'or': case 'xor':
      return { k: 'op', op, a: [a0, arg((t) => t.width === w || rng.chance(0.3))], p: [] };
    case 'neg': case 'not': case 'andr': case 'orr': case 'xorr': case 'asuint': case 'assint': case 'abs':
      return { k: 'op', op, a: [a0], p: [] };
    case 'shl':
      return { k: 'op', op, a: [a0], p: [rng.chance(0.8) ? rng.int(1, 8) : rng.int(9, Math.max(9, 200 - w))] };
    case 'shr':
      return { k: 'op', op, a: [a0], p: [rng.chance(0.8) ? rng.int(1, w + 1) : rng.int(w, w + 40)] };
    case 'shlv': case 'shrv':
      // Amounts of every width: narrow ones stay inside the width, wide ones pass it (and 2^32).
      return { k: 'op', op, a: [a0, arg((t) => t.width <= 12 || rng.chance(0.25))], p: [] };
    case 'mux':
      return { k: 'op', op, a: [arg((t) => t.width === 1 || rng.chance(0.3)), a0, arg((t) => t.width === w || rng.chance(0.3))], p: [] };
    case 'cat': {
      const a = [a0];
      for (let i = rng.int(1, 3); i > 0; i--) a.push(arg(narrow(64)));
      return { k: 'op', op, a, p: [] };
    }
    case 'slice': {
      const hi = rng.int(0, w - 1);
      return { k: 'op', op, a: [a0], p: [hi, rng.int(0, hi)] };
    }
    case 'resize':
      return { k: 'op', op, a: [a0], p: [rng.chance(0.5) ? Math.max(1, w + rng.int(-8, 8)) : randomWidth(rng)] };
    case 'sat':
      return { k: 'op', op, a: [a0], p: [rng.int(1, w + 1)] };
    case 'select': {
      const a = [arg((t) => t.width <= 3 || rng.chance(0.2)), a0];
      for (let i = rng.int(1, 4); i > 0; i--) a.push(arg());
      return { k: 'op', op, a, p: [] };
    }
    case 'sumtree': {
      const a = [a0];
      for (let i = rng.int(1, 4); i > 0; i--) a.push(arg(narrow(128)));
      return { k: 'op', op, a, p: [] };
    }
  }
}

/** Statements: register updates, conditional wire assignments and memory writes, in when chains. */
function generateBody(rng: Rng, p: Program, types: HwType[]): Stmt[] {
  const n = p.nodes.length;
  const regs = p.nodes.flatMap((x, i) => (x.k === 'reg' ? [i] : []));
  const wires = p.nodes.flatMap((x, i) => (x.k === 'wire' ? [i] : []));
  const anyNode = (): number => rng.int(0, n - 1);
  const below = (k: number): number => rng.int(0, k - 1);
  const condNode = (): number => {
    // Prefer 1-bit nodes and early ones (a wire can only be assigned under earlier conditions).
    const ones = types.flatMap((t, i) => (t.width === 1 ? [i] : []));
    const i = ones.length && rng.chance(0.6) ? rng.pick(ones) : anyNode();
    return rng.chance(0.5) ? Math.min(i, rng.int(0, n - 1)) : i;
  };
  const leaf = (maxCond: number): Stmt | undefined => {
    const options: (() => Stmt | undefined)[] = [];
    if (regs.length) options.push(() => ({ k: 'set', dst: rng.pick(regs), v: anyNode() }));
    const okWires = wires.filter((w) => w > maxCond);
    if (okWires.length) options.push(() => {
      const dst = rng.pick(okWires);
      return { k: 'set', dst, v: below(dst) };
    });
    p.mems.forEach((_, mem) => options.push(() => ({ k: 'write', mem, a: anyNode(), d: anyNode(), ...(rng.chance(0.3) ? { en: condNode() } : {}) })));
    return options.length ? rng.pick(options)() : undefined;
  };
  const when = (maxCond: number, depth: number): Stmt | undefined => {
    const arms: { c: number; body: Stmt[] }[] = [];
    let m = maxCond;
    for (let k = rng.int(1, 3); k > 0; k--) {
      const c = condNode();
      m = Math.max(m, c);
      arms.push({ c, body: block(m, depth + 1) });
    }
    const other = rng.chance(0.5) ? block(m, depth + 1) : undefined;
    if (arms.every((a) => a.body.length === 0) && !other?.length) return undefined;
    return { k: 'when', arms, ...(other?.length ? { other } : {}) };
  };
  const block = (maxCond: number, depth: number): Stmt[] => {
    const out: Stmt[] = [];
    for (let k = rng.int(1, 3); k > 0; k--) {
      const s = depth < 3 && rng.chance(0.25) ? when(maxCond, depth) : leaf(maxCond);
      if (s) out.push(s);
    }
    return out;
  };

  const body: Stmt[] = [];
  for (const r of regs) if (rng.chance(0.7)) body.push({ k: 'set', dst: r, v: anyNode() });
  p.mems.forEach((_, mem) => {
    if (rng.chance(0.5)) body.push({ k: 'write', mem, a: anyNode(), d: anyNode(), ...(rng.chance(0.4) ? { en: condNode() } : {}) });
  });
  for (let k = regs.length || wires.length || p.mems.length ? rng.int(1, 3) : 0; k > 0; k--) {
    const s = when(-1, 0);
    if (s) body.push(s);
  }
  // A register nothing assigns is a design error (a constant in disguise): give each one a set.
  const assigned = new Set<number>();
  walkStmts(body, (s) => { if (s.k === 'set') assigned.add(s.dst); });
  for (const r of regs) if (!assigned.has(r)) body.push({ k: 'set', dst: r, v: anyNode() });
  return body;
}
