/**
 * Every compiler pass checked on its own, on the IR simulator: the batch runs on the IR before and
 * after each transform, and the outputs must agree cycle by cycle. An analysis leaves the IR as it
 * is but decides how lowering prints it, so the IR is run as lowering prints it: a branch-local op
 * (computed only inside its register's branch) reads as junk whenever its branch is not taken, and
 * an inline memory read must be read by nothing but its register.
 */
import { copyModule } from '../../dsl/ir/copy.ts';
import type { Assignment, Circuit, CondStep, Expr, ModuleIR } from '../../dsl/ir/nodes.ts';
import { moduleView } from '../../dsl/ir/nodes.ts';
import { OPS, type OpName } from '../../dsl/ir/ops.ts';
import type { Pass } from '../../dsl/passes/pass.ts';
import { PASSES, applyPass, type Compiled } from '../../dsl/passes/pipeline.ts';
import { firstMismatches, simulateBatch, type Mismatch, type Outputs } from './reference.ts';

/** Mismatches of the IR before and after each of `passes`, in order; `expected`: the outputs of `circuit`. */
export function checkPasses(circuit: Circuit, rows: readonly Record<string, bigint>[], expected: Outputs, passes: readonly Pass[] = PASSES): Mismatch[] {
  const out: Mismatch[] = [];
  let state: Compiled = { circuit, hints: new Map() };
  let before = expected;
  for (const pass of passes) {
    const check = { backend: 'passes' as const, pass: pass.name };
    try {
      state = applyPass(state, pass);
      const after = simulateBatch(asPrinted(state), rows);
      out.push(...firstMismatches(before, after, check), ...misplacedInlineReads(state, check));
      before = after;
    } catch (err) {
      out.push({ program: 0, ...check, cycle: -1, port: '', expected: 0n, actual: 0n, error: (err as Error).stack ?? String(err) });
      break;
    }
  }
  // One mismatch per program: the first pass that broke it.
  return out.filter((m, i) => out.findIndex((x) => x.program === m.program) === i);
}

/** The IR with each branch-local op reading as junk (its complement) whenever its register's branch is not taken. */
function asPrinted({ circuit, hints }: Compiled): Circuit {
  const copies = new Map<ModuleIR, ModuleIR>();
  for (const m of circuit.modules) {
    const owner = new Map<number, Assignment>();
    for (const [a, ops] of hints.get(m)?.branchLocal ?? []) for (const e of ops) owner.set(e.id, a);
    copies.set(m, copyModule(m, {
      replace: (e, copy, copyOf) => {
        const a = owner.get(e.id);
        return a && a.path.length ? op('mux', [holds(a.path, copyOf), copy, op('not', [copy])]) : undefined;
      },
    }, copies));
  }
  return { ...circuit, top: copies.get(circuit.top)!, modules: circuit.modules.map((m) => copies.get(m)!) };
}

/** Ids of nodes the checker builds: far above any the builder hands out. */
let nextId = 2 ** 40;
function op(name: OpName, args: Expr[]): Expr {
  const type = OPS[name].result(args.map((a) => a.type), []);
  return { kind: 'op', id: nextId++, type, loc: args[0]!.loc, op: name, args, params: [] };
}
function holds(path: readonly CondStep[], copyOf: (x: Expr) => Expr): Expr {
  return path.map((s) => (s.branch ? copyOf(s.node.cond) : op('not', [copyOf(s.node.cond)]))).reduce((a, b) => op('and', [a, b]));
}

/** Inline reads (printed as `mem[addr]` in one register's clocked block) that something else reads too. */
function misplacedInlineReads({ circuit, hints }: Compiled, check: Pick<Mismatch, 'backend' | 'pass'>): Mismatch[] {
  const out: Mismatch[] = [];
  circuit.top.instances.forEach((inst, program) => {
    const inline: ReadonlySet<number> = hints.get(inst.module)?.inlineReads ?? new Set();
    if (!inline.size) return;
    const { reads, order } = moduleView(inst.module);
    const otherReaders = new Set<number>();
    for (const r of reads) if (!r.regValue) otherReaders.add(r.e.id);
    for (const e of order) for (const x of e.kind === 'op' ? e.args : e.kind === 'memread' ? [e.addr] : []) otherReaders.add(x.id);
    for (const id of inline)
      if (otherReaders.has(id)) out.push({ program, ...check, cycle: -1, port: `memory read #${id} prints inline but is read elsewhere`, expected: 0n, actual: 0n });
  });
  return out;
}
