/** A small Verilog-2005 AST: just what the backend emits. Only printer.ts turns it into text. */

export type VExpr =
  | { k: 'id'; name: string }
  | { k: 'lit'; width: number; signed: boolean; bits: bigint }
  | { k: 'bin'; op: string; a: VExpr; b: VExpr }
  | { k: 'un'; op: string; a: VExpr }
  | { k: 'tern'; c: VExpr; t: VExpr; f: VExpr }
  | { k: 'cat'; parts: VExpr[] }
  | { k: 'rep'; count: number; a: VExpr }
  | { k: 'index'; name: string; hi: number; lo: number }
  | { k: 'word'; mem: string; addr: VExpr }
  | { k: 'signed'; a: VExpr };

export type VStmt =
  | { k: 'set'; lhs: VExpr; rhs: VExpr; nonblocking: boolean; comment?: string }
  | { k: 'if'; cond: VExpr; then: VStmt[]; else: VStmt[] }
  /** An immediate `assert`/`assume`/`cover`; only inside a `formal` item. */
  | { k: 'check'; kind: 'assert' | 'assume' | 'cover'; cond: VExpr; comment?: string };

export interface VDecl {
  k: 'decl';
  net: 'wire' | 'reg';
  signed: boolean;
  width: number;
  name: string;
  /** Declaration initialiser: a continuous assignment for wires, a power-up value for regs. */
  init?: VExpr;
  /** Memory depth, for `reg [w-1:0] name [0:depth-1]`. */
  depth?: number;
  /** Wrap in lint_off UNUSEDSIGNAL: the signal is (partly) unread by design. */
  unused?: boolean;
  comment?: string;
}

export type VItem =
  | VDecl
  | { k: 'assign'; lhs: string; rhs: VExpr; comment?: string }
  /** `blockingTemps`: the clocked block computes branch-local temporaries with `=` (lint waiver). */
  | { k: 'always'; clocked: boolean; body: VStmt[]; comment?: string; blockingTemps?: boolean }
  | { k: 'initial'; body: VStmt[] }
  /** Formal checks inside `ifdef FORMAL`, in an `always @*`; `clocked`: skipped while `rst` is high. */
  | { k: 'formal'; clocked: boolean; body: VStmt[] }
  /** `dir`: whether a connection feeds the child (the parent reads it) or is driven by it. */
  | { k: 'instance'; module: string; name: string; conns: { port: string; value: VExpr; dir: 'in' | 'out' }[]; comment?: string }
  | { k: 'blank'; comment?: string };

export interface VPort {
  dir: 'input' | 'output';
  net: 'wire' | 'reg';
  signed: boolean;
  width: number;
  name: string;
  unused?: boolean;
  comment?: string;
}

export interface VModule {
  name: string;
  header: string[];
  ports: VPort[];
  items: VItem[];
}
