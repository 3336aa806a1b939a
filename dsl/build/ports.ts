/** Port and type declarations: `{ a: In(sint(8)), y: Out(uint(16)) }`. */
import { LazyLoc } from '../errors.ts';
import type { HwType } from '../ir/types.ts';
import { checkWidth } from './value.ts';

/** An unsigned bit-vector type of `width` bits. */
export function uint(width: number): HwType {
  checkWidth(width);
  return { signed: false, width };
}
/** A signed (two's complement) bit-vector type of `width` bits. */
export function sint(width: number): HwType {
  checkWidth(width);
  return { signed: true, width };
}
/** A single bit. */
export const bool = (): HwType => uint(1);

export interface PortSpec {
  readonly dir: 'input' | 'output';
  readonly type: HwType;
  readonly loc: LazyLoc;
}
export function In(type: HwType): PortSpec {
  return { dir: 'input', type, loc: new LazyLoc() };
}
export function Out(type: HwType): PortSpec {
  return { dir: 'output', type, loc: new LazyLoc() };
}
export type PortRecord = Record<string, PortSpec>;
