/**
 * An accelerator's RTL run on tensors: the tensors are encoded into stream tokens, driven through the
 * Verilator streaming harness (with optional seeded random stalls), decoded and compared with the
 * golden kernel, with the cycle count, the ideal bound and the utilisation: what `hwflow run` does,
 * as a library. Benchmarks and tests that drive the harness themselves compare with compare.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Accelerator, ParamValue, Tensor } from '../dsl/generator.ts';
import type { Circuit } from '../dsl/ir/nodes.ts';
import { writeDesign } from '../dsl/output.ts';
import type { DesignInfo } from '../generators/registry.ts';
import { openSim, type Sim } from '../testbenches/stream/session.ts';
import { checkAgainstModel, ProvenanceError } from '../testbenches/model/index.ts';
import { compareTensors } from './compare.ts';

/** What running an accelerator found; `hwflow run` writes it as JSON. */
export interface RunReport {
  design: string;
  preset?: string;
  params: Record<string, ParamValue>;
  top: string;
  seed: number;
  stall: number;
  outputs: Record<string, Tensor>;
  /** Cycles from the end of reset to the last output token, inclusive. */
  cycles: number;
  idealCycles: number;
  /** idealCycles / cycles. */
  utilisation: number;
  counts: Record<string, number>;
  check: 'passed' | 'failed' | 'skipped';
  mismatch?: string;
  simulator: { backend: 'verilator'; buildSeconds: number; cached: boolean };
  /** With `trace`: the diff of every internal stream against the token model (testbenches/model). */
  trace?: { agrees: true; streams: number; unmodelled: string[] } | { agrees: false; report: string; json: string; html: string };
}

export interface RunOptions {
  seed: number;
  /** Probability per cycle that an input withholds valid and an output withholds ready. */
  stall: number;
  check: boolean;
  info: DesignInfo;
  /** Record the internal streams and diff them with the token model; failure files go to `traceDir`. */
  trace?: boolean;
  traceDir?: string;
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

/** Run an accelerator's elaborated design on checked inputs and compare with its golden kernel (`hwflow run`). */
export async function runAccelerator(acc: Accelerator, circuit: Circuit, inputs: Record<string, Tensor>, o: RunOptions): Promise<RunReport> {
  const params = o.info.params;
  const golden = acc.golden(params, inputs);
  const tokens = acc.encode(params, inputs);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-run-'));
  try {
    const w = writeDesign(circuit, path.join(tmp, circuit.top.name), o.info);
    const sim = await openSim(w.dir, { seed: o.seed, stall: { in: o.stall, out: o.stall }, trace: o.trace });
    let received: Record<string, bigint[]>;
    let cycles: number;
    let trace: RunReport['trace'];
    try {
      const start = sim.cycle;
      await drive(sim, acc, params, inputs, tokens);
      if (o.trace) {
        try {
          const model = await checkAgainstModel(sim, circuit, { reportDir: o.traceDir });
          trace = { agrees: true, streams: model.graph.order.length, unmodelled: model.unmodelled.map((e) => `${e.element} '${e.name}'`) };
        } catch (e) {
          if (!(e instanceof ProvenanceError)) throw e;
          trace = { agrees: false, report: e.message, ...e.files };
        }
      }
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
      outputs,
      cycles,
      idealCycles: golden.idealCycles,
      utilisation: Number((golden.idealCycles / cycles).toFixed(4)),
      counts: golden.counts,
      check: !o.check ? 'skipped' : mismatch ? 'failed' : 'passed',
      ...(mismatch ? { mismatch: `${mismatch} (seed ${o.seed})` } : {}),
      simulator: { backend: 'verilator', buildSeconds: Number(sim.build.seconds.toFixed(2)), cached: sim.build.cached },
      ...(trace ? { trace } : {}),
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
