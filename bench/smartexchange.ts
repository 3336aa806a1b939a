/**
 * `npm run bench:smartexchange`: the SmartExchange engine against the plain int8 MAC engine of the
 * same MAC count (shiftadd's `mul` array, 16 rows × 3 columns = 48 MACs, against 16 lanes × 3 MACs)
 * on the three 3×3 layer shapes of ResNet-20 (16→16 at 32×32, 32→32 at 16×16, 64→64 at 8×8), with
 * seeded Gaussian weights standing in for trained ones (decomposed by ALS, golden.ts) and random int8
 * activations with i.i.d. zeros at 0, 50 and 70 % (im2col, so the padding adds its zeros).
 *
 * Figures per layer and sparsity: weight bytes moved (int8 dense; SmartExchange as stored, bitmap +
 * 4-bit codes, and as this RTL streams them, 5-bit codes), the decomposition's relative error; cycles
 * of the SmartExchange engine measured in Verilator on the preset `resnet20` (double-buffered weights)
 * and on the same with one weight bank, each checked against golden and against the control model
 * `seCycles` (equal cycle for cycle), against the ideal bound of the non-zero work (products with a
 * nonzero Ce row and a nonzero activation / 48) and the dense bound (M·K·N / 48), and the MAC
 * engine's cycles in Verilator (and its tile model ceil(M/16)·ceil(K/3)·(N + 1), shiftadd README);
 * operation energy (45 nm unit energies, flows/fpga/report/energy.ts) and total energy with the DRAM
 * traffic of weights and activations; LUTs/FFs/BRAMs from yosys of a small array of each.
 * Also one Verilator run of the CI preset per sparsity, checked against golden, against the model.
 * `--quick`: the Verilator part only, on the CI preset; records nothing (record.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tensor } from '../dsl/generator.ts';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { decomposeLayer, gaussianWeights, im2col3x3, seMatmul, type SeCounts } from '../generators/smartexchange/golden.ts';
import { randomSeInputs, seAccelerator as acc, seCycles } from '../generators/smartexchange/index.ts';
import { sePresets, type SeParams } from '../generators/smartexchange/params.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { machineLine, quick, recordBlock } from './record.ts';
import { mulberry32 } from '../generators/random.ts';
import { randomShiftAddInputs, shiftadd } from '../generators/shiftadd/index.ts';
import { shiftAddPresets, type ShiftAddParams } from '../generators/shiftadd/params.ts';
import { runSynth } from '../flows/fpga/synth.ts';
import { SHIFTADD_45NM, unitEnergy, type ArithOp, type OpWidth } from '../flows/fpga/report/energy.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-se-'));
const table = (head: string[], rows: (string | number)[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const k = (n: number): string => n.toLocaleString('en-US');
const SPARSITIES = [0, 0.5, 0.7];

/** One Verilator run of the CI preset per sparsity, checked against golden. */
async function ciRuns(): Promise<(string | number)[][]> {
  const p = sePresets.ci!;
  const c = elaborate(acc.create(p));
  const dir = writeDesign(c, path.join(tmp, c.top.name), { generator: 'smartexchange', params: p }).dir;
  const s = await openSim(dir, { seed: 1, stall: { in: 0, out: 0 }, record: false });
  const rows: (string | number)[][] = [];
  try {
    for (const xZero of SPARSITIES) {
      const t = randomSeInputs(7, { M: 16, G: 8, N: 8, xZero, ceZero: 0.3 });
      const before = s.received('y').length;
      const start = s.cycle;
      for (const [name, list] of Object.entries(acc.encode(p, t))) s.send(name, list);
      await s.run({ until: { y: before + acc.outputTokens!(p, t).y! } });
      const got = acc.decode(p, { y: s.received('y').slice(before) }, t);
      const want = acc.golden(p, t);
      if (got.Y!.data.some((v, i) => v !== want.outputs.Y!.data[i])) throw new Error(`ci, sparsity ${xZero}: outputs differ from golden`);
      const cycles = s.cycles('y').at(-1)! - start + 1;
      rows.push([`${xZero * 100}%`, cycles, seCycles(p, t).total, want.idealCycles, (cycles / want.idealCycles).toFixed(2)]);
    }
  } finally {
    await s.close();
  }
  return rows;
}

/** The int8 MAC engine (shiftadd `mul`, 16 × 3 = 48 MACs) in Verilator on each layer's matrix shape (random int8 W and X: its cycles do not depend on the data), checked against its golden. */
async function macEngineCycles(): Promise<number[]> {
  const p: ShiftAddParams = { ...shiftAddPresets['ci-mul']!, rows: 16, cols: 3, mMax: 64, kMax: 576, nMax: 1024 };
  const c = elaborate(shiftadd.create(p));
  const dir = writeDesign(c, path.join(tmp, c.top.name), { generator: 'shiftadd', params: p }).dir;
  const s = await openSim(dir, { seed: 1, stall: { in: 0, out: 0 }, record: false, hangCycles: 100_000 });
  const out: number[] = [];
  try {
    for (const L of LAYERS) {
      const t = randomShiftAddInputs(p, { M: L.cin, K: 9 * L.cin, N: L.hw * L.hw }, 5);
      const before = s.received('y').length;
      const start = s.cycle;
      for (const [name, list] of Object.entries(shiftadd.encode(p, t))) s.send(name, list);
      await s.run({ until: { y: before + shiftadd.outputTokens!(p, t).y! } });
      const got = shiftadd.decode(p, { y: s.received('y').slice(before) }, t);
      const want = shiftadd.golden(p, t).outputs.Y!.data;
      if (got.Y!.data.some((v, i) => v !== want[i])) throw new Error(`MAC engine, ${L.name}: outputs differ from golden`);
      out.push(s.cycles('y').at(-1)! - start + 1);
    }
  } finally {
    await s.close();
  }
  return out;
}

/** A `resnet20`-sized design in Verilator (no stalls), one job per call, checked against golden: cycles from the cfg token to the last y token. */
async function openResnetSim(p: SeParams): Promise<{ run: (t: Record<string, Tensor>, want: number[][], what: string) => Promise<number>; close: () => Promise<void> }> {
  const c = elaborate(acc.create(p));
  const dir = writeDesign(c, path.join(tmp, c.top.name), { generator: 'smartexchange', params: p }).dir;
  const s = await openSim(dir, { seed: 1, stall: { in: 0, out: 0 }, record: false, hangCycles: 100_000 });
  return {
    run: async (t, want, what) => {
      const before = s.received('y').length;
      const start = s.cycle;
      for (const [name, list] of Object.entries(acc.encode(p, t))) s.send(name, list);
      await s.run({ until: { y: before + acc.outputTokens!(p, t).y! } });
      const got = acc.decode(p, { y: s.received('y').slice(before) }, t).Y!.data;
      if (got.some((v, i) => Number(v) !== want[Math.floor(i / want[0]!.length)]![i % want[0]!.length])) throw new Error(`resnet20, ${what}: outputs differ from golden`);
      return s.cycles('y').at(-1)! - start + 1;
    },
    close: () => s.close(),
  };
}

// ---- energy: operation counts × the ShiftAdd 45 nm unit energies, plus DRAM bytes × its pJ per byte --
const E = (op: ArithOp, w: OpWidth): number => unitEnergy(SHIFTADD_45NM, op, w).pj;
/** pJ per byte read from DRAM (the table gives pJ per 16-bit word). */
const DRAM_PJ_PER_BYTE = SHIFTADD_45NM.memory.dram / 2;

interface EnergySplit { macPj: number; rebuildPj: number; weightDramPj: number; actDramPj: number }
const opsPj = (e: EnergySplit): number => e.macPj + e.rebuildPj;
const totalPj = (e: EnergySplit): number => opsPj(e) + e.weightDramPj + e.actDramPj;

/**
 * SmartExchange: its non-zero products, each a 16 × 8-bit multiply (W is int16 after the rebuild)
 * and a 32-bit accumulate; the rebuild's shift-and-adds (3 per nonzero Ce entry, 16 bits), once per
 * filter (weight-stationary); the stored weights (basis + bitmap + codes) and the activations read
 * from DRAM once. The index logic (masks, find-first-sets) and on-chip buffers are not priced.
 */
function seEnergy(c: SeCounts, weightBytes: number, actBytes: number): EnergySplit {
  return { macPj: c.macs * (E('multiply', 16) + E('add', 32)), rebuildPj: c.shiftAdds * (E('shift', 16) + E('add', 16)), weightDramPj: weightBytes * DRAM_PJ_PER_BYTE, actDramPj: actBytes * DRAM_PJ_PER_BYTE };
}
/** The int8 MAC engine: every product of the dense problem (it skips nothing), 8-bit multiply and 32-bit accumulate; int8 weights and the same activations from DRAM once. */
function macEnergy(denseMacs: number, weightBytes: number, actBytes: number): EnergySplit {
  return { macPj: denseMacs * (E('multiply', 8) + E('add', 32)), rebuildPj: 0, weightDramPj: weightBytes * DRAM_PJ_PER_BYTE, actDramPj: actBytes * DRAM_PJ_PER_BYTE };
}
const nj = (pj: number): string => (pj / 1000).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** The small arrays synthesised: SmartExchange's CI preset (4 lanes × 3 MACs) and the int8 MAC engine of 4 × 3 MACs sized for the same jobs (M ≤ 16, K ≤ 24, N ≤ 8). */
const SMALL_SE = sePresets.ci!;
const SMALL_MAC: ShiftAddParams = { ...shiftAddPresets['ci-mul']!, rows: 4, cols: 3, mMax: 16, kMax: 24, nMax: 8 };

/** yosys `synth_ice40` (no DSPs) of both small arrays, one after the other (the machine is shared). */
async function sizes(): Promise<(string | number)[][]> {
  const rows: (string | number)[][] = [];
  const designs = [
    { what: `SmartExchange \`ci\` (${SMALL_SE.lanes} lanes × 3 MACs, G ≤ ${SMALL_SE.gmax}, N ≤ ${SMALL_SE.nmax}, M ≤ ${SMALL_SE.mmax})`, c: elaborate(acc.create(SMALL_SE)), gen: 'smartexchange', params: SMALL_SE as Record<string, number | string | boolean> },
    { what: `int8 MAC engine (shiftadd \`mul\`, ${SMALL_MAC.rows} × ${SMALL_MAC.cols} MACs, K ≤ ${SMALL_MAC.kMax}, N ≤ ${SMALL_MAC.nMax}, M ≤ ${SMALL_MAC.mMax})`, c: elaborate(shiftadd.create(SMALL_MAC)), gen: 'shiftadd', params: SMALL_MAC as Record<string, number | string | boolean> },
  ];
  for (const d of designs) {
    const dir = writeDesign(d.c, path.join(tmp, `synth-${d.c.top.name}`), { generator: d.gen, params: d.params }).dir;
    const r = await runSynth(dir, { target: 'ice40' });
    console.log(`${d.what}: ${JSON.stringify(r.resources)} (${r.cached ? 'cached' : `${r.seconds} s`})`);
    rows.push([d.what, k(r.resources.luts), k(r.resources.carries), k(r.resources.ffs), r.resources.brams]);
  }
  return rows;
}

interface Layer { name: string; cin: number; hw: number }
const LAYERS: Layer[] = [
  { name: 'conv 16→16, 32×32', cin: 16, hw: 32 },
  { name: 'conv 32→32, 16×16', cin: 32, hw: 16 },
  { name: 'conv 64→64, 8×8', cin: 64, hw: 8 },
];

async function layerRows(threshold: number, macMeasured: number[]): Promise<{ rows: (string | number)[][]; bytes: (string | number)[][]; energy: (string | number)[][]; ratios: Ratios }> {
  const p = sePresets.resnet20!;
  // Both weight-buffer designs: double-buffered (the preset) and one bank, to measure what the second bank saves.
  const p1: SeParams = { ...p, wbanks: 1 };
  const sim = await openResnetSim(p);
  const sim1 = await openResnetSim(p1);
  const macs = 3 * p.lanes;
  const rows: (string | number)[][] = [];
  const bytes: (string | number)[][] = [];
  const energy: (string | number)[][] = [];
  const ratios: Ratios = { cycles: [], ops: [], total: [] };
  try {
    for (const [li, L] of LAYERS.entries()) {
      const M = L.cin;
      const G = 3 * L.cin;
      const K = 3 * G;
      const N = L.hw * L.hw;
      const dec = decomposeLayer(gaussianWeights(100 + li, M, K), { threshold, iterations: 10 });
      const B = dec.blocks.map((b) => b.B);
      const ce = dec.blocks.map((b) => b.ce);
      const streamed = M * 9 + Math.ceil((M * G * 3 * 5) / 8);
      bytes.push([L.name, k(dec.denseBytes), k(dec.bytes), k(streamed), (dec.denseBytes / dec.bytes).toFixed(2), `${(100 * dec.ceSparsity).toFixed(0)}%`, dec.error.toFixed(3), dec.int8Error.toFixed(4)]);
      for (const xZero of SPARSITIES) {
        const r = mulberry32(1000 * li + Math.round(xZero * 100));
        const fm = Array.from({ length: L.cin * N }, () => (r() < xZero ? 0 : Math.floor(r() * 256) - 128));
        const X = im2col3x3(fm, L.cin, L.hw, L.hw);
        const { Y, counts } = seMatmul(B, ce, X);
        const t: Record<string, Tensor> = {
          B: { shape: [M, 3, 3], data: B.flat(2).map(BigInt) },
          C: { shape: [M, G, 3], data: ce.flat(2).map(BigInt) },
          X: { shape: [K, N], data: X.flat().map(BigInt) },
        };
        const se = seCycles(p, t);
        const measured = await sim.run(t, Y, `${L.name}, ${xZero * 100}% zeros`);
        const measured1 = await sim1.run(t, Y, `${L.name}, ${xZero * 100}% zeros, one bank`);
        const se1 = seCycles(p1, t);
        console.log(`${L.name}, ${xZero * 100}%: SmartExchange ${measured} cycles in Verilator (model ${se.total}), one weight bank ${measured1} (model ${se1.total})`);
        if (measured !== se.total || measured1 !== se1.total) throw new Error(`${L.name}, ${xZero * 100}%: Verilator cycles differ from the model`);
        const ideal = Math.ceil(counts.macs / macs);
        const dense = Math.ceil((M * K * N) / macs);
        const macEngine = macMeasured[li]!;
        const macModel = Math.ceil(M / 16) * Math.ceil(K / 3) * (N + 1);
        const xz = X.flat().filter((x) => x === 0).length / X.flat().length;
        // Activations moved from DRAM, the same for both engines: the input feature map and the output map (int8, requantised for the next layer), once.
        const actBytes = L.cin * L.hw * L.hw + M * N;
        const eSe = seEnergy(counts, dec.bytes, actBytes);
        const eMac = macEnergy(M * K * N, dec.denseBytes, actBytes);
        energy.push([L.name, `${xZero * 100}%`, nj(eSe.macPj), nj(eSe.rebuildPj), nj(eMac.macPj), (opsPj(eMac) / opsPj(eSe)).toFixed(2), nj(eSe.weightDramPj), nj(eMac.weightDramPj), nj(eSe.actDramPj), nj(totalPj(eSe)), nj(totalPj(eMac)), (totalPj(eMac) / totalPj(eSe)).toFixed(2)]);
        ratios.cycles.push(macEngine / measured);
        ratios.ops.push(opsPj(eMac) / opsPj(eSe));
        ratios.total.push(totalPj(eMac) / totalPj(eSe));
        rows.push([L.name, `${xZero * 100}% (${(100 * xz).toFixed(0)}% after im2col)`, k(measured), k(measured1), k(measured1 - measured), k(se.compute), k(se.load), k(ideal), (measured / ideal).toFixed(2), k(dense), `${k(macEngine)} (model ${k(macModel)})`, (macEngine / measured).toFixed(2)]);
      }
    }
  } finally {
    await sim.close();
    await sim1.close();
  }
  return { rows, bytes, energy, ratios };
}

/** MAC engine / SmartExchange ratios over every layer and sparsity, for the comparison with the paper. */
interface Ratios { cycles: number[]; ops: number[]; total: number[] }
const span = (xs: number[]): string => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×`;

async function main(): Promise<void> {
  const lines: string[] = [machineLine(), ''];
  const ci = await ciRuns();
  if (quick) {
    lines.push('Command: `npm run bench:smartexchange -- --quick`: the CI preset (4 lanes × 3 MACs, M 16, G 8, N 8), Verilator, no stalls, checked against golden.', '');
    lines.push(table(['activation zeros', 'cycles', 'model', 'non-zero bound', 'cycles / bound'], ci));
    console.log(lines.join('\n'));
    recordBlock('bench:smartexchange', 'SmartExchange', lines.join('\n'));
    return;
  }
  const threshold = 1;
  const { rows, bytes, energy, ratios } = await layerRows(threshold, await macEngineCycles());
  const size = await sizes();
  lines.push(
    `Command: \`npm run bench:smartexchange\`. Preset \`resnet20\` (16 lanes × 3 MACs = 48 MACs) against the int8 MAC engine of 16 × 3 = 48 MACs; ` +
      `seeded Gaussian (He) weights decomposed by ALS (threshold ${threshold}, at most 10 rounds), random int8 activations with i.i.d. zeros. ` +
      `SmartExchange cycles measured in Verilator (preset \`resnet20\` on the layer's decomposed weights and im2col activations, no stalls, checked against golden; equal cycle for cycle to its control model \`seCycles\`, checked), double-buffered weights (\`wbanks\` 2: the next group is rebuilt while the current one computes) and, beside, one bank (\`wbanks\` 1); the MAC engine's measured in Verilator (random int8 W and X of the layer's shape, checked against its golden; its tile model ceil(M/16)·ceil(K/3)·(N + 1) beside). Weight bytes are per layer. ` +
      `The SmartExchange activation port moves ${sePresets.resnet20!.xw} triples (${3 * sePresets.resnet20!.xw} bytes) a cycle, the MAC engine's 3 bytes (all its array consumes).`,
    '',
    table(['layer', 'int8 dense bytes', 'SE stored bytes', 'SE streamed bytes (this RTL)', 'dense / stored', 'Ce zeros', 'SE rel. error', 'int8 rel. error'], bytes),
    '',
    table(['layer', 'activation zeros', 'SE cycles, Verilator', 'one weight bank, Verilator', 'saved by the 2nd bank', 'SE compute cycles', 'load (ceil(G/xw)·N)', 'non-zero bound', 'SE / bound', 'dense bound', 'MAC engine cycles, Verilator', 'MAC / SE'], rows),
    '',
    `Energy per layer (nJ): ${SHIFTADD_45NM.name} (${SHIFTADD_45NM.source}). SmartExchange: non-zero products × (16×8-bit multiply ${E('multiply', 16)} + 32-bit add ${E('add', 32)} pJ; W is int16 after the rebuild) ` +
      `and rebuild shift-and-adds (3 per nonzero Ce entry, once per filter) × (16-bit shift ${E('shift', 16)} + add ${E('add', 16)} pJ); ` +
      `the int8 MAC engine: every dense product × (8-bit multiply ${E('multiply', 8)} + 32-bit add ${E('add', 32)} pJ). ` +
      `DRAM ${DRAM_PJ_PER_BYTE} pJ a byte: weights as stored (SmartExchange) or int8 dense, read once; activations (input and output feature maps, int8, the same for both) once. ` +
      'Not priced: index logic, on-chip buffers and registers.',
    '',
    table(['layer', 'act. zeros', 'SE MAC', 'SE rebuild', 'MAC-engine MAC', 'ops: MAC / SE', 'SE weights DRAM', 'int8 weights DRAM', 'activations DRAM (both)', 'SE total', 'MAC total', 'total: MAC / SE'], energy),
    '',
    'Size of a small array of each, yosys `synth_ice40` (no DSPs, whole design flattened; a resource count, not a timing-closed build):',
    '',
    table(['design', 'LUT4', 'carry', 'FF', 'SB_RAM40_4K'], size),
    '',
    `Over the three layers and three sparsities, MAC engine / SmartExchange: cycles ${span(ratios.cycles)}, operation energy ${span(ratios.ops)}, total energy with DRAM ${span(ratios.total)}.`,
    '',
    'Verilator, CI preset (4 lanes), one job of M 16, G 8, N 8 per sparsity, checked against golden:',
    '',
    table(['activation zeros', 'cycles', 'model', 'non-zero bound', 'cycles / bound'], ci),
  );
  console.log(lines.join('\n'));
  recordBlock('bench:smartexchange', 'SmartExchange', lines.join('\n'));
}

main().finally(() => fs.rmSync(tmp, { recursive: true, force: true })).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
