/**
 * `npm run bench:vitcod`: the whole DeiT-Tiny attention (12 layers × 3 heads, N = 197, d = 64) on the
 * real 95%-sparse masks, on 64 lines × 8 MACs = 512 MACs, in Verilator without stalls, random int8
 * Q/K/V, every head checked against golden; recorded in the `bench:vitcod` block of docs/benchmarks.md.
 *
 * Figures: total cycles against the 18.6 k-cycle floor (2 × 74,399 kept pairs × 64 MACs / 512), the
 * cycles of each head (from one read-out to the next) against its own bound, the engine's phase
 * cycles (walks only, with the merge, with loads and read-out), the dense baseline (the same engine
 * with every pair kept: model, and Verilator on two heads), and the off-chip bytes the RTL's port
 * counter reports, with and without the Q/K auto-encoder (`paper-ae`: the decoder on a 64-byte port,
 * the 36 heads run raw and coded in one session).
 * `--quick`: the CI preset on four random heads (seconds); records nothing (record.ts).
 * The masks are read from ../shared/data (or HWFLOW_DATA).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tensor } from '../dsl/generator.ts';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { planHead, vitcodHead, type HeadLoad, type HeadPlan } from '../generators/vitcod/golden.ts';
import { groupRows, headBytesIn, headCycles, headLoads, pipelineCycles, randomVitcodInputs, toHeads, vitcodAccelerator as acc, vitcodTokens } from '../generators/vitcod/index.ts';
import { dataDir, readDeitMasks } from '../generators/vitcod/npy.ts';
import { vitcodPresets, type VitcodParams } from '../generators/vitcod/params.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { machineLine, quick, recordBlock } from './record.ts';
import { mulberry32 as rng } from '../generators/random.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-vitcod-'));
const AUTHORS_COMPUTE = 25_328; // the authors' cycle model at 8 MACs per line over all 36 heads (issue 17)

const table = (head: string[], rows: (string | number)[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const k = (n: number): string => n.toLocaleString('en-US');

interface Workload { inputs: Record<string, Tensor>; plans: HeadPlan[]; names: string[]; kept: number[] }

function deitWorkload(p: VitcodParams): Workload {
  const dir = dataDir(ROOT);
  if (!dir) throw new Error('bench:vitcod needs the DeiT-Tiny masks in ../shared/data/vitcod-deit-tiny (or HWFLOW_DATA)');
  const masks = readDeitMasks(dir);
  const N = masks.N;
  const H = masks.layers * masks.heads;
  const r = rng(1);
  const int8 = (): bigint => BigInt(Math.floor(r() * 256) - 128);
  const qkv = (): Tensor => ({ shape: [H, N, p.d], data: Array.from({ length: H * N * p.d }, int8) });
  const M: bigint[] = [];
  const plans: HeadPlan[] = [];
  const names: string[] = [];
  const kept: number[] = [];
  for (let l = 0; l < masks.layers; l++)
    for (let h = 0; h < masks.heads; h++) {
      const keep = masks.keep(l, h);
      for (const row of keep) for (const x of row) M.push(x ? 1n : 0n);
      const plan = planHead(keep, p.lines, { count: masks.globalCount(l, h) });
      plans.push(plan);
      names.push(`L${l}H${h}`);
      kept.push(plan.dense.length + plan.sparse.length);
    }
  return { inputs: { Q: qkv(), K: qkv(), V: qkv(), M: { shape: [H, N, N], data: M } }, plans, names, kept };
}

type Outputs = Record<string, Tensor>;
const same = (a: bigint[], b: bigint[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Run jobs (the heads, with their loads: raw or coded) one after another in one Verilator session
 * without stalls; per job the cycle of every output token (from its first send) and the bytes the
 * port's counter (`offchipBytes`) reports, every output checked against `want`.
 */
async function measure(p: VitcodParams, w: Workload, jobs: { loads?: HeadLoad[]; want: Outputs }[]): Promise<{ runs: { cycles: number; outCycles: number[]; bytes: number }[]; build: number; sim: number }> {
  const t0 = performance.now();
  const c = elaborate(acc.create(p));
  const dir = writeDesign(c, path.join(tmp, c.top.name), { generator: 'vitcod', params: p }).dir;
  // A dense head computes ~10 k cycles without moving a token: a longer hang limit.
  const s = await openSim(dir, { seed: 1, stall: { in: 0, out: 0 }, record: false, hangCycles: 100_000 });
  const build = (performance.now() - t0) / 1000;
  try {
    const t1 = performance.now();
    const heads = toHeads(p, w.inputs);
    const runs = [];
    for (const job of jobs) {
      const tokens = vitcodTokens(p, heads, w.plans, job.loads);
      const bytes0 = await s.peek('offchipBytes');
      const start = s.cycle;
      const before = s.received('out').length;
      for (const [name, list] of Object.entries(tokens)) s.send(name, list);
      await s.run({ until: { out: before + acc.outputTokens!(p, w.inputs).out! } });
      const got = acc.decode(p, { out: s.received('out').slice(before) }, w.inputs);
      if (!same(got.O!.data, job.want.O!.data) || !same(got.L!.data, job.want.L!.data)) throw new Error(`${c.top.name}: outputs differ from golden`);
      const outCycles = s.cycles('out').slice(before).map((x) => x - start);
      runs.push({ cycles: outCycles.at(-1)! + 1, outCycles, bytes: Number((await s.peek('offchipBytes')) - bytes0) });
    }
    return { runs, build, sim: (performance.now() - t1) / 1000 };
  } finally {
    await s.close();
  }
}

/** The exact kernel on the workload's heads (Q and K as given, no auto-encoder). */
function exactGolden(p: VitcodParams, w: Workload): Outputs {
  const res = toHeads(p, w.inputs).map((h) => vitcodHead(h, p.sigma));
  const H = res.length;
  const N = w.inputs.Q!.shape[1]!;
  return { O: { shape: [H, N, p.d], data: res.flatMap((r) => r.o.flat()).map(BigInt) }, L: { shape: [H, N], data: res.flatMap((r) => r.l).map(BigInt) } };
}

async function main(): Promise<void> {
  const lines: string[] = [machineLine(), ''];
  if (quick) {
    const p = vitcodPresets.ci!;
    const inputs = randomVitcodInputs(p, 1, 4, 16, 0.2);
    const heads = toHeads(p, inputs);
    const plans = heads.map((h) => planHead(h.keep, p.lines, { threshold: 0.5 }));
    const w: Workload = { inputs, plans, names: plans.map((_, n) => `random ${n}`), kept: plans.map((pl) => pl.dense.length + pl.sparse.length) };
    const r = await measure(p, w, [{ want: acc.golden(p, inputs).outputs }]);
    const run = r.runs[0]!;
    const model = pipelineCycles(p, plans.map((pl) => ({ N: 16, steps: pl.steps })));
    const bound = Math.ceil((2 * w.kept.reduce((a, b) => a + b, 0) * p.d) / (p.lines * p.macs));
    lines.push(`Command: \`npm run bench:vitcod -- --quick\`: the CI preset (N = 16, d = 16, 4 lines × 8 MACs), 4 random heads, Verilator, no stalls, checked against golden.`, '');
    lines.push(table(['heads', 'cycles', 'model', 'MAC bound', 'cycles / bound', 'off-chip bytes (counter)', 'build s', 'sim s'], [[4, run.cycles, model.total, bound, (run.cycles / bound).toFixed(2), run.bytes, r.build.toFixed(1), r.sim.toFixed(2)]]));
    console.log(lines.join('\n'));
    recordBlock('bench:vitcod', 'ViTCoD', lines.join('\n'));
    return;
  }
  const p = vitcodPresets.paper!;
  const w = deitWorkload(p);
  const totalKept = w.kept.reduce((a, b) => a + b, 0);
  const macs = 2 * totalKept * p.d;
  const floor = Math.ceil(macs / (p.lines * p.macs));
  const N = 197;
  const shape = w.plans.map((pl) => ({ N, steps: pl.steps }));
  const model = pipelineCycles(p, shape);
  const exact = exactGolden(p, w);
  const r = await measure(p, w, [{ want: exact }]);
  const main = r.runs[0]!;
  const chunks = p.d / p.macs;
  const walks = w.plans.reduce((a, pl) => a + 2 * pl.steps * chunks, 0);
  const compute = w.plans.reduce((a, pl) => a + headCycles(p, N, pl.steps).compute, 0);
  const dense = pipelineCycles(p, w.plans.map(() => ({ N, steps: Math.ceil((N * N) / p.lines) })));
  // The dense baseline in Verilator on the first two heads' Q/K/V with every pair kept (lists long enough for 197² pairs).
  const pd: VitcodParams = { ...p, steps: Math.ceil((N * N) / p.lines) };
  const sub = (x: Tensor, per: number): Tensor => ({ shape: [2, ...x.shape.slice(1)], data: x.data.slice(0, 2 * per) });
  const denseInputs = { Q: sub(w.inputs.Q!, N * p.d), K: sub(w.inputs.K!, N * p.d), V: sub(w.inputs.V!, N * p.d), M: { shape: [2, N, N], data: new Array<bigint>(2 * N * N).fill(1n) } };
  const densePlans = [0, 1].map(() => planHead(Array.from({ length: N }, () => new Array<boolean>(N).fill(true)), p.lines, { count: N }));
  const dw: Workload = { inputs: denseInputs, plans: densePlans, names: ['dense 0', 'dense 1'], kept: [N * N, N * N] };
  const dr = await measure(pd, dw, [{ want: acc.golden(pd, denseInputs).outputs }]);
  const denseModel2 = pipelineCycles(pd, densePlans.map((pl) => ({ N, steps: pl.steps }))).total;
  const denseWalks = w.plans.length * 2 * Math.ceil((N * N) / p.lines) * chunks;
  // The auto-encoder: the decoder design on a 64-byte port, the 36 heads raw (Q, K, V per token) and
  // coded (per layer the 4 code rows and V for its first head, V only for the other two).
  const pa = vitcodPresets['paper-ae']!;
  const heads = toHeads(pa, w.inputs);
  const coded = headLoads(pa, heads);
  const raw: HeadLoad[] = heads.map(() => ({ mode: 0, dq: [0, 0], sq: 0, dk: [0, 0], sk: 0 }));
  const ae = await measure(pa, w, [{ loads: raw, want: exact }, { loads: coded, want: acc.golden(pa, w.inputs).outputs }]);
  const [aeRaw, aeCoded] = ae.runs as [typeof main, typeof main];
  const aeModel = (loads: HeadLoad[]) => pipelineCycles(pa, w.plans.map((pl, n) => ({ N, steps: pl.steps, rows: groupRows(loads[n]!.mode) }))).total;
  // Per head: from the previous head's last read-out token to this one's.
  const perHead = w.plans.map((pl, n) => {
    const end = main.outCycles[(n + 1) * N - 1]!;
    const prev = n ? main.outCycles[n * N - 1]! : 0;
    const bound = Math.ceil((2 * w.kept[n]! * p.d) / (p.lines * p.macs));
    return [w.names[n]!, k(w.kept[n]!), pl.global.length, `${pl.denseLines} + ${pl.sparseLines}`, pl.steps, end - prev, bound, ((end - prev) / bound).toFixed(2)];
  });
  const lists = w.plans.reduce((a, pl) => a + headBytesIn(p, N, pl.steps).lists, 0);
  const bytesOut = w.plans.length * N * (4 * p.d + 4);
  const pct = (a: number, b: number) => `${(100 * (1 - a / b)).toFixed(1)}%`;
  lines.push(
    `Command: \`npm run bench:vitcod\`. The real DeiT-Tiny masks (\`info_0.95.npy\`, global token counts from \`global_token_info_0.95.npy\`), 36 heads, N = 197, d = 64, ` +
      `random int8 Q/K/V, σ = ${p.sigma}, preset \`paper\` (${p.lines} lines × ${p.macs} MACs, ${p.mergeRows} rows merged per cycle, an off-chip port of ${p.portBytes} bytes per cycle (a Q, K and V row) with ${p.latency} cycles of latency per head); ` +
      `the whole workload in one Verilator run without stalls (build ${r.build.toFixed(0)} s, simulation ${r.sim.toFixed(0)} s), every output checked against golden.`,
    '',
    table(['figure', 'cycles', 'vs the 18.6 k floor'], [
      ['MAC floor: 2 × 74,399 kept pairs × 64 / 512', k(floor), '1.00'],
      ['**total, measured** (port latency and loads not hidden, both walks, merges, read-out of the last head)', `**${k(main.cycles)}**`, `**${(main.cycles / floor).toFixed(3)}**`],
      ['total, pipeline model', k(model.total), (model.total / floor).toFixed(3)],
      ['compute: SCORE + SV walks only (the exp-table softmax is in the SV walk)', k(walks), (walks / floor).toFixed(3)],
      ['compute with the row-max merges (no loads, no read-out)', k(compute), (compute / floor).toFixed(3)],
      ["the authors' model at 8 MACs per line, 36 heads (compute only)", k(AUTHORS_COMPUTE), (AUTHORS_COMPUTE / floor).toFixed(3)],
      ['dense baseline: the same engine with every pair kept, 36 heads (model)', k(dense.total), (dense.total / floor).toFixed(2)],
    ]),
    '',
    `Dense baseline in Verilator on two heads (every pair kept, ${pd.steps} steps per line; build ${dr.build.toFixed(0)} s): ${k(dr.runs[0]!.cycles)} cycles, model ${k(denseModel2)}; outputs equal to golden. ` +
      `Speedup over the dense baseline on the same 512 MACs: ${(dense.total / main.cycles).toFixed(1)}× (walks only: ${(denseWalks / walks).toFixed(1)}×). ` +
      `Against the authors' compute figure on the same scope (walks only): ${(AUTHORS_COMPUTE / walks).toFixed(2)}× fewer cycles. ` +
      `Loads are hidden behind the previous head's compute except where a head computes in fewer cycles than its load (latency + 197 beats) or read-out.`,
    '',
    `Off-chip bytes read through the port, from the RTL's counter: ${k(main.bytes)} (Q, K, V int8). The pair lists (${k(lists)} bytes, 18 bits per line per step) come on their own stream, not through the port. Out: ${k(bytesOut)} (O int32, L, one row per cycle).`,
    '',
    `The Q/K auto-encoder in Verilator (preset \`paper-ae\`: the decoder, a ${pa.portBytes}-byte port, ${pa.latency} cycles of latency; build ${ae.build.toFixed(0)} s; per layer 2 Q codes and 2 K codes fitted on its 3 heads, decoded on chip by an int8 map and a right shift; the coded run checked against golden on the decoded Q/K, the raw run against the exact kernel):`,
    '',
    table(['Q/K over the port', 'off-chip bytes (counter)', 'cycles', 'model', 'vs floor'], [
      ['raw: Q, K, V rows (3 per token)', k(aeRaw.bytes), k(aeRaw.cycles), k(aeModel(raw)), (aeRaw.cycles / floor).toFixed(3)],
      ['auto-encoder: codes and V (5 rows per token for a layer\'s first head, V only for the other two)', k(aeCoded.bytes), k(aeCoded.cycles), k(aeModel(coded)), (aeCoded.cycles / floor).toFixed(3)],
    ]),
    '',
    `The auto-encoder reads ${pct(aeCoded.bytes, aeRaw.bytes)} fewer bytes (plus per head 4 int8 weights and 2 shifts in its cfg token).`,
    '',
    '### Per head (cycles from the previous head\'s last output token to this head\'s; the first head\'s include the pipeline fill, its own load)',
    '',
    table(['head', 'kept', 'global', 'lines dense + sparse', 'steps', 'cycles', 'MAC bound', 'ratio'], perHead),
  );
  console.log(lines.join('\n'));
  recordBlock('bench:vitcod', 'ViTCoD', lines.join('\n'));
}

main().finally(() => fs.rmSync(tmp, { recursive: true, force: true })).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
