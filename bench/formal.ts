/**
 * bench:formal — formal checks measured, in three parts, each recorded in its own block of
 * docs/benchmarks.md ("Formal"):
 *  - every dsl/lib stream element in its harness by BMC (yosys sat) to depth 20, and k-induction
 *    (which closes for every element, with the FIFOs' and the arbiter's invariants: flows/formal/invariants.ts);
 *  - the stream handshakes of every registered accelerator (ci preset) to depth 3, written memories
 *    read as free values;
 *  - the pass-equivalence campaign on fuzz programs (flows/formal/equiv.ts `equivCampaign`): a pass
 *    that leaves a program's Verilog identical needs no proof; every other (program, pass) pair gets
 *    its own yosys run, --jobs of them at once (default: one per core).
 *
 *   npm run bench:formal -- [--programs N] [--seed S] [--jobs J] [--only elements|accelerators|equiv]
 *   (--quick: depth 5, 3 elements, no accelerators, 2 cheap programs)
 * The campaign records its block again every 40 programs and when stopped (SIGTERM/SIGINT), so a long
 * run leaves its figures so far.
 * Wall times depend on the machine's load (8 sessions share 2 cores): compare them within one run.
 */
import os from 'node:os';
import { elaborate } from '../dsl/index.ts';
import { PASSES } from '../dsl/passes/pipeline.ts';
import { equivCampaign, SEARCH_CYCLES, type PairVerdict } from '../flows/formal/equiv.ts';
import { prove } from '../flows/formal/prove.ts';
import { elaboratePreset, registry } from '../generators/registry.ts';
import { FORMAL_ELEMENTS } from '../tests/formal-elements.ts';
import { programModule } from '../tests/fuzz/build.ts';
import { generateProgram } from '../tests/fuzz/generate.ts';
import type { Program } from '../tests/fuzz/program.ts';
import { Rng } from '../tests/fuzz/rng.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? undefined : process.argv[onlyAt + 1];
if (only !== undefined && !['elements', 'accelerators', 'equiv'].includes(only)) throw new Error(`--only must be elements, accelerators or equiv, got '${only}'`);
const part = (name: string): boolean => only === undefined || only === name;
const depth = quick ? 5 : 20;
const programs = quick ? 2 : arg('--programs', 100);
// --quick skips program 0 of the default seed, which alone takes yosys about 8 s of CPU.
const seed = arg('--seed', quick ? 20261204 : 20261203);
const SEQ = 2;
const PASS_COUNT = PASSES.length;
const CPU_PER_RUN = 12;
// yosys runs at once: the campaign alone can use every core.
const JOBS = arg('--jobs', os.availableParallelism());

if (part('elements')) {
  const rows: string[] = ['| element | queue properties | BMC | BMC wall s | k-induction (length 2) | induction wall s |', '|---|---|---|---|---|---|'];
  for (const [name, def] of Object.entries(FORMAL_ELEMENTS).slice(0, quick ? 3 : undefined)) {
    const r = await prove(elaborate(def), { depth });
    const bmc = r.status === 'bounded' ? `no counterexample in ${depth} cycles` : `${r.status}: ${r.failed?.message ?? ''}`;
    const ind = await prove(elaborate(def), { depth: 2, induction: true });
    const closed = ind.status === 'proven' ? `proven for every depth${ind.harness.fifo ? ' (buffer invariants)' : ind.harness.arbiter ? ' (lock invariants)' : ''}` : ind.status === 'bounded' ? 'does not close' : `counterexample: ${ind.failed?.message ?? ''}`;
    rows.push(`| ${name} | ${r.harness.queue ? 'yes' : 'no'} | ${bmc} | ${r.seconds.toFixed(2)} | ${closed} | ${ind.seconds.toFixed(2)} |`);
    process.stdout.write(`${rows[rows.length - 1]}\n`);
  }
  recordBlock('bench:formal', 'Formal', [
    machineLine(), '',
    `Each dsl/lib element in its harness (tests/formal-elements.ts, 2-bit payloads): BMC with yosys sat to depth ${depth}, ` +
      'then k-induction of length 2 (yosys sat -tempinduct):', '',
    ...rows,
  ].join('\n'));
}

if (part('accelerators') && !quick) {
  const rows = ['| design (ci preset) | streams | result | wall s |', '|---|---|---|---|'];
  for (const name of Object.keys(registry).sort()) {
    const { circuit } = elaboratePreset(registry[name]!);
    if (!circuit.top.streams.length) continue;
    const r = await prove(circuit, { depth: 3, cutMemories: true });
    const result = r.status === 'counterexample' ? `counterexample at ${r.failed?.where}: ${r.failed?.message}` : `no counterexample in 3 cycles${r.memoriesCut ? ' (memories cut)' : ''}`;
    rows.push(`| ${name} | ${circuit.top.streams.length} | ${result} | ${r.seconds.toFixed(1)} |`);
    process.stdout.write(`${rows[rows.length - 1]}\n`);
  }
  recordBlock('bench:formal-accelerators', 'Formal', [
    machineLine(), '',
    'Stream handshakes of each registered accelerator with streams (`prove --depth 3 --cut-memories`: written memories read as free values):', '',
    ...rows,
  ].join('\n'));
}

if (part('equiv')) {
  const started = performance.now();
  const counts: Record<PairVerdict['verdict'], number> = { identical: 0, proven: 0, 'not proven': 0, 'no verdict': 0, 'not equivalent': 0 };
  const unproven: string[] = [];
  const bad: string[] = [];
  const open: string[] = [];
  let runs = 0;
  let started_ = 0;
  const decided = new Map<number, number>();
  const record = (final: boolean): void => {
    const minutes = (performance.now() - started) / 60000;
    const pairs = Object.values(counts).reduce((a, b) => a + b, 0);
    const complete = [...decided.values()].filter((n) => n === PASS_COUNT).length;
    recordBlock('bench:formal-equiv', 'Formal', [
      machineLine(), '',
      `Pass equivalence campaign (flows/formal/equiv.ts \`equivCampaign\`)${final ? '' : ' — stopped before the end, figures so far'}: ` +
        `fuzz programs of seeds ${seed}..${seed + started_ - 1} (at most 10 ops), each of the ${PASS_COUNT} IR passes left out in turn; ` +
        `${complete} programs with all ${PASS_COUNT} checks decided, ${pairs} (program, pass) checks decided in all.`, '',
      '| verdict | checks |', '|---|---|',
      `| Verilog identical without the pass (nothing to prove) | ${counts.identical} |`,
      `| proven equivalent (yosys equiv_simple/equiv_induct -seq ${SEQ}) | ${counts.proven} |`,
      `| not proven (equiv_induct does not close; no counterexample in ${SEARCH_CYCLES} cycles from reset) | ${counts['not proven']} |`,
      `| no verdict (over ${CPU_PER_RUN} s of CPU) | ${counts['no verdict']} |`,
      `| not equivalent | ${counts['not equivalent']} |`, '',
      `${runs} yosys runs (one per program and pass that changes it, ${JOBS} at once); ${minutes.toFixed(1)} min wall.` +
        (bad.length ? ` Not equivalent: ${bad.slice(0, 10).join('; ')}.` : '') +
        (unproven.length ? ` Not proven: ${unproven.slice(0, 10).join('; ')}${unproven.length > 10 ? ' …' : ''}.` : '') +
        (open.length ? ` No verdict: ${open.slice(0, 20).join('; ')}${open.length > 20 ? ' …' : ''}.` : ''),
    ].join('\n'));
  };
  // Stopped (SIGTERM/SIGINT): record the checks decided so far, then leave.
  for (const sig of ['SIGTERM', 'SIGINT'] as const)
    process.on(sig, () => {
      record(false);
      process.exit(0);
    });
  const CHUNK = 40;
  for (let from = 0; from < programs; from += CHUNK) {
    started_ = Math.min(programs, from + CHUNK);
    const items = Array.from({ length: Math.min(CHUNK, programs - from) }, (_, j) => ({ index: from + j, program: generateProgram(new Rng(seed + from + j), { maxOps: 10 }) as Program }));
    const r = await equivCampaign(items, {
      build: (i) => elaborate(programModule(i.program, `equiv_p${i.index}`)),
      seq: SEQ,
      cpuSeconds: CPU_PER_RUN,
      jobs: JOBS,
      onVerdict: (v) => {
        counts[v.verdict]++;
        decided.set(v.index, (decided.get(v.index) ?? 0) + 1);
        if (v.verdict === 'not equivalent') bad.push(`seed ${seed + v.index} without ${v.pass}`);
        if (v.verdict === 'no verdict') open.push(`seed ${seed + v.index} without ${v.pass}`);
        if (v.verdict === 'not proven') unproven.push(`seed ${seed + v.index} without ${v.pass}`);
      },
    });
    runs += r.runs;
    process.stdout.write(`equiv: ${started_}/${programs} programs, ${JSON.stringify(counts)}, ${runs} yosys runs\n`);
    if (started_ < programs) record(false);
  }
  record(true);
}
