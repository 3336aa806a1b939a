/**
 * IR module -> Verilog AST. Every operation gets its own named signal of exactly its result width
 * (a wire, or a temporary computed inside the register branch that alone reads it: see
 * branchLocalOps), and operands are extended explicitly, so Verilog's context-dependent width and sign
 * rules never decide a value (and Verilator -Wall has nothing to warn about). Names come from the
 * user's names; temps are `<op>_<n>`, numbered in a fixed walk order, so output is byte-identical
 * across runs.
 */
import { formatLoc } from '../errors.ts';
import type { Assignment, CondStep, Expr, MemoryDecl, ModuleIR, SignalDecl } from '../ir/nodes.ts';
import { walkExpr } from '../ir/nodes.ts';
import { bitsFor, mask } from '../ir/types.ts';
import type { VExpr, VItem, VModule, VPort, VStmt } from './ast.ts';
import { foldToMux, liveLeaves } from './mux-fold.ts';
import { comparisonFolder } from './ranges.ts';

export interface EmitOptions {
  /** Put `// file:line` comments on declarations (off for committed snapshots). */
  sourceLocs?: boolean;
  /** Lines for the file header comment. */
  header?: string[];
}

const id = (name: string): VExpr => ({ k: 'id', name });
const lit = (width: number, signed: boolean, bits: bigint): VExpr => ({ k: 'lit', width, signed, bits: bits & mask(width) });

export function lowerModule(m: ModuleIR, opts: EmitOptions = {}): VModule {
  const loc = (l: { get(): unknown } | undefined): string | undefined =>
    opts.sourceLocs && l ? formatLoc(l.get() as never) : undefined;
  const constantCompare = comparisonFolder();
  const taken = new Set<string>([...m.signals.map((s) => s.name), ...m.memories.map((x) => x.name), ...m.instances.map((i) => i.name), 'clk', 'rst']);
  const names = new Map<number, string>();
  const counters = new Map<string, number>();
  const fresh = (base: string): string => {
    let n = counters.get(base) ?? 0;
    while (taken.has(`${base}_${n}`)) n++;
    counters.set(base, n + 1);
    taken.add(`${base}_${n}`);
    return `${base}_${n}`;
  };

  // Bits of each named thing that something reads; a partly read signal gets a lint waiver.
  const readBits = new Map<number, bigint>();
  const markRead = (e: Expr, bits: bigint): void => {
    const key = e.kind === 'ref' ? e.signal.id : e.id;
    readBits.set(key, (readBits.get(key) ?? 0n) | bits);
  };
  const all = (e: Expr): bigint => mask(e.type.width);

  // A wire's value is one expression (see mux-fold.ts): assignments that a later one always
  // overrides are left out, so nothing computes a value no one reads.
  const live = new Map<SignalDecl, readonly Assignment[]>();
  const assignsOf = (s: SignalDecl): readonly Assignment[] => live.get(s) ?? s.assigns;
  for (const s of m.signals) {
    if (s.kind === 'reg' || s.assigns.length < 2) continue;
    const index = new Map<VStmt, number>();
    const body = tree(s.assigns.map((a, i) => ({ ...a, i })), (a) => {
      const leaf: VStmt = { k: 'set', lhs: id(''), rhs: id(''), nonblocking: false };
      index.set(leaf, a.i);
      return leaf;
    }, () => id(''));
    const keep = liveLeaves(body, (leaf) => index.get(leaf)!);
    live.set(s, s.assigns.filter((_, i) => keep.has(i)));
  }
  const rootReads = moduleRoots(m, assignsOf);
  const roots = rootReads.map((r) => r.e);
  const order: Expr[] = [];
  const seen = new Set<number>();
  // Sync-read registers print `mem[addr]` directly in their clocked block, so yosys infers block RAM.
  const inlineReads = new Set<number>();
  for (const s of m.signals)
    if (s.kind === 'reg') for (const a of s.assigns) if (a.value.kind === 'memread') inlineReads.add(a.value.id);
  // A comparison the operand ranges decide prints as a constant; its operands need no wires.
  // So does an unsigned shift right by the whole width (it prints as 0).
  const readsArgs = (e: Expr): boolean => constantCompare(e) === undefined &&
    !(e.kind === 'op' && e.op === 'shr' && !e.args[0]!.type.signed && e.params[0]! >= e.args[0]!.type.width);
  for (const r of roots) walkExpr(r, (e) => order.push(e), seen, readsArgs);
  // A read that something else uses too (an operator, a wire) needs a name: an inline `mem[addr]`
  // cannot be sliced or extended (the fuzzer found `{undefined[26], ...}` here).
  for (const e of order) if (e.kind === 'op') for (const x of e.args) inlineReads.delete(x.id);
  for (const r of rootReads) if (!r.regValue) inlineReads.delete(r.e.id);
  for (const e of order) if (e.kind === 'memread') inlineReads.delete(e.addr.id);
  for (const e of order) {
    if (e.kind === 'op') {
      const [a] = e.args;
      if (e.op === 'slice') markRead(a!, mask(e.params[0]! - e.params[1]! + 1) << BigInt(e.params[1]!));
      else if (!readsArgs(e)) continue;
      else if (e.op === 'shr') markRead(a!, e.params[0]! >= a!.type.width ? 1n << BigInt(a!.type.width - 1) : all(a!) & ~mask(e.params[0]!));
      else if (e.op === 'resize' && e.params[0]! < a!.type.width) markRead(a!, mask(e.params[0]!));
      else for (const x of e.args) markRead(x, all(x));
    } else if (e.kind === 'memread') markRead(e.addr, all(e.addr));
  }
  for (const r of roots) markRead(r, all(r));
  for (const p of m.ports) if (p.kind === 'output') readBits.set(p.id, mask(p.type.width));
  const unused = (key: number, width: number): boolean => (readBits.get(key) ?? 0n) !== mask(width);

  const local = branchLocalOps(rootReads, order, readsArgs);

  // Name every op node (and memory reads outside sync-read registers).
  for (const e of order) {
    if (e.kind === 'op') names.set(e.id, fresh(e.op));
    else if (e.kind === 'memread' && !inlineReads.has(e.id)) names.set(e.id, fresh(`${e.memory.name}_word`));
  }

  const operand = (e: Expr): VExpr => {
    if (e.kind === 'const') return lit(e.type.width, e.type.signed, e.bits);
    if (e.kind === 'ref') return id(e.signal.name);
    if (e.kind === 'memread' && inlineReads.has(e.id)) return { k: 'word', mem: e.memory.name, addr: operand(e.addr) };
    return id(names.get(e.id)!);
  };
  /** Bits [hi:lo] of an operand; constants are folded. */
  const bits = (e: Expr, hi: number, lo: number): VExpr => {
    if (e.kind === 'const') return lit(hi - lo + 1, false, e.bits >> BigInt(lo));
    const name = (operand(e) as { name: string }).name;
    return e.type.width === 1 ? id(name) : { k: 'index', name, hi, lo };
  };
  /** An operand extended (by its own signedness) to `width` bits, as an unsigned bit pattern. */
  const extend = (e: Expr, width: number): VExpr => {
    const w = e.type.width;
    if (e.kind === 'const') {
      const v = e.type.signed ? BigInt.asIntN(w, e.bits) : e.bits;
      return lit(width, false, v);
    }
    if (width === w) return operand(e);
    const fill: VExpr = e.type.signed ? { k: 'rep', count: width - w, a: bits(e, w - 1, w - 1) } : lit(width - w, false, 0n);
    const fillPart: VExpr = e.type.signed && width - w === 1 ? bits(e, w - 1, w - 1) : fill;
    return { k: 'cat', parts: [fillPart, operand(e)] };
  };
  const signedIf = (signed: boolean, e: VExpr): VExpr => (signed ? { k: 'signed', a: e } : e);

  const rhsOf = (e: Expr): VExpr => {
    if (e.kind === 'memread') return { k: 'word', mem: e.memory.name, addr: operand(e.addr) };
    if (e.kind !== 'op') return operand(e);
    const [a, b, c] = e.args;
    const W = e.type.width;
    switch (e.op) {
      case 'add': case 'sub': case 'mul':
        return { k: 'bin', op: e.op === 'add' ? '+' : e.op === 'sub' ? '-' : '*', a: extend(a!, W), b: extend(b!, W) };
      case 'neg':
        return { k: 'un', op: '-', a: extend(a!, W) };
      case 'and': return { k: 'bin', op: '&', a: operand(a!), b: operand(b!) };
      case 'or': return { k: 'bin', op: '|', a: operand(a!), b: operand(b!) };
      case 'xor': return { k: 'bin', op: '^', a: operand(a!), b: operand(b!) };
      case 'not': return { k: 'un', op: '~', a: operand(a!) };
      case 'andr': return { k: 'un', op: '&', a: operand(a!) };
      case 'orr': return { k: 'un', op: '|', a: operand(a!) };
      case 'xorr': return { k: 'un', op: '^', a: operand(a!) };
      case 'shl':
        return { k: 'cat', parts: [operand(a!), lit(e.params[0]!, false, 0n)] };
      case 'shr': {
        const k = e.params[0]!;
        const w = a!.type.width;
        if (k < w) return bits(a!, w - 1, k);
        return a!.type.signed ? bits(a!, w - 1, w - 1) : lit(1, false, 0n);
      }
      case 'shlv': case 'shrv': {
        const arith = e.op === 'shrv' && a!.type.signed;
        const lhs = arith ? signedIf(a!.kind === 'const', operand(a!)) : operand(a!);
        const op = e.op === 'shlv' ? '<<' : arith ? '>>>' : '>>';
        const wb = b!.type.width;
        // Verilator 5.006 gets shifts wrong for amounts of 2^31 and more: `>>>` by an amount wider
        // than 32 bits with high bits set gives all ones even for a positive value, and a 32-bit
        // constant shift like `32'hfffffffe << 32'hfffffffe` leaves bits set (both found by the
        // fuzzer). Amounts that can reach 2^31 are decided here: any set bit above the ones that can
        // express W shifts everything out.
        const k = bitsFor(W);
        if (wb <= 31 || wb <= k) return { k: 'bin', op, a: lhs, b: operand(b!) };
        const fill: VExpr = arith ? { k: 'signed', a: { k: 'rep', count: W, a: bits(a!, W - 1, W - 1) } } : lit(W, false, 0n);
        return { k: 'tern', c: { k: 'un', op: '|', a: bits(b!, wb - 1, k) }, t: fill, f: { k: 'bin', op, a: lhs, b: bits(b!, k - 1, 0) } };
      }
      case 'lt': case 'le': case 'gt': case 'ge': case 'eq': case 'ne': {
        const fixed = constantCompare(e);
        if (fixed !== undefined) return lit(1, false, fixed ? 1n : 0n);
        const w = Math.max(a!.type.width, b!.type.width);
        const sgn = a!.type.signed && (e.op !== 'eq' && e.op !== 'ne');
        const op = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==', ne: '!=' }[e.op];
        return { k: 'bin', op, a: signedIf(sgn, extend(a!, w)), b: signedIf(sgn, extend(b!, w)) };
      }
      case 'mux':
        return { k: 'tern', c: operand(a!), t: operand(b!), f: operand(c!) };
      case 'cat':
        return { k: 'cat', parts: e.args.map(operand) };
      case 'slice':
        return bits(a!, e.params[0]!, e.params[1]!);
      case 'resize':
        return W > a!.type.width ? extend(a!, W) : bits(a!, W - 1, 0);
      case 'asuint': case 'assint':
        return operand(a!);
    }
  };

  // ---- ports and declarations -------------------------------------------------------------
  const procedural = (s: SignalDecl): boolean => s.kind === 'reg';
  const ports: VPort[] = [];
  if (m.sequential) {
    ports.push({ dir: 'input', net: 'wire', signed: false, width: 1, name: 'clk' });
    const usesReset = m.signals.some((s) => s.kind === 'reg' && s.reset !== undefined) || m.instances.some((i) => i.module.sequential);
    ports.push({ dir: 'input', net: 'wire', signed: false, width: 1, name: 'rst', unused: !usesReset });
  }
  for (const p of m.ports)
    ports.push({
      dir: p.kind === 'input' ? 'input' : 'output', net: p.kind === 'output' && procedural(p) ? 'reg' : 'wire',
      signed: p.type.signed, width: p.type.width, name: p.name, unused: p.kind === 'input' && unused(p.id, p.type.width), comment: loc(p.loc),
    });

  const items: VItem[] = [];
  for (const s of m.signals) {
    if (s.kind === 'input' || s.kind === 'output') continue;
    items.push({
      k: 'decl', net: procedural(s) ? 'reg' : 'wire', signed: s.type.signed, width: s.type.width, name: s.name,
      init: s.kind === 'reg' && s.init !== undefined ? lit(s.type.width, s.type.signed, s.init) : undefined,
      unused: unused(s.id, s.type.width), comment: loc(s.loc),
    });
  }
  for (const mem of m.memories)
    items.push({ k: 'decl', net: 'reg', signed: mem.type.signed, width: mem.type.width, name: mem.name, depth: mem.depth, comment: loc(mem.loc) });
  for (const e of order) {
    const name = names.get(e.id);
    if (!name) continue;
    const inBranch = local.owner.has(e.id);
    items.push({ k: 'decl', net: inBranch ? 'reg' : 'wire', signed: e.type.signed, width: e.type.width, name, init: inBranch ? undefined : rhsOf(e), unused: unused(e.id, e.type.width), comment: loc(e.loc) });
  }

  // ---- behaviour ----------------------------------------------------------------------------
  for (const mem of m.memories) if (mem.init) items.push({ k: 'initial', body: memInit(mem) });
  for (const s of m.signals) {
    if (s.kind === 'input' || s.kind === 'instout') continue;
    if (s.kind === 'reg') {
      let temps = false;
      const body = tree(s.assigns, (a): VStmt[] => {
        const own = (local.byAssign.get(a) ?? []).map((e): VStmt => ({ k: 'set', lhs: id(names.get(e.id)!), rhs: rhsOf(e), nonblocking: false }));
        temps ||= own.length > 0;
        return [...own, { k: 'set', lhs: id(s.name), rhs: operand(a.value), nonblocking: true, comment: loc(a.loc) }];
      }, operand);
      // A register that is never assigned still takes its reset value (the fuzzer found this).
      if (body.length === 0 && s.reset === undefined) continue;
      const stmts: VStmt[] = s.reset !== undefined
        ? [{ k: 'if', cond: id('rst'), then: [{ k: 'set', lhs: id(s.name), rhs: lit(s.type.width, s.type.signed, s.reset), nonblocking: true }], else: body }]
        : body;
      items.push({ k: 'always', clocked: true, body: stmts, blockingTemps: temps });
    } else if (s.assigns.every((a) => a.path.length === 0)) {
      items.push({ k: 'assign', lhs: s.name, rhs: operand(assignsOf(s)[0]!.value), comment: loc(assignsOf(s)[0]!.loc) });
    } else {
      // A `when`-driven wire is one continuous assignment of nested ?:, not an `always @*`: in
      // Verilog-2005 an `always @*` whose inputs never change never runs, so Icarus leaves the wire
      // X forever (the fuzzer found this). Values the branches would both copy get a named wire.
      const body = tree(assignsOf(s), (a) => ({ k: 'set', lhs: id(s.name), rhs: operand(a.value), nonblocking: false }), operand);
      const { value, held } = foldToMux(body, () => fresh(`${s.name}_prev`));
      for (const h of held) items.push({ k: 'decl', net: 'wire', signed: s.type.signed, width: s.type.width, name: h.name, init: h.value });
      items.push({ k: 'assign', lhs: s.name, rhs: value, comment: loc(s.assigns[0]!.loc) });
    }
  }
  for (const mem of m.memories) {
    if (mem.writes.length === 0) continue;
    const body = tree(mem.writes, (w) => ({ k: 'set', lhs: { k: 'word', mem: mem.name, addr: operand(w.addr) }, rhs: operand(w.data), nonblocking: true, comment: loc(w.loc) }), operand);
    items.push({ k: 'always', clocked: true, body });
  }
  for (const inst of m.instances) {
    const conns: [string, VExpr][] = [];
    if (inst.module.sequential) conns.push(['clk', id('clk')], ['rst', id('rst')]);
    for (const p of inst.module.ports)
      conns.push([p.name, p.kind === 'input' ? operand(inst.inputs.get(p.name)!.value) : id(inst.outputs.get(p.name)!.name)]);
    items.push({ k: 'instance', module: inst.module.name, name: inst.name, conns, comment: loc(inst.loc) });
  }
  return { name: m.name, header: opts.header ?? [], ports, items };
}

/**
 * Operations whose value only one conditional register assignment reads (directly, or through other
 * such operations): they are computed inside that assignment's branch of the clocked block, as
 * blocking temporaries, instead of as continuous wires. Verilator evaluates every continuous wire on
 * every clock edge, so a register that loads a sum tree or a multiply only when a stream fires would
 * cost that logic on every cycle; in the branch, the simulator skips it whenever the branch is not
 * taken (a 16×16 MAC grid under stalls ran about twice as fast when written this way by hand).
 * Synthesis sees the same logic: each temporary is written before it is read in its branch, so no
 * flip-flop survives.
 */
function branchLocalOps(roots: readonly Root[], order: readonly Expr[], readsArgs: (e: Expr) => boolean): { owner: Map<number, Assignment>; byAssign: Map<Assignment, Expr[]> } {
  // Who reads each operation: the assignment it is the value of, or null for any other reader.
  const readers = new Map<number, (Assignment | Expr | null)[]>();
  const read = (e: Expr, by: Assignment | Expr | null): void => {
    if (e.kind !== 'op') return;
    const r = readers.get(e.id);
    if (r) r.push(by);
    else readers.set(e.id, [by]);
  };
  for (const e of order) {
    if (e.kind === 'op' && readsArgs(e)) for (const x of e.args) read(x, e);
    else if (e.kind === 'memread') read(e.addr, null);
  }
  for (const r of roots) read(r.e, r.regValue && r.regValue.path.length > 0 ? r.regValue : null);
  // Readers come after what they read in `order`, so walking it backwards settles each reader first.
  const owner = new Map<number, Assignment>();
  for (let i = order.length - 1; i >= 0; i--) {
    const e = order[i]!;
    if (e.kind !== 'op') continue;
    let one: Assignment | undefined;
    let ok = true;
    for (const r of readers.get(e.id) ?? [null]) {
      const a = r === null ? undefined : 'path' in r ? r : owner.get(r.id);
      if (a === undefined || (one !== undefined && one !== a)) ok = false;
      one = a;
    }
    if (ok && one) owner.set(e.id, one);
  }
  const byAssign = new Map<Assignment, Expr[]>();
  for (const e of order) {
    const a = owner.get(e.id);
    if (!a) continue;
    const list = byAssign.get(a);
    if (list) list.push(e);
    else byAssign.set(a, [e]);
  }
  return { owner, byAssign };
}

/** An expression the module reads directly; `regValue`: the register assignment it is the value of. */
interface Root {
  e: Expr;
  regValue?: Assignment;
}

/** Every directly read expression: `when` conditions, assigned values, memory writes, instance inputs. */
function moduleRoots(m: ModuleIR, assignsOf: (s: SignalDecl) => readonly Assignment[]): Root[] {
  const roots: Root[] = [];
  for (const s of m.signals)
    for (const a of assignsOf(s)) {
      for (const step of a.path) roots.push({ e: step.node.cond });
      roots.push(s.kind === 'reg' ? { e: a.value, regValue: a } : { e: a.value });
    }
  for (const mem of m.memories)
    for (const w of mem.writes) {
      for (const step of w.path) roots.push({ e: step.node.cond });
      roots.push({ e: w.addr }, { e: w.data });
    }
  for (const inst of m.instances) for (const { value } of inst.inputs.values()) roots.push({ e: value });
  return roots;
}

function memInit(mem: MemoryDecl): VStmt[] {
  const out: VStmt[] = [];
  const words = mem.init ?? [];
  for (let i = 0; i < mem.depth; i++)
    out.push({ k: 'set', lhs: { k: 'word', mem: mem.name, addr: lit(mem.addrWidth, false, BigInt(i)) }, rhs: lit(mem.type.width, mem.type.signed, words[i] ?? 0n), nonblocking: false });
  return out;
}

/**
 * Nest assignments by their `when` paths into if/else statements, keeping program order (the last
 * assignment that applies wins, in Verilog as in the IR).
 */
function tree<A extends { path: readonly CondStep[] }>(assigns: readonly A[], leaf: (a: A) => VStmt | VStmt[], operand: (e: Expr) => VExpr, depth = 0): VStmt[] {
  const out: VStmt[] = [];
  let i = 0;
  while (i < assigns.length) {
    const a = assigns[i]!;
    if (a.path.length === depth) {
      const l = leaf(a);
      if (Array.isArray(l)) out.push(...l);
      else out.push(l);
      i++;
      continue;
    }
    // A run of consecutive assignments under the same `when` node shares one if/else.
    const node = a.path[depth]!.node;
    let j = i;
    while (j < assigns.length && assigns[j]!.path.length > depth && assigns[j]!.path[depth]!.node === node) j++;
    const run = assigns.slice(i, j);
    out.push({
      k: 'if', cond: operand(node.cond),
      then: tree(run.filter((x) => x.path[depth]!.branch), leaf, operand, depth + 1),
      else: tree(run.filter((x) => !x.path[depth]!.branch), leaf, operand, depth + 1),
    });
    i = j;
  }
  return out;
}

export type { Assignment };
