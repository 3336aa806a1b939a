/**
 * `hwflow run <design> --input in.json [--output out.json] [--no-check] [--decompose]`: run an
 * accelerator's RTL in Verilator on the user's tensors (`--decompose`: the design's host-side step first,
 * e.g. float weights into SmartExchange's bases and coefficients). The tensors are checked against the design's specs, encoded
 * into stream tokens, driven through the streaming harness (with optional seeded random stalls),
 * decoded, compared with the golden kernel, and written as JSON with the cycle count, the ideal
 * bound and the utilisation (the run itself: verify/run-accelerator.ts); `--trace` also diffs every
 * internal stream with the token model and reports the first divergence. Exit status: 0 on success,
 * 1 when the RTL disagrees with golden, 2 on bad usage or bad input.
 * `--layer L [--data dir]`: an accelerator with real data (`layerInputs`, e.g. ViTCoD's DeiT-Tiny
 * masks) takes layer L's tensors from the data folder, the others from `--input` or random (--seed).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { isAccelerator } from '../../dsl/generator.ts';
import { runAccelerator, type RunReport } from '../../verify/run-accelerator.ts';
import { resolveDesign } from '../design.ts';
import { printWarnings, runCommand, UsageError } from '../errors.ts';
import { paramOptions } from '../options.ts';
import { parseInputs, readJsonFile, tensorToJson } from '../tensors.ts';
import { checkInputs } from '../../dsl/tensors.ts';
import type { Accelerator, ParamValue, Tensor } from '../../dsl/generator.ts';

/** Pretty JSON, tensors in the input file's form, every array of scalars on one line (tensors stay readable). */
export function formatReport(report: RunReport): string {
  const outputs = Object.fromEntries(Object.entries(report.outputs).map(([k, t]) => [k, tensorToJson(t)]));
  return JSON.stringify({ ...report, outputs }, null, 2).replace(/\[\s*((?:-?\d+|"-?\d+")(?:,\s*(?:-?\d+|"-?\d+"))*)\s*\]/g, (_m, inner: string) => `[${inner.split(/,\s*/).join(', ')}]`) + '\n';
}

/** The run's tensors: the whole --input file, or layer L's data with the --input file's tensors (or random ones) for the rest. */
function readInputs(acc: Accelerator, p: Record<string, ParamValue>, opts: CliOptions, seed: number): Record<string, Tensor> {
  const specs = acc.inputs(p);
  if (opts.layer === undefined) {
    if (!opts.input) throw new UsageError(`hwflow run needs --input <file> (or --layer L for a design with real data)`);
    let json = readJsonFile(opts.input);
    if (opts.decompose) {
      if (!acc.decompose) throw new UsageError(`design '${acc.name}' has no host-side decomposition, so --decompose does not apply; give its input tensors (${specs.map((s) => s.name).join(', ')}) directly`);
      if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`input file '${opts.input}' must be a JSON object mapping tensor names to tensors`);
      const r = acc.decompose(p, json as Record<string, unknown>);
      for (const line of r.notes) process.stderr.write(`${line}\n`);
      json = r.json;
    }
    const inputs = parseInputs(json, specs, `input file '${opts.input}'`);
    acc.checkRelations?.(p, inputs);
    return inputs;
  }
  if (!acc.layerInputs) throw new UsageError(`design '${acc.name}' has no real data set, so it takes no --layer; give --input <file>`);
  let given: Record<string, Tensor> = {};
  if (opts.input) {
    // Only the tensors the file gives (the layer supplies the rest); unknown names are still errors.
    const json = readJsonFile(opts.input);
    const names = json !== null && typeof json === 'object' && !Array.isArray(json) ? Object.keys(json) : [];
    const unknown = names.find((n) => !specs.some((s) => s.name === n));
    if (unknown) throw new UsageError(`input file '${opts.input}' has a tensor '${unknown}' that the design does not take; its inputs: ${specs.map((s) => s.name).join(', ')}`);
    given = parseInputs(json, specs.filter((s) => names.includes(s.name)), `input file '${opts.input}'`);
  }
  const inputs = acc.layerInputs(p, { layer: opts.layer, dataDir: opts.data ?? process.env.HWFLOW_DATA, given, seed });
  checkInputs(acc, p, inputs);
  return inputs;
}

interface CliOptions {
  preset?: string;
  param: string[];
  input?: string;
  layer?: string;
  data?: string;
  output?: string;
  check: boolean;
  seed?: string;
  stall: string;
  trace?: boolean;
  decompose?: boolean;
}

export function register(program: Command): void {
  paramOptions(program
    .command('run')
    .description("run an accelerator's RTL in Verilator on JSON tensors, check against golden, report cycles")
    .argument('<design>', 'registered accelerator name, or a .ts script exporting one'))
    .option('--input <file>', 'input tensors: {"name": {"shape": [...], "data": [...]}} or {"name": nested arrays}')
    .option('--layer <L>', "take layer L's tensors from the design's real data set (vitcod: the DeiT-Tiny masks as M); the others from --input or random (--seed)")
    .option('--data <dir>', 'data folder for --layer (default: HWFLOW_DATA, else ../shared/data next to the repository)')
    .option('--output <file>', 'write the JSON report here (default: stdout)')
    .option('--no-check', 'do not compare with the golden kernel')
    .option('--seed <n>', 'seed of the random stalls', '1')
    .option('--stall <rate>', 'probability per cycle of a withheld valid/ready on every stream', '0')
    .option('--decompose', "apply the design's host-side decomposition to the input first (smartexchange: float weights W [M, K] to bases B and coefficients C)")
    .option('--trace', 'record every internal stream and diff it with the token model; on a divergence, name the element and TS line (failure.json/.html in ./hwflow-failure)')
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
        const inputs = readInputs(acc, d.info.params, opts, seed);
        try {
          acc.golden(d.info.params, inputs);
        } catch (e) {
          // The kernels check cross-tensor constraints the specs cannot express (e.g. e ≤ P).
          if (e instanceof RangeError) throw new UsageError(`${opts.input ? `input file '${opts.input}'` : `--layer ${opts.layer}`}: ${e.message}`);
          throw e;
        }
        const report = await runAccelerator(acc, d.circuit, inputs, { seed, stall, check: opts.check, info: d.info, trace: opts.trace, traceDir: 'hwflow-failure' });
        if (report.trace && !report.trace.agrees) process.stderr.write(`${report.trace.report}\n`);
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
