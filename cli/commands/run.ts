/**
 * `hwflow run <design> --input in.json [--output out.json] [--no-check]`: run an accelerator's RTL
 * in Verilator on the user's tensors. The tensors are checked against the design's specs, encoded
 * into stream tokens, driven through the streaming harness (with optional seeded random stalls),
 * decoded, compared with the golden kernel, and written as JSON with the cycle count, the ideal
 * bound and the utilisation. Exit status: 0 on success, 1 when the RTL disagrees with golden,
 * 2 on bad usage or bad input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { Accelerator, Generator, ParamValue, Tensor } from '../../dsl/generator.ts';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { writeDesign } from '../../dsl/output.ts';
import { resolveDesign, UsageError } from '../../generators/registry.ts';
import { openSim, type Sim } from '../../testbenches/stream/session.ts';
import { printWarnings, runCommand } from '../errors.ts';
import { paramOptions } from '../options.ts';
import { parseInputs, readJsonFile, tensorToJson } from '../tensors.ts';
import { indexOf } from '../../dsl/tensors.ts';

export function isAccelerator(g: Generator | undefined): g is Accelerator {
  return !!g && ['inputs', 'outputs', 'golden', 'encode', 'decode'].every((k) => typeof (g as unknown as Record<string, unknown>)[k] === 'function');
}

/** What `hwflow run` writes. */
export interface RunReport {
  design: string;
  preset?: string;
  params: Record<string, ParamValue>;
  top: string;
  seed: number;
  stall: number;
  outputs: Record<string, { shape: number[]; data: (number | string)[] }>;
  /** Cycles from the end of reset to the last output token, inclusive. */
  cycles: number;
  idealCycles: number;
  /** idealCycles / cycles. */
  utilisation: number;
  counts: Record<string, number>;
  check: 'passed' | 'failed' | 'skipped';
  mismatch?: string;
  simulator: { backend: 'verilator'; buildSeconds: number; cached: boolean };
}

export interface RunOptions {
  seed: number;
  /** Probability per cycle that an input withholds valid and an output withholds ready. */
  stall: number;
  check: boolean;
  info: { generator: string; preset?: string; params: Record<string, ParamValue> };
}

/** First difference between RTL and golden tensors, as one line; null when they agree. */
export function compareTensors(got: Record<string, Tensor>, want: Record<string, Tensor>): string | null {
  for (const [name, w] of Object.entries(want)) {
    const g = got[name];
    if (!g) return `output tensor '${name}' was not produced`;
    if (g.shape.join() !== w.shape.join()) return `output tensor '${name}' has shape [${g.shape}], golden [${w.shape}]`;
    const i = w.data.findIndex((v, j) => v !== g.data[j]);
    if (i >= 0) {
      const idx = indexOf(w.shape, i);
      const bad = w.data.filter((v, j) => v !== g.data[j]).length;
      return `output tensor '${name}' differs from golden at [${idx.join(', ')}]: RTL ${g.data[i]}, golden ${w.data[i]} (${bad} of ${w.data.length} values differ)`;
    }
  }
  return null;
}

/** Drive all tokens and wait for every output token (exactly, or until the design falls quiet). */
async function drive(sim: Sim, acc: Accelerator, params: Record<string, ParamValue>, inputs: Record<string, Tensor>, tokens: Record<string, bigint[]>): Promise<void> {
  for (const [stream, list] of Object.entries(tokens)) sim.send(stream, list);
  const expected = acc.outputTokens?.(params, inputs);
  if (expected) {
    await sim.run({ until: expected });
    return;
  }
  await sim.run({ drain: true });
  const outs = sim.layout.outStreams.map((s) => s.name);
  const total = () => outs.reduce((a, s) => a + sim.received(s).length, 0);
  // Without a declared count, wait as long again as the run has taken so far for more tokens.
  for (let before = -1; before !== total(); ) {
    before = total();
    await sim.run({ cycles: Math.max(10_000, sim.cycle) });
  }
}

/** Run an accelerator's elaborated design on checked inputs; the core of `hwflow run`. */
export async function runAccelerator(acc: Accelerator, circuit: Circuit, inputs: Record<string, Tensor>, o: RunOptions): Promise<RunReport> {
  const params = o.info.params;
  const golden = acc.golden(params, inputs);
  const tokens = acc.encode(params, inputs);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-run-'));
  try {
    const w = writeDesign(circuit, path.join(tmp, circuit.top.name), o.info);
    const sim = await openSim(w.dir, { seed: o.seed, stall: { in: o.stall, out: o.stall } });
    let received: Record<string, bigint[]>;
    let cycles: number;
    try {
      const start = sim.cycle;
      await drive(sim, acc, params, inputs, tokens);
      received = Object.fromEntries(sim.layout.outStreams.map((s) => [s.name, [...sim.received(s.name)]]));
      const last = Math.max(start, ...sim.layout.outStreams.map((s) => sim.cycles(s.name).at(-1) ?? start));
      cycles = last - start + 1;
    } finally {
      await sim.close();
    }
    const outputs = acc.decode(params, received, inputs);
    const mismatch = o.check ? compareTensors(outputs, golden.outputs) : null;
    return {
      design: o.info.generator,
      ...(o.info.preset !== undefined ? { preset: o.info.preset } : {}),
      params,
      top: circuit.top.name,
      seed: o.seed,
      stall: o.stall,
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, tensorToJson(t)])),
      cycles,
      idealCycles: golden.idealCycles,
      utilisation: Number((golden.idealCycles / cycles).toFixed(4)),
      counts: golden.counts,
      check: !o.check ? 'skipped' : mismatch ? 'failed' : 'passed',
      ...(mismatch ? { mismatch: `${mismatch} (seed ${o.seed})` } : {}),
      simulator: { backend: 'verilator', buildSeconds: Number(sim.build.seconds.toFixed(2)), cached: sim.build.cached },
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Pretty JSON with every array of scalars on one line (tensors stay readable). */
export function formatReport(report: RunReport): string {
  return JSON.stringify(report, null, 2).replace(/\[\s*((?:-?\d+|"-?\d+")(?:,\s*(?:-?\d+|"-?\d+"))*)\s*\]/g, (_m, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`) + '\n';
}


interface CliOptions {
  preset?: string;
  param: string[];
  input: string;
  output?: string;
  check: boolean;
  seed?: string;
  stall: string;
}

export function register(program: Command): void {
  paramOptions(program
    .command('run')
    .description("run an accelerator's RTL in Verilator on JSON tensors, check against golden, report cycles")
    .argument('<design>', 'registered accelerator name, or a .ts script exporting one'))
    .requiredOption('--input <file>', 'input tensors: {"name": {"shape": [...], "data": [...]}} or {"name": nested arrays}')
    .option('--output <file>', 'write the JSON report here (default: stdout)')
    .option('--no-check', 'do not compare with the golden kernel')
    .option('--seed <n>', 'seed of the random stalls', '1')
    .option('--stall <rate>', 'probability per cycle of a withheld valid/ready on every stream', '0')
    .action((design: string, opts: CliOptions) =>
      runCommand(async () => {
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a non-negative integer, got '${opts.seed}'`);
        const stall = Number(opts.stall);
        if (!(stall >= 0 && stall < 1)) throw new UsageError(`--stall must be a probability in [0, 1), got '${opts.stall}'`);
        const d = await resolveDesign(design, { preset: opts.preset, params: opts.param });
        printWarnings(d.circuit.warnings);
        if (!isAccelerator(d.generator))
          throw new UsageError(`design '${design}' declares no input and output tensors (it is not an Accelerator), so it cannot be run on tensors; use 'hwflow gen'`);
        const acc = d.generator;
        const inputs = parseInputs(readJsonFile(opts.input), acc.inputs(d.info.params), `input file '${opts.input}'`);
        acc.checkRelations?.(d.info.params, inputs);
        try {
          acc.golden(d.info.params, inputs);
        } catch (e) {
          // The kernels check cross-tensor constraints the specs cannot express (e.g. e ≤ P).
          if (e instanceof RangeError) throw new UsageError(`input file '${opts.input}': ${e.message}`);
          throw e;
        }
        const report = await runAccelerator(acc, d.circuit, inputs, { seed, stall, check: opts.check, info: d.info });
        const text = formatReport(report);
        if (opts.output) {
          fs.writeFileSync(opts.output, text);
          const shapes = Object.entries(report.outputs).map(([k, t]) => `${k} [${t.shape.join('×')}]`).join(', ');
          process.stdout.write(`${shapes}: ${report.check === 'passed' ? 'matches golden' : report.check === 'skipped' ? 'not checked' : 'MISMATCH'}; ` +
            `${report.cycles} cycles, ideal ${report.idealCycles} (utilisation ${(report.utilisation * 100).toFixed(1)}%) -> ${opts.output}\n`);
        } else process.stdout.write(text);
        if (report.check === 'failed') {
          process.stderr.write(`error: ${report.mismatch}\n`);
          process.exitCode = 1;
        }
      }),
    );
}
