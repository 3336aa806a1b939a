/**
 * A `when`-driven wire as one expression. Verilog-2005's `always @*` runs only when something it
 * reads changes, so a block whose inputs keep their time-0 values never runs and Icarus leaves its
 * target X (the fuzzer found this). The backend prints such wires as continuous assignments of
 * nested `?:` instead, built here from the if/else tree `lower.ts` makes of the assignments.
 */
import type { VExpr, VStmt } from './ast.ts';

export interface MuxFold {
  value: VExpr;
  /** Values that both branches of an if keep, as named wires (in order; each read by `value` or a later one). */
  held: { name: string; value: VExpr }[];
}

/**
 * Fold the statements of an `always @*` with one target into the value it leaves: statements run in
 * order, an if becomes `cond ? then : else`, and a branch that assigns nothing keeps the value so
 * far. The design checks guarantee that every path assigns, so a branch with no value so far never
 * decides the result. A value both branches of an if would copy is named (`name()` gives the
 * names) so the text stays linear in the number of assignments.
 */
export function foldToMux(stmts: readonly VStmt[], name: () => string): MuxFold {
  const held = new Map<string, VExpr>();
  const hold = (e: VExpr): VExpr => {
    if (e.k === 'id' || e.k === 'lit') return e;
    const placeholder = `\0${held.size}`;
    held.set(placeholder, e);
    return { k: 'id', name: placeholder };
  };
  const value = fold(stmts, undefined, hold);
  if (!value) throw new Error('foldToMux: no assignment reaches the end (the design checks should have caught this)');
  // Name only the held values the result still reads: a later assignment may override them all.
  const names = new Map<string, string>();
  const visit = (e: VExpr): void =>
    forEachChild(e, (x) => {
      if (x.k === 'id' && held.has(x.name) && !names.has(x.name)) {
        visit(held.get(x.name)!);
        names.set(x.name, name());
      }
      visit(x);
    });
  visit({ k: 'un', op: '', a: value });
  const rename = (e: VExpr): VExpr => mapExpr(e, (x) => (x.k === 'id' && names.has(x.name) ? { k: 'id', name: names.get(x.name)! } : x));
  return {
    value: rename(value),
    held: [...names].map(([p, n]) => ({ name: n, value: rename(held.get(p)!) })),
  };
}

function fold(stmts: readonly VStmt[], before: VExpr | undefined, hold: (e: VExpr) => VExpr): VExpr | undefined {
  let cur = before;
  for (const st of stmts) {
    if (st.k === 'set') {
      cur = st.rhs;
      continue;
    }
    if (st.k === 'check') continue; // never in a wire's body
    if (cur && !assignsAlways(st.then) && !assignsAlways(st.else)) cur = hold(cur);
    const t = fold(st.then, cur, hold);
    const f = fold(st.else, cur, hold);
    cur = t && f ? (t === f ? t : { k: 'tern', c: st.cond, t, f }) : (t ?? f);
  }
  return cur;
}

/** Whether a statement list assigns its target on every path. */
function assignsAlways(stmts: readonly VStmt[]): boolean {
  return stmts.some((st) => st.k === 'set' || (st.k === 'if' && assignsAlways(st.then) && assignsAlways(st.else)));
}

function forEachChild(e: VExpr, f: (x: VExpr) => void): void {
  switch (e.k) {
    case 'bin': f(e.a); f(e.b); return;
    case 'un': case 'rep': case 'signed': f(e.a); return;
    case 'tern': f(e.c); f(e.t); f(e.f); return;
    case 'cat': e.parts.forEach(f); return;
    case 'word': f(e.addr); return;
    default: return;
  }
}

function mapExpr(e: VExpr, f: (x: VExpr) => VExpr): VExpr {
  const m = (x: VExpr): VExpr => mapExpr(x, f);
  switch (e.k) {
    case 'bin': return { ...e, a: m(e.a), b: m(e.b) };
    case 'un': case 'rep': case 'signed': return { ...e, a: m(e.a) } as VExpr;
    case 'tern': return { ...e, c: m(e.c), t: m(e.t), f: m(e.f) };
    case 'cat': return { ...e, parts: e.parts.map(m) };
    case 'word': return { ...e, addr: m(e.addr) };
    default: return f(e);
  }
}
