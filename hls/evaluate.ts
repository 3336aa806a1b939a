/**
 * Runs a compiled kernel's graph on host values (exact integers, the meaning the hardware
 * implements): a fast first check of the front end against the TS function, before any simulation.
 */
import type { Kernel, Val } from './frontend.ts';
import type { HNode } from './graph.ts';
import { HOPS } from './ops.ts';

export type HostValue = number | HostValue[];

/** The kernel's result for one argument set (booleans as 0/1). */
export function evaluateKernel(k: Kernel, args: Record<string, HostValue>): HostValue {
  const memo = new Map<HNode, bigint>();
  const ev = (n: HNode): bigint => {
    const hit = memo.get(n);
    if (hit !== undefined) return hit;
    let v: bigint;
    if (n.op === 'const') v = n.value!;
    else if (n.op === 'in') v = BigInt(n.input!.reduce<unknown>((x, key) => (x as Record<string | number, unknown>)[key], args) as number);
    else v = HOPS[n.op].evaluate(n.args.map(ev), n.params, n.table);
    memo.set(n, v);
    return v;
  };
  const out = (v: Val): HostValue => (v.t === 'arr' ? v.items.map(out) : Number(ev(v.n)));
  return out(k.result);
}
