/**
 * IR module -> Verilog AST, after the passes (dsl/passes/) have made their decisions: ports,
 * declarations (every op a named signal, see operands.ts: a wire, or a temporary computed inside
 * the register branch that alone reads it), then behaviour (clocked blocks, continuous assignments,
 * memory writes, instances).
 */
import { formatLoc } from '../errors.ts';
import type { Assignment, Expr, MemoryDecl, ModuleIR, SignalDecl } from '../ir/nodes.ts';
import { whenTree, type WhenTree } from '../ir/when-tree.ts';
import type { LoweringHints } from '../passes/pass.ts';
import type { VExpr, VItem, VModule, VPort, VStmt } from './ast.ts';
import { foldToMux } from './mux-fold.ts';
import { id, lit, operands, type Operands } from './operands.ts';
import { markUnread } from './read-bits.ts';

/** Options of `emitVerilog`. */
export interface EmitOptions {
  /** Put `// file:line` comments on declarations (off for committed snapshots). */
  sourceLocs?: boolean;
  /** Lines for the file header comment. */
  header?: string[];
  /** Passes to skip (`hwflow gen --no-pass`); see dsl/passes/pipeline.ts. */
  skipPasses?: readonly string[];
  /**
   * Name op temporaries `<op>_<n>` only, not after the user's variables and operands (default
   * false): for tools that must tell temporaries from the design's own signals by name.
   */
  numberedTemps?: boolean;
}

/** What lowering one module needs at every step. */
interface Lowering {
  readonly m: ModuleIR;
  readonly x: Operands;
  /** Ops computed inside a register branch, by the assignment whose branch it is. */
  readonly branchLocal: ReadonlyMap<Assignment, readonly Expr[]>;
  /** A `// file:line` comment, when asked for. */
  loc(l: { get(): unknown } | undefined): string | undefined;
}

export function lowerModule(m: ModuleIR, hints: LoweringHints = {}, opts: EmitOptions = {}): VModule {
  const l: Lowering = {
    m,
    x: operands(m, hints.inlineReads ?? new Set(), !opts.numberedTemps),
    branchLocal: hints.branchLocal ?? new Map(),
    loc: (at) => (opts.sourceLocs && at ? formatLoc(at.get() as never) : undefined),
  };
  const v: VModule = { name: m.name, header: opts.header ?? [], ports: ports(l), items: [...declarations(l), ...behaviour(l)] };
  markUnread(v, new Set(['clk', 'rst']));
  return v;
}

function ports({ m, loc }: Lowering): VPort[] {
  const out: VPort[] = [];
  if (m.sequential) {
    out.push({ dir: 'input', net: 'wire', signed: false, width: 1, name: 'clk' });
    const usesReset = m.signals.some((s) => s.kind === 'reg' && s.reset !== undefined) || m.instances.some((i) => i.module.sequential);
    out.push({ dir: 'input', net: 'wire', signed: false, width: 1, name: 'rst', unused: !usesReset });
  }
  for (const p of m.ports)
    out.push({ dir: p.kind === 'input' ? 'input' : 'output', net: 'wire', signed: p.type.signed, width: p.type.width, name: p.name, comment: loc(p.loc) });
  return out;
}

/** Signals, memories, then every named op and read: a wire with its value, or a reg its branch computes. */
function declarations({ m, x, branchLocal, loc }: Lowering): VItem[] {
  const items: VItem[] = [];
  for (const s of m.signals) {
    if (s.kind === 'input' || s.kind === 'output') continue;
    const init = s.kind === 'reg' && s.init !== undefined ? lit(s.type.width, s.type.signed, s.init) : undefined;
    items.push({ k: 'decl', net: s.kind === 'reg' ? 'reg' : 'wire', signed: s.type.signed, width: s.type.width, name: s.name, init, comment: loc(s.loc) });
  }
  for (const mem of m.memories)
    items.push({ k: 'decl', net: 'reg', signed: mem.type.signed, width: mem.type.width, name: mem.name, depth: mem.depth, comment: loc(mem.loc) });
  const inBranch = new Set([...branchLocal.values()].flat().map((e) => e.id));
  for (const e of x.order) {
    const name = x.name(e);
    if (!name) continue;
    const local = inBranch.has(e.id);
    items.push({ k: 'decl', net: local ? 'reg' : 'wire', signed: e.type.signed, width: e.type.width, name, init: local ? undefined : x.rhs(e), comment: loc(e.loc) });
  }
  return items;
}

function behaviour(l: Lowering): VItem[] {
  const { m, x, loc } = l;
  const items: VItem[] = [];
  for (const mem of m.memories) if (mem.init) items.push({ k: 'initial', body: memInit(mem) });
  for (const s of m.signals) {
    if (s.kind === 'input' || s.kind === 'instout') continue;
    if (s.kind === 'reg') items.push(...register(l, s));
    else if (s.assigns.every((a) => a.path.length === 0)) {
      const last = s.assigns[s.assigns.length - 1]!;
      items.push({ k: 'assign', lhs: s.name, rhs: x.operand(last.value), comment: loc(last.loc) });
    } else {
      // A `when`-driven wire is one continuous assignment of nested ?:, not an `always @*`: in
      // Verilog-2005 an `always @*` whose inputs never change never runs, so Icarus leaves the wire
      // X forever (the fuzzer found this). Values the branches would both copy get a named wire.
      const body = ifElse(x, whenTree(s.assigns), (a) => [{ k: 'set', lhs: id(s.name), rhs: x.operand(a.value), nonblocking: false }]);
      const { value, held } = foldToMux(body, () => x.fresh(`${s.name}_prev`));
      for (const h of held) items.push({ k: 'decl', net: 'wire', signed: s.type.signed, width: s.type.width, name: h.name, init: h.value });
      items.push({ k: 'assign', lhs: s.name, rhs: value, comment: loc(s.assigns[0]!.loc) });
    }
  }
  for (const mem of m.memories) {
    if (mem.writes.length === 0) continue;
    const body = ifElse(x, whenTree(mem.writes), (w) => [{ k: 'set', lhs: { k: 'word', mem: mem.name, addr: x.operand(w.addr) }, rhs: x.operand(w.data), nonblocking: true, comment: loc(w.loc) }]);
    items.push({ k: 'always', clocked: true, body });
  }
  for (const inst of m.instances) {
    const conns: { port: string; value: VExpr; dir: 'in' | 'out' }[] = [];
    if (inst.module.sequential) conns.push({ port: 'clk', value: id('clk'), dir: 'in' }, { port: 'rst', value: id('rst'), dir: 'in' });
    for (const p of inst.module.ports)
      conns.push(p.kind === 'input'
        ? { port: p.name, value: x.operand(inst.inputs.get(p.name)!.value), dir: 'in' }
        : { port: p.name, value: id(inst.outputs.get(p.name)!.name), dir: 'out' });
    items.push({ k: 'instance', module: inst.module.name, name: inst.name, conns, comment: loc(inst.loc) });
  }
  const checks = formalChecks(l);
  if (checks.length) items.push({ k: 'formal', clocked: m.sequential, body: checks });
  return items;
}

/**
 * Each formal check as an immediate assertion under its `when` path. The comment always names the
 * user's TS line (not only with `sourceLocs`): `hwflow prove` maps a failing Verilog line back to it.
 */
function formalChecks({ m, x }: Lowering): VStmt[] {
  return (m.checks ?? []).map((c) => {
    const comment = `${c.kind} at ${formatLoc(c.loc.get())}${c.message ? `: ${c.message.replace(/[\r\n]+/g, ' ')}` : ''}`;
    let stmt: VStmt = { k: 'check', kind: c.kind, cond: x.operand(c.cond), comment };
    for (let i = c.path.length - 1; i >= 0; i--) {
      const step = c.path[i]!;
      const cond = x.operand(step.node.cond);
      stmt = step.branch ? { k: 'if', cond, then: [stmt], else: [] } : { k: 'if', cond, then: [], else: [stmt] };
    }
    return stmt;
  });
}

/** A register's clocked block: reset, then its assignments as if/else, each branch computing its own temporaries. */
function register({ x, branchLocal, loc }: Lowering, s: SignalDecl): VItem[] {
  let temps = false;
  const body = ifElse(x, whenTree(s.assigns), (a): VStmt[] => {
    const own = (branchLocal.get(a) ?? []).map((e): VStmt => ({ k: 'set', lhs: id(x.name(e)!), rhs: x.rhs(e), nonblocking: false }));
    temps ||= own.length > 0;
    return [...own, { k: 'set', lhs: id(s.name), rhs: x.operand(a.value), nonblocking: true, comment: loc(a.loc) }];
  });
  // A register that is never assigned still takes its reset value (the fuzzer found this).
  if (body.length === 0 && s.reset === undefined) return [];
  const stmts: VStmt[] = s.reset !== undefined
    ? [{ k: 'if', cond: id('rst'), then: [{ k: 'set', lhs: id(s.name), rhs: lit(s.type.width, s.type.signed, s.reset), nonblocking: true }], else: body }]
    : body;
  return [{ k: 'always', clocked: true, body: stmts, blockingTemps: temps }];
}

/** Assignments nested by their `when` paths as if/else statements, in program order (the last that applies wins). */
function ifElse<A>(x: Operands, tree: WhenTree<A>, leaf: (a: A) => VStmt[]): VStmt[] {
  return tree.flatMap((t) => ('leaf' in t ? leaf(t.leaf) : [{ k: 'if', cond: x.operand(t.node.cond), then: ifElse(x, t.then, leaf), else: ifElse(x, t.else, leaf) }]));
}

function memInit(mem: MemoryDecl): VStmt[] {
  const out: VStmt[] = [];
  const words = mem.init ?? [];
  for (let i = 0; i < mem.depth; i++)
    out.push({ k: 'set', lhs: { k: 'word', mem: mem.name, addr: lit(mem.addrWidth, false, BigInt(i)) }, rhs: lit(mem.type.width, mem.type.signed, words[i] ?? 0n), nonblocking: false });
  return out;
}
