/**
 * Port and type declarations: `{ a: In(sint(8)), px: In(Stream(Pixel)), y: Out(Vec(uint(16), 4)) }`.
 * A port carries a bit vector, a record or a vector of them (one Verilog port per leaf), or a stream
 * (`_valid`, `_ready` and one packed `_payload` port). See interface.ts for how they are bound.
 */
import { LazyLoc } from '../errors.ts';
import type { HwType } from '../ir/types.ts';
import type { PortType } from './payload.ts';
import { checkWidth } from './value.ts';

/**
 * An unsigned bit-vector type of `width` bits.
 * @param width bits, 1 to 4096
 */
export function uint(width: number): HwType {
  checkWidth(width);
  return { signed: false, width };
}
/**
 * A signed (two's complement) bit-vector type of `width` bits.
 * @param width bits, 1 to 4096 (including the sign bit)
 */
export function sint(width: number): HwType {
  checkWidth(width);
  return { signed: true, width };
}
/** A single bit. */
export const bool = (): HwType => uint(1);

/** A port's direction. */
export type PortDir = 'input' | 'output';

/** One port of a module: its direction, type and declaring line (made by `In`/`Out`). */
export interface PortSpec<D extends PortDir = PortDir, T extends PortType = PortType> {
  readonly dir: D;
  readonly type: T;
  readonly loc: LazyLoc;
}
/**
 * An input port: its module reads it (for a stream: consumes it).
 * @param type a bit vector, `Record`, `Vec` or `Stream` type
 */
export function In<T extends PortType>(type: T): PortSpec<'input', T> {
  return { dir: 'input', type, loc: new LazyLoc() };
}
/**
 * An output port: its module drives it (for a stream: produces it).
 * @param type a bit vector, `Record`, `Vec` or `Stream` type
 */
export function Out<T extends PortType>(type: T): PortSpec<'output', T> {
  return { dir: 'output', type, loc: new LazyLoc() };
}
/** A module's ports by name, as given to `module(name, ports, body)`. */
export type PortRecord = Record<string, PortSpec>;
/** A port record of plain bit-vector ports, as built in a loop: its body sees every port as a Signal. */
export type SignalPorts = Record<string, PortSpec<PortDir, HwType>>;
