import type { Assignment, SignalDecl } from '../ir/nodes.ts';
import { whenTree, type WhenTree } from '../ir/when-tree.ts';
import type { TransformPass } from './pass.ts';

/**
 * A wire's value is the last assignment whose path holds, so an assignment that a later one
 * overrides on every path can never be it: dropping it keeps the Verilog from computing a value no
 * one reads. (Registers keep theirs: each prints in its own branch.)
 */
export const pruneDeadAssignments: TransformPass = {
  kind: 'transform',
  name: 'prune-dead-assignments',
  purpose: 'wire assignments that a later one always overrides are dropped',
  rewrite: (m) => {
    const kept = new Map<SignalDecl, Assignment[]>();
    for (const s of m.signals) {
      if (s.kind === 'reg' || s.assigns.length < 2) continue;
      const live = new Set<Assignment>();
      liveLeaves(whenTree(s.assigns), true, live);
      if (live.size < s.assigns.length) kept.set(s, s.assigns.filter((a) => live.has(a)));
    }
    return kept.size ? { assigns: (s) => kept.get(s) } : undefined;
  },
};

/**
 * Add to `live` the assignments of `tree` whose value can reach the end (`reachesEnd`: the end of
 * `tree` is the end of the signal's assignments on some path). Returns whether the start of `tree`
 * reaches the end: some path through it assigns nothing.
 */
function liveLeaves(tree: WhenTree<Assignment>, reachesEnd: boolean, live: Set<Assignment>): boolean {
  let reaches = reachesEnd;
  for (let i = tree.length - 1; i >= 0; i--) {
    const item = tree[i]!;
    if ('leaf' in item) {
      if (reaches) live.add(item.leaf);
      reaches = false;
    } else {
      const t = liveLeaves(item.then, reaches, live);
      const f = liveLeaves(item.else, reaches, live);
      reaches = t || f;
    }
  }
  return reaches;
}
