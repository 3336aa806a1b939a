/**
 * The op table: one row per primitive operation of the IR. The builder, the checks, the evaluator
 * and the Verilog backend all read this one table, as XLS's op_list does.
 */
import type { HwType } from './types.ts';

export type OpName =
  | 'add' | 'sub' | 'mul' | 'neg'
  | 'and' | 'or' | 'xor' | 'not'
  | 'shl' | 'shr' | 'shlv' | 'shrv'
  | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne'
  | 'mux' | 'cat' | 'slice'
  | 'andr' | 'orr' | 'xorr'
  | 'resize' | 'asuint' | 'assint';

export interface OpInfo {
  /** Operand count; -1 for any number (cat). */
  arity: number;
  /** Verilog operator for binary/unary ops printed infix/prefix; undefined for ops printed specially. */
  verilog?: string;
  /** Operands must agree in signedness (checked by the builder). */
  sameSign?: boolean;
  /** Operands must agree in width too. */
  sameWidth?: boolean;
  /** Result type from operand types and integer params. */
  result(args: readonly HwType[], params: readonly number[]): HwType;
}

const bool: HwType = { signed: false, width: 1 };
const grow = (args: readonly HwType[]): HwType => ({
  signed: args[0]!.signed,
  width: Math.max(args[0]!.width, args[1]!.width) + 1,
});
const same = (args: readonly HwType[]): HwType => args[0]!;
const compare = { arity: 2, sameSign: true, result: () => bool };

export const OPS: Record<OpName, OpInfo> = {
  add: { arity: 2, verilog: '+', sameSign: true, result: grow },
  sub: { arity: 2, verilog: '-', sameSign: true, result: grow },
  mul: { arity: 2, verilog: '*', sameSign: true, result: (a) => ({ signed: a[0]!.signed, width: a[0]!.width + a[1]!.width }) },
  neg: { arity: 1, verilog: '-', result: (a) => ({ signed: true, width: a[0]!.width + 1 }) },
  and: { arity: 2, verilog: '&', sameSign: true, sameWidth: true, result: same },
  or: { arity: 2, verilog: '|', sameSign: true, sameWidth: true, result: same },
  xor: { arity: 2, verilog: '^', sameSign: true, sameWidth: true, result: same },
  not: { arity: 1, verilog: '~', result: same },
  // shl/shr by a constant k (params[0]): shl grows by k, shr shrinks by k (never below 1 bit).
  shl: { arity: 1, result: (a, p) => ({ signed: a[0]!.signed, width: a[0]!.width + p[0]! }) },
  shr: { arity: 1, result: (a, p) => ({ signed: a[0]!.signed, width: Math.max(1, a[0]!.width - p[0]!) }) },
  // shifts by a signal keep the width; shrv is arithmetic for signed operands.
  shlv: { arity: 2, result: same },
  shrv: { arity: 2, result: same },
  lt: { ...compare, verilog: '<' },
  le: { ...compare, verilog: '<=' },
  gt: { ...compare, verilog: '>' },
  ge: { ...compare, verilog: '>=' },
  eq: { ...compare, verilog: '==' },
  ne: { ...compare, verilog: '!=' },
  mux: { arity: 3, result: (a) => a[1]! },
  cat: { arity: -1, result: (a) => ({ signed: false, width: a.reduce((s, t) => s + t.width, 0) }) },
  // slice [params[0] : params[1]]
  slice: { arity: 1, result: (_a, p) => ({ signed: false, width: p[0]! - p[1]! + 1 }) },
  andr: { arity: 1, verilog: '&', result: () => bool },
  orr: { arity: 1, verilog: '|', result: () => bool },
  xorr: { arity: 1, verilog: '^', result: () => bool },
  // resize to params[0] bits: sign- or zero-extend, or truncate (explicitly requested by the user).
  resize: { arity: 1, result: (a, p) => ({ signed: a[0]!.signed, width: p[0]! }) },
  asuint: { arity: 1, result: (a) => ({ signed: false, width: a[0]!.width }) },
  assint: { arity: 1, result: (a) => ({ signed: true, width: a[0]!.width }) },
};
