/**
 * One read port and one write port per block RAM, as wires a state machine drives: idle by default
 * (address 0, enable low), and one call in a `when` branch to use the port that cycle. The locator
 * and the dispatcher both drive their memories this way.
 */
import type { ModuleBuilder } from '../../dsl/builder/module.ts';
import { bool, uint } from '../../dsl/builder/ports.ts';
import { u, type Value } from '../../dsl/builder/value.ts';

/** A memory with a synchronous read (`read(addr, enable, name)` gives the registered word). */
export interface ReadableRam {
  addrWidth: number;
  read: (a: Value, e: Value, n: string) => Value;
}
/** A memory with one write port. */
export interface WritableRam {
  addrWidth: number;
  write: (a: Value, d: Value, e: Value) => void;
}

/**
 * Wires `<name>_raddr`/`<name>_re` into `mem`'s read port: `data` is the word read, `at(a)` reads
 * address `a` this cycle.
 * @param m the module being built
 * @param name prefix of the wires
 * @param mem the memory
 */
export function readPort(m: ModuleBuilder, name: string, mem: ReadableRam): { data: Value; at: (a: Value) => void } {
  const addr = m.wire(`${name}_raddr`, uint(mem.addrWidth));
  const en = m.wire(`${name}_re`, bool());
  addr.set(u(mem.addrWidth, 0));
  en.set(u(1, 0));
  return {
    data: mem.read(addr, en, `${name}_rdata`),
    at: (a: Value): void => {
      addr.set(a.resize(mem.addrWidth));
      en.set(u(1, 1));
    },
  };
}

/**
 * Wires `<name>_waddr`/`_wdata`/`_we` into `mem`'s write port; the result writes `d` (a value or a
 * constant) at `a` this cycle.
 * @param m the module being built
 * @param name prefix of the wires
 * @param mem the memory
 * @param width the word width
 */
export function writePort(m: ModuleBuilder, name: string, mem: WritableRam, width: number): (a: Value, d: Value | number) => void {
  const addr = m.wire(`${name}_waddr`, uint(mem.addrWidth));
  const data = m.wire(`${name}_wdata`, uint(width));
  const en = m.wire(`${name}_we`, bool());
  addr.set(u(mem.addrWidth, 0));
  data.set(u(width, 0));
  en.set(u(1, 0));
  mem.write(addr, data, en);
  return (a: Value, d: Value | number): void => {
    addr.set(a.resize(mem.addrWidth));
    data.set(typeof d === 'number' ? u(width, d) : d.resize(width));
    en.set(u(1, 1));
  };
}
