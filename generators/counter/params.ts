import { ParamError } from '../../dsl/errors.ts';

export interface CounterParams extends Record<string, number> {
  /** Width of the count in bits. */
  width: number;
  /** The count wraps to 0 after this value. */
  limit: number;
}

export const counterPresets: Record<string, CounterParams> = {
  ci: { width: 4, limit: 9 },
  byte: { width: 8, limit: 255 },
};

export function validateCounter(p: CounterParams): void {
  if (p.limit >= 2 ** p.width)
    throw new ParamError(`parameter 'limit' = ${p.limit} does not fit a ${p.width}-bit count (at most ${2 ** p.width - 1})`, undefined, { field: 'limit' });
}
