/**
 * Checks a vector run's request and turns the sparse per-cycle inputs ("set these, keep the rest")
 * into a full table of raw bit patterns, the same way `dsl/sim/simulator.ts` holds its inputs: every
 * input starts at 0 and keeps its last value. Both back ends consume this table, so they cannot differ
 * in how they read the request. Also packs and unpacks values as 32-bit little-endian words, the
 * layout of Verilator's `VlWide` and of the binary pipe to the C++ harness.
 */
import type { ManifestPort } from '../../dsl/manifest.ts';

/** Widest port the runners accept (the DSL's MAX_WIDTH). */
export const MAX_PORT_WIDTH = 4096;

/** A vector request after checking: ports split by direction, the full input table. */
export interface Stimulus {
  /** True when the design has the implicit `clk` port; the runner drives it, never the user. */
  clocked: boolean;
  /** Input ports other than `clk`, in manifest order (`rst` is an ordinary input). */
  inputs: ManifestPort[];
  outputs: ManifestPort[];
  /** `table[cycle][i]` = raw bit pattern of `inputs[i]` in that cycle. */
  table: bigint[][];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates ports and cycles and expands the inputs; errors name the port, cycle and valid choices. */
export function prepareStimulus(top: string, ports: readonly ManifestPort[], cycles: ReadonlyArray<Record<string, bigint>>): Stimulus {
  if (!IDENT.test(top)) throw new Error(`runVectors: top "${top}" is not a Verilog module name`);
  const seen = new Set<string>();
  for (const p of ports) {
    if (!IDENT.test(p.name)) throw new Error(`runVectors: port name "${p.name}" of ${top} is not a Verilog identifier`);
    if (seen.has(p.name)) throw new Error(`runVectors: port "${p.name}" of ${top} is listed twice`);
    seen.add(p.name);
    if (!Number.isInteger(p.width) || p.width < 1 || p.width > MAX_PORT_WIDTH)
      throw new Error(`runVectors: port "${p.name}" of ${top} has width ${p.width}; widths must be integers 1..${MAX_PORT_WIDTH}`);
    if (p.dir !== 'in' && p.dir !== 'out') throw new Error(`runVectors: port "${p.name}" has dir "${String(p.dir)}"; valid: in, out`);
  }
  const clk = ports.find((p) => p.name === 'clk');
  if (clk && (clk.dir !== 'in' || clk.width !== 1)) throw new Error(`runVectors: port clk of ${top} must be a 1-bit input`);
  const inputs = ports.filter((p) => p.dir === 'in' && p.name !== 'clk');
  const outputs = ports.filter((p) => p.dir === 'out');
  const index = new Map(inputs.map((p, i) => [p.name, i]));

  // Bounds per input, computed once: this loop runs once per cycle and port (millions of times).
  const lo = inputs.map((p) => (p.signed ? -(1n << BigInt(p.width - 1)) : 0n));
  const hi = inputs.map((p) => (1n << BigInt(p.width)) - 1n);
  const table: bigint[][] = [];
  let current = inputs.map(() => 0n);
  for (let cycle = 0; cycle < cycles.length; cycle++) {
    const given = cycles[cycle]!;
    const row = current.slice();
    for (const name in given) {
      const i = index.get(name);
      if (i === undefined) {
        const why = name === 'clk' ? 'clk is driven by the runner (one rising edge per cycle)' :
          outputs.some((p) => p.name === name) ? `${name} is an output` : `${top} has no input ${name}`;
        throw new Error(`runVectors: cycle ${cycle}: cannot set "${name}": ${why}; inputs: ${inputs.map((p) => p.name).join(', ') || '(none)'}`);
      }
      const value = given[name]!;
      if (typeof value !== 'bigint') throw new Error(`runVectors: cycle ${cycle}: value of ${name} must be a bigint, got ${typeof value}`);
      if (value < lo[i]! || value > hi[i]!) {
        const p = inputs[i]!;
        throw new Error(`runVectors: cycle ${cycle}: value ${value} does not fit ${name} (${p.signed ? 'sint' : 'uint'}(${p.width}); valid ${lo[i]}..${hi[i]})`);
      }
      row[i] = value < 0n ? BigInt.asUintN(inputs[i]!.width, value) : value;
    }
    table.push(row);
    current = row;
  }
  return { clocked: clk !== undefined, inputs, outputs, table };
}

/** Number of 32-bit words that hold a `width`-bit value. */
export const wordsOf = (width: number): number => Math.ceil(width / 32);

/** Writes `value` as `wordsOf(width)` little-endian 32-bit words into `buf` at word index `at`. */
export function putWords(buf: Uint32Array, at: number, value: bigint, width: number): void {
  const n = wordsOf(width);
  if (n === 1) {
    buf[at] = Number(value);
    return;
  }
  let v = value;
  for (let i = 0; i < n; i++) {
    buf[at + i] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
}

/** Reads a `width`-bit value from 32-bit words at `at`, masking bits above the width. */
export function getWords(buf: Uint32Array, at: number, width: number): bigint {
  const n = wordsOf(width);
  if (n === 1) return BigInt.asUintN(width, BigInt(buf[at]!));
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 32n) | BigInt(buf[at + i]!);
  return BigInt.asUintN(width, v);
}
