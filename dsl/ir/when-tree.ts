/**
 * Assignments nested by their `when` paths, in program order: a run of consecutive assignments
 * under the same `when` node shares one branch. The backend prints this tree as if/else blocks, and
 * passes read it to see which assignments a later one overrides.
 */
import type { CondStep, WhenNode } from './nodes.ts';

export type WhenTree<A> = ({ leaf: A } | { node: WhenNode; then: WhenTree<A>; else: WhenTree<A> })[];

export function whenTree<A extends { path: readonly CondStep[] }>(assigns: readonly A[], depth = 0): WhenTree<A> {
  const out: WhenTree<A> = [];
  let i = 0;
  while (i < assigns.length) {
    const a = assigns[i]!;
    if (a.path.length === depth) {
      out.push({ leaf: a });
      i++;
      continue;
    }
    const node = a.path[depth]!.node;
    let j = i;
    while (j < assigns.length && assigns[j]!.path.length > depth && assigns[j]!.path[depth]!.node === node) j++;
    const run = assigns.slice(i, j);
    out.push({
      node,
      then: whenTree(run.filter((x) => x.path[depth]!.branch), depth + 1),
      else: whenTree(run.filter((x) => !x.path[depth]!.branch), depth + 1),
    });
    i = j;
  }
  return out;
}
