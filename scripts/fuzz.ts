/**
 * The differential fuzzer from the command line:
 *   npm run fuzz -- --count 1000 --seed 7 --backend both
 *   npm run fuzz -- --count 20000 --seed 7 --backend none --lint   (lint-only sweep)
 *   npm run fuzz -- --count 20000 --seed 7 --backend none --passes (every compiler pass, IR only)
 * Random DSL programs -> Verilog -> Verilator and/or Icarus, compared bit for bit with the IR
 * simulator; with --passes, also the IR simulated before and after each compiler pass. Failing programs are shrunk and (with --save) written to tests/fuzz-regressions/.
 * Exits with status 1 when anything mismatched.
 */
import { Command, Option } from 'commander';
import { describeMismatch, type Backend, type Check } from '../tests/fuzz/driver.ts';
import { useFastFuzzBuilds } from '../tests/fuzz/env.ts';
import { runCampaign } from '../tests/fuzz/campaign.ts';

const program = new Command('fuzz')
  .description('differential fuzzer: IR simulator vs Verilator/Icarus on random DSL programs')
  .option('--count <n>', 'programs to run', '1000')
  .option('--seed <s>', 'campaign seed (default: random, printed)')
  .option('--from <i>', 'index of the first program (a multiple of --batch; splits a campaign over processes)', '0')
  .addOption(new Option('--backend <b>', 'simulator(s) to compare with').choices(['verilator', 'icarus', 'both', 'none']).default('verilator'))
  .option('--batch <n>', 'programs per simulator build', '100')
  .option('--cycles <n>', 'clock cycles per program', '24')
  .option('--jobs <n>', 'batches in flight (1 or 2)', '1')
  .option('--max-ops <n>', 'operator nodes per program, at most', '24')
  .option('--no-shrink', 'do not shrink failing programs')
  .option('--save', 'save shrunk failing programs as regression cases')
  .option('--lint', 'also run verilator --lint-only -Wall on every batch and count the programs that warn')
  .option('--passes', 'also check every compiler pass on its own: the IR simulated before and after it, cycle by cycle')
  .option('--quiet', 'print only the summary and mismatches')
  .parse();

const o = program.opts<{ count: string; from: string; seed?: string; backend: string; batch: string; cycles: string; jobs: string; maxOps: string; shrink: boolean; save?: boolean; quiet?: boolean; lint?: boolean; passes?: boolean }>();
const int = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    console.error(`fuzz: --${name} must be an integer >= ${min}, got '${v}'`);
    process.exit(2);
  }
  return n;
};
const seed = o.seed !== undefined ? int('seed', o.seed, 0) : Math.floor(Math.random() * 2 ** 31);
// `none` runs no simulator: with --lint, a quick lint-only sweep of a campaign's programs.
const simulators: Backend[] = o.backend === 'both' ? ['verilator', 'icarus'] : o.backend === 'none' ? [] : [o.backend as Backend];
const backends: Check[] = o.passes ? [...simulators, 'passes'] : simulators;
const count = int('count', o.count, 1);

useFastFuzzBuilds();
const checks = backends.length ? backends.join(' + ') : 'no simulator';
console.log(`fuzz: ${count} programs from #${o.from}, seed ${seed}, back ends ${checks}`);
const r = await runCampaign({
  count, seed, backends, from: int('from', o.from, 0),
  batch: int('batch', o.batch, 1), cycles: int('cycles', o.cycles, 1), jobs: int('jobs', o.jobs, 1),
  gen: { maxOps: int('max-ops', o.maxOps, 3) },
  shrink: o.shrink, save: o.save ?? false, lint: o.lint ?? false,
  log: (line) => {
    if (!o.quiet || line.startsWith('MISMATCH') || line.startsWith('shrunk')) console.log(line);
  },
});
const phases = Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ');
console.log(
  `fuzz summary: seed ${seed}, ${r.programs} programs, ${r.cycles} program-cycles on ${checks}, ` +
    `${r.failures.length} mismatches, ${r.seconds.toFixed(1)} s (${phases})`,
);
if (r.lint) {
  const codes = Object.entries(r.lint.codes).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  console.log(`lint: ${r.lint.programs} of ${r.programs} programs draw verilator -Wall warnings (${codes})`);
  for (const line of r.lint.samples) console.log(`  ${line}`);
}
for (const f of r.failures) {
  console.log(`  program ${f.index}: ${describeMismatch(f.shrunkMismatch ?? f.mismatch)}${f.file ? ` -> ${f.file}` : ''}`);
  if (f.shrunk) console.log(`    shrunk: ${JSON.stringify(f.shrunk)}`);
}
process.exit(r.failures.length ? 1 : 0);
