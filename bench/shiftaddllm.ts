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
 * `--quick` runs only K = N = 768 at q = 3.
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
import { machineLine, recordSection } from './record.ts';

const quick = process.argv.includes('--quick');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-llm-'));
const LANES = 4;
const shapes: [number, number][] = quick ? [[768, 768]] : [[768, 768], [768, 3072]];
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
    if (K === 768 && N === 768) {
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
  const n = quick ? 96 : 768;
  const W = Array.from({ length: n }, () => Array.from({ length: 768 }, () => 0.02 * gauss()));
  const rows: string[][] = [];
  for (const q of [2, 3])
    for (const mode of ['block', 'row'] as const) {
      const t0 = performance.now();
      const r = quantizeWeights(W, { q, mode });
      rows.push([`${n} × 768`, String(q), mode, `${(100 * r.relErrorFloat).toFixed(1)}%`, `${(100 * r.relError).toFixed(1)}%`, ((performance.now() - t0) / 1000).toFixed(1)]);
    }
  return rows;
}

// ---- 3. synthesis -------------------------------------------------------------------------------
async function synthesis(): Promise<{ unit: string; r: SynthResult }[]> {
  const p = llmParams(768, 768, 3);
  const jobs: [string, string][] = [
    ['ShiftAddLLM: one lane (2×256-entry table, 192 row accumulators, scaler)', writeDef(createLane(p), p)],
    ['ShiftAddLLM: L = 4 engine (builder, control, 4 lanes)', writeDef(shiftaddllmAccelerator.create(p), p)],
    ['int8 MAC baseline: one lane', writeDef(createMacGemv(macParams(768, 768, 1)), macParams(768, 768, 1))],
    ['int8 MAC baseline: L = 4', writeDef(createMacGemv(macParams(768, 768)), macParams(768, 768))],
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
  lines.push(machineLine(), '', `Command: \`npm run bench:shiftaddllm${quick ? ' -- --quick' : ''}\`. Verilator ${'5.006'}, 4 lanes, int8 activations, random inputs, no stalls, every run checked against golden.`, '');
  lines.push('### Cycles (Verilator, from reset release to the last y token)', '');
  lines.push(table(['design', 'K × N', 'q', 'cycles', 'ideal', 'cycles / ideal', 'Verilator build s', 'sim s'], runs.map((r) => [
    r.design, `${r.K} × ${r.N}`, r.q === undefined ? '–' : String(r.q), fmt(r.cycles), fmt(r.ideal), (r.cycles / r.ideal).toFixed(3), r.build.toFixed(1), r.sim.toFixed(2),
  ])));
  const util = runs.find((r) => r.q === 3 && r.K === 768 && r.N === 768 && r.design.includes('block'))!;
  lines.push('', `Lane utilisation target (cycles ≤ 1.10 × ideal at K = N = 768, q = 3): **${(util.cycles / util.ideal).toFixed(3)} × ideal — ${util.cycles <= 1.1 * util.ideal ? 'met' : 'NOT met'}**. ` +
    'Ideal = max(G·258 table-build cycles, ceil(N/L)·q·G lookups per lane); the excess is loading x (G tokens), the first table build and the read-out of N/L result tokens (row scales add the load of q·N/L scale tokens). ' +
    'The MAC baseline needs ceil(N/L)·K cycles: one weight per lane per cycle against one byte of 8 binary weights per lane per cycle, so the engine is 8/q times faster per lane.', '');
  lines.push('### Weight bytes moved and energy (per GEMV)', '');
  lines.push(`Unit energies: ${SHIFTADD_45NM.name} (${SHIFTADD_45NM.source}). ShiftAddLLM ops: table adds at 16 bits, lookups 0.37 pJ, shifts and scale/accumulate adds at 32 bits; ` +
    'baseline: 8-bit multiply + 32-bit add per MAC; FP16 row: 16-bit multiply + 16-bit add per MAC (the table has no FP16 entry). DRAM: 200 pJ per 16-bit word for weights and x. Scale codes are 9 bits.', '');
  for (const [K, N] of shapes)
    for (const q of planes) {
      const rows = energy(K, N, q);
      const fp16 = rows.at(-1)!;
      lines.push(`K × N = ${K} × ${N}, q = ${q}:`, '');
      lines.push(table(['scheme', 'weight bytes', 'vs FP16 bytes', 'ops µJ', 'DRAM µJ', 'total µJ', 'total vs FP16'], rows.map((r) => [
        r.scheme, fmt(r.weightBytes), `${fmt(100 * (1 - r.weightBytes / fp16.weightBytes), 1)}% less`, fmt(r.opsPj / 1e6, 3), fmt(r.dramPj / 1e6, 2),
        fmt((r.opsPj + r.dramPj) / 1e6, 2), `${fmt(100 * (1 - (r.opsPj + r.dramPj) / (fp16.opsPj + fp16.dramPj)), 1)}% less`,
      ])), '');
    }
  lines.push('Paper\'s claim: over 80% memory and energy savings against FP16 weights. Here the per-row-scale variant saves over 80% of the weight bytes at q ≤ 3; with one 9-bit scale code per 8 weights and plane (block scales) the codes outweigh the bit-planes and the saving falls to about 60% at q = 3. ' +
    'Energy is dominated by the DRAM weight traffic, so it follows the bytes; the arithmetic alone (ops µJ) is about 20% below the int8 MAC\'s at q = 2 but above it at q = 3, because each lookup pays three shifts and three 32-bit adds for 8 weights of one plane.', '');
  lines.push('### Quantiser reconstruction error (host side, `quantize.ts`)', '');
  lines.push(table(['W (Gaussian, σ = 0.02)', 'q', 'scales', '‖W − Ŵ‖/‖W‖, float scales', 'with three-power-of-two scales', 'seconds'], qerr), '');
  lines.push('Greedy binary coding, six rounds of alternating refinement (least-squares scales, best sign pattern), then scales rounded to 2^a1 + 2^a2 + 2^a3 (a ∈ 0..7) under one global factor and the signs refitted.', '');
  lines.push('### Size (yosys 0.23, `synth_ice40` without DSPs, K = N = 768, q = 3)', '');
  lines.push(table(['unit', 'LUT4', 'flip-flops', 'carries', 'block RAMs', 'yosys s'], sizes.map(({ unit, r }) => [
    unit, fmt(r.resources.luts), fmt(r.resources.ffs), fmt(r.resources.carries), fmt(r.resources.brams), r.cached ? 'cached' : r.seconds.toFixed(1),
  ])), '');
  lines.push('A ShiftAddLLM lane holds its own copy of the double-buffered table (one 512 × 12-bit block RAM pair) and its rows\' accumulators in block RAM, so its logic is the three barrel shifters and adders; a MAC lane is an 8 × 8 multiplier in LUTs. Per weight per cycle the engine does 8/q times the work of a MAC lane.');
  const body = lines.join('\n');
  recordSection('ShiftAddLLM', body);
  process.stdout.write(body + '\n');
}

main().finally(() => fs.rmSync(tmp, { recursive: true, force: true })).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
