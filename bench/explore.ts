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
import { COST_TABLE_FILE, type CostEntry, type CostTable, type OpForm, type OpShape } from '../generators/nasa/cost-table.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-explore-'));
// A private cache, so the first pass computes every point (the --costs table uses the normal one).
if (!process.argv.includes('--costs')) process.env.HWFLOW_CACHE = path.join(tmp, 'cache');

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
  const lines = [machineLine(), '', `Command: \`npm run bench:explore${quick ? ' -- --quick' : ''}\` = \`${cmd}\` (${SWEEP.run === 'none' ? 'no simulation' : `seed ${SWEEP.seed}, Verilator outputs checked against golden`}, iCE40 yosys, ShiftAdd 45 nm energies, private cache).`, ''];
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

/**
 * `--costs`: the measured cost table. Each op of the hybrid networks at a CIFAR layer size of
 * ResNet-20's last stage (64 channels, 8×8 maps) becomes the GEMM of a ShiftAdd engine (4×4 PEs)
 * sized for it, swept over the three forms; written to generators/nasa/cost-table.json and recorded
 * in the `bench:explore-costs` block. Uses the normal cache, so a re-run re-measures nothing unchanged.
 */
const OPS: { op: OpShape; cout: number; cin: number; r: number; hw: number }[] = [
  { op: 'conv3x3', cout: 64, cin: 64, r: 3, hw: 8 },
  { op: 'conv5x5', cout: 64, cin: 64, r: 5, hw: 8 },
  { op: 'proj1x1', cout: 64, cin: 64, r: 1, hw: 8 },
];

async function costs(): Promise<void> {
  const entries: CostEntry[] = [];
  const rows: (string | number)[][] = [];
  for (const o of OPS) {
    const gemm = { M: o.cout, K: o.cin * o.r * o.r, N: o.hw * o.hw };
    const out = await explore({
      design: 'shiftadd', preset: 'ci', param: ['rows=4', 'cols=4', `mMax=${gemm.M}`, `kMax=${gemm.K}`, `nMax=${gemm.N}`], sweep: ['kind=mul,shift,adder'],
      synth: ['ice40'], run: 'random', seed: 1, jobs: 2, executor: 'local', out: path.join(tmp, `costs-${o.op}`), progress: false,
    });
    for (const r of out.results) {
      if (r.status !== 'ok') throw new Error(`${o.op} ${r.label} failed: ${r.error}`);
      const macs = gemm.M * gemm.K * gemm.N;
      const e: CostEntry = {
        op: o.op, form: r.assignments.kind as OpForm, layer: { cout: o.cout, cin: o.cin, r: o.r, hw: o.hw }, gemm, engine: { rows: 4, cols: 4 }, macs,
        cycles: r.cycles!, idealCycles: r.idealCycles!, luts: r.luts!, ffs: r.ffs!, brams: r.brams!, energyPj: r.energyPj!, energyPerMacPj: Number((r.energyPj! / macs).toFixed(5)),
      };
      entries.push(e);
      rows.push([o.op, e.form, `${gemm.M}×${gemm.K}×${gemm.N}`, e.cycles, e.idealCycles, (e.idealCycles / e.cycles * 100).toFixed(1) + '%', e.luts, e.ffs, e.brams, e.energyPj.toFixed(0), e.energyPerMacPj]);
    }
  }
  const costTable: CostTable = { hwflowCostTable: 1, source: `npm run bench:explore -- --costs: shiftadd ci preset, 4×4 PEs sized per op, Verilator on random int8 inputs (seed 1, checked against golden), yosys synth_ice40, ShiftAdd 45 nm unit energies at 8 bits; ${machineLine()}`, entries };
  fs.writeFileSync(COST_TABLE_FILE, JSON.stringify(costTable, null, 2) + '\n');
  const text = [machineLine(), '', 'Command: `npm run bench:explore -- --costs` (ResNet-20 last-stage layers on CIFAR: 64→64 channels, 8×8 maps, as GEMMs M×K×N on 4×4-PE ShiftAdd engines; Verilator, iCE40 yosys, 45 nm energies). Written to generators/nasa/cost-table.json.', '',
    table(['op', 'form', 'GEMM M×K×N', 'cycles', 'ideal', 'utilisation', 'LUTs', 'FFs', 'BRAMs', 'energy pJ', 'pJ / MAC'], rows)].join('\n');
  console.log(text);
  recordBlock('bench:explore-costs', 'Measured op cost table (HW-NAS-Bench style)', text);
}

try {
  if (process.argv.includes('--costs')) {
    await costs();
  } else await main();
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
