/**
 * Which bits of each declared signal the printed Verilog reads. A signal that is only partly read
 * by design (a slice, the top bits of a shift, an unread register) gets a lint waiver
 * (`unused` prints `lint_off UNUSEDSIGNAL`). Reading the bits off the Verilog itself, rather than
 * off the IR, keeps the waivers true to what is printed whatever the passes decided.
 */
import { mask } from '../ir/types.ts';
import type { VExpr, VModule, VStmt } from './ast.ts';

/** Set `unused` on every input port (but `exempt` ones) and every signal declaration that is not read in full. */
export function markUnread(v: VModule, exempt: ReadonlySet<string>): void {
  const read = new Map<string, bigint>();
  const mark = (name: string, bits: bigint): void => void read.set(name, (read.get(name) ?? 0n) | bits);
  const expr = (e: VExpr): void => {
    switch (e.k) {
      case 'id': return mark(e.name, -1n);
      case 'index': return mark(e.name, mask(e.hi - e.lo + 1) << BigInt(e.lo));
      case 'lit': return;
      case 'word': return expr(e.addr);
      case 'bin': expr(e.a); return expr(e.b);
      case 'un': case 'rep': case 'signed': return expr(e.a);
      case 'tern': expr(e.c); expr(e.t); return expr(e.f);
      case 'cat': return e.parts.forEach(expr);
    }
  };
  const stmts = (list: readonly VStmt[]): void => {
    for (const s of list) {
      if (s.k === 'if') {
        expr(s.cond);
        stmts(s.then);
        stmts(s.else);
      } else if (s.k === 'set') {
        expr(s.rhs);
        if (s.lhs.k === 'word') expr(s.lhs.addr);
      }
    }
  };
  for (const item of v.items) {
    if (item.k === 'decl' && item.init) expr(item.init);
    else if (item.k === 'assign') expr(item.rhs);
    else if (item.k === 'always' || item.k === 'initial') stmts(item.body);
    // Formal checks ('formal' items) do not count: Verilator never sees them, so what only they read keeps its waiver.
    else if (item.k === 'instance') for (const c of item.conns) if (c.dir === 'in') expr(c.value);
  }
  const unread = (name: string, width: number): boolean => ((read.get(name) ?? 0n) & mask(width)) !== mask(width);
  for (const p of v.ports) if (p.dir === 'input' && !exempt.has(p.name)) p.unused = unread(p.name, p.width);
  for (const item of v.items) if (item.k === 'decl' && item.depth === undefined) item.unused = unread(item.name, item.width);
}
