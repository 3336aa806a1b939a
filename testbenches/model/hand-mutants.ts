/**
 * Seeded faults in hand-written logic anywhere in the hierarchy (an accelerator's engines, lines,
 * FSMs), for the lockstep half of the mutation campaign: one expression of one module changes
 * (swapped operands, `-` for `+`, mux arms swapped, a constant +1), every instance of that module
 * carries it, and the report must name an instance of that module and a signal whose assignment
 * holds the changed expression.
 */
import { formatLoc } from '../../dsl/errors.ts';
import { copyModule, type Rewrite } from '../../dsl/ir/copy.ts';
import { walkExpr, type Circuit, type Expr, type ModuleIR } from '../../dsl/ir/nodes.ts';
import { mask } from '../../dsl/ir/types.ts';

/** One fault in one module's hand-written logic. */
export interface HandMutant {
  module: string;
  op: 'swap' | 'operator' | 'const' | 'stage';
  what: string;
  /** Signals (or memories) whose assignments contain the changed expression: the right answers. */
  owners: string[];
  /** The user's line of the changed expression. */
  loc: string;
  exprId: number;
  rewrite: Rewrite;
}

const SWAPPABLE = new Set(['sub', 'lt', 'le', 'gt', 'ge', 'cat', 'shl', 'shr']);

/** The expressions each signal's own assignments compute (not those of the signals they read), with owners. */
function ownersOf(m: ModuleIR): Map<number, { e: Expr; owners: Set<string> }> {
  const out = new Map<number, { e: Expr; owners: Set<string> }>();
  const visit = (root: Expr, owner: string) => {
    walkExpr(root, (x) => {
      const hit = out.get(x.id) ?? { e: x, owners: new Set<string>() };
      hit.owners.add(owner);
      out.set(x.id, hit);
    }, new Set(), (x) => x.kind !== 'ref');
  };
  for (const s of m.signals)
    for (const a of s.assigns) {
      visit(a.value, s.name);
      for (const st of a.path) visit(st.node.cond, s.name);
    }
  for (const mem of m.memories)
    for (const w of mem.writes) {
      visit(w.addr, mem.name);
      visit(w.data, mem.name);
      for (const st of w.path) visit(st.node.cond, mem.name);
    }
  return out;
}

/**
 * Every fault the operators can make in the modules `which` accepts (default: every module).
 * @param c the elaborated circuit
 * @param which the modules to mutate
 */
export function enumerateHandMutants(c: Pick<Circuit, 'modules'>, which: (m: ModuleIR) => boolean = () => true, opts: { stages?: boolean } = {}): HandMutant[] {
  const out: HandMutant[] = [];
  for (const m of c.modules) {
    if (!which(m)) continue;
    // A stage removed: a register's readers see the value it loads (delay lines, pipeline registers).
    if (opts.stages)
      for (const r of m.signals)
        if (r.kind === 'reg' && r.assigns.length === 1 && r.reset === undefined) {
          const value = r.assigns[0]!.value;
          out.push({
            module: m.name, op: 'stage', what: `register ${r.name} bypassed`, owners: [r.name], loc: formatLoc(r.loc.get()), exprId: -1 - r.id,
            rewrite: { replace: (y, _copy, copyOf) => (y.kind === 'ref' && y.signal.id === r.id ? copyOf(value) : undefined) },
          });
        }
    for (const { e: x, owners } of ownersOf(m).values()) {
      const base = { module: m.name, owners: [...owners], loc: formatLoc(x.loc.get()), exprId: x.id };
      const at = (f: (copy: Expr) => Expr) => ({ replace: (y: Expr, copy: Expr) => (y.id === x.id ? f(copy) : undefined) });
      if (x.kind === 'op' && SWAPPABLE.has(x.op) && x.args.length === 2 && x.args[0]!.type.width === x.args[1]!.type.width && x.args[0]!.type.signed === x.args[1]!.type.signed && x.args[0]!.id !== x.args[1]!.id)
        out.push({ ...base, op: 'swap', what: `${x.op} operands swapped`, rewrite: at((y) => (y.kind === 'op' ? { ...y, args: [y.args[1]!, y.args[0]!] } : y)) });
      if (x.kind === 'op' && x.op === 'add')
        out.push({ ...base, op: 'operator', what: 'add replaced by sub', rewrite: at((y) => (y.kind === 'op' ? { ...y, op: 'sub' } : y)) });
      if (x.kind === 'op' && x.op === 'mux')
        out.push({ ...base, op: 'swap', what: 'mux arms swapped', rewrite: at((y) => (y.kind === 'op' ? { ...y, args: [y.args[0]!, y.args[2]!, y.args[1]!] } : y)) });
      if (x.kind === 'const' && x.type.width > 1)
        out.push({ ...base, op: 'const', what: `constant ${x.bits} -> ${(x.bits + 1n) & mask(x.type.width)}`, rewrite: at((y) => (y.kind === 'const' ? { ...y, bits: (y.bits + 1n) & mask(y.type.width) } : y)) });
    }
  }
  return out;
}

/**
 * The circuit with the fault in its module; every module that instantiates a changed one is copied
 * to point at the copy (the input circuit stays as it was: it is the model).
 * @param c the elaborated circuit
 * @param mutant the fault
 */
export function applyHandMutant(c: Circuit, mutant: HandMutant): Circuit {
  const copies = new Map<ModuleIR, ModuleIR>();
  for (const m of c.modules) {
    if (m.name === mutant.module) copies.set(m, copyModule(m, mutant.rewrite, copies));
    else if (m.instances.some((i) => copies.has(i.module))) copies.set(m, copyModule(m, {}, copies));
  }
  const top = copies.get(c.top) ?? c.top;
  return { ...c, top, modules: c.modules.map((m) => copies.get(m) ?? m) };
}
