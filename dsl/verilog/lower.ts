/**
 * IR module -> Verilog AST, after the passes (dsl/passes/) have made their decisions. Every
 * operation gets its own named signal of exactly its result width (a wire, or a temporary computed
 * inside the register branch that alone reads it), printed in the Verilog form of its row of the
 * op table, with operands extended explicitly, so Verilog's context-dependent width and sign rules
 * never decide a value (and Verilator -Wall has nothing to warn about). Names come from the user's
 * names; temps are `<op>_<n>`, numbered in a fixed walk order, so output is byte-identical across runs.
 */
import { formatLoc } from '../errors.ts';
import type { Assignment, Expr, MemoryDecl, ModuleIR, SignalDecl } from '../ir/nodes.ts';
import { moduleRoots, reachable } from '../ir/nodes.ts';
import { OPS, type VerilogForms } from '../ir/ops.ts';
import { mask } from '../ir/types.ts';
import { whenTree, type WhenTree } from '../ir/when-tree.ts';
import type { LoweringHints } from '../passes/pass.ts';
import type { VExpr, VItem, VModule, VPort, VStmt } from './ast.ts';
import { foldToMux } from './mux-fold.ts';
import { markUnread } from './read-bits.ts';

export interface EmitOptions {
  /** Put `// file:line` comments on declarations (off for committed snapshots). */
  sourceLocs?: boolean;
  /** Lines for the file header comment. */
  header?: string[];
  /** Passes to skip (`hwflow gen --no-pass`); see dsl/passes/pipeline.ts. */
  skipPasses?: readonly string[];
}

const id = (name: string): VExpr => ({ k: 'id', name });
const lit = (width: number, signed: boolean, bits: bigint): VExpr => ({ k: 'lit', width, signed, bits: bits & mask(width) });

export function lowerModule(m: ModuleIR, hints: LoweringHints = {}, opts: EmitOptions = {}): VModule {
  const loc = (l: { get(): unknown } | undefined): string | undefined =>
    opts.sourceLocs && l ? formatLoc(l.get() as never) : undefined;
  const inlineReads = hints.inlineReads ?? new Set<number>();
  const branchLocal: ReadonlyMap<Assignment, readonly Expr[]> = hints.branchLocal ?? new Map();
  const inBranch = new Set([...branchLocal.values()].flat().map((e) => e.id));
  const order = reachable(moduleRoots(m));

  // Name every op node (and memory reads not printed inline).
  const taken = new Set<string>([...m.signals.map((s) => s.name), ...m.memories.map((x) => x.name), ...m.instances.map((i) => i.name), 'clk', 'rst']);
  const counters = new Map<string, number>();
  const fresh = (base: string): string => {
    let n = counters.get(base) ?? 0;
    while (taken.has(`${base}_${n}`)) n++;
    counters.set(base, n + 1);
    taken.add(`${base}_${n}`);
    return `${base}_${n}`;
  };
  const names = new Map<number, string>();
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
    if (e.kind === 'const') return lit(width, false, e.type.signed ? BigInt.asIntN(w, e.bits) : e.bits);
    if (width === w) return operand(e);
    const fill: VExpr = e.type.signed ? { k: 'rep', count: width - w, a: bits(e, w - 1, w - 1) } : lit(width - w, false, 0n);
    const fillPart: VExpr = e.type.signed && width - w === 1 ? bits(e, w - 1, w - 1) : fill;
    return { k: 'cat', parts: [fillPart, operand(e)] };
  };
  const forms: VerilogForms<VExpr> = {
    operand, extend, bits,
    lit: (width, b) => lit(width, false, b),
    bin: (op, a, b) => ({ k: 'bin', op, a, b }),
    un: (op, a) => ({ k: 'un', op, a }),
    tern: (c, t, f) => ({ k: 'tern', c, t, f }),
    cat: (parts) => ({ k: 'cat', parts }),
    rep: (count, a) => ({ k: 'rep', count, a }),
    signed: (a) => ({ k: 'signed', a }),
  };
  const rhsOf = (e: Expr): VExpr => {
    if (e.kind === 'memread') return { k: 'word', mem: e.memory.name, addr: operand(e.addr) };
    return e.kind === 'op' ? OPS[e.op].verilog(e, forms) : operand(e);
  };
  const ifElse = <A>(tree: WhenTree<A>, leaf: (a: A) => VStmt[]): VStmt[] =>
    tree.flatMap((t) => ('leaf' in t ? leaf(t.leaf) : [{ k: 'if', cond: operand(t.node.cond), then: ifElse(t.then, leaf), else: ifElse(t.else, leaf) }]));

  // ---- ports and declarations -------------------------------------------------------------
  const ports: VPort[] = [];
  if (m.sequential) {
    ports.push({ dir: 'input', net: 'wire', signed: false, width: 1, name: 'clk' });
    const usesReset = m.signals.some((s) => s.kind === 'reg' && s.reset !== undefined) || m.instances.some((i) => i.module.sequential);
    ports.push({ dir: 'input', net: 'wire', signed: false, width: 1, name: 'rst', unused: !usesReset });
  }
  for (const p of m.ports)
    ports.push({ dir: p.kind === 'input' ? 'input' : 'output', net: 'wire', signed: p.type.signed, width: p.type.width, name: p.name, comment: loc(p.loc) });

  const items: VItem[] = [];
  for (const s of m.signals) {
    if (s.kind === 'input' || s.kind === 'output') continue;
    const init = s.kind === 'reg' && s.init !== undefined ? lit(s.type.width, s.type.signed, s.init) : undefined;
    items.push({ k: 'decl', net: s.kind === 'reg' ? 'reg' : 'wire', signed: s.type.signed, width: s.type.width, name: s.name, init, comment: loc(s.loc) });
  }
  for (const mem of m.memories)
    items.push({ k: 'decl', net: 'reg', signed: mem.type.signed, width: mem.type.width, name: mem.name, depth: mem.depth, comment: loc(mem.loc) });
  for (const e of order) {
    const name = names.get(e.id);
    if (!name) continue;
    const local = inBranch.has(e.id);
    items.push({ k: 'decl', net: local ? 'reg' : 'wire', signed: e.type.signed, width: e.type.width, name, init: local ? undefined : rhsOf(e), comment: loc(e.loc) });
  }

  // ---- behaviour ----------------------------------------------------------------------------
  for (const mem of m.memories) if (mem.init) items.push({ k: 'initial', body: memInit(mem) });
  for (const s of m.signals) {
    if (s.kind === 'input' || s.kind === 'instout') continue;
    if (s.kind === 'reg') items.push(...register(s));
    else if (s.assigns.every((a) => a.path.length === 0)) {
      const last = s.assigns[s.assigns.length - 1]!;
      items.push({ k: 'assign', lhs: s.name, rhs: operand(last.value), comment: loc(last.loc) });
    } else {
      // A `when`-driven wire is one continuous assignment of nested ?:, not an `always @*`: in
      // Verilog-2005 an `always @*` whose inputs never change never runs, so Icarus leaves the wire
      // X forever (the fuzzer found this). Values the branches would both copy get a named wire.
      const body = ifElse(whenTree(s.assigns), (a) => [{ k: 'set', lhs: id(s.name), rhs: operand(a.value), nonblocking: false }]);
      const { value, held } = foldToMux(body, () => fresh(`${s.name}_prev`));
      for (const h of held) items.push({ k: 'decl', net: 'wire', signed: s.type.signed, width: s.type.width, name: h.name, init: h.value });
      items.push({ k: 'assign', lhs: s.name, rhs: value, comment: loc(s.assigns[0]!.loc) });
    }
  }
  for (const mem of m.memories) {
    if (mem.writes.length === 0) continue;
    const body = ifElse(whenTree(mem.writes), (w) => [{ k: 'set', lhs: { k: 'word', mem: mem.name, addr: operand(w.addr) }, rhs: operand(w.data), nonblocking: true, comment: loc(w.loc) }]);
    items.push({ k: 'always', clocked: true, body });
  }
  for (const inst of m.instances) {
    const conns: { port: string; value: VExpr; dir: 'in' | 'out' }[] = [];
    if (inst.module.sequential) conns.push({ port: 'clk', value: id('clk'), dir: 'in' }, { port: 'rst', value: id('rst'), dir: 'in' });
    for (const p of inst.module.ports)
      conns.push(p.kind === 'input'
        ? { port: p.name, value: operand(inst.inputs.get(p.name)!.value), dir: 'in' }
        : { port: p.name, value: id(inst.outputs.get(p.name)!.name), dir: 'out' });
    items.push({ k: 'instance', module: inst.module.name, name: inst.name, conns, comment: loc(inst.loc) });
  }
  const v: VModule = { name: m.name, header: opts.header ?? [], ports, items };
  markUnread(v, new Set(['clk', 'rst']));
  return v;

  /** A register's clocked block: reset, then its assignments as if/else, each branch computing its own temporaries. */
  function register(s: SignalDecl): VItem[] {
    let temps = false;
    const body = ifElse(whenTree(s.assigns), (a): VStmt[] => {
      const own = (branchLocal.get(a) ?? []).map((e): VStmt => ({ k: 'set', lhs: id(names.get(e.id)!), rhs: rhsOf(e), nonblocking: false }));
      temps ||= own.length > 0;
      return [...own, { k: 'set', lhs: id(s.name), rhs: operand(a.value), nonblocking: true, comment: loc(a.loc) }];
    });
    // A register that is never assigned still takes its reset value (the fuzzer found this).
    if (body.length === 0 && s.reset === undefined) return [];
    const stmts: VStmt[] = s.reset !== undefined
      ? [{ k: 'if', cond: id('rst'), then: [{ k: 'set', lhs: id(s.name), rhs: lit(s.type.width, s.type.signed, s.reset), nonblocking: true }], else: body }]
      : body;
    return [{ k: 'always', clocked: true, body: stmts, blockingTemps: temps }];
  }
}

function memInit(mem: MemoryDecl): VStmt[] {
  const out: VStmt[] = [];
  const words = mem.init ?? [];
  for (let i = 0; i < mem.depth; i++)
    out.push({ k: 'set', lhs: { k: 'word', mem: mem.name, addr: lit(mem.addrWidth, false, BigInt(i)) }, rhs: lit(mem.type.width, mem.type.signed, words[i] ?? 0n), nonblocking: false });
  return out;
}
