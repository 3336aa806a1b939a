import { foldConstants } from '../ir/copy.ts';
import type { TransformPass } from './pass.ts';

/** An unsigned shift right by the whole width is 0; as a constant, its operand needs no wire. */
export const foldShiftedOut: TransformPass = {
  kind: 'transform',
  name: 'fold-shifted-out',
  purpose: 'an unsigned constant shift right by the whole width becomes 0',
  rewrite: (m) =>
    foldConstants(m, (e) => (e.kind === 'op' && e.op === 'shr' && !e.args[0]!.type.signed && e.params[0]! >= e.args[0]!.type.width ? 0n : undefined)),
};
