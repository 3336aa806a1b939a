/**
 * Test support for the dataflow library: a seeded RNG, a stream driver/monitor over the IR
 * Simulator with random stalls on both sides, and helpers that run Verilator lint and yosys on a
 * design's Verilog. The driver obeys the valid/ready rules itself (valid stays up with a stable
 * payload until the token fires), and the monitor checks that the design does the same on its
 * outputs, so a test fails on a protocol violation even when the token order happens to be right.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { mulberry32 } from '../generators/random.ts';
import {
  Simulator, connect, elaborate, emitVerilog, module, type Circuit, type ModuleDef, type PayloadType, type PortRecord, In, Out, Stream,
} from '../dsl/index.ts';

/** mulberry32: small, fast and good enough for stalls and data. */
export const makeRng = mulberry32;

/** A random integer in [0, 2^bits) as a bigint. */
export function randomBits(rng: () => number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i += 16) v |= BigInt(Math.floor(rng() * 65536)) << BigInt(i);
  return BigInt.asUintN(bits, v);
}

export interface StreamRun {
  /** Payload bit patterns per input stream, in order. */
  inputs: Record<string, readonly bigint[]>;
  /** Number of tokens expected per output stream. */
  expect: Record<string, number>;
  /** Probability that a driver holds back a token in a cycle (0 = never). */
  inStall?: number;
  /** Probability that a consumer is not ready in a cycle. */
  outStall?: number;
  seed?: number;
  /** Give up after this many cycles (a deadlock or a lost token). */
  maxCycles?: number;
  /** Outputs allowed to drop valid before their token fires (a lazy fork's outputs). */
  unstable?: readonly string[];
  /** Drive other inputs each cycle, before the handshakes are evaluated. */
  everyCycle?: (sim: Simulator, cycle: number) => void;
}

export interface StreamResult {
  outputs: Record<string, bigint[]>;
  /** Cycle (from 0, after reset) at which each output token fired. */
  outCycles: Record<string, number[]>;
  /** Cycle at which each input token fired. */
  inCycles: Record<string, number[]>;
  cycles: number;
}

/**
 * Reset the simulator, then drive the input streams and drain the output streams until every
 * output has its expected count. Throws (with the seed) on a protocol violation or a timeout.
 */
export function runStreams(sim: Simulator, run: StreamRun): StreamResult {
  const seed = run.seed ?? 1;
  const rng = makeRng(seed);
  const inStall = run.inStall ?? 0;
  const outStall = run.outStall ?? 0;
  const maxCycles = run.maxCycles ?? 100_000;
  const ins = Object.entries(run.inputs).map(([name, tokens]) => ({ name, tokens, next: 0, presenting: false, fired: [] as number[] }));
  const outs = Object.entries(run.expect).map(([name, count]) => ({ name, count, got: [] as bigint[], at: [] as number[], pending: undefined as bigint | undefined }));
  const fail = (msg: string): never => {
    throw new Error(`${msg} (seed ${seed}, cycle ${sim.cycle})`);
  };
  sim.reset();
  const start = sim.cycle;
  for (let c = 0; ; c++) {
    if (outs.every((o) => o.got.length >= o.count)) break;
    if (c >= maxCycles)
      fail(`timeout after ${c} cycles: outputs ${outs.map((o) => `${o.name} ${o.got.length}/${o.count}`).join(', ')}, inputs ${ins.map((i) => `${i.name} ${i.next}/${i.tokens.length}`).join(', ')}`);
    run.everyCycle?.(sim, c);
    for (const i of ins) {
      if (!i.presenting && i.next < i.tokens.length && rng() >= inStall) i.presenting = true;
      sim.poke(`${i.name}_valid`, i.presenting ? 1 : 0);
      sim.poke(`${i.name}_payload`, i.presenting ? i.tokens[i.next]! : 0n);
    }
    for (const o of outs) sim.poke(`${o.name}_ready`, rng() >= outStall ? 1 : 0);
    for (const i of ins)
      if (i.presenting && sim.peek(`${i.name}_ready`) === 1n) {
        i.fired.push(c);
        i.next++;
        i.presenting = false;
      }
    for (const o of outs) {
      const valid = sim.peek(`${o.name}_valid`) === 1n;
      const strict = !run.unstable?.includes(o.name);
      if (!valid) {
        if (o.pending !== undefined && strict) fail(`output '${o.name}' dropped valid before its token fired`);
        continue;
      }
      const payload = sim.peekBits(`${o.name}_payload`);
      if (o.pending !== undefined && o.pending !== payload && strict) fail(`output '${o.name}' changed its payload while waiting for ready`);
      if (sim.peek(`${o.name}_ready`) === 1n) {
        if (o.got.length >= o.count) fail(`output '${o.name}' produced more than the ${o.count} expected tokens`);
        o.got.push(payload);
        o.at.push(c);
        o.pending = undefined;
      } else o.pending = payload;
    }
    for (const o of outs) if (sim.peek(`${o.name}_valid`) !== 1n) o.pending = undefined;
    sim.step();
  }
  return {
    outputs: Object.fromEntries(outs.map((o) => [o.name, o.got])),
    outCycles: Object.fromEntries(outs.map((o) => [o.name, o.at])),
    inCycles: Object.fromEntries(ins.map((i) => [i.name, i.fired])),
    cycles: sim.cycle - start,
  };
}

/** Elaborate and wrap in a simulator. */
export function simulate(def: ModuleDef<PortRecord>): { circuit: Circuit; sim: Simulator } {
  const circuit = elaborate(def);
  return { circuit, sim: new Simulator(circuit) };
}

/** Write a circuit's Verilog into a fresh temp folder; returns the folder and the file paths. */
export function writeVerilog(circuit: Circuit): { dir: string; files: string[]; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hwflow-lib-'));
  const files = emitVerilog(circuit).map((f) => {
    const p = path.join(dir, f.name);
    writeFileSync(p, f.text);
    return p;
  });
  return { dir, files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `verilator --lint-only -Wall`; returns its combined output (empty when clean). */
export async function verilatorLint(circuit: Circuit): Promise<string> {
  const v = writeVerilog(circuit);
  try {
    const r = await execa('verilator', ['--lint-only', '-Wall', '--top-module', circuit.top.name, ...v.files], { reject: false, all: true });
    return r.exitCode === 0 ? (r.all ?? '').trim() : `exit ${r.exitCode}\n${r.all ?? ''}`;
  } finally {
    v.cleanup();
  }
}

/** Cell counts from yosys `stat` after `synth_ice40` or `synth_xilinx`. */
export async function yosysCells(circuit: Circuit, target: 'ice40' | 'xilinx'): Promise<Record<string, number>> {
  const v = writeVerilog(circuit);
  try {
    const synth = target === 'ice40' ? `synth_ice40 -top ${circuit.top.name}` : `synth_xilinx -top ${circuit.top.name}`;
    const script = `${v.files.map((f) => `read_verilog ${f}`).join('; ')}; ${synth}; stat`;
    const r = await execa('yosys', ['-q', '-p', script.replace('stat', 'tee -o ' + path.join(v.dir, 'stat.txt') + ' stat')], { reject: false, all: true });
    if (r.exitCode !== 0) throw new Error(`yosys failed:\n${r.all}`);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(path.join(v.dir, 'stat.txt'), 'utf8');
    const cells: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const mm = /^\s+(\$?[A-Za-z_][\w$]*)\s+(\d+)\s*$/.exec(line);
      if (mm) cells[mm[1]!] = (cells[mm[1]!] ?? 0) + Number(mm[2]);
    }
    return cells;
  } finally {
    v.cleanup();
  }
}

/** A module `name` with one input stream `in` and one output stream `out` around `body`. */
export function streamElement<T extends PayloadType, U extends PayloadType>(name: string, inType: T, outType: U, body: (s: Stream<T>) => Stream<U>): ModuleDef<PortRecord> {
  return module(name, { in: In(Stream(inType)), out: Out(Stream(outType)) }, (io) => {
    connect(body(io.in), io.out);
  });
}
