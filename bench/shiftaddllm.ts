/**
 * `npm run bench:shiftaddllm`: the ShiftAddLLM engine against its int8 multiply baseline, recorded in
 * the `## ShiftAddLLM` section of docs/benchmarks.md.
 *
 * 1. Cycles: OPT-125m layer shapes (K = N = 768, and K = 768, N = 3072) at q = 2 and 3, block scales,
 *    4 lanes, in Verilator without stalls, checked against golden; measured cycles against the ideal
 *    bound (target ≤ 1.10× at K = N = 768, q = 3). The baseline runs the same shapes on 4 MAC lanes.
 * 2. Memory and energy: weight bytes moved (bit-planes plus scale codes, for block and row scales)
 *    against int8 and FP16 weights; operation counts × the ShiftAdd 45 nm unit energies plus DRAM
 *    traffic of the weights (200 pJ per 16-bit word), next to the paper's claim.
 * 3. Size: one lane and the L = 4 design (K = N = 768, q = 3), and one and four MAC lanes, with yosys
 *    for iCE40 without DSPs (sequential: at most one yosys job).
 * `--quick`: the CI size (K = 64, N = 16) at q = 3, one lane's synthesis, a 16 × 64 quantiser run:
 * seconds once the models are cached; it checks that the bench runs, it measures nothing.
 *
 * The block it writes holds this run's tables and verdicts; the method and analysis are hand-written
 * around it in docs/benchmarks.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSynth, type SynthResult } from '../flows/fpga/synth.ts';
import { SHIFTADD_45NM, unitEnergy, type ArithOp, type OpWidth } from '../flows/fpga/report/energy.ts';
import type { Accelerator, Tensor } from '../dsl/generator.ts';
import { elaborate, type ModuleDef, type PortRecord } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { createMacGemv, macGemvAccelerator, type MacGemvParams } from '../generators/shiftaddllm/baseline.ts';
import { llmCounts } from '../generators/shiftaddllm/golden.ts';
import type { ScaleMode } from '../generators/shiftaddllm/widths.ts';
import { randomLlmInputs, shiftaddllmAccelerator } from '../generators/shiftaddllm/index.ts';
import { quantizeWeights } from '../generators/shiftaddllm/quantize.ts';
import { createLane } from '../generators/shiftaddllm/lane.ts';
import type { ShiftAddLlmParams } from '../generators/shiftaddllm/params.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-llm-'));
const LANES = 4;
const shapes: [number, number][] = quick ? [[64, 16]] : [[768, 768], [768, 3072]];
/** The shape of the utilisation target, of the row-scale run and of the synthesis: the first. */
const [TARGET_K, TARGET_N] = shapes[0]!;
const planes = quick ? [3] : [2, 3];
const llmParams = (K: number, N: number, q: number, scales: ScaleMode = 'block'): ShiftAddLlmParams => ({ kmax: K, nmax: N, q, lanes: LANES, scales, actWidth: 8 });
const macParams = (K: number, N: number, lanes = LANES): MacGemvParams => ({ kmax: K, nmax: N, lanes, actWidth: 8 });

function writeDef(def: ModuleDef<PortRecord>, params: Record<string, unknown>): string {
  const c = elaborate(def);
  return writeDesign(c, path.join(tmp, c.top.name), { generator: 'shiftaddllm', params: params as Record<string, number> }).dir;
}

// ---- 1. cycles in Verilator ---------------------------------------------------------------------
interface RunRow { design: string; K: number; N: number; q?: number; cycles: number; ideal: number; build: number; sim: number }

async function measure<P extends Record<string, number | string>>(acc: Accelerator<P>, p: P, inputs: Record<string, Tensor>): Promise<{ cycles: number; ideal: number; build: number; sim: number }> {
  const dir = writeDef(acc.create(p), p);
  const golden = acc.golden(p, inputs);
  const s = await openSim(dir, { seed: 1, stall: { in: 0, out: 0 }, record: false });
  try {
    const t0 = performance.now();
    const start = s.cycle;
    const tokens = acc.encode(p, inputs);
    for (const [k, v] of Object.entries(tokens)) s.send(k, v);
    await s.run({ until: acc.outputTokens!(p, inputs) });
    const sim = (performance.now() - t0) / 1000;
    const got = acc.decode(p, { y: s.received('y') }, inputs).y!.data;
    const want = golden.outputs.y!.data;
    const bad = got.findIndex((v, i) => v !== want[i]);
    if (bad >= 0 || got.length !== want.length) throw new Error(`${acc.name} K×N = ${p.kmax}×${p.nmax}: y[${bad}] = ${got[bad]}, golden ${want[bad]}`);
    return { cycles: s.cycles('y').at(-1)! - start + 1, ideal: golden.idealCycles, build: s.build.seconds, sim };
  } finally {
    await s.close();
  }
}

async function cycles(): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for (const [K, N] of shapes) {
    for (const q of planes) {
      const p = llmParams(K, N, q);
      const r = await measure(shiftaddllmAccelerator, p, randomLlmInputs(p, 7));
      rows.push({ design: 'ShiftAddLLM (block scales)', K, N, q, ...r });
      process.stderr.write(`shiftaddllm ${K}×${N} q=${q}: ${r.cycles} cycles, ideal ${r.ideal}\n`);
    }
    if (K === TARGET_K && N === TARGET_N) {
      const p = llmParams(K, N, 3, 'row');
      const r = await measure(shiftaddllmAccelerator, p, randomLlmInputs(p, 7));
      rows.push({ design: 'ShiftAddLLM (row scales)', K, N, q: 3, ...r });
      process.stderr.write(`shiftaddllm ${K}×${N} q=3 row scales: ${r.cycles} cycles, ideal ${r.ideal}\n`);
    }
    const m = macParams(K, N);
    const r = await measure(macGemvAccelerator, m, macGemvAccelerator.randomInputs(m, 7));
    rows.push({ design: 'int8 MAC baseline', K, N, ...r });
    process.stderr.write(`mac ${K}×${N}: ${r.cycles} cycles, ideal ${r.ideal}\n`);
  }
  return rows;
}

// ---- 2. memory and energy -----------------------------------------------------------------------
const E = (op: ArithOp, w: OpWidth): number => unitEnergy(SHIFTADD_45NM, op, w).pj;
/** pJ per byte read from DRAM (200 pJ per 16-bit word). */
const DRAM_PJ_PER_BYTE = SHIFTADD_45NM.memory.dram / 2;

interface EnergyRow { scheme: string; weightBytes: number; opsPj: number; dramPj: number }

function energy(K: number, N: number, q: number): EnergyRow[] {
  const G = K / 8;
  const llm = (mode: ScaleMode): EnergyRow => {
    const c = llmCounts(N, q, G, mode);
    // Widths: table entries are 12 bits (16-bit adds), the shifted terms and sums up to 32 bits.
    const opsPj = c.tableAdds * E('add', 16) + c.lookups * E('lookup', 16) + c.shifts * E('shift', 32) + (c.scaleAdds + c.accumulateAdds) * E('add', 32);
    const weightBytes = c.weightBytes + (c.scaleCodes * 9) / 8;
    return { scheme: `ShiftAddLLM q=${q}, ${mode} scales`, weightBytes, opsPj, dramPj: (weightBytes + K) * DRAM_PJ_PER_BYTE };
  };
  const macs = N * K;
  return [
    llm('block'),
    llm('row'),
    { scheme: 'int8 multiply GEMV', weightBytes: macs, opsPj: macs * (E('multiply', 8) + E('add', 32)), dramPj: (macs + K) * DRAM_PJ_PER_BYTE },
    { scheme: 'FP16 GEMV (16-bit MAC class)', weightBytes: 2 * macs, opsPj: macs * (E('multiply', 16) + E('add', 16)), dramPj: (2 * macs + 2 * K) * DRAM_PJ_PER_BYTE },
  ];
}

/** Reconstruction error of the host quantiser on a Gaussian 768 × 768 matrix (an LLM layer's statistics). */
function quantError(): string[][] {
  let state = 12345;
  const uniform = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0), (state + 0.5) / 2 ** 32);
  const gauss = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const [n, k] = quick ? [16, 64] : [768, 768];
  const W = Array.from({ length: n }, () => Array.from({ length: k }, () => 0.02 * gauss()));
  const rows: string[][] = [];
  for (const q of [2, 3])
    for (const mode of ['block', 'row'] as const) {
      const t0 = performance.now();
      const r = quantizeWeights(W, { q, mode });
      rows.push([`${n} × ${k}`, String(q), mode, `${(100 * r.relErrorFloat).toFixed(1)}%`, `${(100 * r.relError).toFixed(1)}%`, ((performance.now() - t0) / 1000).toFixed(1)]);
    }
  return rows;
}

// ---- 3. synthesis -------------------------------------------------------------------------------
async function synthesis(): Promise<{ unit: string; r: SynthResult }[]> {
  const p = llmParams(TARGET_K, TARGET_N, 3);
  const jobs: [string, string][] = [
    [`ShiftAddLLM: one lane (2×256-entry table, ${Math.ceil(TARGET_N / LANES)} row accumulators, scaler)`, writeDef(createLane(p), p)],
    ...(quick ? [] : [
      ['ShiftAddLLM: L = 4 engine (builder, control, 4 lanes)', writeDef(shiftaddllmAccelerator.create(p), p)],
      ['int8 MAC baseline: one lane', writeDef(createMacGemv(macParams(TARGET_K, TARGET_N, 1)), macParams(TARGET_K, TARGET_N, 1))],
      ['int8 MAC baseline: L = 4', writeDef(createMacGemv(macParams(TARGET_K, TARGET_N)), macParams(TARGET_K, TARGET_N))],
    ] as [string, string][]),
  ];
  const out: { unit: string; r: SynthResult }[] = [];
  for (const [unit, dir] of jobs) {
    out.push({ unit, r: await runSynth(dir, { target: 'ice40' }) });
    process.stderr.write(`yosys ${unit}: ${JSON.stringify(out.at(-1)!.r.resources)}\n`);
  }
  return out;
}

// ---- report -------------------------------------------------------------------------------------
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

async function main(): Promise<void> {
  const runs = await cycles();
  const sizes = await synthesis();
  const qerr = quantError();
  const lines: string[] = [];
  lines.push(machineLine(), '', `Verilator, ${LANES} lanes, int8 activations, random inputs, no stalls, every run checked against golden.`, '');
  lines.push('### Cycles (Verilator, from reset release to the last y token)', '');
  lines.push(table(['design', 'K × N', 'q', 'cycles', 'ideal', 'cycles / ideal', 'Verilator build s', 'sim s'], runs.map((r) => [
    r.design, `${r.K} × ${r.N}`, r.q === undefined ? '–' : String(r.q), fmt(r.cycles), fmt(r.ideal), (r.cycles / r.ideal).toFixed(3), r.build.toFixed(1), r.sim.toFixed(2),
  ])));
  const util = runs.find((r) => r.q === 3 && r.K === TARGET_K && r.N === TARGET_N && r.design.includes('block'))!;
  lines.push('', `Lane utilisation target (cycles ≤ 1.10 × ideal at K × N = ${TARGET_K} × ${TARGET_N}, q = 3): **${(util.cycles / util.ideal).toFixed(3)} × ideal — ${util.cycles <= 1.1 * util.ideal ? 'met' : 'NOT met'}**.`, '');
  lines.push('### Weight bytes moved and energy (per GEMV)', '');
  lines.push(`Unit energies: ${SHIFTADD_45NM.name} (${SHIFTADD_45NM.source}).`, '');
  const saving: string[] = [];
  for (const [K, N] of shapes)
    for (const q of planes) {
      const rows = energy(K, N, q);
      const fp16 = rows.at(-1)!;
      const less = (r: EnergyRow) => 100 * (1 - r.weightBytes / fp16.weightBytes);
      saving.push(`${K} × ${N}, q = ${q}: row scales ${fmt(less(rows[1]!), 1)}%, block scales ${fmt(less(rows[0]!), 1)}%`);
      lines.push(`K × N = ${K} × ${N}, q = ${q}:`, '');
      lines.push(table(['scheme', 'weight bytes', 'vs FP16 bytes', 'ops µJ', 'DRAM µJ', 'total µJ', 'total vs FP16'], rows.map((r) => [
        r.scheme, fmt(r.weightBytes), `${fmt(less(r), 1)}% less`, fmt(r.opsPj / 1e6, 3), fmt(r.dramPj / 1e6, 2),
        fmt((r.opsPj + r.dramPj) / 1e6, 2), `${fmt(100 * (1 - (r.opsPj + r.dramPj) / (fp16.opsPj + fp16.dramPj)), 1)}% less`,
      ])), '');
    }
  lines.push(`Weight bytes saved against FP16 (the paper claims over 80%): ${saving.join('; ')}.`, '');
  lines.push('### Quantiser reconstruction error (host side, `quantize.ts`)', '');
  lines.push(table(['W (Gaussian, σ = 0.02)', 'q', 'scales', '‖W − Ŵ‖/‖W‖, float scales', 'with three-power-of-two scales', 'seconds'], qerr), '');
  lines.push(`### Size (yosys, \`synth_ice40\` without DSPs, K = ${TARGET_K}, N = ${TARGET_N}, q = 3)`, '');
  lines.push(table(['unit', 'LUT4', 'flip-flops', 'carries', 'block RAMs', 'yosys s'], sizes.map(({ unit, r }) => [
    unit, fmt(r.resources.luts), fmt(r.resources.ffs), fmt(r.resources.carries), fmt(r.resources.brams), r.cached ? 'cached' : r.seconds.toFixed(1),
  ])));
  const body = lines.join('\n');
  process.stdout.write(body + '\n');
  recordBlock('bench:shiftaddllm', 'ShiftAddLLM', body);
}

main().finally(() => fs.rmSync(tmp, { recursive: true, force: true })).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
