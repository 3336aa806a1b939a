/**
 * Evaluates the combinational logic of one element on one token, untimed: the element's output
 * payload (or valid) expression in the design's IR, with its input streams' payload wires set to
 * the token and its own pipeline registers made transparent (a register reads as the value it would
 * load). This is how user `map` and `pipelineMap` functions run in the model: on the same IR the
 * Verilog was printed from, by the ops of dsl/ir/ops.ts, but without any clock or handshake.
 */
import type { Expr, ModuleIR, SignalDecl } from '../../dsl/ir/nodes.ts';
import { evalOp } from '../../dsl/ir/ops.ts';

/** What the evaluation may assume about signals outside the element. */
export interface EvalEnv {
  /** Signal name -> bit pattern (input payloads, valids, poked top-level inputs). */
  readonly fixed: ReadonlyMap<string, bigint>;
  /** Registers read as the value they load (the element's pipeline stages). */
  readonly transparent: (reg: SignalDecl) => boolean;
}

/** Evaluates named signals of one module under an environment; memoised per call of {@link evaluate}. */
export class TokenEvaluator {
  private readonly byName: Map<string, SignalDecl>;
  /**
   * @param module the module the element lives in
   * @param strictInputs a child module: its other inputs come from the parent, unknown here, so
   *   reading one throws (the element is then left without a model rather than modelled wrong)
   */
  constructor(readonly module: ModuleIR, private readonly strictInputs = false) {
    this.byName = new Map(module.signals.map((s) => [s.name, s]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * Whether signal `name` is a function of the signals in `fixed` only: its cone reaches no register
   * (unless `transparentRegs`: then registers are looked through, as pipeline stages), no input or
   * instance output outside `fixed`, and no memory (unless `roms`: memories never written read their
   * initial contents).
   */
  pure(name: string, fixed: ReadonlySet<string>, opts: { transparentRegs?: boolean | ((reg: SignalDecl) => boolean); roms?: boolean } = {}): boolean {
    const start = this.byName.get(name);
    if (!start) return false;
    const seen = new Set<number>();
    const sig = (d: SignalDecl): boolean => {
      if (fixed.has(d.name)) return true;
      if (seen.has(-1 - d.id)) return true;
      seen.add(-1 - d.id);
      if (d.kind === 'input' || d.kind === 'instout') return false;
      if (d.kind === 'reg') {
        if (!(typeof opts.transparentRegs === 'function' ? opts.transparentRegs(d) : opts.transparentRegs)) return false;
        // A transparent register reads as the value it loads (its last assignment), whatever enables it.
        const last = d.assigns[d.assigns.length - 1];
        return !last || expr(last.value);
      }
      return d.assigns.every((a) => expr(a.value) && a.path.every((st) => expr(st.node.cond)));
    };
    const expr = (e: Expr): boolean => {
      if (e.kind === 'const') return true;
      if (e.kind === 'ref') return sig(e.signal);
      if (seen.has(e.id)) return true;
      seen.add(e.id);
      if (e.kind === 'memread') return !!opts.roms && e.memory.writes.length === 0 && expr(e.addr);
      return e.args.every(expr);
    };
    return sig(start);
  }

  /** The bit pattern of signal `name` under `env`. */
  evaluate(name: string, env: EvalEnv): bigint {
    const s = this.byName.get(name);
    if (!s) throw new Error(`model: ${this.module.name} has no signal '${name}'`);
    const cache = new Map<number, bigint>();
    const sig = (d: SignalDecl, depth: number): bigint => {
      const f = env.fixed.get(d.name);
      if (f !== undefined) return f;
      const key = -1 - d.id;
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      if (depth > 10_000) throw new Error(`model: combinational loop through '${d.name}'`);
      let v: bigint;
      if (d.kind === 'reg') {
        const last = d.assigns[d.assigns.length - 1];
        v = env.transparent(d) && last ? expr(last.value, depth + 1) : d.reset ?? d.init ?? 0n;
      } else if (d.kind === 'input' || d.kind === 'instout') {
        if (this.strictInputs) throw new Error(`model: '${d.name}' of ${this.module.name} comes from outside the element`);
        v = 0n;
      }
      else {
        v = 0n;
        for (let i = d.assigns.length - 1; i >= 0; i--) {
          const a = d.assigns[i]!;
          if (a.path.every((st) => (expr(st.node.cond, depth + 1) === 1n) === st.branch)) {
            v = expr(a.value, depth + 1);
            break;
          }
        }
      }
      cache.set(key, v);
      return v;
    };
    const expr = (e: Expr, depth: number): bigint => {
      if (e.kind === 'const') return e.bits;
      if (e.kind === 'ref') return sig(e.signal, depth);
      const hit = cache.get(e.id);
      if (hit !== undefined) return hit;
      const v = e.kind === 'memread' ? (e.memory.init?.[Number(expr(e.addr, depth + 1))] ?? 0n) : evalOp(e, e.args.map((a) => expr(a, depth + 1)));
      cache.set(e.id, v);
      return v;
    };
    return sig(s, 0);
  }
}
