/**
 * Datapath units of an elaborated design, counted from the IR over the flattened hierarchy (a
 * module instantiated 64 times counts 64 times): multipliers, adders, variable shifters,
 * comparators, multiplexers, logic, and register and memory bits. Constant shifts and slices are
 * wiring and are not counted.
 */
import type { Circuit, ModuleIR } from '../../../dsl/ir/nodes.ts';
import { moduleRoots, walkExpr } from '../../../dsl/ir/nodes.ts';

export interface UnitCounts {
  multipliers: number;
  adders: number;
  shifters: number;
  comparators: number;
  muxes: number;
  logic: number;
  registerBits: number;
  memoryBits: number;
}

const KIND: Record<string, keyof UnitCounts | undefined> = {
  mul: 'multipliers', add: 'adders', sub: 'adders', neg: 'adders',
  shlv: 'shifters', shrv: 'shifters',
  lt: 'comparators', le: 'comparators', gt: 'comparators', ge: 'comparators', eq: 'comparators', ne: 'comparators',
  mux: 'muxes',
  and: 'logic', or: 'logic', xor: 'logic', not: 'logic', andr: 'logic', orr: 'logic', xorr: 'logic',
};

const zero = (): UnitCounts => ({ multipliers: 0, adders: 0, shifters: 0, comparators: 0, muxes: 0, logic: 0, registerBits: 0, memoryBits: 0 });

/** Units of `c`'s top module and everything under it. */
export function unitCounts(c: Circuit): UnitCounts {
  const memo = new Map<ModuleIR, UnitCounts>();
  const count = (m: ModuleIR): UnitCounts => {
    const hit = memo.get(m);
    if (hit) return hit;
    const u = zero();
    const seen = new Set<number>();
    for (const r of moduleRoots(m))
      walkExpr(r, (e) => {
        const k = e.kind === 'op' ? KIND[e.op] : undefined;
        if (k) u[k]++;
      }, seen);
    for (const s of m.signals) if (s.kind === 'reg') u.registerBits += s.type.width;
    for (const mem of m.memories) u.memoryBits += mem.depth * mem.type.width;
    for (const i of m.instances) {
      const k = count(i.module);
      for (const key of Object.keys(u) as (keyof UnitCounts)[]) u[key] += k[key];
    }
    memo.set(m, u);
    return u;
  };
  return count(c.top);
}
