/**
 * How a module's expressions print. Every op, and every memory read not printed inline, gets a
 * name: the user's variable or one derived from the op and its operands (op-names.ts), numbered in
 * a fixed walk order where it repeats (and `<memory>_word_<n>` for reads), so output is
 * byte-identical across runs. An operand prints as its name (or a literal); an op's own value
 * prints in the Verilog form of its op-table row, with operands extended explicitly so Verilog's
 * context-dependent width and sign rules never decide a value.
 */
import type { Expr, ModuleIR } from '../ir/nodes.ts';
import { moduleView } from '../ir/nodes.ts';
import { OPS, type VerilogForms } from '../ir/ops.ts';
import { VERILOG_KEYWORDS } from '../builder/names.ts';
import { opNamer } from './op-names.ts';
import { mask } from '../ir/types.ts';
import type { VExpr } from './ast.ts';

export const id = (name: string): VExpr => ({ k: 'id', name });
export const lit = (width: number, signed: boolean, bits: bigint): VExpr => ({ k: 'lit', width, signed, bits: bits & mask(width) });

export interface Operands {
  /** Every expression the module reads, children first. */
  readonly order: readonly Expr[];
  /** The name of an op or a named memory read. */
  name(e: Expr): string | undefined;
  /** A fresh name `<base>_<n>`, taken by nothing else in the module. */
  fresh(base: string): string;
  /** An expression where another reads it: a name, a literal, or an inline `mem[addr]`. */
  operand(e: Expr): VExpr;
  /** The value an op or memory read computes, for its declaration. */
  rhs(e: Expr): VExpr;
}

export function operands(m: ModuleIR, inlineReads: ReadonlySet<number>, readableNames = true): Operands {
  const taken = new Set<string>([...m.signals.map((s) => s.name), ...m.memories.map((x) => x.name), ...m.instances.map((i) => i.name), 'clk', 'rst']);
  const counters = new Map<string, number>();
  const fresh = (base: string): string => {
    let n = counters.get(base) ?? 0;
    while (taken.has(`${base}_${n}`)) n++;
    counters.set(base, n + 1);
    taken.add(`${base}_${n}`);
    return `${base}_${n}`;
  };
  // A readable name is used bare the first time; a repeat, a keyword or a clash gets a number.
  const readable = (base: string): string => {
    if (/^[0-9]/.test(base)) base = `v${base}`;
    if (taken.has(base) || VERILOG_KEYWORDS.has(base)) return fresh(base);
    taken.add(base);
    return base;
  };
  const { order } = moduleView(m);
  const baseName = readableNames ? opNamer(order) : () => undefined;
  const names = new Map<number, string>();
  for (const e of order) {
    if (e.kind === 'op') {
      const base = baseName(e, names);
      names.set(e.id, base === undefined ? fresh(e.op) : readable(base));
    } else if (e.kind === 'memread' && !inlineReads.has(e.id)) names.set(e.id, fresh(`${e.memory.name}_word`));
  }

  const operand = (e: Expr): VExpr => {
    if (e.kind === 'const') return lit(e.type.width, e.type.signed, e.bits);
    if (e.kind === 'ref') return id(e.signal.name);
    if (e.kind === 'memread' && inlineReads.has(e.id)) return { k: 'word', mem: e.memory.name, addr: operand(e.addr) };
    return id(names.get(e.id)!);
  };
  /** Bits [hi:lo] of an operand; constants are folded. */
  const bits = (e: Expr, hi: number, lo: number): VExpr => {
    if (e.kind === 'const') return lit(hi - lo + 1, false, e.bits >> BigInt(lo));
    const name = (operand(e) as { name: string }).name;
    return e.type.width === 1 ? id(name) : { k: 'index', name, hi, lo };
  };
  /** An operand extended (by its own signedness) to `width` bits, as an unsigned bit pattern. */
  const extend = (e: Expr, width: number): VExpr => {
    const w = e.type.width;
    if (e.kind === 'const') return lit(width, false, e.type.signed ? BigInt.asIntN(w, e.bits) : e.bits);
    if (width === w) return operand(e);
    const fill: VExpr = e.type.signed ? { k: 'rep', count: width - w, a: bits(e, w - 1, w - 1) } : lit(width - w, false, 0n);
    const fillPart: VExpr = e.type.signed && width - w === 1 ? bits(e, w - 1, w - 1) : fill;
    return { k: 'cat', parts: [fillPart, operand(e)] };
  };
  const forms: VerilogForms<VExpr> = {
    operand, extend, bits,
    lit: (width, b) => lit(width, false, b),
    bin: (op, a, b) => ({ k: 'bin', op, a, b }),
    un: (op, a) => ({ k: 'un', op, a }),
    tern: (c, t, f) => ({ k: 'tern', c, t, f }),
    cat: (parts) => ({ k: 'cat', parts }),
    rep: (count, a) => ({ k: 'rep', count, a }),
    signed: (a) => ({ k: 'signed', a }),
  };
  const rhs = (e: Expr): VExpr => {
    if (e.kind === 'memread') return { k: 'word', mem: e.memory.name, addr: operand(e.addr) };
    return e.kind === 'op' ? OPS[e.op].verilog(e, forms) : operand(e);
  };
  return { order, name: (e) => names.get(e.id), fresh, operand, rhs };
}
