/**
 * Comparisons whose result the operands' ranges already decide (`x >= 0` on unsigned `x`, a
 * zero-extended 3-bit value `< 12`, `x > x`, two constants). The backend prints them as the constant:
 * Verilator -Wall warns about them (UNSIGNED, CMPCONST), `sat` of an unsigned value makes one, and
 * yosys would fold them anyway, so the hardware is the same.
 */
import type { Expr } from '../ir/nodes.ts';
import { mask } from '../ir/types.ts';
import { evalOp } from '../sim/evaluate.ts';

interface Range { lo: bigint; hi: bigint }

const value = (e: Expr, bits: bigint): bigint => (e.type.signed ? BigInt.asIntN(e.type.width, bits) : bits);
const full = (e: Expr): Range =>
  e.type.signed ? { lo: -(1n << BigInt(e.type.width - 1)), hi: (1n << BigInt(e.type.width - 1)) - 1n } : { lo: 0n, hi: mask(e.type.width) };

/** A comparison decider for one module; ranges are cached per expression. */
export function comparisonFolder(): (e: Expr) => boolean | undefined {
  const cache = new Map<number, Range>();
  const range = (e: Expr): Range => {
    const hit = cache.get(e.id);
    if (hit) return hit;
    const r = compute(e);
    cache.set(e.id, r);
    return r;
  };
  const compute = (e: Expr): Range => {
    if (e.kind === 'const') {
      const v = value(e, e.bits);
      return { lo: v, hi: v };
    }
    if (e.kind !== 'op') return full(e);
    const fixed = decide(e);
    if (fixed !== undefined) return { lo: fixed ? 1n : 0n, hi: fixed ? 1n : 0n };
    const args = e.args.map(range);
    if (args.every((r) => r.lo === r.hi)) {
      const v = value(e, evalOp(e, args.map((r, i) => BigInt.asUintN(e.args[i]!.type.width, r.lo))));
      return { lo: v, hi: v };
    }
    const [a] = args;
    const arg = e.args[0]!;
    // Extension keeps the value; reinterpretation keeps it when it fits the new type.
    if (e.type.signed === arg.type.signed) {
      if (e.op === 'resize' && e.type.width >= arg.type.width) return a!;
      // Shifts by constants are monotonic; the result type is wide enough (shl) or exact (shr).
      if (e.op === 'shl') return { lo: a!.lo << BigInt(e.params[0]!), hi: a!.hi << BigInt(e.params[0]!) };
      if (e.op === 'shr') return { lo: a!.lo >> BigInt(e.params[0]!), hi: a!.hi >> BigInt(e.params[0]!) };
    }
    if ((e.op === 'asuint' || e.op === 'assint') && a!.lo >= full(e).lo && a!.hi <= full(e).hi) return a!;
    return full(e);
  };
  const decide = (e: Expr): boolean | undefined => {
    if (e.kind !== 'op') return undefined;
    const op = e.op;
    if (!(op === 'lt' || op === 'le' || op === 'gt' || op === 'ge' || op === 'eq' || op === 'ne')) return undefined;
    const [x, y] = e.args as [Expr, Expr];
    if (x.type.signed !== y.type.signed) return undefined;
    if (x === y || (x.kind === 'ref' && y.kind === 'ref' && x.signal === y.signal))
      return op === 'le' || op === 'ge' || op === 'eq';
    const a = range(x);
    const b = range(y);
    switch (op) {
      case 'lt': return a.hi < b.lo ? true : a.lo >= b.hi ? false : undefined;
      case 'le': return a.hi <= b.lo ? true : a.lo > b.hi ? false : undefined;
      case 'gt': return a.lo > b.hi ? true : a.hi <= b.lo ? false : undefined;
      case 'ge': return a.lo >= b.hi ? true : a.hi < b.lo ? false : undefined;
      case 'eq': case 'ne': {
        const same = a.lo === a.hi && b.lo === b.hi && a.lo === b.lo;
        const disjoint = a.hi < b.lo || b.hi < a.lo;
        return same ? op === 'eq' : disjoint ? op === 'ne' : undefined;
      }
    }
  };
  return decide;
}
