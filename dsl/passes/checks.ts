/**
 * Design checks, run on every module after elaboration. Each reports the user's source line:
 * undriven outputs and wires, registers never assigned (a constant in disguise), incomplete
 * assignment (a latch), and combinational loops (the `.set` lines that close the loop, through child
 * instances too).
 */
import { DriverError, LoopError, formatLoc, type SourceLoc } from '../errors.ts';
import type { Assignment, CondStep, Expr, ModuleIR, SignalDecl } from '../ir/nodes.ts';
import { showType, toValue } from '../ir/types.ts';
import { walkExpr } from '../ir/nodes.ts';

/** Raise on the first design-rule violation in `m`. */
export function checkModule(m: ModuleIR, combDeps: Map<ModuleIR, Map<string, Set<string>>>): void {
  checkDrivers(m);
  checkLoops(m, combDeps);
}

function checkDrivers(m: ModuleIR): void {
  for (const s of m.signals) {
    // A register nothing assigns holds its reset (or power-up) value forever: it is a constant, and
    // its Verilog would be an undriven flip-flop (Verilator UNDRIVEN, and an unused clock).
    if (s.kind === 'reg' && s.assigns.length === 0) {
      const bits = s.reset ?? s.init;
      const held = s.reset !== undefined ? 'its reset value' : s.init !== undefined ? 'its initial value' : 'an undefined value';
      const hint = bits === undefined ? 'a constant' : `a constant, lit(${showType(s.type)}, ${toValue(bits, s.type)}),`;
      throw new DriverError(
        `register '${s.name}' of module '${m.name}' is never assigned: it would hold ${held} forever; use ${hint} if that is what you mean, or assign it with .set(...)`,
        s.loc.get(),
        { signal: s.name },
      );
    }
    if (s.kind !== 'wire' && s.kind !== 'output') continue;
    const what = s.kind === 'output' ? 'output port' : 'wire';
    if (s.assigns.length === 0)
      throw new DriverError(`${what} '${s.name}' of module '${m.name}' is never driven`, s.loc.get(), { signal: s.name });
    if (!covers(s.assigns.map((a) => a.path), 0)) {
      const first = s.assigns[0]!;
      throw new DriverError(
        `${what} '${s.name}' is not driven on every path (it would be a latch): give it a default value before the when, or add an otherwise`,
        first.loc.get(),
        { signal: s.name },
      );
    }
  }
}

/** Do the assignment paths (from `depth` on) cover every combination of conditions? */
function covers(paths: (readonly CondStep[])[], depth: number): boolean {
  if (paths.some((p) => p.length === depth)) return true;
  const byNode = new Map<number, (readonly CondStep[])[]>();
  for (const p of paths) {
    const id = p[depth]!.node.id;
    byNode.set(id, [...(byNode.get(id) ?? []), p]);
  }
  for (const group of byNode.values()) {
    const yes = group.filter((p) => p[depth]!.branch);
    const no = group.filter((p) => !p[depth]!.branch);
    if (yes.length && no.length && covers(yes, depth + 1) && covers(no, depth + 1)) return true;
  }
  return false;
}

/** For each output of `m`, the inputs it depends on combinationally. Computed children first. */
export function combDependencies(m: ModuleIR, childDeps: Map<ModuleIR, Map<string, Set<string>>>): Map<string, Set<string>> {
  const memo = new Map<number, Set<string>>();
  const visiting = new Set<number>();
  const depsOfSignal = (s: SignalDecl): Set<string> => {
    const cached = memo.get(s.id);
    if (cached) return cached;
    const out = new Set<string>();
    if (visiting.has(s.id)) return out; // loops are reported by checkLoops
    visiting.add(s.id);
    if (s.kind === 'input') out.add(s.name);
    for (const sig of combSources(s, childDeps)) for (const d of depsOfSignal(sig)) out.add(d);
    visiting.delete(s.id);
    memo.set(s.id, out);
    return out;
  };
  const result = new Map<string, Set<string>>();
  for (const p of m.ports) if (p.kind === 'output') result.set(p.name, depsOfSignal(p));
  return result;
}

/** The signals whose current value `s` depends on within the same cycle. Registers depend on none. */
function combSources(s: SignalDecl, childDeps: Map<ModuleIR, Map<string, Set<string>>>): SignalDecl[] {
  if (s.kind === 'reg' || s.kind === 'input') return [];
  const out: SignalDecl[] = [];
  const visit = (e: Expr): void =>
    walkExpr(e, (x) => {
      if (x.kind === 'ref') out.push(x.signal);
    });
  if (s.kind === 'instout') {
    const { instance, port } = s.source!;
    const deps = childDeps.get(instance.module)?.get(port) ?? new Set<string>();
    for (const d of deps) visit(instance.inputs.get(d)!.value);
    return out;
  }
  for (const a of s.assigns as Assignment[]) {
    for (const step of a.path) visit(step.node.cond);
    visit(a.value);
  }
  return out;
}

function checkLoops(m: ModuleIR, childDeps: Map<ModuleIR, Map<string, Set<string>>>): void {
  const state = new Map<number, 'active' | 'done'>();
  const stack: SignalDecl[] = [];
  const dfs = (s: SignalDecl): void => {
    const st = state.get(s.id);
    if (st === 'done') return;
    if (st === 'active') {
      // Report the cycle starting from its first-declared signal, so the message reads in source order.
      const found = stack.slice(stack.indexOf(s));
      const start = found.reduce((best, c, i) => (c.id < found[best]!.id ? i : best), 0);
      const cycle = [...found.slice(start), ...found.slice(0, start)];
      // Each signal reads the next one: name the assignment (or connection) that makes it do so.
      const closers = cycle.map((c, i) => closingAssignment(c, cycle[(i + 1) % cycle.length]!, childDeps));
      const names = [...cycle.map((c) => c.name), cycle[0]!.name].join(' -> ');
      const lines = closers.map((c) => `${c.what} at ${formatLoc(c.loc)}`).join('; ');
      const declared = cycle.map((c) => `${c.name} at ${formatLoc(c.loc.get())}`).join(', ');
      throw new LoopError(
        `combinational loop in module '${m.name}': ${names}, closed by ${lines} (declared: ${declared}); break it with a register (m.reg or m.delay)`,
        closers[0]!.loc ?? cycle[0]!.loc.get(),
        { signals: cycle.map((c) => c.name), locations: closers.map((c) => c.loc), declared: cycle.map((c) => c.loc.get()) },
      );
    }
    state.set(s.id, 'active');
    stack.push(s);
    for (const src of combSources(s, childDeps)) dfs(src);
    stack.pop();
    state.set(s.id, 'done');
  };
  for (const s of m.signals) dfs(s);
}

/** Where `from` takes `to` into its value in the same cycle: its `.set`, a `when` condition, or an instance connection. */
function closingAssignment(
  from: SignalDecl,
  to: SignalDecl,
  childDeps: Map<ModuleIR, Map<string, Set<string>>>,
): { what: string; loc: SourceLoc | undefined } {
  const reads = (e: Expr): boolean => {
    let hit = false;
    walkExpr(e, (x) => {
      if (x.kind === 'ref' && x.signal.id === to.id) hit = true;
    });
    return hit;
  };
  if (from.kind === 'instout') {
    const { instance, port } = from.source!;
    for (const d of childDeps.get(instance.module)?.get(port) ?? []) {
      const input = instance.inputs.get(d)!;
      if (reads(input.value))
        return { what: `${instance.name}.${d} (instance input; output ${port} follows it) reads ${to.name}`, loc: input.loc.get() };
    }
  }
  for (const a of from.assigns) {
    if (reads(a.value)) return { what: `${from.name}.set(...) reads ${to.name}`, loc: a.loc.get() };
    const step = a.path.find((st) => reads(st.node.cond));
    if (step) return { what: `the when condition over ${from.name}.set(...) reads ${to.name}`, loc: step.node.loc.get() };
  }
  return { what: `${from.name} reads ${to.name}`, loc: from.loc.get() };
}
