/**
 * A fuzzing campaign: `count` programs from one seed, in batches (one simulator build per batch and
 * back end), compared with the IR simulator; failing programs are shrunk and saved as regression
 * cases. Program i of a campaign is fully determined by (seed, i), so a printed seed replays it.
 */
import { generateProgram, type GenOptions } from './generate.ts';
import { describeMismatch, runBatch, type Check, type Mismatch } from './driver.ts';
import type { FuzzCase, Program, Stimulus } from './program.ts';
import { saveRegression } from './regressions.ts';
import { Rng, mixSeed } from './rng.ts';
import { shrink } from './shrink.ts';
import { randomStimulus } from './stimulus.ts';

export interface CampaignOptions {
  count: number;
  /** Index of the first program (a multiple of the batch size), to split one campaign over processes. */
  from?: number;
  seed: number;
  backends: readonly Check[];
  /** Programs per build (default 100). */
  batch?: number;
  /** Cycles each batch runs (default 24). */
  cycles?: number;
  /** Batches in flight at once (default 1; at most 2, the machine's build limit). */
  jobs?: number;
  /** Shrink failing programs (default true) and save them under tests/fuzz-regressions (default false). */
  shrink?: boolean;
  save?: boolean;
  gen?: GenOptions;
  /** Also lint every batch with Verilator -Wall and count the programs that draw warnings. */
  lint?: boolean;
  log?: (line: string) => void;
}

export interface CampaignFailure {
  /** Global program index and the case as generated. */
  index: number;
  mismatch: Mismatch;
  original: FuzzCase;
  shrunk?: FuzzCase;
  shrunkMismatch?: Mismatch;
  file?: string;
}

export interface CampaignResult {
  programs: number;
  /** Program-cycles compared, per back end. */
  cycles: number;
  failures: CampaignFailure[];
  seconds: number;
  /** Time per phase, summed over batches (TypeScript side, each back end). */
  phases: Record<string, number>;
  /** With `lint`: programs whose Verilog drew Verilator -Wall warnings, and warnings per code. */
  lint?: { programs: number; codes: Record<string, number>; samples: string[] };
}

/** The programs and stimuli of batch `b` of a campaign (deterministic in seed and b). */
export function campaignBatch(seed: number, b: number, size: number, cycles: number, gen?: GenOptions): { programs: Program[]; stims: Stimulus[]; rst: number[] } {
  const rng = new Rng(mixSeed(seed, b));
  const rst = randomStimulus(rng, cycles).rst;
  const programs: Program[] = [];
  const stims: Stimulus[] = [];
  for (let k = 0; k < size; k++) {
    const prng = rng.fork();
    programs.push(generateProgram(prng, gen));
    stims.push({ ...randomStimulus(prng, cycles), rst });
  }
  return { programs, stims, rst };
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const t0 = performance.now();
  const size = opts.batch ?? 100;
  const cycles = opts.cycles ?? 24;
  const jobs = Math.max(1, Math.min(2, opts.jobs ?? 1));
  const log = opts.log ?? (() => {});
  const from = opts.from ?? 0;
  if (from % size !== 0) throw new Error(`campaign: --from ${from} must be a multiple of the batch size ${size}`);
  const firstBatch = from / size;
  const batches = Math.ceil(opts.count / size);
  const phases: Record<string, number> = {};
  const failures: CampaignFailure[] = [];
  let programs = 0;
  let next = 0;
  const lint = opts.lint ? { programs: 0, codes: {} as Record<string, number>, samples: [] as string[] } : undefined;

  const worker = async (): Promise<void> => {
    while (next < batches) {
      const j = next++;
      const b = firstBatch + j;
      const n = Math.min(size, opts.count - j * size);
      const { programs: progs, stims, rst } = campaignBatch(opts.seed, b, size, cycles, opts.gen);
      const r = await runBatch(progs.slice(0, n), stims.slice(0, n), rst, opts.backends, `fuzz_s${opts.seed >>> 0}_b${b}`, { lint: opts.lint });
      for (const [k, v] of Object.entries(r.seconds)) phases[k] = (phases[k] ?? 0) + (v ?? 0);
      if (lint && r.lint) {
        lint.programs += r.lint.programs.length;
        for (const [code, c] of Object.entries(r.lint.codes)) lint.codes[code] = (lint.codes[code] ?? 0) + c;
        lint.samples.push(...r.lint.samples.slice(0, Math.max(0, 5 - lint.samples.length)));
      }
      programs += n;
      for (const m of r.mismatches) {
        const index = b * size + m.program;
        const original: FuzzCase = { program: progs[m.program]!, stim: stims[m.program]! };
        log(`MISMATCH seed ${opts.seed} program ${index}: ${describeMismatch(m)}`);
        failures.push({ index, mismatch: m, original });
      }
      log(`batch ${j + 1}/${batches} (#${b}): ${programs} programs, ${failures.length} failing, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, () => worker()));

  if (opts.shrink ?? true)
    for (const f of failures) {
      try {
        const s = await shrink(f.original, f.mismatch.backend, { log });
        f.shrunk = s.case;
        f.shrunkMismatch = s.mismatch;
        log(`shrunk program ${f.index} to ${s.case.program.nodes.length} nodes: ${describeMismatch(s.mismatch)}`);
        if (opts.save)
          f.file = saveRegression(s.case, s.mismatch, opts.seed, f.index, `found by \`npm run fuzz -- --seed ${opts.seed}\` (program ${f.index}): ${describeMismatch(s.mismatch)}`);
      } catch (err) {
        log(`could not shrink program ${f.index}: ${(err as Error).message}`);
      }
    }
  return { programs, cycles: programs * cycles, failures, seconds: (performance.now() - t0) / 1000, phases, ...(lint ? { lint } : {}) };
}
