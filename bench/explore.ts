/**
 * `npm run bench:explore`: one design-space sweep of the ShiftAdd engines: PE kind (multiply, shift,
 * adder) × array rows (2, 4) at a 4-column array with M ≤ 8, K ≤ 16, N ≤ 4, each point simulated in
 * Verilator on random int8 inputs (checked against golden), synthesised for iCE40 and priced with the
 * ShiftAdd 45 nm unit energies, on a local pool of 2 worker processes; recorded in the `bench:explore`
 * block of docs/benchmarks.md with the Pareto front over (cycles, LUTs, energy). The sweep then runs
 * again to show that every unchanged point comes from the content-addressed cache.
 *
 * The point cache is private to the run (a temporary HWFLOW_CACHE), so the first pass computes every
 * point. `--quick`: a counter sweep (width 4, 6; yosys only, seconds); records nothing (record.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { explore, type ExploreOptions, type ExploreOutcome } from '../cli/explore/run.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-explore-'));
process.env.HWFLOW_CACHE = path.join(tmp, 'cache');

const SWEEP: ExploreOptions = quick
  ? { design: 'counter', param: [], sweep: ['width=4,6'], synth: ['ice40'], run: 'none', seed: 1, jobs: 2, executor: 'local', out: path.join(tmp, 'out'), progress: false }
  : {
    design: 'shiftadd', preset: 'ci', param: ['cols=4', 'mMax=8', 'kMax=16', 'nMax=4'], sweep: ['kind=mul,shift,adder', 'rows=2,4'],
    synth: ['ice40'], run: 'random', seed: 1, jobs: 2, executor: 'local', out: path.join(tmp, 'out'), progress: false,
  };

const table = (head: string[], rows: (string | number)[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const show = (v: number | undefined): string | number => v ?? '–';

async function timed(): Promise<{ o: ExploreOutcome; seconds: number }> {
  const t0 = performance.now();
  const o = await explore(SWEEP);
  return { o, seconds: (performance.now() - t0) / 1000 };
}

async function main(): Promise<void> {
  const first = await timed();
  const second = await timed();
  const o = first.o;
  const cmd = `hwflow explore ${SWEEP.design}${SWEEP.preset ? ` --preset ${SWEEP.preset}` : ''}${SWEEP.param.map((p) => ` --param ${p}`).join('')}${SWEEP.sweep.map((s) => ` --sweep ${s}`).join('')} --synth ${SWEEP.synth.join(',')}${SWEEP.run === 'none' ? ' --run none' : ''} --jobs ${SWEEP.jobs}`;
  const lines = [machineLine(), '', `Command: \`npm run bench:explore${quick ? ' -- --quick' : ''}\` = \`${cmd}\` (seed ${SWEEP.seed}, Verilator outputs checked against golden, iCE40 yosys, ShiftAdd 45 nm energies, private cache).`, ''];
  lines.push(table(['point', 'cycles', 'ideal', 'utilisation', 'LUTs', 'FFs', 'carries', 'BRAMs', 'energy pJ', 'Pareto'],
    o.results.map((r) => r.status === 'failed'
      ? [r.label, `failed: ${r.error}`, '', '', '', '', '', '', '', '']
      : [r.label, show(r.cycles), show(r.idealCycles), r.utilisation !== undefined ? `${(r.utilisation * 100).toFixed(1)}%` : '–', show(r.luts), show(r.ffs), show(r.carries), show(r.brams), show(r.energyPj), r.pareto ? '**yes**' : 'no'])));
  lines.push('');
  lines.push(`Pareto front over ${o.objectives.join(', ')}: ${o.results.filter((r) => r.pareto).map((r) => r.label).join('; ')} (${o.front.length} of ${o.results.length} points).`);
  lines.push(`First pass: ${o.computed} computed, ${o.cached} cached, ${o.failed} failed in ${first.seconds.toFixed(1)} s wall; ` +
    `second pass: ${second.o.computed} computed, ${second.o.cached} cached in ${second.seconds.toFixed(1)} s wall (${(first.seconds / second.seconds).toFixed(0)}× faster).`);
  const text = lines.join('\n');
  console.log(text);
  recordBlock('bench:explore', 'Design-space exploration (hwflow explore)', text);
  if (second.o.cached !== o.computed + o.cached) throw new Error(`the second pass should take every point from the cache: ${second.o.cached} cached of ${o.computed + o.cached}`);
}

try {
  await main();
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
