/**
 * "When a test fails, say where": run a traced session's inputs through the token-level model of the
 * design's graph, diff it stream by stream with what the RTL moved, and report the first divergence
 * down to the element and the user's TS line (see docs/harness.md, "When a test fails").
 */
import { join } from 'node:path';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { cacheRoot } from '../../toolchain/cache-root.ts';
import type { Sim } from '../stream/session.ts';
import { formatDivergence, writeFailure } from './report.ts';
import { firstDivergence, runModel, type Divergence, type ModelRun, type RtlRun } from './run.ts';

export { runModel, firstDivergence, type Divergence, type ModelRun, type RtlRun } from './run.ts';
export { graphOf, type Graph, type GraphElement, type GraphStream } from './graph.ts';
export { MODELLED_KINDS, runElement, type ModelToken } from './elements.ts';
export { formatDivergence, writeFailure, timelineSvg } from './report.ts';

/** Thrown by {@link checkAgainstModel}: the text names the stream, token, element and TS line. */
export class ProvenanceError extends Error {
  override readonly name = 'ProvenanceError';
  /**
   * @param message the report's text
   * @param divergence the first disagreement, in graph order
   * @param files the failure.json and failure.html written for it
   */
  constructor(message: string, readonly divergence: Divergence, readonly files: { json: string; html: string }) {
    super(message);
  }
}

/**
 * What the RTL moved on every traced stream, every output port, and the inputs it accepted.
 * @param sim a session opened with `trace: true`
 */
export async function rtlRunOf(sim: Sim): Promise<RtlRun> {
  const taps = await sim.taps();
  const tokens = new Map<string, bigint[]>();
  const cycles = new Map<string, number[]>();
  const state = new Map<string, { valid: boolean; ready: boolean }>();
  for (const [name, r] of taps) {
    tokens.set(name, r.tokens);
    cycles.set(name, r.cycles);
    state.set(name, { valid: r.valid, ready: r.ready });
  }
  for (const s of sim.layout.outStreams) {
    tokens.set(s.name, sim.received(s.name));
    cycles.set(s.name, sim.cycles(s.name));
  }
  for (const s of sim.layout.inStreams) {
    const sent = sim.inputLog.sent.get(s.name) ?? [];
    const accepted = sim.acceptedCount(s.name);
    tokens.set(s.name, sent.slice(0, accepted));
    state.set(s.name, { valid: accepted < sent.length, ready: false });
  }
  return { tokens, cycles, state, sent: sim.inputLog.sent, poked: sim.inputLog.poked, cycle: sim.cycle };
}

/** Options of {@link checkAgainstModel}: where its failure files go. */
export interface CheckOptions {
  /** Folder for failure.json / failure.html (default `<cacheRoot>/failures/<top>-seed<seed>`). */
  reportDir?: string;
  /** Write a VCD window around the failing cycle (default true). */
  waves?: boolean;
}

/**
 * Diffs a traced session (`openSim(dir, { trace: true })`, after its runs) with the token model of
 * `circuit` (the elaborated design the session's Verilog came from). Returns the model run when
 * every stream agrees; throws a {@link ProvenanceError} naming the first divergence otherwise.
 * @param sim a session opened with `trace: true`, after its runs
 * @param circuit the elaborated design its Verilog was written from
 * @param opts where the failure files go, and whether to write a VCD window
 */
export async function checkAgainstModel(sim: Sim, circuit: Circuit, opts: CheckOptions = {}): Promise<ModelRun> {
  const rtl = await rtlRunOf(sim);
  const model = runModel(sim.manifest, circuit, rtl);
  const d = firstDivergence(model, rtl);
  if (!d) return model;
  let wave: string | undefined;
  let waveError: string | undefined;
  if (opts.waves !== false) {
    try {
      wave = await sim.waveform(Math.max(0, d.cycle - 40), d.cycle + 24, `provenance-${d.stream}-t${d.index}`);
    } catch (e) {
      waveError = (e as Error).message.split('\n')[0];
    }
  } else waveError = 'waves: false';
  const ctx = { design: sim.manifest.top, seed: sim.seed, wave, waveError };
  const dir = opts.reportDir ?? join(cacheRoot(), 'failures', `${sim.manifest.top}-seed${sim.seed}`);
  const files = writeFailure(dir, d, model, rtl, ctx);
  throw new ProvenanceError(`${formatDivergence(d, model, ctx)}\n  report:    ${files.html}`, d, files);
}
