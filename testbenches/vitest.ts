/**
 * vitest helpers, so a hardware test reads like its spec: one `describeDesign` per design (the
 * Verilog is written once per file and removed afterwards), `withSim` for a session that is always
 * closed and whose failures always carry the seed, `goldenVsRtl` for "the RTL produces what the golden
 * kernel says", and `availableBackends` for running the same test on Verilator and Icarus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import type { ModuleDef } from '../dsl/build/module.ts';
import type { PortRecord } from '../dsl/build/ports.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { writeDesign } from '../dsl/output.ts';
import type { BackendKind } from './stream/backend.ts';
import { openSim, type DesignRef, type Sim, type SimOptions } from './stream/session.ts';
import type { TokenBatch } from './stream/words.ts';
import { hasTool } from '../toolchain/tools.ts';

/** Back ends whose tools are installed (Verilator first); tests `it.each` over it. */
export function availableBackends(): BackendKind[] {
  const out: BackendKind[] = [];
  if (hasTool('verilator')) out.push('verilator');
  if (hasTool('iverilog') && hasTool('vvp')) out.push('icarus');
  return out;
}

/** Elaborates and writes a design into a fresh temporary folder; the caller removes it. */
export function writeTempDesign(def: ModuleDef<PortRecord>): DesignRef & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hwflow-design-'));
  const w = writeDesign(elaborate(def), join(dir, 'rtl'), { generator: 'test' });
  return { dir: w.dir, manifest: w.manifest };
}

/**
 * `describe(title)` with the design written once before its tests and deleted after them. The body
 * gets a getter for the written design (available inside tests, not while collecting them).
 */
export function describeDesign(title: string, def: ModuleDef<PortRecord> | (() => ModuleDef<PortRecord>), body: (design: () => DesignRef) => void): void {
  describe(title, () => {
    let written: (DesignRef & { dir: string }) | undefined;
    beforeAll(() => {
      written = writeTempDesign(typeof def === 'function' ? def() : def);
    });
    afterAll(() => {
      // The design folder is <tmp>/hwflow-design-XXXX/rtl; remove the whole temporary folder.
      if (written) rmSync(join(written.dir, '..'), { recursive: true, force: true });
    });
    body(() => {
      if (!written) throw new Error(`design of '${title}' is only available inside tests`);
      return written;
    });
  });
}

/**
 * Opens a session, runs `fn`, and always ends the simulator (closing it normally, killing it after a
 * failure). An error that does not mention the seed gets it appended, so every failure is replayable.
 */
export async function withSim<T>(design: DesignRef, opts: SimOptions, fn: (sim: Sim) => Promise<T>): Promise<T> {
  const sim = await openSim(design, opts);
  try {
    const r = await fn(sim);
    await sim.close();
    return r;
  } catch (e) {
    await sim.kill().catch(() => undefined);
    if (e instanceof Error && !e.message.includes(`${sim.seed}`)) e.message += `\n(seed ${sim.seed}, back end ${sim.backendKind}; reproduce with HWFLOW_SEED=${sim.seed})`;
    throw e;
  }
}

/** Inputs per input stream and the golden outputs per output stream. */
export interface GoldenCase {
  inputs: Record<string, TokenBatch>;
  expected: Record<string, readonly bigint[]>;
}

/**
 * Sends every input batch, runs until every output stream has as many tokens as the golden kernel
 * says, and scoreboards each output stream in order (a mismatch throws the full report with a
 * waveform). Returns the cycles the run took.
 */
export async function goldenVsRtl(sim: Sim, c: GoldenCase): Promise<number> {
  for (const [name, tokens] of Object.entries(c.inputs)) sim.send(name, tokens);
  const until: Record<string, number> = {};
  for (const [name, tokens] of Object.entries(c.expected)) until[name] = sim.received(name).length + tokens.length;
  const before = Object.fromEntries(Object.keys(c.expected).map((n) => [n, sim.received(n).length]));
  const r = await sim.run({ until });
  for (const [name, tokens] of Object.entries(c.expected)) {
    // Earlier tokens of the session were checked by earlier calls; compare this batch only.
    const prefix = sim.received(name).slice(0, before[name]);
    await sim.scoreboard(name, [...prefix, ...tokens]);
  }
  return r.cycles;
}
