/**
 * Runs a batch of fuzz programs: packs them into one top module (one Verilator build for all),
 * elaborates it, computes the expected outputs with the IR simulator and compares, bit for bit, with
 * what Verilator and/or Icarus produce from the emitted Verilog, and/or (`passes`) with the IR
 * simulated after each compiler pass. A batch whose Verilog a simulator
 * rejects is split in halves until the programs at fault are found, so one bad program does not hide
 * the verdict on the others.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest } from '../../dsl/manifest.ts';
import { elaborate } from '../../dsl/passes/elaborate.ts';
import { emitVerilog } from '../../dsl/verilog/emit.ts';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { runVectors, type Backend } from '../../testbenches/vectors/index.ts';
import { batchModule, batchPrefix } from './build.ts';
import { checkPasses } from './passes.ts';
import { firstMismatches, simulate, simulateBatch, type Check, type Mismatch, type Outputs } from './reference.ts';
import type { FuzzCase, Program, Stimulus } from './program.ts';
import { lintBatch, type LintResult } from './lint.ts';
import { batchVectors } from './stimulus.ts';

export type { Backend, Check, Mismatch };
export { simulate };

export interface BatchResult {
  /** First mismatch of each failing program (and back end). */
  mismatches: Mismatch[];
  /** Program-cycles simulated per back end. */
  cycles: number;
  /** Wall time in seconds: TypeScript side (build, elaborate, IR simulation) and each back end. */
  seconds: { ts: number; lint?: number } & Partial<Record<Check, number>>;
  /** Verilator -Wall findings, when asked for. */
  lint?: LintResult;
}

interface Prepared {
  circuit: Circuit;
  rows: Record<string, bigint>[];
  expected: Outputs;
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

/**
 * Run `programs` (with their stimuli; `rst` is the batch's shared reset sequence) on each back end
 * and compare with the IR simulator. `name` becomes the top module's name (and a prefix of the
 * programs' module names).
 */
export async function runBatch(
  programs: readonly Program[],
  stims: readonly Stimulus[],
  rst: readonly number[],
  backends: readonly Check[],
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
    if (backend === 'passes') mismatches.push(...checkPasses(prep.circuit, prep.rows, prep.expected));
    else mismatches.push(...(await checkOn(prep, programs, stims, rst, backend, name, (k) => k)));
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
    return firstMismatches(p.expected, await runBackend(p, backend), { backend }, index);
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
export async function runCases(cases: readonly FuzzCase[], backends: readonly Check[], name = 'fuzz_case'): Promise<Mismatch[]> {
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
  const who = m.pass ? `${m.backend}: after ${m.pass}` : m.backend;
  if (m.error) return `${who}: could not build or run: ${m.error.split('\n').slice(0, 6).join(' | ')}`;
  if (m.cycle < 0) return `${who}: ${m.port}`;
  const [want, got] = m.pass ? ['IR before', 'IR after'] : ['IR simulator', m.backend];
  return `${who}: cycle ${m.cycle}, output ${m.port}: ${want} 0x${m.expected.toString(16)}, ${got} 0x${m.actual.toString(16)}`;
}

export { batchPrefix };
