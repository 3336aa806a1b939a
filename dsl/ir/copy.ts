/**
 * A copy of a module's IR with some nodes replaced (folded to constants, say) and some assignment
 * lists cut: what an IR -> IR pass changes. The input stays as it was (a caller may still simulate or print it), and
 * every node keeps its id, so facts about a node carry over to its copy.
 */
import type { Assignment, CondStep, ConstExpr, Expr, InstanceDecl, MemoryDecl, ModuleIR, SignalDecl, WhenNode } from './nodes.ts';
import { moduleView, walkExpr } from './nodes.ts';

export interface Rewrite {
  /**
   * What a node becomes instead of its plain copy (whose operands are rewritten already); `copyOf`
   * gives the copy of another node. Undefined keeps the plain copy.
   */
  replace?(e: Expr, copy: Expr, copyOf: (x: Expr) => Expr): Expr | undefined;
  /** The assignments a signal keeps, if not all of them. */
  assigns?(s: SignalDecl): readonly Assignment[] | undefined;
}

/** Copy `m` under `rw`; instances of a module in `children` point to its copy. */
export function copyModule(m: ModuleIR, rw: Rewrite, children: ReadonlyMap<ModuleIR, ModuleIR>): ModuleIR {
  const instances = new Map<InstanceDecl, InstanceDecl>();
  for (const i of m.instances) instances.set(i, { ...i, module: children.get(i.module) ?? i.module, inputs: new Map(), outputs: new Map() });
  const signals = new Map<SignalDecl, SignalDecl>();
  for (const s of m.signals)
    signals.set(s, { ...s, assigns: [], ...(s.source ? { source: { ...s.source, instance: instances.get(s.source.instance)! } } : {}) });
  const memories = new Map<MemoryDecl, MemoryDecl>();
  for (const mem of m.memories) memories.set(mem, { ...mem, writes: [] });

  const copies = new Map<number, Expr>();
  const plainCopy = (e: Expr): Expr => {
    const arg = (a: Expr): Expr => copies.get(a.id)!;
    switch (e.kind) {
      case 'const': return e;
      case 'ref': return { ...e, signal: signals.get(e.signal)! };
      case 'op': return { ...e, args: e.args.map(arg) };
      case 'memread': return { ...e, memory: memories.get(e.memory)!, addr: arg(e.addr) };
    }
  };
  const seen = new Set<number>();
  const expr = (root: Expr): Expr => {
    walkExpr(root, (e) => {
      const copy = plainCopy(e);
      copies.set(e.id, rw.replace?.(e, copy, copyOf) ?? copy);
    }, seen);
    return copies.get(root.id)!;
  };
  const copyOf = (x: Expr): Expr => copies.get(x.id) ?? expr(x);
  const whens = new Map<WhenNode, WhenNode>();
  const when = (n: WhenNode): WhenNode => {
    let c = whens.get(n);
    if (!c) whens.set(n, (c = { ...n, cond: expr(n.cond) }));
    return c;
  };
  const path = (p: readonly CondStep[]): CondStep[] => p.map((step) => ({ node: when(step.node), branch: step.branch }));

  for (const [s, c] of signals)
    for (const a of rw.assigns?.(s) ?? s.assigns) c.assigns.push({ ...a, path: path(a.path), value: expr(a.value) });
  for (const [mem, c] of memories)
    for (const w of mem.writes) c.writes.push({ ...w, path: path(w.path), addr: expr(w.addr), data: expr(w.data) });
  for (const [i, c] of instances) {
    for (const [port, v] of i.inputs) c.inputs.set(port, { ...v, value: expr(v.value) });
    for (const [port, s] of i.outputs) c.outputs.set(port, signals.get(s)!);
  }
  const checks = m.checks?.map((c) => ({ ...c, path: path(c.path), cond: expr(c.cond) }));
  return {
    ...m,
    ...(checks ? { checks } : {}),
    ports: m.ports.map((p) => signals.get(p)!),
    signals: [...signals.values()],
    memories: [...memories.values()],
    instances: [...instances.values()],
  };
}

/** The constant `bits` in place of `e` (same id, type and source line). */
export function constantFor(e: Expr, bits: bigint): ConstExpr {
  return { kind: 'const', id: e.id, type: e.type, loc: e.loc, bits };
}

/** A rewrite that folds each node `fold` gives a value for to that constant; undefined when there is none. */
export function foldConstants(m: ModuleIR, fold: (e: Expr) => bigint | undefined): Rewrite | undefined {
  const folded = new Map<number, bigint>();
  for (const e of moduleView(m).order) {
    const bits = fold(e);
    if (bits !== undefined) folded.set(e.id, bits);
  }
  if (!folded.size) return undefined;
  return {
    replace: (e) => {
      const bits = folded.get(e.id);
      return bits === undefined ? undefined : constantFor(e, bits);
    },
  };
}
