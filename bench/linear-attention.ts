/**
 * `npm run bench:linear-attention`: the Castling-ViT linear-angular attention engine
 * (generators/castling/) and ShiftAddViT's add-only binary-code attention (generators/shiftaddvit/)
 * against quadratic softmax attention, recorded in the `bench:linear-attention` block of
 * docs/benchmarks.md.
 *
 * Figures: the MACs of the engine (state N·d², queries N·d², 9-tap depthwise FIR 9·N·d) against
 * quadratic attention (Q·Kᵀ and P·V: 2·N²·d) at the DeiT sizes (N = 196/197, d = 32/64) and the PVT
 * stage sizes (N = 3136, 784, d = 32), and the N where the linear form overtakes the quadratic one;
 * the engine's cycles against its bound (`runBound`: d MACs per cycle for the state, d + d for the
 * queries and the FIR, phase one of a head overlapping phase two of the one before), measured in
 * Verilator without stalls on random heads (1 or 3 per size), checked against golden; the causal
 * mode's cycles per generated token.
 * ShiftAddViT: the adds of the engine (b·(d + 1) per key, (b − 1)·(d + 1) per query, b = 16) against
 * the same quadratic MACs, and its cycles (one key, then one query per cycle) against its bound 2·N
 * per head (`attentionBound`), measured in Verilator the same way (O and L checked against golden).
 * Also (full run only): yosys synth_ice40 resources of the CI-sized instances (N ≤ 16, d = 8).
 * `--quick`: the CI presets (N = 16, d = 8), both Castling modes and ShiftAddViT (seconds); records
 * nothing (record.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { linearMacs, quadraticMacs } from '../generators/castling/golden.ts';
import { castlingAccelerator as acc, randomCastlingInputs } from '../generators/castling/index.ts';
import { castlingPresets, runBound, runCycles, type CastlingParams } from '../generators/castling/params.ts';
import { TAPS } from '../generators/castling/widths.ts';
import { createAttention } from '../generators/shiftaddvit/attention.ts';
import { attentionAdds } from '../generators/shiftaddvit/golden.ts';
import { shiftAddVitAccelerator as savAcc, randomAttentionInputs } from '../generators/shiftaddvit/index.ts';
import { attentionBound, attentionCycles, shiftAddVitPresets, type ShiftAddVitParams } from '../generators/shiftaddvit/params.ts';
import type { ModuleDef } from '../dsl/builder/module.ts';
import type { PortRecord } from '../dsl/builder/ports.ts';
import { execa } from 'execa';
import { emitVerilog } from '../dsl/index.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-linatt-'));
const table = (head: string[], rows: (string | number)[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const k = (n: number): string => n.toLocaleString('en-US');

interface Measured { cycles: number; perToken: number; build: number; sim: number }

/** H random heads of N tokens in Verilator without stalls, checked against golden. */
async function measure(p: CastlingParams, N: number, H: number): Promise<Measured> {
  const t0 = performance.now();
  const c = elaborate(acc.create(p));
  const dir = writeDesign(c, path.join(tmp, c.top.name), { generator: 'castling', params: p }).dir;
  const s = await openSim(dir, { seed: 1, stall: { in: 0, out: 0 }, record: false, hangCycles: 100_000 });
  const build = (performance.now() - t0) / 1000;
  try {
    const t1 = performance.now();
    const inputs = randomCastlingInputs(p, 1, H, N);
    const start = s.cycle;
    for (const [name, list] of Object.entries(acc.encode(p, inputs))) s.send(name, list);
    await s.run({ until: acc.outputTokens!(p, inputs) });
    const sim = (performance.now() - t1) / 1000;
    const got = acc.decode(p, { out: s.received('out') }, inputs).O!.data;
    const want = acc.golden(p, inputs).outputs.O!.data;
    if (got.length !== want.length || got.some((x, i) => x !== want[i])) throw new Error(`${c.top.name} (causal ${p.causal}): outputs differ from golden`);
    const outs = s.cycles('out').map((x) => x - start);
    const steady = outs.length > 2 ? (outs.at(-1)! - outs[0]!) / (outs.length - 1) : outs.at(-1)! + 1;
    return { cycles: outs.at(-1)! + 1, perToken: steady, build, sim };
  } finally {
    await s.close();
  }
}

/** yosys synth_ice40 cells of each design: a table, or why not. */
async function yosysTable(defs: ModuleDef<PortRecord>[]): Promise<string> {
  const rows: (string | number)[][] = [];
  for (const def of defs) {
    const r = await yosysCells(def);
    if (typeof r === 'string') return r;
    rows.push(r);
  }
  const version = (await execa('yosys', ['-V'])).stdout.trim().split(' (')[0];
  return table(['design', 'SB_LUT4', 'flip-flops (SB_DFF*)', 'SB_CARRY', 'SB_MAC16', 'SB_RAM40_4K', 'yosys s'], rows) +
    `\n\n${version}, \`synth_ice40 -dsp\` (iCE40 cells; a resource count, not a timing-closed build).`;
}

/** yosys synth_ice40 cells of one design: a table row, or why not. */
async function yosysCells(def: ModuleDef<PortRecord>): Promise<(string | number)[] | string> {
  const c = elaborate(def);
  const dir = fs.mkdtempSync(path.join(tmp, 'ys-'));
  const files = emitVerilog(c);
  for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.text);
  const t0 = performance.now();
  const r = await execa('yosys', ['-q', '-p', `read_verilog ${files.map((f) => path.join(dir, f.name)).join(' ')}; synth_ice40 -dsp -top ${c.top.name}; tee -o ${path.join(dir, 'stat.txt')} stat`], { reject: false });
  if (r.exitCode !== 0) return `yosys failed on ${c.top.name}: ${r.stderr.split('\n')[0]}`;
  const stat = fs.readFileSync(path.join(dir, 'stat.txt'), 'utf8');
  // The totals of the hierarchy: the last `stat` section (the top with its submodules) when there are several.
  const sections = stat.split(/^=== /m);
  const total = stat.includes('design hierarchy') ? stat.slice(stat.indexOf('design hierarchy')) : sections.at(-1)!;
  const count = (re: string): number => [...total.matchAll(new RegExp(`^\\s+(${re})\\s+(\\d+)`, 'gm'))].reduce((a, m) => a + Number(m[2]), 0);
  return [c.top.name, count('SB_LUT4'), count('SB_DFF\\w*'), count('SB_CARRY'), count('SB_MAC16'), count('SB_RAM40_4K'), ((performance.now() - t0) / 1000).toFixed(0)];
}

/** Smallest N at which the linear form needs fewer MACs than the quadratic one: N > d + 4.5. */
const crossover = (d: number): number => {
  let n = 1;
  while (linearMacs(n, d) >= quadraticMacs(n, d)) n++;
  return n;
};

function macTable(sizes: [string, number, number][]): string {
  return table(['workload', 'N', 'd', 'linear MACs (state + queries + FIR)', 'quadratic MACs (QKᵀ + PV)', 'linear / quadratic', 'saved'],
    sizes.map(([w, N, d]) => {
      const lin = linearMacs(N, d);
      const quad = quadraticMacs(N, d);
      return [w, N, d, `${k(lin)} (${k(N * d * d)} + ${k(N * d * d)} + ${k(TAPS * N * d)})`, k(quad), (lin / quad).toFixed(3), `${(100 * (1 - lin / quad)).toFixed(1)}%`];
    }));
}

/** H random ShiftAddViT heads of N tokens in Verilator without stalls, O and L checked against golden. */
async function measureSav(p: ShiftAddVitParams, N: number, H: number): Promise<Measured> {
  const t0 = performance.now();
  const c = elaborate(savAcc.create(p));
  const dir = writeDesign(c, path.join(tmp, c.top.name), { generator: 'shiftaddvit', params: p }).dir;
  const s = await openSim(dir, { seed: 1, stall: { in: 0, out: 0 }, record: false, hangCycles: 100_000 });
  const build = (performance.now() - t0) / 1000;
  try {
    const t1 = performance.now();
    const inputs = randomAttentionInputs(p, 1, H, N);
    const start = s.cycle;
    for (const [name, list] of Object.entries(savAcc.encode(p, inputs))) s.send(name, list);
    await s.run({ until: savAcc.outputTokens!(p, inputs) });
    const sim = (performance.now() - t1) / 1000;
    const got = savAcc.decode(p, { out: s.received('out') }, inputs);
    const want = savAcc.golden(p, inputs).outputs;
    for (const t of ['O', 'L']) {
      const [g, w] = [got[t]!.data, want[t]!.data];
      if (g.length !== w.length || g.some((x, i) => x !== w[i])) throw new Error(`${c.top.name}: ${t} differs from golden`);
    }
    const outs = s.cycles('out').map((x) => x - start);
    return { cycles: outs.at(-1)! + 1, perToken: (outs.at(-1)! + 1) / (H * N), build, sim };
  } finally {
    await s.close();
  }
}

/** Smallest N at which ShiftAddViT's adds are fewer than quadratic attention's MACs. */
const savCrossover = (d: number, b: number): number => {
  let n = 1;
  while (attentionAdds(n, d, b) >= quadraticMacs(n, d)) n++;
  return n;
};

function savAddTable(sizes: [string, number, number][], b: number): string {
  return table(['workload', 'N', 'd', 'engine adds (keys + queries)', 'quadratic MACs (QKᵀ + PV)', 'adds / MACs', 'fewer ops'],
    sizes.map(([w, N, d]) => {
      const adds = attentionAdds(N, d, b);
      const quad = quadraticMacs(N, d);
      return [w, N, d, `${k(adds)} (${k(N * b * (d + 1))} + ${k(N * (b - 1) * (d + 1))})`, k(quad), (adds / quad).toFixed(3), `${(100 * (1 - adds / quad)).toFixed(1)}%`];
    }));
}

/** ShiftAddViT's section of the block: adds against quadratic MACs, cycles measured against the bound. */
async function shiftAddVitLines(): Promise<string[]> {
  const pre = shiftAddVitPresets;
  const b = pre.ci!.b;
  const runs: { what: string; p: ShiftAddVitParams; N: number; H: number }[] = quick
    ? [{ what: 'CI', p: pre.ci!, N: 16, H: 3 }]
    : [
      { what: 'DeiT, d = 32', p: pre['deit-d32']!, N: 197, H: 1 },
      { what: 'DeiT-Tiny layer, d = 64', p: pre['deit-d64']!, N: 197, H: 3 },
      { what: 'PVT stage 2, d = 32', p: pre['pvt-d32']!, N: 784, H: 2 },
      { what: 'PVT stage 1, d = 32', p: pre['pvt-d32']!, N: 3136, H: 1 },
    ];
  const rows: (string | number)[][] = [];
  for (const r of runs) {
    const m = await measureSav(r.p, r.N, r.H);
    const heads = new Array<number>(r.H).fill(r.N);
    const bound = attentionBound(heads);
    rows.push([r.what, r.H, r.N, r.p.d, k(m.cycles), k(attentionCycles(heads)), k(bound), (m.cycles / bound).toFixed(3), m.perToken.toFixed(2), `${m.build.toFixed(0)} / ${m.sim.toFixed(1)}`]);
  }
  const sizes: [string, number, number][] = quick
    ? [['CI', 16, 8]]
    : [['DeiT (+ CLS)', 197, 32], ['DeiT (+ CLS)', 197, 64], ['PVT stage 2', 784, 32], ['PVT stage 1', 3136, 32]];
  return [
    '',
    `### ShiftAddViT: adds of one head (b = ${b}-bit codes of Q and K) against quadratic attention's MACs`,
    '',
    savAddTable(sizes, b),
    '',
    `The engine adds V rows into the b rows of the state a key's code selects (b·(d + 1) adds a key, masked ones counted: ${b}·(d + 1)) and sums the rows a query's code selects ` +
      `((b − 1)·(d + 1) adds a query), so its work is linear in N: it needs fewer operations than the 2·N²·d MACs of quadratic attention from N = ${savCrossover(32, b)} at d = 32 ` +
      `and N = ${savCrossover(64, b)} at d = 64 (and its operations are adds, not multiplies).`,
    '',
    '### ShiftAddViT: cycles of the engine (one key, then one query per cycle), measured',
    '',
    table(['run', 'heads', 'N', 'd', 'cycles, measured', 'run model', 'bound', 'measured / bound', 'cycles per token', 'build s / sim s'], rows),
    '',
    'Bound (`attentionBound`): 2·N per head, phase one one key per cycle (b·d masked adders), phase two one query per cycle (b-input adder trees); the phases of a head do not overlap. ' +
      'Run model (`attentionCycles`): the same plus the cfg token of each head.',
  ];
}

async function main(): Promise<void> {
  const lines: string[] = [machineLine(), ''];
  const runs: { what: string; p: CastlingParams; N: number; H: number }[] = quick
    ? [
      { what: 'CI, bidirectional', p: castlingPresets.ci!, N: 16, H: 3 },
      { what: 'CI, causal', p: { ...castlingPresets.ci!, causal: 1 }, N: 16, H: 1 },
    ]
    : [
      { what: 'DeiT, d = 32', p: castlingPresets['deit-d32']!, N: 197, H: 1 },
      { what: 'DeiT, d = 32', p: castlingPresets['deit-d32']!, N: 197, H: 3 },
      { what: 'DeiT, d = 64', p: castlingPresets['deit-d64']!, N: 197, H: 1 },
      { what: 'DeiT-Tiny layer, d = 64', p: castlingPresets['deit-d64']!, N: 197, H: 3 },
      { what: 'PVT stage 2, d = 32', p: castlingPresets['pvt-d32']!, N: 784, H: 2 },
      { what: 'PVT stage 1, d = 32', p: castlingPresets['pvt-d32']!, N: 3136, H: 1 },
      { what: 'causal LLM head, d = 64', p: castlingPresets['llm-d64']!, N: 512, H: 1 },
    ];
  const rows: (string | number)[][] = [];
  for (const r of runs) {
    const causal = r.p.causal === 1;
    const m = await measure(r.p, r.N, r.H);
    const heads = Array.from({ length: r.H }, () => ({ N: r.N, causal }));
    const bound = runBound(r.p, heads);
    rows.push([r.what, r.H, r.N, r.p.d, causal ? 'causal' : 'bidirectional', k(m.cycles), k(runCycles(r.p, heads)), k(bound), (m.cycles / bound).toFixed(3),
      m.perToken.toFixed(1), `${m.build.toFixed(0)} / ${m.sim.toFixed(1)}`]);
  }
  const sizes: [string, number, number][] = quick
    ? [['CI', 16, 8]]
    : [['DeiT (patches)', 196, 32], ['DeiT (+ CLS)', 197, 32], ['DeiT (patches)', 196, 64], ['DeiT (+ CLS)', 197, 64], ['PVT stage 2', 784, 32], ['PVT stage 1', 3136, 32]];
  lines.push(
    `Command: \`npm run bench:linear-attention${quick ? ' -- --quick' : ''}\`. One attention head per row; MACs are counted from the kernels (golden.ts), cycles measured in Verilator ` +
      'without stalls on one random int8 head per size (every output checked against golden), from the first input to the last output token.',
    '',
    '### MACs of one head: the linear-angular engine against quadratic attention',
    '',
    macTable(sizes),
    '',
    `The linear form needs fewer MACs once 2·N·d² + 9·N·d < 2·N²·d, i.e. N > d + 4.5: from N = ${crossover(32)} at d = 32 and N = ${crossover(64)} at d = 64 ` +
      '(the softmax exponentials and normalisation of the quadratic form, not counted here, only add to it).',
    '',
    '### Cycles of the engine (d MACs for the state, d for the queries and d for the FIR), measured',
    '',
    table(['run', 'heads', 'N', 'd', 'mode', 'cycles, measured', 'run model', 'bound', 'measured / bound', 'cycles per output token (steady)', 'build s / sim s'], rows),
    '',
    'Bound (`runBound`): the first head\'s phase one N·d (one row of KV per cycle), then per head the busier of phase one of the next head (N·d) and the queries (N·max(d, 9), the 9 FIR taps in parallel), ' +
      'which overlap on the two halves of the state; causal d per token (the state row and the query share the cycle). ' +
      'Run model (`runCycles`): the same with the cfg and 9 tap tokens of each head on the load side. In the causal mode the cycles per output token are the cycles per generated token of a decoding step.',
  );
  lines.push(...(await shiftAddVitLines()));
  if (!quick) {
    const sav = shiftAddVitPresets.ci!;
    lines.push('', '### Resources of the CI-sized instances (N ≤ 16, d = 8)', '',
      await yosysTable([acc.create(castlingPresets.ci!), createAttention(sav), savAcc.create(sav)]),
      '', `\`${savAcc.create(sav).name}\` is the whole ShiftAddViT top: the attention (the row above it) and the MLP router with its ${sav.mlpM}×${sav.mlpK} multiply and shift experts.`);
  }
  console.log(lines.join('\n'));
  recordBlock('bench:linear-attention', 'Linear attention (Castling-ViT, ShiftAddViT)', lines.join('\n'));
}

main().finally(() => fs.rmSync(tmp, { recursive: true, force: true })).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
