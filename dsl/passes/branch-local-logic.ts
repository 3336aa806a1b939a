import type { Assignment, Expr } from '../ir/nodes.ts';
import { moduleView } from '../ir/nodes.ts';
import type { AnalysisPass } from './pass.ts';

/**
 * Operations whose value only one conditional register assignment reads (directly, or through other
 * such operations) are computed inside that assignment's branch of the clocked block, as blocking
 * temporaries, instead of as continuous wires. Verilator evaluates every continuous wire on every
 * clock edge, so a register that loads a sum tree or a multiply only when a stream fires would cost
 * that logic on every cycle; in the branch, the simulator skips it whenever the branch is not taken
 * (a 16×16 MAC grid under stalls ran about twice as fast when written this way by hand). Synthesis
 * sees the same logic: each temporary is written before it is read in its branch, so no flip-flop
 * survives.
 */
export const branchLocalLogic: AnalysisPass = {
  kind: 'analysis',
  name: 'branch-local-logic',
  purpose: 'logic that only one conditional register assignment reads is computed inside its branch',
  analyze: (m) => {
    const { reads, order } = moduleView(m);
    // Who reads each operation: the assignment it is the value of, an operation, or null for any other reader.
    const readers = new Map<number, (Assignment | Expr | null)[]>();
    const read = (e: Expr, by: Assignment | Expr | null): void => {
      if (e.kind !== 'op') return;
      const r = readers.get(e.id);
      if (r) r.push(by);
      else readers.set(e.id, [by]);
    };
    for (const e of order) {
      if (e.kind === 'op') for (const x of e.args) read(x, e);
      else if (e.kind === 'memread') read(e.addr, null);
    }
    for (const r of reads) read(r.e, r.regValue && r.regValue.path.length > 0 ? r.regValue : null);
    // Readers come after what they read in `order`, so walking it backwards settles each reader first.
    const owner = new Map<number, Assignment>();
    for (let i = order.length - 1; i >= 0; i--) {
      const e = order[i]!;
      if (e.kind !== 'op') continue;
      let one: Assignment | undefined;
      let ok = true;
      for (const r of readers.get(e.id) ?? [null]) {
        const a = r === null ? undefined : 'path' in r ? r : owner.get(r.id);
        if (a === undefined || (one !== undefined && one !== a)) ok = false;
        one = a;
      }
      if (ok && one) owner.set(e.id, one);
    }
    const branchLocal = new Map<Assignment, Expr[]>();
    for (const e of order) {
      const a = owner.get(e.id);
      if (!a) continue;
      const list = branchLocal.get(a);
      if (list) list.push(e);
      else branchLocal.set(a, [e]);
    }
    return { branchLocal };
  },
};
