/**
 * Readable names for the values a module computes, so the Verilog and the waveforms say what a wire
 * is instead of `and_0`:
 *  - the record field it unpacks (`px_rgb_0`);
 *  - the user's variable, when the user's own line built the value and names it
 *    (`const hit = tag.eq(want)` gives `hit`; `{ sum: a.add(b) }` gives `sum`);
 *  - otherwise the op and its operands (`count_add_1`, `not_full`, `x_7_0`, `acc_shr2`), up to a
 *    length past which it falls back to the op's own name and a number.
 * Names depend only on the design and its source text, so output stays byte-identical across runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Expr, OpExpr } from '../ir/nodes.ts';
import { OPS } from '../ir/ops.ts';

/** Past this, a derived name reads worse than the op's name and a number. */
const MAX_DERIVED = 32;

const lineCache = new Map<string, readonly string[] | null>();
function sourceLine(file: string, line: number): string | undefined {
  const abs = path.resolve(file);
  let lines = lineCache.get(abs);
  if (lines === undefined) {
    try {
      lines = fs.readFileSync(abs, 'utf8').split('\n');
    } catch {
      lines = null;
    }
    lineCache.set(abs, lines);
  }
  return lines?.[line - 1];
}

// `const x =`, `let x: T =`, `x =` and `x:` (an object property) at the start of a line.
const DECLARED = /^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=(?![=>])/;
const ASSIGNED = /^\s*([A-Za-z_$][\w$]*)\s*=(?![=>])/;
const PROPERTY = /^\s*([A-Za-z_$][\w$]*)\s*:(?!:)/;
const NOT_A_NAME = new Set(['case', 'default', 'return', 'this']);

/** The variable or property a line gives its value to, and where that value's expression starts. */
export function variableOf(text: string | undefined): { name: string; from: number } | undefined {
  if (text === undefined) return undefined;
  const m = DECLARED.exec(text) ?? ASSIGNED.exec(text) ?? PROPERTY.exec(text);
  const name = m?.[1];
  return name && !NOT_A_NAME.has(name) ? { name: name.replace(/\$/g, '_'), from: m[0].length } : undefined;
}

/** True when `text[from, to)` closes every bracket it opens: a call at `to` is not inside another's arguments. */
function atTopLevel(text: string, from: number, to: number): boolean {
  let depth = 0;
  for (let i = from; i < to && i < text.length; i++) {
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return depth === 0;
}

/**
 * The statement a user's call at `file:line:column` belongs to (a chain continued on lines that
 * start with `.` belongs to the line that began it), and the variable it names when the call is
 * that statement's outermost expression.
 */
function statementOf(file: string, line: number, column: number): { key: string; variable: string | undefined } {
  let first = line;
  while (first > 1 && first > line - 20 && /^\s*\./.test(sourceLine(file, first) ?? '')) first--;
  const decl = variableOf(sourceLine(file, first));
  const text = sourceLine(file, line) ?? '';
  const from = first === line ? (decl?.from ?? text.length) : 0;
  return { key: `${file}:${first}`, variable: decl && atTopLevel(text, from, column - 1) ? decl.name : undefined };
}

/**
 * How to name the ops of one module, walked children before parents: `baseName(e, names)` gives the
 * name the builder gave the op, the user's variable for the outermost op a user's line built, or
 * one derived from the op and its operands' names (`names`, those already given); undefined where
 * none reads well (the caller then numbers the op's own name).
 */
export function opNamer(order: readonly Expr[]): (e: OpExpr, names: ReadonlyMap<number, string>) => string | undefined {
  const statements = new Map<number, { key: string; variable: string | undefined }>();
  for (const e of order) {
    const l = e.kind === 'op' && e.loc.direct() ? e.loc.get() : undefined;
    if (l) statements.set(e.id, statementOf(l.file, l.line, l.column));
  }
  // An op feeding another op of the same statement is an inner part of that statement's expression.
  const inner = new Set<number>();
  for (const e of order) {
    const key = statements.get(e.id)?.key;
    if (e.kind === 'op' && key !== undefined) for (const a of e.args) if (statements.get(a.id)?.key === key) inner.add(a.id);
  }

  return (e, names) => {
    const hint = (a: Expr): string => {
      if (a.kind === 'ref') return a.signal.name;
      if (a.kind === 'const') {
        const v = a.type.signed ? BigInt.asIntN(a.type.width, a.bits) : a.bits;
        return v < 0n ? `m${-v}` : `${v}`;
      }
      return names.get(a.id) ?? (a.kind === 'memread' ? `${a.memory.name}_word` : a.op);
    };
    const variable = inner.has(e.id) ? undefined : statements.get(e.id)?.variable;
    const base = e.name ?? variable ?? derive(e, hint);
    return base.length <= MAX_DERIVED ? base : undefined;
  };
}
function derive(e: OpExpr, hint: (a: Expr) => string): string {
  const a = e.args.map(hint);
  const row = OPS[e.op];
  return row.label ? row.label(a, e) : row.arity === 2 ? `${a[0]}_${e.op}_${a[1]}` : [e.op, ...a].join('_');
}
