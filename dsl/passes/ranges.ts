/**
 * Value ranges of a module's expressions, from constants through the op table's range rules, and
 * the comparisons they decide (`x >= 0` on unsigned `x`, a zero-extended 3-bit value `< 12`,
 * `x > x`, two constants).
 */
import type { Expr } from '../ir/nodes.ts';
import { OPS, evalOp, type Range } from '../ir/ops.ts';
import { maxValue, minValue, toBits, toValue } from '../ir/types.ts';

const point = (v: bigint): Range => ({ lo: v, hi: v });
const full = (e: Expr): Range => ({ lo: minValue(e.type), hi: maxValue(e.type) });

/** A comparison decider for one module: true or false when the operands' ranges decide, else undefined. */
export function comparisonDecider(): (e: Expr) => boolean | undefined {
  const cache = new Map<number, Range>();
  const range = (e: Expr): Range => {
    let r = cache.get(e.id);
    if (!r) cache.set(e.id, (r = compute(e)));
    return r;
  };
  const compute = (e: Expr): Range => {
    if (e.kind === 'const') return point(toValue(e.bits, e.type));
    if (e.kind !== 'op') return full(e);
    const fixed = decide(e);
    if (fixed !== undefined) return point(fixed ? 1n : 0n);
    const args = e.args.map(range);
    if (args.every((r) => r.lo === r.hi)) return point(toValue(evalOp(e, args.map((r, i) => toBits(r.lo, e.args[i]!.type.width))), e.type));
    return OPS[e.op].range?.(args, e) ?? full(e);
  };
  const decide = (e: Expr): boolean | undefined => {
    const rule = e.kind === 'op' ? OPS[e.op].decide : undefined;
    if (e.kind !== 'op' || !rule) return undefined;
    const [x, y] = e.args as [Expr, Expr];
    if (x.type.signed !== y.type.signed) return undefined;
    // The same value on both sides: the comparison of any value with itself.
    if (x === y || (x.kind === 'ref' && y.kind === 'ref' && x.signal === y.signal)) return evalOp(e, [0n, 0n]) === 1n;
    return rule(range(x), range(y));
  };
  return decide;
}
