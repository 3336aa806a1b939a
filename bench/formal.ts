/**
 * bench:formal — formal checks measured: every dsl/lib stream element in its harness by BMC (yosys
 * sat) to depth 20, and the pass-equivalence campaign on fuzz programs (`--programs N`, seeded).
 *   npm run bench:formal -- --programs 1000 [--seed S]     (--quick: depth 5, 3 elements, 3 programs)
 * Wall times depend on the machine's load (8 sessions share 2 cores): compare them within one run.
 */
import { elaborate } from '../dsl/index.ts';
import { checkPassEquivalence } from '../flows/formal/equiv.ts';
import { prove } from '../flows/formal/prove.ts';
import { FORMAL_ELEMENTS } from '../tests/formal-elements.ts';
import { programModule } from '../tests/fuzz/build.ts';
import { generateProgram } from '../tests/fuzz/generate.ts';
import { Rng } from '../tests/fuzz/rng.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const depth = quick ? 5 : 20;
const programs = quick ? 3 : arg('--programs', 100);
const seed = arg('--seed', 20261203);

const rows: string[] = ['| element | queue properties | result | wall s |', '|---|---|---|---|'];
const elements = Object.entries(FORMAL_ELEMENTS).slice(0, quick ? 3 : undefined);
for (const [name, def] of elements) {
  const r = await prove(elaborate(def), { depth });
  rows.push(`| ${name} | ${r.harness.queue ? 'yes' : 'no'} | ${r.status === 'bounded' ? `no counterexample in ${depth} cycles` : `${r.status}: ${r.failed?.message ?? ''}`} | ${r.seconds.toFixed(2)} |`);
  process.stdout.write(`${rows[rows.length - 1]}\n`);
}

let proven = 0;
let timeouts = 0;
const broken: string[] = [];
const started = performance.now();
for (let k = 0; k < programs; k++) {
  const circuit = elaborate(programModule(generateProgram(new Rng(seed + k), { maxOps: 10 }), `equiv_p${k}`));
  for (const r of await checkPassEquivalence(circuit, { timeoutSeconds: 20 })) {
    if (r.equivalent === true) proven++;
    else if (r.equivalent === undefined) timeouts++;
    else broken.push(`program seed ${seed + k} without ${r.pass}`);
  }
  if ((k + 1) % 10 === 0) process.stdout.write(`equiv: ${k + 1}/${programs} programs, ${proven} proven, ${timeouts} timeouts, ${broken.length} not equivalent\n`);
}
const minutes = (performance.now() - started) / 60000;

recordBlock('bench:formal', 'Formal', [
  machineLine(),
  '',
  `BMC with yosys sat to depth ${depth}, each element in its harness (tests/formal-elements.ts, 2-bit payloads):`,
  '',
  ...rows,
  '',
  `Pass equivalence (flows/formal/equiv.ts): ${programs} fuzz programs (seeds ${seed}..${seed + programs - 1}, at most 10 ops), ` +
    `each pass left out in turn: ${proven} proven equivalent, ${timeouts} without verdict in 20 s, ${broken.length} not equivalent` +
    `${broken.length ? ` (${broken.slice(0, 10).join('; ')})` : ''}; ${minutes.toFixed(1)} min.`,
].join('\n'));
