import { ParamError } from '../../dsl/errors.ts';

export interface MacParams extends Record<string, number> {
  /** Width of the signed operands a and b. */
  width: number;
  /** Width of the signed accumulator. */
  accWidth: number;
}

export const macPresets: Record<string, MacParams> = {
  ci: { width: 8, accWidth: 24 },
  wide: { width: 16, accWidth: 40 },
};

export function validateMac(p: MacParams): void {
  if (p.accWidth < 2 * p.width)
    throw new ParamError(`parameter 'accWidth' = ${p.accWidth} cannot hold one ${p.width}x${p.width}-bit product (needs at least ${2 * p.width})`, undefined, { field: 'accWidth' });
}
