/**
 * The front end: reads a TS function with ts-morph and runs it symbolically, building the dataflow
 * graph. Loops with constant bounds run (so they unroll), calls inline, and control flow becomes
 * predicates: an assignment under a data-dependent `if` is a mux of the new and the old value, a
 * `return`, `break` or `continue` under one clears the predicate of what follows. Every construct
 * outside the subset is an error at its line, saying what to write instead.
 */
import {
  Node, Project, SyntaxKind, type Block, type Expression, type FunctionDeclaration, type SourceFile, type Statement,
} from 'ts-morph';
import type { PayloadType, SourceLoc } from '../dsl/index.ts';
import { Graph, INT32, typeRange, type HNode, type HOp } from './graph.ts';
import { HlsError } from './errors.ts';
import { HELPER_NAMES } from './helpers.ts';

/** A value during symbolic execution: a number, a boolean (a 0/1 node), or an array of values. */
export type Val = { t: 'num'; n: HNode } | { t: 'bool'; n: HNode } | { t: 'arr'; items: Val[] };

interface Binding { v: Val; isConst: boolean; declEff: HNode }
interface LoopState { broken: HNode; continued: HNode }
/** `outer`: the caller's predicate at the call, which guards writes to arrays the caller may see. */
interface Frame { name: string; scopes: Map<string, Binding>[]; path: HNode; outer: HNode; returned: HNode; ret?: Val; loops: LoopState[] }

/** What the front end hands the back end. */
export interface Kernel {
  name: string;
  graph: Graph;
  params: string[];
  result: Val;
  loc: SourceLoc;
}

const MAX_ITERATIONS = 1 << 16;

export interface FrontendSource { file: string; text?: string }

/** Parse `source` and compile its exported function `fnName` with argument types `types`. */
export function compileFunction(source: FrontendSource, fnName: string, types: Record<string, PayloadType>): Kernel {
  const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true, compilerOptions: { allowJs: true } });
  const sf = source.text !== undefined ? project.createSourceFile(source.file, source.text, { overwrite: true }) : project.addSourceFileAtPath(source.file);
  return new Interp(sf, source.file).run(fnName, types);
}

class Interp {
  readonly g = new Graph();
  private readonly frames: Frame[] = [];
  private readonly globals = new Map<string, Val | 'busy'>();
  private readonly one: HNode;
  private readonly zero: HNode;

  constructor(private readonly sf: SourceFile, private readonly file: string) {
    const loc = { file, line: 1, column: 1 };
    this.one = this.g.constant(1n, loc);
    this.zero = this.g.constant(0n, loc);
  }

  private loc(n: Node): SourceLoc {
    const { line, column } = this.sf.getLineAndColumnAtPos(n.getStart());
    return { file: this.file, line, column };
  }
  private err(n: Node, msg: string): never {
    throw new HlsError(msg, this.loc(n));
  }

  run(fnName: string, types: Record<string, PayloadType>): Kernel {
    const fn = this.sf.getFunction(fnName);
    if (!fn) {
      const names = this.sf.getFunctions().map((f) => f.getName()).filter(Boolean);
      throw new HlsError(`no function '${fnName}' in ${this.file} (its functions: ${names.join(', ') || 'none'}); write it as \`export function ${fnName}(...)\``, { file: this.file, line: 1, column: 1 });
    }
    if (!fn.isExported()) this.err(fn, `function '${fnName}' is not exported; add \`export\` so Node can call it to check the hardware`);
    const params = fn.getParameters();
    const names = params.map((p) => p.getName());
    for (const k of Object.keys(types))
      if (!names.includes(k)) throw new HlsError(`the type map names '${k}', which is no parameter of ${fnName} (parameters: ${names.join(', ')})`, this.loc(fn));
    const args = params.map((p) => {
      const t = types[p.getName()];
      if (!t) this.err(p, `parameter '${p.getName()}' of ${fnName} has no type in the type map; give one, e.g. { ${p.getName()}: sint(8) } or { ${p.getName()}: Vec(sint(8), 4) }`);
      return this.inputVal(p, t, [p.getName()]);
    });
    const result = this.call(fn, args, this.one, fn);
    if (!result) this.err(fn, `${fnName} returns no value; a kernel returns a number, a boolean or an array of numbers`);
    return { name: fnName, graph: this.g, params: names, result, loc: this.loc(fn) };
  }

  private inputVal(at: Node, t: PayloadType, path: (string | number)[]): Val {
    if ('width' in t && 'signed' in t) {
      const [lo, hi] = typeRange(t.signed, t.width);
      if (hi > 2n ** 53n - 1n || lo < -(2n ** 53n - 1n)) this.err(at, `${path.join('.')}: ${t.width}-bit values do not fit a TS number exactly; use at most 53 bits`);
      return { t: 'num', n: this.g.input(path, lo, hi, this.loc(at)) };
    }
    if ('kind' in t && t.kind === 'vector') {
      const v = t as { element: PayloadType; length: number };
      return { t: 'arr', items: Array.from({ length: v.length }, (_, i) => this.inputVal(at, v.element, [...path, i])) };
    }
    return this.err(at, `${path.join('.')} has a record type: the HLS subset takes numbers and (nested) arrays of numbers as parameters, typed with uint/sint and Vec`);
  }

  // ---- frames, predicates ----------------------------------------------------------------------
  private get frame(): Frame { return this.frames[this.frames.length - 1]!; }
  private and(a: HNode, b: HNode, at: Node): HNode {
    if (a === this.zero || b === this.zero) return this.zero;
    if (a === this.one) return b;
    if (b === this.one) return a;
    if (isNot(a, b) || isNot(b, a)) return this.zero;
    return a === b ? a : this.g.op('and', [a, b], this.loc(at));
  }
  private or(a: HNode, b: HNode, at: Node): HNode {
    if (a === this.one || b === this.one) return this.one;
    if (a === this.zero) return b;
    if (b === this.zero) return a;
    if (isNot(a, b) || isNot(b, a)) return this.one;
    return a === b ? a : this.g.op('or', [a, b], this.loc(at));
  }
  private not(a: HNode, at: Node): HNode {
    if (a.op === 'lnot') return a.args[0]!;
    return this.g.op('lnot', [a], this.loc(at));
  }
  /** The condition under which the current statement runs. */
  private eff(at: Node): HNode {
    const f = this.frame;
    let e = this.and(f.path, this.not(f.returned, at), at);
    for (const l of f.loops) e = this.and(e, this.not(this.or(l.broken, l.continued, at), at), at);
    return e;
  }

  private merge(c: HNode, a: Val, b: Val, at: Node): Val {
    if (c === this.one) return a;
    if (c === this.zero) return b;
    if (a.t === 'arr' || b.t === 'arr') {
      if (a.t !== 'arr' || b.t !== 'arr' || a.items.length !== b.items.length)
        this.err(at, `this joins ${describe(a)} and ${describe(b)} under a data-dependent condition; both sides must have the same shape`);
      if (a === b) return a;
      return { t: 'arr', items: a.items.map((x, i) => this.merge(c, x, b.items[i]!, at)) };
    }
    const n = this.g.op('mux', [c, a.n, b.n], this.loc(at));
    return { t: a.t === 'bool' && b.t === 'bool' ? 'bool' : 'num', n };
  }

  // ---- calls -------------------------------------------------------------------------------------
  private call(fn: FunctionDeclaration, args: Val[], path: HNode, at: Node): Val | undefined {
    const name = fn.getName() ?? '<anonymous>';
    if (this.frames.some((f) => f.name === name))
      this.err(at, `'${name}' calls itself (recursion), which has no fixed hardware size; rewrite it as a for loop with a constant bound`);
    if (fn.isAsync() || fn.isGenerator()) this.err(fn, `'${name}' is async or a generator; the HLS subset takes plain synchronous functions`);
    const body = fn.getBody();
    if (!body || !Node.isBlock(body)) return this.err(fn, `'${name}' has no body`);
    const scope = new Map<string, Binding>();
    const params = fn.getParameters();
    if (args.length !== params.length) this.err(at, `'${name}' takes ${params.length} arguments, got ${args.length}`);
    params.forEach((p, i) => {
      if (!Node.isIdentifier(p.getNameNode())) this.err(p, 'destructured parameters are not in the HLS subset; take the array or number and index it');
      if (p.hasInitializer()) this.err(p, 'default parameter values are not in the HLS subset; pass every argument');
      scope.set(p.getName(), { v: args[i]!, isConst: false, declEff: path });
    });
    this.frames.push({ name, scopes: [scope], path: this.one, outer: path, returned: this.zero, loops: [] });
    try {
      this.block(body);
      const f = this.frame;
      if (f.ret && f.returned !== this.one && !alwaysReturns(body))
        this.err(body.getLastToken(), `'${name}' does not return a value on every path; add a final return`);
      return f.ret;
    } finally {
      this.frames.pop();
    }
  }

  // ---- statements --------------------------------------------------------------------------------
  private block(b: Block): void {
    this.frame.scopes.push(new Map());
    try {
      for (const s of b.getStatements()) this.stmt(s);
    } finally {
      this.frame.scopes.pop();
    }
  }

  private stmt(s: Statement): void {
    if (this.eff(s) === this.zero) return; // nothing below runs on any path
    if (Node.isBlock(s)) return this.block(s);
    if (Node.isVariableStatement(s)) {
      for (const d of s.getDeclarations()) {
        if (!Node.isIdentifier(d.getNameNode())) this.err(d, 'destructuring is not in the HLS subset; declare one variable per value');
        const init = d.getInitializer();
        if (!init) this.err(d, `'${d.getName()}' has no initial value; initialize it (e.g. let ${d.getName()} = 0)`);
        const v = this.expr(init);
        this.frame.scopes[this.frame.scopes.length - 1]!.set(d.getName(), { v, isConst: s.getDeclarationKind() === 'const', declEff: this.eff(s) });
      }
      return;
    }
    if (Node.isExpressionStatement(s)) {
      this.expr(s.getExpression());
      return;
    }
    if (Node.isIfStatement(s)) {
      const c = this.cond(s.getExpression());
      const path = this.frame.path;
      try {
        if (c !== this.zero) {
          this.frame.path = this.and(path, c, s);
          this.stmt(s.getThenStatement());
        }
        const e = s.getElseStatement();
        if (e && c !== this.one) {
          this.frame.path = this.and(path, this.not(c, s), s);
          this.stmt(e);
        }
      } finally {
        this.frame.path = path;
      }
      return;
    }
    if (Node.isReturnStatement(s)) {
      const e = s.getExpression();
      const eff = this.eff(s);
      if (e) {
        const v = this.expr(e);
        const f = this.frame;
        if (f.ret && shapeOf(f.ret) !== shapeOf(v)) this.err(s, `this returns ${describe(v)} where an earlier return gave ${describe(f.ret)}; return the same shape on every path`);
        f.ret = f.ret ? this.merge(eff, v, f.ret, s) : v;
      }
      this.frame.returned = this.or(this.frame.returned, eff, s);
      return;
    }
    if (Node.isBreakStatement(s) || Node.isContinueStatement(s)) {
      if (s.getLabel()) this.err(s, 'labelled break/continue is not in the HLS subset; use a flag variable');
      const l = this.frame.loops[this.frame.loops.length - 1];
      if (!l) this.err(s, `${s.getKindName()} outside a loop`);
      const eff = this.eff(s);
      if (Node.isBreakStatement(s)) l.broken = this.or(l.broken, eff, s);
      else l.continued = this.or(l.continued, eff, s);
      return;
    }
    if (Node.isForStatement(s)) return this.forLoop(s);
    if (Node.isForOfStatement(s)) return this.forOf(s);
    if (Node.isWhileStatement(s)) return this.whileLoop(s);
    if (Node.isEmptyStatement(s)) return;
    if (Node.isFunctionDeclaration(s)) this.err(s, 'a nested function is a closure; move it to the top level of the file');
    if (Node.isSwitchStatement(s)) this.err(s, 'switch is not in the HLS subset; use if / else if');
    if (Node.isDoStatement(s)) this.err(s, 'do-while is not in the HLS subset; use a for loop with a constant bound');
    if (Node.isForInStatement(s)) this.err(s, 'for-in is not in the HLS subset; use for (let i = 0; i < a.length; i++)');
    if (Node.isThrowStatement(s) || Node.isTryStatement(s)) this.err(s, 'exceptions are not in the HLS subset; compute a value (e.g. saturate) instead');
    this.err(s, `${s.getKindName()} is not in the HLS subset`);
  }

  private loopBody(body: Statement, step: () => void, more: () => boolean, at: Node): void {
    const loop: LoopState = { broken: this.zero, continued: this.zero };
    const entry = this.frame.path;
    this.frame.loops.push(loop);
    let n = 0;
    try {
      while (this.unguarded(loop, entry, more)) {
        if (++n > MAX_ITERATIONS) this.err(at, `this loop runs more than ${MAX_ITERATIONS} iterations; unrolled, that is too much hardware: use a smaller constant bound`);
        loop.continued = this.zero;
        this.stmt(body);
        loop.continued = this.zero;
        if (loop.broken === this.one || this.eff(at) === this.zero) break;
        // The update runs as on every path (a path that broke or returned never reads the counter
        // again), so the counter stays a constant and the bound decidable.
        this.unguarded(loop, entry, step);
      }
    } finally {
      this.frame.loops.pop();
    }
  }

  /** Run `f` as if every path were still in the loop (for the loop's own condition and update). */
  private unguarded<T>(loop: LoopState, entry: HNode, f: () => T): T {
    const fr = this.frame;
    const saved = [fr.loops, fr.returned, fr.path] as const;
    fr.loops = fr.loops.map(() => ({ broken: this.zero, continued: this.zero }));
    fr.returned = this.zero;
    fr.path = entry;
    try { return f(); } finally { [fr.loops, fr.returned, fr.path] = saved; }
  }

  private constCond(e: Expression | undefined, at: Node): boolean {
    if (!e) return true;
    const c = this.cond(e);
    if (c !== this.one && c !== this.zero)
      this.err(e, `the loop condition '${e.getText()}' depends on the data, so the loop has no fixed number of iterations; loop to a constant bound and put an if (...) break inside the body`);
    void at;
    return c === this.one;
  }

  private forLoop(s: import('ts-morph').ForStatement): void {
    this.frame.scopes.push(new Map());
    try {
      const init = s.getInitializer();
      if (init) {
        if (Node.isVariableDeclarationList(init)) {
          for (const d of init.getDeclarations()) {
            const i = d.getInitializer();
            if (!i) this.err(d, 'initialize the loop variable');
            // Declared as on every path of the loop's entry, like its updates (see unguarded).
            this.frame.scopes[this.frame.scopes.length - 1]!.set(d.getName(), { v: this.expr(i), isConst: false, declEff: this.frame.path });
          }
        } else this.expr(init);
      }
      const inc = s.getIncrementor();
      this.loopBody(s.getStatement(), () => { if (inc) this.expr(inc); }, () => this.constCond(s.getCondition(), s), s);
    } finally {
      this.frame.scopes.pop();
    }
  }

  private whileLoop(s: import('ts-morph').WhileStatement): void {
    this.loopBody(s.getStatement(), () => {}, () => this.constCond(s.getExpression(), s), s);
  }

  private forOf(s: import('ts-morph').ForOfStatement): void {
    const arr = this.expr(s.getExpression());
    if (arr.t !== 'arr') this.err(s.getExpression(), 'for-of needs an array');
    const init = s.getInitializer();
    if (!Node.isVariableDeclarationList(init) || init.getDeclarations().length !== 1 || !Node.isIdentifier(init.getDeclarations()[0]!.getNameNode()))
      this.err(s, 'write for (const x of array)');
    const name = init.getDeclarations()[0]!.getName();
    const items = [...arr.items];
    const binding: Binding = { v: items[0]!, isConst: true, declEff: this.eff(s) };
    this.frame.scopes.push(new Map([[name, binding]]));
    let i = 0;
    try {
      this.loopBody(s.getStatement(), () => { i++; }, () => {
        if (i >= items.length) return false;
        binding.v = items[i]!;
        return true;
      }, s);
    } finally {
      this.frame.scopes.pop();
    }
  }

  // ---- expressions -------------------------------------------------------------------------------
  private num(e: Expression): HNode {
    const v = this.expr(e);
    if (v.t === 'arr') this.err(e, `'${e.getText()}' is an array where a number is needed`);
    return v.n;
  }

  /** A condition: a boolean, or a number's truthiness (x !== 0). */
  private cond(e: Expression): HNode {
    const v = this.expr(e);
    if (v.t === 'arr') this.err(e, `an array is not a condition; compare its elements`);
    return v.t === 'bool' ? v.n : this.g.op('ne', [v.n, this.zero], this.loc(e));
  }

  private expr(e: Expression): Val {
    const at = this.loc(e);
    if (Node.isParenthesizedExpression(e) || Node.isAsExpression(e) || Node.isNonNullExpression(e) || Node.isTypeAssertion(e) || Node.isSatisfiesExpression(e))
      return this.expr(e.getExpression());
    if (Node.isNumericLiteral(e)) {
      const v = e.getLiteralValue();
      if (!Number.isInteger(v)) this.err(e, `${e.getText()} is not an integer; floats are not in the HLS subset: scale to integers (fixed point)`);
      if (!Number.isSafeInteger(v)) this.err(e, `${e.getText()} is beyond 2^53; a TS number cannot hold it exactly`);
      return { t: 'num', n: this.g.constant(BigInt(v), at) };
    }
    if (Node.isTrueLiteral(e)) return { t: 'bool', n: this.one };
    if (Node.isFalseLiteral(e)) return { t: 'bool', n: this.zero };
    if (Node.isIdentifier(e)) return this.lookup(e);
    if (Node.isArrayLiteralExpression(e)) {
      return { t: 'arr', items: e.getElements().map((x) => {
        if (Node.isSpreadElement(x)) this.err(x, 'spread is not in the HLS subset; copy elements in a for loop');
        if (Node.isOmittedExpression(x)) this.err(x, 'holes in array literals are not in the HLS subset');
        return this.expr(x);
      }) };
    }
    if (Node.isPrefixUnaryExpression(e)) return this.prefix(e);
    if (Node.isPostfixUnaryExpression(e)) {
      const old = this.expr(e.getOperand());
      const op = e.getOperatorToken() === SyntaxKind.PlusPlusToken ? 'add' : 'sub';
      this.assign(e.getOperand(), { t: 'num', n: this.g.op(op, [this.numOf(old, e), this.one], at) }, e);
      return old;
    }
    if (Node.isBinaryExpression(e)) return this.binary(e);
    if (Node.isConditionalExpression(e)) {
      const c = this.cond(e.getCondition());
      if (c === this.one) return this.expr(e.getWhenTrue());
      if (c === this.zero) return this.expr(e.getWhenFalse());
      const path = this.frame.path;
      try {
        this.frame.path = this.and(path, c, e);
        const a = this.expr(e.getWhenTrue());
        this.frame.path = this.and(path, this.not(c, e), e);
        const b = this.expr(e.getWhenFalse());
        return this.merge(c, a, b, e);
      } finally {
        this.frame.path = path;
      }
    }
    if (Node.isElementAccessExpression(e)) {
      const arr = this.expr(e.getExpression());
      if (arr.t !== 'arr') this.err(e, `'${e.getExpression().getText()}' is not an array`);
      const arg = e.getArgumentExpression();
      if (!arg) this.err(e, 'missing index');
      return this.readIndex(arr, this.num(arg), e);
    }
    if (Node.isPropertyAccessExpression(e)) {
      const name = e.getName();
      if (name === 'length') {
        const a = this.expr(e.getExpression());
        if (a.t === 'arr') return { t: 'num', n: this.g.constant(BigInt(a.items.length), at) };
      }
      if (e.getExpression().getText() === 'Math') this.err(e, `Math.${name} is not in the HLS subset (it is not an integer); use integer constants`);
      this.err(e, `property '.${name}' is not in the HLS subset: objects are not; use arrays and numbers (and .length)`);
    }
    if (Node.isCallExpression(e)) return this.callExpr(e);
    if (Node.isNewExpression(e)) this.err(e, `'new' is not in the HLS subset; make arrays with new Array(n).fill(v) or [a, b, ...]`);
    if (Node.isStringLiteral(e) || Node.isNoSubstitutionTemplateLiteral(e) || Node.isTemplateExpression(e))
      this.err(e, 'strings are not in the HLS subset; hardware computes numbers: encode choices as integer constants');
    if (Node.isArrowFunction(e) || Node.isFunctionExpression(e))
      this.err(e, 'closures (arrow functions, function expressions) are not in the HLS subset; write a top-level function and call it');
    if (Node.isObjectLiteralExpression(e)) this.err(e, 'objects are not in the HLS subset; use arrays and numbers');
    if (Node.isBigIntLiteral(e)) this.err(e, 'bigint is not in the HLS subset; the kernel computes TS numbers (exact up to 2^53)');
    return this.err(e, `${e.getKindName()} '${e.getText().slice(0, 40)}' is not in the HLS subset`);
  }

  private numOf(v: Val, at: Node): HNode {
    if (v.t === 'arr') this.err(at, 'an array where a number is needed');
    return v.n;
  }

  private lookup(id: import('ts-morph').Identifier): Val {
    const name = id.getText();
    if (name === 'undefined') this.err(id, 'undefined is not in the HLS subset; use a number');
    if (name === 'Infinity' || name === 'NaN') this.err(id, `${name} is not an integer; the HLS subset computes integers`);
    for (let i = this.frame.scopes.length - 1; i >= 0; i--) {
      const b = this.frame.scopes[i]!.get(name);
      if (b) return b.v;
    }
    return this.global(id, name);
  }

  /** A module-level `const` (a number or a constant table), evaluated once. */
  private global(at: Node, name: string): Val {
    const hit = this.globals.get(name);
    if (hit === 'busy') this.err(at, `'${name}' is defined in terms of itself`);
    if (hit) return hit;
    const decl = this.sf.getVariableDeclaration(name);
    if (!decl) {
      if (this.sf.getFunction(name)) this.err(at, `function '${name}' used as a value (a closure); call it directly`);
      const outer = this.frames.length > 1 ? ' (a kernel function sees only its parameters, its locals and module-level constants)' : '';
      this.err(at, `'${name}' is not defined here${outer}`);
    }
    const stmt = decl.getVariableStatement();
    if (!stmt || stmt.getDeclarationKind() !== 'const') this.err(decl, `module-level '${name}' must be a const (a constant or table), not a mutable variable`);
    const init = decl.getInitializer();
    if (!init) this.err(decl, `'${name}' has no value`);
    this.globals.set(name, 'busy');
    // Evaluated in a frame of its own: only constants may come out.
    this.frames.push({ name: `<const ${name}>`, scopes: [new Map()], path: this.one, outer: this.one, returned: this.zero, loops: [] });
    let v: Val;
    try {
      v = this.expr(init);
    } finally {
      this.frames.pop();
    }
    const allConst = (x: Val): boolean => (x.t === 'arr' ? x.items.every(allConst) : x.n.op === 'const');
    if (!allConst(v)) this.err(decl, `module-level '${name}' must be a constant`);
    this.globals.set(name, v);
    return v;
  }

  /** `arr[i]`: a constant index picks the element; a data index a mux tree, or a ROM for a constant table. */
  private readIndex(arr: { t: 'arr'; items: Val[] }, i: HNode, at: Node): Val {
    const n = arr.items.length;
    if (i.lo < 0n || i.hi >= BigInt(n))
      this.err(at, `index '${at.getChildAtIndex(2)?.getText() ?? ''}' can be ${i.lo}..${i.hi}, outside 0..${n - 1} of this array (TS would read undefined); mask or clamp it (e.g. & ${n - 1} or Math.min(i, ${n - 1}))`);
    if (i.op === 'const') return arr.items[Number(i.value)]!;
    const items = arr.items.slice(Number(i.lo), Number(i.hi) + 1);
    if (items.some((x) => x.t === 'arr')) {
      const len = items[0]!.t === 'arr' ? items[0]!.items.length : -1;
      if (!items.every((x) => x.t === 'arr' && x.items.length === len)) this.err(at, 'rows of different lengths indexed by data');
      return { t: 'arr', items: Array.from({ length: len }, (_, k) => this.readIndex({ t: 'arr', items: arr.items.map((r) => (r as { items: Val[] }).items[k]!) }, i, at)) };
    }
    const nodes = arr.items.map((x) => (x as { n: HNode }).n);
    const isBool = items.every((x) => x.t === 'bool');
    if (nodes.every((x) => x.op === 'const'))
      return { t: isBool ? 'bool' : 'num', n: this.g.op('rom', [i], this.loc(at), [], nodes.map((x) => x.value!)) };
    return { t: isBool ? 'bool' : 'num', n: this.g.op('sel', [i, ...nodes], this.loc(at)) };
  }

  /** Store `v` into an identifier or an element, under the current predicate. */
  private assign(target: Expression, v: Val, at: Node): void {
    const eff = this.eff(at);
    if (Node.isParenthesizedExpression(target)) return this.assign(target.getExpression(), v, at);
    if (Node.isIdentifier(target)) {
      const name = target.getText();
      for (let i = this.frame.scopes.length - 1; i >= 0; i--) {
        const b = this.frame.scopes[i]!.get(name);
        if (!b) continue;
        if (b.isConst) this.err(at, `'${name}' is a const`);
        b.v = eff === b.declEff ? v : this.merge(eff, v, b.v, at);
        return;
      }
      this.err(at, `'${name}' is not a local variable; a kernel assigns only its own variables and arrays`);
    }
    if (Node.isElementAccessExpression(target)) {
      const eff = this.and(this.frame.outer, this.eff(at), at);
      const arr = this.expr(target.getExpression());
      if (arr.t !== 'arr') this.err(target, `'${target.getExpression().getText()}' is not an array`);
      const i = this.num(target.getArgumentExpressionOrThrow());
      const n = arr.items.length;
      if (i.lo < 0n || i.hi >= BigInt(n))
        this.err(at, `index can be ${i.lo}..${i.hi}, outside 0..${n - 1}: TS would grow the array, hardware cannot; keep indices in range`);
      for (let k = Number(i.lo); k <= Number(i.hi); k++) {
        const hit = i.op === 'const' ? eff : this.and(eff, this.g.op('eq', [i, this.g.constant(BigInt(k), this.loc(at))], this.loc(at)), at);
        arr.items[k] = this.merge(hit, v, arr.items[k]!, at);
      }
      return;
    }
    this.err(at, `cannot assign to '${target.getText()}'; assign variables or array elements`);
  }

  private prefix(e: import('ts-morph').PrefixUnaryExpression): Val {
    const at = this.loc(e);
    const tok = e.getOperatorToken();
    const operand = e.getOperand();
    if (tok === SyntaxKind.PlusPlusToken || tok === SyntaxKind.MinusMinusToken) {
      const v: Val = { t: 'num', n: this.g.op(tok === SyntaxKind.PlusPlusToken ? 'add' : 'sub', [this.num(operand), this.one], at) };
      this.assign(operand, v, e);
      return v;
    }
    if (tok === SyntaxKind.ExclamationToken) return { t: 'bool', n: this.not(this.cond(operand), e) };
    const x = this.num(operand);
    if (tok === SyntaxKind.MinusToken) return { t: 'num', n: this.g.op('neg', [x], at) };
    if (tok === SyntaxKind.PlusToken) return { t: 'num', n: x };
    if (tok === SyntaxKind.TildeToken) return { t: 'num', n: this.g.op('not', [this.int32(x, e)], at) };
    return this.err(e, `operator ${e.getText()[0]} is not in the HLS subset`);
  }

  /** JS ToInt32, as bit operators apply it: a wrap to 32 bits unless the value already fits. */
  private int32(x: HNode, at: Node): HNode {
    return x.lo >= INT32.lo && x.hi <= INT32.hi ? x : this.g.op('wrap', [x], this.loc(at), [32, 1]);
  }
  private uint32(x: HNode, at: Node): HNode {
    return x.lo >= 0n && x.hi <= 0xffffffffn ? x : this.g.op('wrap', [x], this.loc(at), [32, 0]);
  }

  private binary(e: import('ts-morph').BinaryExpression): Val {
    const at = this.loc(e);
    const k = e.getOperatorToken().getKind();
    const left = e.getLeft();
    const right = e.getRight();
    const compound = COMPOUND.get(k);
    if (k === SyntaxKind.EqualsToken || compound !== undefined) {
      const v = compound !== undefined ? this.arith(compound, this.num(left), this.num(right), e) : this.expr(right);
      this.assign(left, v, e);
      return v;
    }
    if (k === SyntaxKind.AmpersandAmpersandToken || k === SyntaxKind.BarBarToken) {
      const a = this.expr(left);
      if (a.t !== 'bool') this.err(left, `${k === SyntaxKind.BarBarToken ? '||' : '&&'} on a number is not in the HLS subset; compare it (x !== 0) to get a boolean`);
      const isAnd = k === SyntaxKind.AmpersandAmpersandToken;
      if (a.n === (isAnd ? this.zero : this.one)) return a; // short circuit, as TS does
      const b = this.expr(right);
      if (b.t !== 'bool') this.err(right, 'both sides of && and || must be booleans here; compare the number (x !== 0)');
      return { t: 'bool', n: isAnd ? this.and(a.n, b.n, e) : this.or(a.n, b.n, e) };
    }
    if (k === SyntaxKind.QuestionQuestionToken) this.err(e, '?? is not in the HLS subset: values are never undefined here');
    const cmp = COMPARE.get(k);
    if (cmp) {
      const a = this.expr(left);
      const b = this.expr(right);
      if (a.t === 'arr' || b.t === 'arr') this.err(e, 'comparing arrays compares references in TS; compare elements');
      if ((cmp === 'eq' || cmp === 'ne') && a.t === 'bool' && b.t === 'bool') return { t: 'bool', n: this.g.op(cmp, [a.n, b.n], at) };
      if (a.t === 'bool' || b.t === 'bool') this.err(e, 'comparing a boolean with a number; use cond ? 1 : 0');
      return { t: 'bool', n: this.g.op(cmp, [a.n, b.n], at) };
    }
    const op = ARITH.get(k);
    if (op === undefined) {
      const t = e.getOperatorToken().getText();
      if (t === '/') {
        const [a, b] = [this.num(left), this.num(right)];
        if (a.op === 'const' && b.op === 'const' && b.value !== 0n && a.value! % b.value! === 0n) return { t: 'num', n: this.g.constant(a.value! / b.value!, at) };
        this.err(e, "'/' gives a non-integer in TS; for a power of two write Math.floor(a / 2 ** k) or a >> k, otherwise a reciprocal table and a multiply");
      }
      if (t === '%') {
        const [a, b] = [this.num(left), this.num(right)];
        if (a.op === 'const' && b.op === 'const' && b.value !== 0n) return { t: 'num', n: this.g.constant(BigInt(Number(a.value!) % Number(b.value!)), at) };
        const p = b.op === 'const' ? b.value! : 0n;
        if (p > 0n && (p & (p - 1n)) === 0n && a.lo >= 0n) return { t: 'num', n: this.g.op('and', [a, this.g.constant(p - 1n, at)], at) };
        this.err(e, "'%' is in the HLS subset only for a non-negative value and a power of two (x % 2 ** k); otherwise use wrapU or a table");
      }
      if (t === '**') {
        const [a, b] = [this.num(left), this.num(right)];
        if (a.op === 'const' && b.op === 'const' && b.value! >= 0n) return { t: 'num', n: this.g.constant(a.value! ** b.value!, at) };
        this.err(e, "'**' needs constant operands in the HLS subset; multiply explicitly");
      }
      if (t === 'in' || t === 'instanceof') this.err(e, `'${t}' is not in the HLS subset`);
      if (t === ',') this.err(e, 'the comma operator is not in the HLS subset; use separate statements');
      this.err(e, `operator '${t}' is not in the HLS subset`);
    }
    const a = this.expr(left);
    const b = this.expr(right);
    if (a.t === 'bool' || b.t === 'bool') this.err(e, `arithmetic on a boolean; write (cond ? 1 : 0)`);
    if (a.t === 'arr' || b.t === 'arr') this.err(e, 'arithmetic on an array (TS would make a string); loop over the elements');
    return this.arith(op, a.n, b.n, e);
  }

  /** + - * and the JS bit operators, with their int32 conversions made explicit. */
  private arith(op: string, a: HNode, b: HNode, e: Node): Val {
    const at = this.loc(e);
    const g = this.g;
    const n = (x: HNode): Val => ({ t: 'num', n: x });
    if (op === 'add' || op === 'sub' || op === 'mul') return n(g.op(op as HOp, [a, b], at));
    if (op === 'and' || op === 'or' || op === 'xor') return n(g.op(op as HOp, [this.int32(a, e), this.int32(b, e)], at));
    // Shifts: JS takes the amount mod 32.
    const amount = b.lo >= 0n && b.hi <= 31n ? b : g.op('and', [this.int32(b, e), g.constant(31n, at)], at);
    if (op === 'shl') {
      const x = this.int32(a, e);
      const r = amount.op === 'const' ? g.op('shl', [x], at, [Number(amount.value)]) : g.op('shlv', [x, amount], at);
      return n(this.int32(r, e));
    }
    const x = op === 'ushr' ? this.uint32(a, e) : this.int32(a, e);
    return n(amount.op === 'const' ? g.op('shr', [x], at, [Number(amount.value)]) : g.op('shrv', [x, amount], at));
  }

  private callExpr(e: import('ts-morph').CallExpression): Val {
    const at = this.loc(e);
    const callee = e.getExpression();
    const args = e.getArguments() as Expression[];
    if (Node.isPropertyAccessExpression(callee)) {
      const obj = callee.getExpression().getText();
      const name = callee.getName();
      if (obj === 'Math') return this.mathCall(name, args, e);
      if (name === 'fill' && Node.isCallExpression(callee.getExpression()) || name === 'fill' && Node.isNewExpression(callee.getExpression())) {
        const mk = callee.getExpression() as import('ts-morph').CallExpression;
        if (mk.getExpression().getText() !== 'Array' || mk.getArguments().length !== 1) this.err(e, 'write new Array(n).fill(v)');
        const len = this.num(mk.getArguments()[0] as Expression);
        if (len.op !== 'const') this.err(mk, 'an array length must be a constant');
        if (args.length !== 1) this.err(e, 'write .fill(v) with one value');
        const v = this.expr(args[0]!);
        if (v.t === 'arr') this.err(e, 'fill with an array would share one array in every slot; build rows in a loop');
        return { t: 'arr', items: Array.from({ length: Number(len.value) }, () => v) };
      }
      if (['map', 'reduce', 'forEach', 'filter', 'some', 'every', 'find', 'findIndex'].includes(name))
        this.err(e, `.${name}(...) takes a closure, which is not in the HLS subset; write a for loop with a constant bound`);
      if (['push', 'pop', 'shift', 'unshift', 'splice'].includes(name)) this.err(e, `.${name}(...) changes an array's length; hardware arrays have a fixed size: preallocate with new Array(n).fill(0)`);
      if (name === 'slice') return this.slice(callee.getExpression(), args, e);
      this.err(e, `method '.${name}(...)' is not in the HLS subset`);
    }
    if (!Node.isIdentifier(callee)) this.err(e, 'only calls of named functions are in the HLS subset');
    const name = callee.getText();
    if (this.isHelper(name)) return this.helperCall(name, args, e);
    if (name === 'Number' || name === 'Boolean' || name === 'parseInt' || name === 'String') this.err(e, `${name}(...) is not in the HLS subset`);
    if (name === 'Array') this.err(e, 'write new Array(n).fill(v)');
    const fn = this.sf.getFunction(name);
    if (!fn) this.err(e, `'${name}' is not a function of this file; the HLS compiler inlines functions of the same file (and the helpers of hls/helpers.ts)`);
    const vals = args.map((a) => this.expr(a));
    return this.call(fn, vals, this.eff(e), e) ?? { t: 'num', n: this.g.constant(0n, at) };
  }

  private slice(arrExpr: Expression, args: Expression[], e: Node): Val {
    const arr = this.expr(arrExpr);
    if (arr.t !== 'arr') this.err(e, 'slice of a non-array');
    const idx = args.map((a) => this.num(a));
    if (idx.some((i) => i.op !== 'const')) this.err(e, 'slice bounds must be constants');
    return { t: 'arr', items: arr.items.slice(...idx.map((i) => Number(i.value))) };
  }

  private isHelper(name: string): boolean {
    if (!(HELPER_NAMES as readonly string[]).includes(name)) return false;
    return this.sf.getImportDeclarations().some((d) => /(^|\/)helpers(\.ts|\.js)?$/.test(d.getModuleSpecifierValue()) && d.getNamedImports().some((i) => (i.getAliasNode()?.getText() ?? i.getName()) === name));
  }

  private helperCall(name: string, args: Expression[], e: Node): Val {
    const at = this.loc(e);
    if (args.length !== 2) this.err(e, `${name}(x, bits) takes two arguments`);
    const x = this.num(args[0]!);
    const bits = this.num(args[1]!);
    if (bits.op !== 'const' || bits.value! < 1n || bits.value! > 53n) this.err(args[1]!, `${name}'s width must be a constant from 1 to 53`);
    const w = Number(bits.value);
    const signed = name.endsWith('S');
    if (name.startsWith('wrap')) return { t: 'num', n: this.g.op('wrap', [x], at, [w, signed ? 1 : 0]) };
    const [lo, hi] = typeRange(signed, w);
    return { t: 'num', n: this.clamp(x, this.g.constant(lo, at), this.g.constant(hi, at), at) };
  }

  private clamp(x: HNode, lo: HNode, hi: HNode, at: SourceLoc): HNode {
    return this.min(this.max(x, lo, at), hi, at);
  }
  private max(a: HNode, b: HNode, at: SourceLoc): HNode {
    if (a.lo >= b.hi) return a;
    if (b.lo >= a.hi) return b;
    return this.g.op('max', [a, b], at);
  }
  private min(a: HNode, b: HNode, at: SourceLoc): HNode {
    if (a.hi <= b.lo) return a;
    if (b.hi <= a.lo) return b;
    return this.g.op('min', [a, b], at);
  }

  private mathCall(name: string, args: Expression[], e: Node): Val {
    const at = this.loc(e);
    if (name === 'max' || name === 'min') {
      if (args.length === 0) this.err(e, `Math.${name}() of nothing is ${name === 'max' ? '-' : ''}Infinity; pass at least one value`);
      if (args.some((a) => Node.isSpreadElement(a))) this.err(e, `Math.${name}(...spread) is not in the HLS subset; reduce in a for loop`);
      const xs = args.map((a) => this.num(a));
      return { t: 'num', n: xs.slice(1).reduce((m, x) => (name === 'max' ? this.max(m, x, at) : this.min(m, x, at)), xs[0]!) };
    }
    if (name === 'abs') {
      const x = this.num(args[0]!);
      if (x.lo >= 0n) return { t: 'num', n: x };
      return { t: 'num', n: this.g.op('abs', [x], at) };
    }
    if (name === 'floor' || name === 'trunc') {
      const a = args[0]!;
      const inner = Node.isParenthesizedExpression(a) ? a.getExpression() : a;
      if (Node.isBinaryExpression(inner) && inner.getOperatorToken().getText() === '/') {
        const x = this.num(inner.getLeft());
        const d = this.num(inner.getRight());
        const p = d.op === 'const' ? d.value! : 0n;
        if (p > 0n && (p & (p - 1n)) === 0n && (name === 'floor' || x.lo >= 0n))
          return { t: 'num', n: this.g.op('shr', [x], at, [p.toString(2).length - 1]) };
        this.err(e, `Math.${name}(a / d) is in the HLS subset for a constant power-of-two d${name === 'trunc' ? ' and a non-negative a' : ''}; otherwise use a reciprocal table and a multiply`);
      }
      return this.expr(a); // every value is already an integer
    }
    if (name === 'sign') {
      const x = this.num(args[0]!);
      return { t: 'num', n: this.g.op('sub', [this.g.op('gt', [x, this.zero], at), this.g.op('lt', [x, this.zero], at)], at) };
    }
    return this.err(e, `Math.${name} is not in the HLS subset (the subset has Math.max, min, abs, sign, and floor of a division by a power of two)`);
  }
}

const COMPOUND = new Map<SyntaxKind, string>([
  [SyntaxKind.PlusEqualsToken, 'add'], [SyntaxKind.MinusEqualsToken, 'sub'], [SyntaxKind.AsteriskEqualsToken, 'mul'],
  [SyntaxKind.AmpersandEqualsToken, 'and'], [SyntaxKind.BarEqualsToken, 'or'], [SyntaxKind.CaretEqualsToken, 'xor'],
  [SyntaxKind.LessThanLessThanEqualsToken, 'shl'], [SyntaxKind.GreaterThanGreaterThanEqualsToken, 'shr'],
  [SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken, 'ushr'],
]);
const ARITH = new Map<SyntaxKind, string>([
  [SyntaxKind.PlusToken, 'add'], [SyntaxKind.MinusToken, 'sub'], [SyntaxKind.AsteriskToken, 'mul'],
  [SyntaxKind.AmpersandToken, 'and'], [SyntaxKind.BarToken, 'or'], [SyntaxKind.CaretToken, 'xor'],
  [SyntaxKind.LessThanLessThanToken, 'shl'], [SyntaxKind.GreaterThanGreaterThanToken, 'shr'],
  [SyntaxKind.GreaterThanGreaterThanGreaterThanToken, 'ushr'],
]);
const COMPARE = new Map<SyntaxKind, HOp>([
  [SyntaxKind.LessThanToken, 'lt'], [SyntaxKind.LessThanEqualsToken, 'le'], [SyntaxKind.GreaterThanToken, 'gt'],
  [SyntaxKind.GreaterThanEqualsToken, 'ge'], [SyntaxKind.EqualsEqualsEqualsToken, 'eq'], [SyntaxKind.ExclamationEqualsEqualsToken, 'ne'],
  [SyntaxKind.EqualsEqualsToken, 'eq'], [SyntaxKind.ExclamationEqualsToken, 'ne'],
]);

/** A statement returns on every path (syntactically: a return, a block ending in one, an if whose branches both do). */
function alwaysReturns(s: Statement): boolean {
  if (Node.isReturnStatement(s)) return true;
  if (Node.isBlock(s)) return s.getStatements().some(alwaysReturns);
  if (Node.isIfStatement(s)) { const e = s.getElseStatement(); return !!e && alwaysReturns(s.getThenStatement()) && alwaysReturns(e); }
  return false;
}

/** `a` is `!b`. */
const isNot = (a: HNode, b: HNode) => a.op === 'lnot' && a.args[0] === b;

function shapeOf(v: Val): string {
  return v.t === 'arr' ? `[${v.items.map(shapeOf).join(',')}]` : v.t;
}
function describe(v: Val): string {
  return v.t === 'arr' ? `an array of ${v.items.length}` : v.t === 'bool' ? 'a boolean' : 'a number';
}
