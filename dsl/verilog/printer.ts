/** Prints the Verilog AST. The only place that knows Verilog's concrete syntax. */
import type { VDecl, VExpr, VItem, VModule, VPort, VStmt } from './ast.ts';

const LINT_OFF = '/* verilator lint_off UNUSEDSIGNAL */';
const LINT_ON = '/* verilator lint_on UNUSEDSIGNAL */';

export function literal(width: number, signed: boolean, bits: bigint): string {
  if (width <= 32 && !signed && bits < 10n) return `${width}'d${bits}`;
  return `${width}'${signed ? 's' : ''}h${bits.toString(16)}`;
}

/** Operator precedence, higher binds tighter; used to parenthesise only where needed. */
const PREC: Record<string, number> = {
  '*': 10, '+': 9, '-': 9, '<<': 8, '>>': 8, '>>>': 8, '<': 7, '<=': 7, '>': 7, '>=': 7,
  '==': 6, '!=': 6, '&': 5, '^': 4, '|': 3, '?': 1,
};

export function printExpr(e: VExpr, outer = 0): string {
  switch (e.k) {
    case 'id':
      return e.name;
    case 'lit':
      return literal(e.width, e.signed, e.bits);
    case 'index':
      return e.hi === e.lo ? `${e.name}[${e.hi}]` : `${e.name}[${e.hi}:${e.lo}]`;
    case 'word':
      return `${e.mem}[${printExpr(e.addr)}]`;
    case 'signed':
      return `$signed(${printExpr(e.a)})`;
    case 'cat':
      return `{${e.parts.map((p) => printExpr(p)).join(', ')}}`;
    case 'rep':
      return `{${e.count}{${printExpr(e.a)}}}`;
    case 'un':
      return `${e.op}${printExpr(e.a, 11)}`;
    case 'bin': {
      const p = PREC[e.op] ?? 0;
      const s = `${printExpr(e.a, p)} ${e.op} ${printExpr(e.b, p + 1)}`;
      return p < outer ? `(${s})` : s;
    }
    case 'tern': {
      const s = `${printExpr(e.c, 2)} ? ${printExpr(e.t, 2)} : ${printExpr(e.f, 1)}`;
      return outer > 1 ? `(${s})` : s;
    }
  }
}

const range = (width: number): string => (width === 1 ? '' : `[${width - 1}:0] `);
const typeText = (signed: boolean, width: number): string => `${signed ? 'signed ' : ''}${range(width)}`;
const trailer = (comment?: string): string => (comment ? ` // ${comment}` : '');

function printStmts(stmts: VStmt[], indent: string, out: string[]): void {
  for (const s of stmts) {
    if (s.k === 'set') {
      out.push(`${indent}${printExpr(s.lhs)} ${s.nonblocking ? '<=' : '='} ${printExpr(s.rhs)};${trailer(s.comment)}`);
    } else if (s.k === 'check') {
      out.push(`${indent}${s.kind} (${printExpr(s.cond)});${trailer(s.comment)}`);
    } else {
      out.push(`${indent}if (${printExpr(s.cond)}) begin`);
      printStmts(s.then, indent + '  ', out);
      if (s.else.length) {
        out.push(`${indent}end else begin`);
        printStmts(s.else, indent + '  ', out);
      }
      out.push(`${indent}end`);
    }
  }
}

function printDecl(d: VDecl, out: string[]): void {
  const dims = d.depth !== undefined ? ` [0:${d.depth - 1}]` : '';
  const init = d.init ? ` = ${printExpr(d.init)}` : '';
  const line = `  ${d.net} ${typeText(d.signed, d.width)}${d.name}${dims}${init};${trailer(d.comment)}`;
  if (d.unused) out.push(`  ${LINT_OFF}`, line, `  ${LINT_ON}`);
  else out.push(line);
}

function printItem(item: VItem, out: string[]): void {
  switch (item.k) {
    case 'decl':
      return printDecl(item, out);
    case 'assign':
      return printAssign(item.lhs, item.rhs, item.comment, out);
    case 'always':
      if (item.blockingTemps) out.push('  /* verilator lint_off BLKSEQ */');
      out.push(`  always ${item.clocked ? '@(posedge clk)' : '@*'} begin${trailer(item.comment)}`);
      printStmts(item.body, '    ', out);
      out.push('  end');
      if (item.blockingTemps) out.push('  /* verilator lint_on BLKSEQ */');
      return;
    case 'formal':
      // Only `read_verilog -formal` (which defines FORMAL) sees these: simulation and synthesis builds are unchanged.
      // `always @*` checks each cycle's values in that cycle. A clocked block would make yosys 0.23
      // register each check (free in the first step), which stalls z3 4.8.12 in step 0.
      out.push('`ifdef FORMAL');
      if (item.clocked) {
        out.push('  always @* begin', '    if (!rst) begin');
        printStmts(item.body, '      ', out);
        out.push('    end', '  end');
      } else {
        out.push('  always @* begin');
        printStmts(item.body, '    ', out);
        out.push('  end');
      }
      out.push('`endif');
      return;
    case 'initial':
      out.push('  initial begin');
      printStmts(item.body, '    ', out);
      out.push('  end');
      return;
    case 'instance': {
      out.push(`  ${item.module} ${item.name} (${trailer(item.comment)}`);
      item.conns.forEach(({ port, value }, i) => out.push(`    .${port}(${printExpr(value)})${i < item.conns.length - 1 ? ',' : ''}`));
      out.push('  );');
      return;
    }
    case 'blank':
      out.push(item.comment ? `\n  // ${item.comment}` : '');
      return;
  }
}

/** A priority chain `c1 ? a : c2 ? b : d` (a lowered when/elsewhen) gets one arm per line. */
function printAssign(lhs: string, rhs: VExpr, comment: string | undefined, out: string[]): void {
  const arms: { c: VExpr; t: VExpr }[] = [];
  let last = rhs;
  while (last.k === 'tern') {
    arms.push({ c: last.c, t: last.t });
    last = last.f;
  }
  if (arms.length < 2) {
    out.push(`  assign ${lhs} = ${printExpr(rhs)};${trailer(comment)}`);
    return;
  }
  const head = `  assign ${lhs} = `;
  const pad = ' '.repeat(head.length - 2);
  arms.forEach(({ c, t }, i) =>
    out.push(`${i === 0 ? head : `${pad}: `}${printExpr(c, 2)} ? ${printExpr(t, 2)}${i === 0 ? trailer(comment) : ''}`));
  out.push(`${pad}: ${printExpr(last, 1)};`);
}

function printPorts(ports: VPort[], out: string[]): void {
  const heads = ports.map((p) => `${p.dir === 'input' ? 'input ' : 'output'} ${p.net === 'reg' ? 'reg ' : 'wire'} ${typeText(p.signed, p.width)}`);
  const pad = Math.max(0, ...heads.map((h) => h.length));
  ports.forEach((p, i) => {
    const line = `  ${heads[i]!.padEnd(pad)}${p.name}${i < ports.length - 1 ? ',' : ''}${trailer(p.comment)}`;
    if (p.unused) out.push(`  ${LINT_OFF}`, line, `  ${LINT_ON}`);
    else out.push(line);
  });
}

export function printModule(m: VModule): string {
  const out: string[] = [...m.header.map((h) => `// ${h}`), '`default_nettype none', ''];
  if (m.ports.length === 0) out.push(`module ${m.name};`);
  else {
    out.push(`module ${m.name} (`);
    printPorts(m.ports, out);
    out.push(');');
  }
  for (const item of m.items) printItem(item, out);
  out.push('endmodule', '', '`default_nettype wire', '');
  return out.join('\n');
}
