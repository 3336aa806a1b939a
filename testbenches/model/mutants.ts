/**
 * Seeded faults in one library element of an elaborated design, for the mutation campaign
 * (scripts/mutate.ts): the RTL is printed from a copy of the IR with one change inside one element,
 * while the token model keeps the original graph. The question each mutant asks: does the diff name
 * the element that was changed?
 *
 * Operators: swapped operands (a non-commutative op or a mux's arms), a wrong operator (`-` for
 * `+`: a user's map is mostly sums, which swapping cannot break), a wrong constant (+1: an
 * off-by-one bound when it is a loop count or a FIFO's full level), a dropped ready (the element
 * takes tokens whether or not its output can), and a stage removed (a data register bypassed while
 * its valid still waits a cycle).
 */
import { copyModule, type Rewrite } from '../../dsl/ir/copy.ts';
import { walkExpr, type Circuit, type Expr, type ModuleIR, type SignalDecl } from '../../dsl/ir/nodes.ts';
import { mask } from '../../dsl/ir/types.ts';
import type { Manifest } from '../../dsl/manifest.ts';
import { graphOf, type GraphElement } from './graph.ts';

export type MutationOp = 'swap' | 'operator' | 'const' | 'ready' | 'stage';

export interface Mutant {
  /** The element the fault is in. */
  element: GraphElement;
  op: MutationOp;
  /** What changed, for the campaign's table. */
  what: string;
  rewrite: Rewrite;
  /** Instance path of the module the fault is in ('' for the top); every instance of that module carries it. */
  scope?: string;
}

const SWAPPABLE = new Set(['sub', 'lt', 'le', 'gt', 'ge', 'cat']);

/**
 * The element owning each signal: the one that drives an input's ready, else the one whose output
 * (or name) is the longest prefix of the signal's name (`merge_pipe_s0_q` is the pipeline
 * 'merge_pipe', not the mux 'merge').
 */
function owners(elements: readonly GraphElement[], m: ModuleIR): Map<SignalDecl, GraphElement> {
  const out = new Map<SignalDecl, GraphElement>();
  const readyOf = new Map<string, GraphElement>();
  for (const e of elements) for (const i of e.ins) readyOf.set(`${i}_ready`, e);
  for (const s of m.signals) {
    if (s.kind === 'input' || s.kind === 'instout') continue;
    let best: GraphElement | undefined = readyOf.get(s.name);
    let len = 0;
    if (!best)
      for (const e of elements)
        for (const p of [...e.outs, e.name])
          if (s.name.startsWith(`${p}_`) && p.length > len && !readyOf.has(s.name)) {
            best = e;
            len = p.length;
          }
    if (best) out.set(s, best);
  }
  return out;
}

/** The expressions the element's own logic computes: the cones of its signals' assignments, stopping at signals it does not own. */
function cone(sigs: readonly SignalDecl[], mine: (s: SignalDecl) => boolean): Expr[] {
  const out: Expr[] = [];
  const seen = new Set<number>();
  // Stop at references to other elements' signals: their logic is theirs.
  const descend = (x: Expr) => x.kind !== 'ref' || mine(x.signal);
  for (const s of sigs) for (const a of s.assigns) {
    walkExpr(a.value, (x) => out.push(x), seen, descend);
    for (const st of a.path) walkExpr(st.node.cond, (x) => out.push(x), seen, descend);
  }
  return out;
}

/** The module at an instance path ('' for the top). */
function moduleAt(c: Circuit, path: string): ModuleIR {
  return path ? path.split('.').reduce((m, n) => m.instances.find((i) => i.name === n)!.module, c.top) : c.top;
}

/**
 * Every mutant the operators can make in the design's elements: those of the top module, or with
 * `scope`, those of the child instance at that path (element names local to it while matching
 * signals, hierarchical in the mutant).
 */
export function enumerateMutants(manifest: Manifest, c: Circuit, scope = ''): Mutant[] {
  const graph = graphOf(manifest);
  const m = moduleAt(c, scope);
  const p = scope ? `${scope}.` : '';
  const strip = (n: string) => (n.startsWith(p) ? n.slice(p.length) : n);
  const global = new Map<GraphElement, GraphElement>();
  const local = graph.elements.filter((e) => e.scope === scope && !e.element.startsWith('instance_')).map((e) => {
    const l = { ...e, name: strip(e.name), ins: e.ins.map(strip), outs: e.outs.map(strip) };
    global.set(l, e);
    return l;
  });
  const out: Mutant[] = [];
  const owner = owners(local, m);
  for (const e of local) {
    if (e.element === 'connect') continue; // a wire: nothing inside to break
    const sigs = m.signals.filter((s) => owner.get(s) === e);
    const exprs = cone(sigs, (s) => owner.get(s) === e);
    for (const x of exprs) {
      if (x.kind === 'op' && SWAPPABLE.has(x.op) && x.args.length === 2 && x.args[0]!.type.width === x.args[1]!.type.width && x.args[0]!.type.signed === x.args[1]!.type.signed && x.args[0]!.id !== x.args[1]!.id)
        out.push({ element: e, op: 'swap', what: `${x.op} operands swapped`, rewrite: { replace: (y, copy) => (y.id === x.id && copy.kind === 'op' ? { ...copy, args: [copy.args[1]!, copy.args[0]!] } : undefined) } });
      if (x.kind === 'op' && x.op === 'add')
        out.push({ element: e, op: 'operator', what: 'add replaced by sub', rewrite: { replace: (y, copy) => (y.id === x.id && copy.kind === 'op' ? { ...copy, op: 'sub' } : undefined) } });
      if (x.kind === 'op' && x.op === 'mux')
        out.push({ element: e, op: 'swap', what: 'mux arms swapped', rewrite: { replace: (y, copy) => (y.id === x.id && copy.kind === 'op' ? { ...copy, args: [copy.args[0]!, copy.args[2]!, copy.args[1]!] } : undefined) } });
      if (x.kind === 'const' && x.type.width > 1)
        out.push({ element: e, op: 'const', what: `constant ${x.bits} -> ${(x.bits + 1n) & mask(x.type.width)}`, rewrite: { replace: (y) => (y.id === x.id && y.kind === 'const' ? { ...y, bits: (y.bits + 1n) & mask(y.type.width) } : undefined) } });
    }
    for (const i of e.ins) {
      const r = m.signals.find((s) => s.name === `${i}_ready`);
      if (r && r.assigns.length === 1)
        out.push({ element: e, op: 'ready', what: `${i}_ready tied to 1`, rewrite: { assigns: (s) => (s.id === r.id ? [{ ...r.assigns[0]!, value: { kind: 'const', id: -1 - r.id, type: r.type, loc: r.assigns[0]!.loc, bits: 1n } }] : undefined) } });
    }
    const dataRegs = sigs.filter((s) => s.kind === 'reg' && s.type.width > 1 && s.assigns.length === 1 && s.reset === undefined);
    if (dataRegs.length) {
      const ids = new Set(dataRegs.map((s) => s.id));
      const values = new Map(dataRegs.map((s) => [s.id, s.assigns[0]!.value]));
      out.push({
        element: e, op: 'stage', what: `${dataRegs.length} data register${dataRegs.length > 1 ? 's' : ''} bypassed (${dataRegs[0]!.name}${dataRegs.length > 1 ? ', ...' : ''})`,
        rewrite: { replace: (y, _copy, copyOf) => (y.kind === 'ref' && ids.has(y.signal.id) ? copyOf(values.get(y.signal.id)!) : undefined) },
      });
    }
  }
  return out.map((x) => ({ ...x, element: global.get(x.element)!, scope }));
}

/** The circuit with one mutant applied to its top module. */
export function applyMutant(c: Circuit, mutant: Mutant): Circuit {
  const target = moduleAt(c, mutant.scope ?? '');
  // The changed module, then every module that instantiates a changed one, children before parents.
  const copies = new Map<ModuleIR, ModuleIR>();
  for (const m of c.modules) {
    if (m === target) copies.set(m, copyModule(m, mutant.rewrite, copies));
    else if (m.instances.some((i) => copies.has(i.module))) copies.set(m, copyModule(m, {}, copies));
  }
  const top = copies.get(c.top) ?? c.top;
  return { ...c, top, modules: c.modules.map((x) => copies.get(x) ?? x) };
}

/** A sample of `n` mutants drawn with `rng` (seeded), spread over the operators (round robin) so no operator dominates. */
export function sampleMutants(all: readonly Mutant[], n: number, rng: () => number): Mutant[] {
  const byOp = new Map<MutationOp, Mutant[]>();
  for (const x of all) byOp.set(x.op, [...(byOp.get(x.op) ?? []), x]);
  for (const list of byOp.values())
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  const out: Mutant[] = [];
  const lists = [...byOp.values()];
  for (let k = 0; out.length < n && lists.some((l) => l.length); k++) {
    const l = lists[k % lists.length]!;
    const x = l.shift();
    if (x) out.push(x);
  }
  return out;
}
