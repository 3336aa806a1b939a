/**
 * The pass list between elaboration and Verilog lowering, in the order it runs: transforms first,
 * then the analyses that decide how lowering prints their result.
 */
import { HdlError } from '../errors.ts';
import { copyModule } from '../ir/copy.ts';
import type { Circuit, ModuleIR } from '../ir/nodes.ts';
import { branchLocalLogic } from './branch-local-logic.ts';
import { foldComparisons } from './fold-comparisons.ts';
import { foldShiftedOut } from './fold-shifted-out.ts';
import { inlineSyncReads } from './inline-sync-reads.ts';
import type { LoweringHints, Pass } from './pass.ts';
import { pruneDeadAssignments } from './prune-dead-assignments.ts';

export const PASSES: readonly Pass[] = [foldComparisons, foldShiftedOut, pruneDeadAssignments, inlineSyncReads, branchLocalLogic];

/** A circuit on its way to Verilog: the IR so far and the printing decisions made for its modules. */
export interface Compiled {
  readonly circuit: Circuit;
  readonly hints: ReadonlyMap<ModuleIR, LoweringHints>;
}

/** The pass list without the passes named in `skip`; an unknown name is an error that lists the valid ones. */
export function selectPasses(skip: readonly string[] = []): Pass[] {
  const unknown = skip.filter((n) => !PASSES.some((p) => p.name === n));
  if (unknown.length)
    throw new HdlError(`unknown pass ${unknown.map((n) => `'${n}'`).join(', ')}; passes: ${PASSES.map((p) => p.name).join(', ')}`);
  return PASSES.filter((p) => !skip.includes(p.name));
}

/**
 * Run one pass over every module. A transform copies each module it changes, and each parent of a
 * copied child (to point its instances to the copy), so its hints must come after it.
 */
export function applyPass(c: Compiled, pass: Pass): Compiled {
  if (pass.kind === 'analysis') {
    const hints = new Map(c.hints);
    for (const m of c.circuit.modules) hints.set(m, { ...hints.get(m), ...pass.analyze(m) });
    return { circuit: c.circuit, hints };
  }
  if (c.hints.size) throw new Error(`pass '${pass.name}' transforms the IR after an analysis: transforms run first`);
  const copies = new Map<ModuleIR, ModuleIR>();
  for (const m of c.circuit.modules) {
    const rw = pass.rewrite(m);
    if (rw || m.instances.some((i) => copies.get(i.module) !== i.module)) copies.set(m, copyModule(m, rw ?? {}, copies));
    else copies.set(m, m);
  }
  return { circuit: { ...c.circuit, top: copies.get(c.circuit.top)!, modules: c.circuit.modules.map((m) => copies.get(m)!) }, hints: c.hints };
}

export function runPasses(circuit: Circuit, passes: readonly Pass[] = PASSES): Compiled {
  return passes.reduce(applyPass, { circuit, hints: new Map() } as Compiled);
}
