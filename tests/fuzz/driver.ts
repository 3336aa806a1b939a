/**
 * Runs a batch of fuzz programs: packs them into one top module (one Verilator build for all),
 * elaborates it, computes the expected outputs with the IR simulator and compares, bit for bit, with
 * what Verilator and/or Icarus produce from the emitted Verilog. A batch whose Verilog a simulator
 * rejects is split in halves until the programs at fault are found, so one bad program does not hide
 * the verdict on the others.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest } from '../../dsl/manifest.ts';
import { elaborate } from '../../dsl/passes/elaborate.ts';
import { Simulator } from '../../dsl/sim/simulator.ts';
import { emitVerilog } from '../../dsl/verilog/emit.ts';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { runVectors, type Backend } from '../../testbenches/vectors/index.ts';
import { batchModule, batchPrefix } from './build.ts';
import type { FuzzCase, Program, Stimulus } from './program.ts';
import { lintBatch, type LintResult } from './lint.ts';
import { batchVectors } from './stimulus.ts';

export type { Backend };

/** One output that differed: which program, where and how. */
export interface Mismatch {
  /** Index of the program in the batch. */
  program: number;
  backend: Backend;
  /** First differing cycle, port (program-local name), IR-simulator value and back-end value (raw bits). */
  cycle: number;
  port: string;
  expected: bigint;
  actual: bigint;
  /** Set instead of values when the back end could not build or run the program at all. */
  error?: string;
}

export interface BatchResult {
  /** First mismatch of each failing program (and back end). */
  mismatches: Mismatch[];
  /** Program-cycles simulated per back end. */
  cycles: number;
  /** Wall time in seconds: TypeScript side (build, elaborate, IR simulation) and each back end. */
  seconds: { ts: number; lint?: number } & Partial<Record<Backend, number>>;
  /** Verilator -Wall findings, when asked for. */
  lint?: LintResult;
}

/** The IR simulator's outputs for each cycle, under the vector runner's protocol. */
export function simulate(circuit: Circuit, rows: readonly Record<string, bigint>[]): Record<string, bigint>[] {
  const sim = new Simulator(circuit);
  const outs = circuit.top.ports.filter((p) => p.kind === 'output').map((p) => p.name);
  const result: Record<string, bigint>[] = [];
  for (const row of rows) {
    for (const [name, v] of Object.entries(row)) if (name !== 'rst' || circuit.top.sequential) sim.poke(name, v);
    const rec: Record<string, bigint> = {};
    for (const o of outs) rec[o] = sim.peekBits(o);
    result.push(rec);
    sim.step();
  }
  return result;
}

/** Split a batch port name `p<k>_<port>` into the program index and its own port name. */
function owner(port: string): { program: number; port: string } {
  const m = /^p(\d+)_(.*)$/.exec(port)!;
  return { program: Number(m[1]), port: m[2]! };
}

interface Prepared {
  circuit: Circuit;
  rows: Record<string, bigint>[];
  expected: Record<string, bigint>[];
}

/**
 * The IR simulator's view of a batch, one program at a time: each instance's module is simulated
 * as a circuit of its own (the same IR objects the Verilog was emitted from), which keeps the
 * simulator's per-port work proportional to one program rather than the whole batch.
 */
function simulateBatch(circuit: Circuit, rows: readonly Record<string, bigint>[]): Record<string, bigint>[] {
  const expected: Record<string, bigint>[] = rows.map(() => ({}));
  circuit.top.instances.forEach((inst, k) => {
    const prefix = batchPrefix(k);
    const own = rows.map((row) => {
      const r: Record<string, bigint> = {};
      if (inst.module.sequential && row.rst !== undefined) r.rst = row.rst;
      for (const p of inst.module.ports) if (p.kind === 'input') r[p.name] = row[prefix + p.name]!;
      return r;
    });
    simulate({ top: inst.module, modules: [inst.module] }, own).forEach((rec, c) => {
      for (const [port, v] of Object.entries(rec)) expected[c]![prefix + port] = v;
    });
  });
  return expected;
}

function prepare(programs: readonly Program[], stims: readonly Stimulus[], rst: readonly number[], name: string): Prepared {
  const circuit = elaborate(batchModule(programs, name));
  const rows = batchVectors(programs, stims, rst);
  // Combinational batches have no rst port: drop it from the vectors.
  if (!circuit.top.sequential) for (const r of rows) delete r.rst;
  return { circuit, rows, expected: simulateBatch(circuit, rows) };
}

async function runBackend(prep: Prepared, backend: Backend): Promise<Record<string, bigint>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hwflow-fuzz-'));
  try {
    const files = emitVerilog(prep.circuit).map((f) => {
      const file = join(dir, f.name);
      writeFileSync(file, f.text);
      return file;
    });
    const ports = buildManifest(prep.circuit, { generator: 'fuzz' }).ports;
    // A fuzz model runs a few dozen cycles once: g++'s optimiser would be pure cost.
    return await runVectors({ backend, files, top: prep.circuit.top.name, ports, cycles: prep.rows, compile: 'quick' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compare(prep: Prepared, actual: readonly Record<string, bigint>[], backend: Backend, index: (k: number) => number): Mismatch[] {
  const first = new Map<number, Mismatch>();
  prep.expected.forEach((exp, cycle) => {
    for (const [port, want] of Object.entries(exp)) {
      const got = actual[cycle]?.[port];
      if (got === want) continue;
      const o = owner(port);
      const k = index(o.program);
      if (!first.has(k)) first.set(k, { program: k, backend, cycle, port: o.port, expected: want, actual: got ?? -1n });
    }
  });
  return [...first.values()];
}

/**
 * Run `programs` (with their stimuli; `rst` is the batch's shared reset sequence) on each back end
 * and compare with the IR simulator. `name` becomes the top module's name (and a prefix of the
 * programs' module names).
 */
export async function runBatch(
  programs: readonly Program[],
  stims: readonly Stimulus[],
  rst: readonly number[],
  backends: readonly Backend[],
  name = 'fuzz_top',
  opts: { lint?: boolean } = {},
): Promise<BatchResult> {
  const t0 = performance.now();
  const prep = prepare(programs, stims, rst, name);
  const seconds: BatchResult['seconds'] = { ts: (performance.now() - t0) / 1000 };
  let lint: LintResult | undefined;
  if (opts.lint) {
    const t1 = performance.now();
    lint = await lintBatch(prep.circuit);
    seconds.lint = (performance.now() - t1) / 1000;
  }
  const mismatches: Mismatch[] = [];
  for (const backend of backends) {
    const t1 = performance.now();
    mismatches.push(...(await checkOn(prep, programs, stims, rst, backend, name, (k) => k)));
    seconds[backend] = (performance.now() - t1) / 1000;
  }
  return { mismatches, cycles: programs.length * rst.length, seconds, ...(lint ? { lint } : {}) };
}

/** Compare on one back end; on a build or run failure, bisect to the programs that cause it. */
async function checkOn(
  prep: Prepared | undefined,
  programs: readonly Program[],
  stims: readonly Stimulus[],
  rst: readonly number[],
  backend: Backend,
  name: string,
  index: (k: number) => number,
): Promise<Mismatch[]> {
  const p = prep ?? prepare(programs, stims, rst, name);
  try {
    return compare(p, await runBackend(p, backend), backend, index);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (programs.length === 1) return [{ program: index(0), backend, cycle: -1, port: '', expected: 0n, actual: 0n, error: message.slice(0, 4000) }];
    const half = Math.ceil(programs.length / 2);
    const left = await checkOn(undefined, programs.slice(0, half), stims.slice(0, half), rst, backend, `${name}_a`, (k) => index(k));
    const right = await checkOn(undefined, programs.slice(half), stims.slice(half), rst, backend, `${name}_b`, (k) => index(k + half));
    return [...left, ...right];
  }
}

/** Replay saved cases (each with its own reset sequence) one batch per distinct reset sequence. */
export async function runCases(cases: readonly FuzzCase[], backends: readonly Backend[], name = 'fuzz_case'): Promise<Mismatch[]> {
  const groups = new Map<string, number[]>();
  cases.forEach((c, i) => {
    const key = c.stim.rst.join('');
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const out: Mismatch[] = [];
  let g = 0;
  for (const idx of groups.values()) {
    const first = cases[idx[0]!]!;
    const r = await runBatch(idx.map((i) => cases[i]!.program), idx.map((i) => cases[i]!.stim), first.stim.rst, backends, `${name}${g++}`);
    out.push(...r.mismatches.map((m) => ({ ...m, program: idx[m.program]! })));
  }
  return out;
}

/** A one-line description of a mismatch for logs and test failures. */
export function describeMismatch(m: Mismatch): string {
  if (m.error) return `${m.backend}: could not build or run: ${m.error.split('\n').slice(0, 6).join(' | ')}`;
  return `${m.backend}: cycle ${m.cycle}, output ${m.port}: IR simulator 0x${m.expected.toString(16)}, ${m.backend} 0x${m.actual.toString(16)}`;
}

export { batchPrefix };
