import { foldConstants } from '../ir/copy.ts';
import type { TransformPass } from './pass.ts';
import { comparisonDecider } from './ranges.ts';

/**
 * Comparisons the operands' ranges decide become constants. Verilator -Wall warns about them
 * (UNSIGNED, CMPCONST), `sat` of an unsigned value makes one, and yosys would fold them anyway; as
 * constants, their operands need no wires.
 */
export const foldComparisons: TransformPass = {
  kind: 'transform',
  name: 'fold-comparisons',
  purpose: 'comparisons that the operand value ranges decide become constants',
  rewrite: (m) => {
    const decide = comparisonDecider();
    return foldConstants(m, (e) => {
      const d = decide(e);
      return d === undefined ? undefined : d ? 1n : 0n;
    });
  },
};
