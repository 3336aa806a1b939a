/**
 * A readable text form of a module's IR, for pass tests, debugging, and structural comparison of
 * two module definitions that share a name (identical text means one Verilog module serves both).
 */
import type { Assignment, Expr, ModuleIR } from './nodes.ts';
import { moduleRoots, walkExpr } from './nodes.ts';
import { showType } from './types.ts';

/**
 * A readable text dump of a module's IR (for debugging and tests).
 * @param m the module
 */
export function printModule(m: ModuleIR): string {
  const names = new Map<number, string>();
  const lines: string[] = [`module ${m.name}${m.sequential ? ' (clocked)' : ''}`];
  for (const p of m.ports) lines.push(`  ${p.kind} ${p.name}: ${showType(p.type)}`);
  let n = 0;
  const seen = new Set<number>();
  const name = (e: Expr): string => names.get(e.id) ?? '?';
  for (const root of moduleRoots(m))
    walkExpr(root, (e) => {
      if (e.kind === 'ref') names.set(e.id, e.signal.name);
      else if (e.kind === 'const') names.set(e.id, `${showType(e.type)}'${e.bits.toString(16)}`);
      else {
        const id = `%${n++}`;
        names.set(e.id, id);
        const rhs = e.kind === 'op'
          ? `${e.op}(${e.args.map(name).join(', ')}${e.params.length ? '; ' + e.params.join(', ') : ''})`
          : `${e.memory.name}[${name(e.addr)}]`;
        lines.push(`  ${id}: ${showType(e.type)} = ${rhs}`);
      }
    }, seen);
  const path = (a: Pick<Assignment, 'path'>): string =>
    a.path.map((s) => `${s.branch ? '' : '!'}${name(s.node.cond)}`).join(' & ') || 'always';
  for (const s of m.signals) {
    if (s.kind === 'input' || s.kind === 'instout') continue;
    const reset = s.reset !== undefined ? ` reset ${s.reset.toString(16)}` : '';
    lines.push(`  ${s.kind} ${s.name}: ${showType(s.type)}${reset}`);
    for (const a of s.assigns) lines.push(`    when ${path(a)}: ${s.name} ${s.kind === 'reg' ? '<=' : '='} ${name(a.value)}`);
  }
  for (const mem of m.memories) {
    lines.push(`  memory ${mem.name}: ${showType(mem.type)} x ${mem.depth}${mem.init ? ' init ' + mem.init.map((v) => v.toString(16)).join(',') : ''}`);
    for (const w of mem.writes) lines.push(`    when ${path(w)}: ${mem.name}[${name(w.addr)}] <= ${name(w.data)}`);
  }
  for (const i of m.instances) {
    const conns = [...i.inputs].map(([p, v]) => `${p}=${name(v.value)}`);
    const outs = [...i.outputs].map(([p, d]) => `${p}->${d.name}`);
    lines.push(`  instance ${i.name}: ${i.module.name}(${[...conns, ...outs].join(', ')})`);
  }
  for (const c of m.checks ?? []) lines.push(`  ${c.kind} when ${path(c)}: ${name(c.cond)}${c.message ? ` "${c.message}"` : ''}`);
  for (const st of m.streams) lines.push(`  stream ${st.dir} ${st.name}: ${st.valid}/${st.ready}/${st.payload.join(',')}`);
  return lines.join('\n') + '\n';
}
