/**
 * Tree-height reduction: a linear chain of one associative, commutative op (`acc += x` in a loop,
 * `m = Math.max(m, x)`, `&`, `|`, `^`) becomes a balanced tree before scheduling, so n terms take
 * ceil(log2 n) levels instead of n − 1 (the popcount sum, the softmax max and sum).
 *
 * Exact by construction: graph ops mean exact integers (hls/graph.ts; JS int32 wrapping of bit ops
 * is already explicit 'wrap' nodes, which end a chain), so any grouping gives the same value, and
 * every new node gets its range (hence its width) from its own arguments. For 'add', a partial sum
 * of any subset of the terms must stay within 2^53: this follows from the chain's own last sum having
 * passed the graph's check (its bounds are the sums of all terms' bounds), and is checked again here
 * so that a change elsewhere cannot make the pass build an inexact tree.
 */
import type { HNode } from './graph.ts';
import { MAX_SAFE, type Graph } from './graph.ts';
import type { Kernel, Val } from './frontend.ts';
import { HOPS } from './ops.ts';

/** Ops the op table marks associative and commutative (+, max, min, &, |, ^). */
const isAssociative = (n: HNode): boolean => HOPS[n.op].associative === true;

/** The kernel with every chain of an associative op rebuilt as a balanced tree (same graph object). */
export function balanceKernel(k: Kernel): Kernel {
  const roots = leaves(k.result);
  const uses = new Map<HNode, number>();
  const seen = new Set<HNode>();
  const count = (n: HNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const a of n.args) { uses.set(a, (uses.get(a) ?? 0) + 1); count(a); }
  };
  roots.forEach(count);
  // An output is used outside the graph: it can be a leaf of a chain but never an inner node.
  for (const r of roots) uses.set(r, (uses.get(r) ?? 0) + 2);

  const done = new Map<HNode, HNode>();
  const level = new Map<HNode, number>();
  const lv = (n: HNode): number => level.get(n) ?? (n.op === 'const' ? -1 : 0);
  const rebuild = (n: HNode): HNode => {
    const hit = done.get(n);
    if (hit) return hit;
    let out: HNode;
    if (n.args.length === 0) out = n;
    else if (isAssociative(n)) {
      const terms: HNode[] = [];
      // Leaves in source order; iterative, as a chain can be as long as an unrolled loop.
      const stack = [n];
      while (stack.length) {
        const x = stack.pop()!;
        if (x !== n && !(x.op === n.op && (uses.get(x) ?? 0) === 1)) terms.push(x);
        else for (let i = x.args.length - 1; i >= 0; i--) stack.push(x.args[i]!);
      }
      const built = foldConstants(k.graph, n, terms.map(rebuild));
      out = n.op !== 'add' || subsetSumsSafe(built) ? tree(k.graph, n, built, lv) : sameOp(k.graph, n, n.args.map(rebuild));
    } else out = sameOp(k.graph, n, n.args.map(rebuild));
    if (!level.has(out)) level.set(out, out.args.length ? cost(out) + Math.max(...out.args.map(lv)) : lv(out));
    done.set(n, out);
    return out;
  };
  // Deep chains recurse deeply: visit in id order (arguments first) so each rebuild call is shallow.
  [...seen].sort((a, b) => a.id - b.id).forEach((n) => { if (!isAssociative(n) || (uses.get(n) ?? 0) !== 1) rebuild(n); });
  const map = (v: Val): Val => (v.t === 'arr' ? { ...v, items: v.items.map(map) } : { ...v, n: rebuild(v.n) });
  return { ...k, result: map(k.result) };
}

/** Logic levels an op adds to a path: wiring (shifts by constants, wraps, inversions) adds none. */
const cost = (n: HNode): number => (HOPS[n.op].delay === 'wire' ? 0 : 1);

function leaves(v: Val): HNode[] {
  return v.t === 'arr' ? v.items.flatMap(leaves) : [v.n];
}

/** The node again with (possibly rebuilt) arguments; itself when nothing changed. */
function sameOp(g: Graph, n: HNode, args: HNode[]): HNode {
  if (args.every((a, i) => a === n.args[i])) return n;
  return g.op(n.op, args, n.loc, n.params, n.table);
}

/** The constant terms folded into one (dropped when it is the op's identity), after the others. */
function foldConstants(g: Graph, n: HNode, terms: HNode[]): HNode[] {
  const consts = terms.filter((t) => t.op === 'const');
  if (consts.length === 0) return terms;
  const rest = terms.filter((t) => t.op !== 'const');
  const v = consts.map((c) => c.value!).reduce((a, b) => HOPS[n.op].evaluate([a, b], []));
  if (rest.length > 0 && HOPS[n.op].identity === v) return rest;
  return [...rest, g.constant(v, consts[0]!.loc)];
}

/** The largest and smallest sum any subset of the terms can reach both stay exact in a TS number. */
function subsetSumsSafe(terms: HNode[]): boolean {
  let pos = 0n, neg = 0n;
  for (const t of terms) { if (t.hi > 0n) pos += t.hi; if (t.lo < 0n) neg += t.lo; }
  return pos <= MAX_SAFE && neg >= -MAX_SAFE;
}

/**
 * Combine the two earliest-ready terms first (by op level; ties in source order, new sums queued
 * after them), Huffman-style: n terms of one level give a tree of ceil(log2 n) levels, and a late
 * term joins near the root instead of lengthening every path.
 */
function tree(g: Graph, n: HNode, terms: HNode[], lv: (x: HNode) => number): HNode {
  let seq = 0;
  const queue = terms.map((t) => ({ t, l: lv(t), s: seq++ }));
  const take = () => {
    let best = 0;
    for (let i = 1; i < queue.length; i++) {
      const [q, b] = [queue[i]!, queue[best]!];
      if (q.l < b.l || (q.l === b.l && q.s < b.s)) best = i;
    }
    return queue.splice(best, 1)[0]!;
  };
  while (queue.length > 1) {
    const [x, y] = [take(), take()];
    const t = g.op(n.op, [x.t, y.t], n.loc);
    queue.push({ t, l: t.args.length ? cost(t) + Math.max(x.l, y.l) : Math.max(x.l, y.l), s: seq++ });
  }
  return queue[0]!.t;
}
