/**
 * A compiler pass between elaboration and Verilog lowering: a named unit with a one-line purpose.
 * A transform rewrites the IR (a copy; the fuzzer simulates the IR before and after it); an
 * analysis records facts that only decide how lowering prints the IR (what goes where), never
 * what it computes.
 */
import type { Rewrite } from '../ir/copy.ts';
import type { Assignment, Expr, ModuleIR } from '../ir/nodes.ts';

/** Printing decisions for one module, filled in by the analysis passes; absent means the plain form. */
export interface LoweringHints {
  /** Memory reads printed as `mem[addr]` inside the clocked block of the one register that loads them. */
  inlineReads?: ReadonlySet<number>;
  /** Ops computed as blocking temporaries inside the branch of the one register assignment that reads them. */
  branchLocal?: ReadonlyMap<Assignment, readonly Expr[]>;
}

interface PassInfo {
  /** Kebab-case; `hwflow gen --no-pass <name>` skips it. */
  readonly name: string;
  /** One line: what it does and why. */
  readonly purpose: string;
}
export interface TransformPass extends PassInfo {
  readonly kind: 'transform';
  /** What changes in `m`; undefined when nothing does (the module is then kept as it is). */
  rewrite(m: ModuleIR): Rewrite | undefined;
}
export interface AnalysisPass extends PassInfo {
  readonly kind: 'analysis';
  analyze(m: ModuleIR): LoweringHints;
}
export type Pass = TransformPass | AnalysisPass;
