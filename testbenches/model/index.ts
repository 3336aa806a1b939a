/**
 * "When a test fails, say where": run a traced session's inputs through the token-level model of the
 * design's graph, diff it stream by stream with what the RTL moved, and report the first divergence
 * down to the element and the user's TS line (see docs/harness.md, "When a test fails").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { cacheRoot } from '../../toolchain/cache-root.ts';
import type { Sim } from '../stream/session.ts';
import { formatDivergence, writeFailure } from './report.ts';
import { formatLockstep, lockstep, type LockstepDivergence } from './lockstep.ts';
import { readVcd } from '../vcd.ts';
import { firstDivergence, runModel, type Divergence, type ModelRun, type RtlRun } from './run.ts';

export { runModel, firstDivergence, type Divergence, type ModelRun, type RtlRun } from './run.ts';
export { graphOf, type Graph, type GraphElement, type GraphStream } from './graph.ts';
export { MODELLED_KINDS, runElement, type ModelToken } from './elements.ts';
export { formatDivergence, writeFailure, timelineSvg } from './report.ts';
export { lockstep, instanceTree, formatLockstep, type LockstepDivergence, type InstanceNode } from './lockstep.ts';

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

/** Thrown by {@link checkLockstep}: the text names the instance path, the signal, the cycle and the TS line. */
export class LockstepError extends Error {
  override readonly name = 'LockstepError';
  /**
   * @param message the report's text
   * @param divergence where the first instance left its IR
   * @param files the failure.json and failure.html written for it
   */
  constructor(message: string, readonly divergence: LockstepDivergence, readonly files: { json: string; html: string }) {
    super(message);
  }
}

/**
 * Locates a fault in hand-written logic anywhere in the hierarchy (an accelerator's engines, FSMs):
 * replays the session into a waveform of the whole run, then every instance's IR in lockstep with
 * it (testbenches/model/lockstep.ts). Call it after a scoreboard failure (it builds a waveform
 * model: seconds). Returns quietly when every instance agrees with its IR; throws a
 * {@link LockstepError} naming the first instance, signal, cycle and TS line otherwise.
 * @param sim a Verilator session (recording, the default), after its runs
 * @param circuit the elaborated design its Verilog was written from
 * @param opts where the failure files go
 */
export async function checkLockstep(sim: Sim, circuit: Circuit, opts: { reportDir?: string } = {}): Promise<void> {
  const wave = await sim.waveform(0, sim.cycle, 'lockstep');
  const d = lockstep(circuit, readVcd(wave));
  if (!d) return;
  const text = `${formatLockstep(d, sim.manifest.top, sim.seed)}\n  waveform:  ${wave}`;
  const dir = opts.reportDir ?? join(cacheRoot(), 'failures', `${sim.manifest.top}-seed${sim.seed}`);
  mkdirSync(dir, { recursive: true });
  const files = { json: join(dir, 'failure.json'), html: join(dir, 'failure.html') };
  const hex = (b: bigint) => `0x${b.toString(16)}`;
  writeFileSync(files.json, JSON.stringify({ design: sim.manifest.top, seed: sim.seed, kind: 'lockstep', ...d, expected: hex(d.expected), actual: hex(d.actual), wave }, null, 2));
  const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  writeFileSync(files.html, `<!doctype html><meta charset="utf-8"><title>${esc(sim.manifest.top)}: ${esc(d.instance || 'top')}</title>\n<h1>${esc(sim.manifest.top)}: first divergence inside <code>${esc(d.instance || '(top)')}</code></h1>\n<pre>${esc(text)}</pre>\n`);
  throw new LockstepError(`${text}\n  report:    ${files.html}`, d, files);
}
