/**
 * `npm run bench:smartexchange`: the SmartExchange engine against the plain int8 MAC engine of the
 * same MAC count (shiftadd's `mul` array, 16 rows × 3 columns = 48 MACs, against 16 lanes × 3 MACs)
 * on the three 3×3 layer shapes of ResNet-20 (16→16 at 32×32, 32→32 at 16×16, 64→64 at 8×8), with
 * seeded Gaussian weights standing in for trained ones (decomposed by ALS, golden.ts) and random int8
 * activations with i.i.d. zeros at 0, 50 and 70 % (im2col, so the padding adds its zeros).
 *
 * Figures per layer and sparsity: weight bytes moved (int8 dense; SmartExchange as stored, bitmap +
 * 4-bit codes, and as this RTL streams them, 5-bit codes), the decomposition's relative error, cycles
 * of the SmartExchange engine (its control model `seCycles`, equal cycle for cycle to the RTL in
 * tests/smartexchange-rtl.test.ts), its compute cycles and its load (one triple a cycle), against the ideal bound of the non-zero work (products with a
 * nonzero Ce row and a nonzero activation / 48) and the dense bound (M·K·N / 48), and the MAC
 * engine's cycles in Verilator (and its tile model ceil(M/16)·ceil(K/3)·(N + 1), shiftadd README).
 * Also one Verilator run of the CI preset per sparsity, checked against golden, against the model.
 * `--quick`: the Verilator part only, on the CI preset; records nothing (record.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tensor } from '../dsl/generator.ts';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { decomposeLayer, gaussianWeights, im2col3x3, seMatmul, blockBits } from '../generators/smartexchange/golden.ts';
import { randomSeInputs, seAccelerator as acc, seCycles } from '../generators/smartexchange/index.ts';
import { sePresets } from '../generators/smartexchange/params.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { machineLine, quick, recordBlock } from './record.ts';
import { mulberry32 } from '../generators/random.ts';
import { randomShiftAddInputs, shiftadd } from '../generators/shiftadd/index.ts';
import { shiftAddPresets, type ShiftAddParams } from '../generators/shiftadd/params.ts';

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

interface Layer { name: string; cin: number; hw: number }
const LAYERS: Layer[] = [
  { name: 'conv 16→16, 32×32', cin: 16, hw: 32 },
  { name: 'conv 32→32, 16×16', cin: 32, hw: 16 },
  { name: 'conv 64→64, 8×8', cin: 64, hw: 8 },
];

function layerRows(threshold: number, macMeasured: number[]): { rows: (string | number)[][]; bytes: (string | number)[][] } {
  const p = sePresets.resnet20!;
  const macs = 3 * p.lanes;
  const rows: (string | number)[][] = [];
  const bytes: (string | number)[][] = [];
  LAYERS.forEach((L, li) => {
    const M = L.cin;
    const G = 3 * L.cin;
    const K = 3 * G;
    const N = L.hw * L.hw;
    const dec = decomposeLayer(gaussianWeights(100 + li, M, K), { threshold, iterations: 10 });
    const B = dec.blocks.map((b) => b.B);
    const ce = dec.blocks.map((b) => b.ce);
    const streamed = M * 9 + Math.ceil((M * G * 3 * 5) / 8);
    bytes.push([L.name, k(dec.denseBytes), k(dec.bytes), k(streamed), (dec.denseBytes / dec.bytes).toFixed(2), `${(100 * dec.ceSparsity).toFixed(0)}%`, dec.error.toFixed(3), dec.int8Error.toFixed(4)]);
    void blockBits;
    for (const xZero of SPARSITIES) {
      const r = mulberry32(1000 * li + Math.round(xZero * 100));
      const fm = Array.from({ length: L.cin * N }, () => (r() < xZero ? 0 : Math.floor(r() * 256) - 128));
      const X = im2col3x3(fm, L.cin, L.hw, L.hw);
      const { counts } = seMatmul(B, ce, X);
      const t: Record<string, Tensor> = {
        B: { shape: [M, 3, 3], data: B.flat(2).map(BigInt) },
        C: { shape: [M, G, 3], data: ce.flat(2).map(BigInt) },
        X: { shape: [K, N], data: X.flat().map(BigInt) },
      };
      const se = seCycles(p, t);
      const ideal = Math.ceil(counts.macs / macs);
      const dense = Math.ceil((M * K * N) / macs);
      const macEngine = macMeasured[li]!;
      const macModel = Math.ceil(M / 16) * Math.ceil(K / 3) * (N + 1);
      const xz = X.flat().filter((x) => x === 0).length / X.flat().length;
      rows.push([L.name, `${xZero * 100}% (${(100 * xz).toFixed(0)}% after im2col)`, k(se.total), k(se.compute), k(se.load), k(ideal), (se.total / ideal).toFixed(2), k(dense), `${k(macEngine)} (model ${k(macModel)})`, (macEngine / se.total).toFixed(2)]);
    }
  });
  return { rows, bytes };
}

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
  const { rows, bytes } = layerRows(threshold, await macEngineCycles());
  lines.push(
    `Command: \`npm run bench:smartexchange\`. Preset \`resnet20\` (16 lanes × 3 MACs = 48 MACs) against the int8 MAC engine of 16 × 3 = 48 MACs; ` +
      `seeded Gaussian (He) weights decomposed by ALS (threshold ${threshold}, at most 10 rounds), random int8 activations with i.i.d. zeros. ` +
      `SmartExchange cycles are its control model (equal to the RTL in the tests); the MAC engine's measured in Verilator (random int8 W and X of the layer's shape, checked against its golden; its tile model ceil(M/16)·ceil(K/3)·(N + 1) beside). Weight bytes are per layer. ` +
      `The SmartExchange activation port moves ${sePresets.resnet20!.xw} triples (${3 * sePresets.resnet20!.xw} bytes) a cycle, the MAC engine's 3 bytes (all its array consumes).`,
    '',
    table(['layer', 'int8 dense bytes', 'SE stored bytes', 'SE streamed bytes (this RTL)', 'dense / stored', 'Ce zeros', 'SE rel. error', 'int8 rel. error'], bytes),
    '',
    table(['layer', 'activation zeros', 'SE cycles', 'SE compute cycles', 'load (ceil(G/xw)·N)', 'non-zero bound', 'SE / bound', 'dense bound', 'MAC engine cycles, Verilator', 'MAC / SE'], rows),
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
