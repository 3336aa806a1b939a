/**
 * `npm run bench:bitfusion`: the Bit Fusion array (fused units of 2-bit bricks, precision per job)
 * against the baseline of the same peak 8-bit throughput (preset `resnet20-mac`: one fixed int8
 * multiplier per unit), on a ResNet-20 3×3 layer as an im2col GEMM (32→32 channels at 16×16:
 * M = 256 pixels, K = 288, N = 32), random operands of each precision, checked against golden.
 *
 * Figures: per precision (FracTrain's candidates 3, 4, 6 and the brick sizes 2, 4, 8) the mode the
 * job runs in, the cycles in Verilator (no stalls) against the bound M·N·K / (units · products per
 * unit per cycle of the mode), the products per unit per cycle measured (M·N·K / units / cycles), the
 * baseline's cycles in Verilator; the compute energy of FracTrain's cost model (a MAC of a × w bits
 * costs a·w/64 of an 8-bit MAC) at the precision itself, at the brick mode it is rounded up to, and
 * for the baseline (every MAC at 8 bits); the schedule 3, 4, 4, 6, 6 as five jobs; yosys synth_ice40
 * (no DSPs) LUTs and flip-flops of both arrays at 16 units and at 1 unit.
 * `--quick`: the CI presets (2 units) on a tiny job per mode in Verilator, no yosys.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Tensor } from '../dsl/generator.ts';
import { elaborate, emitVerilog } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { bitFusionAccelerator as acc, bitFusionCycles, bitFusionShape, randomBitFusionInputs } from '../generators/bitfusion/index.ts';
import { fracTrainEnergy } from '../generators/bitfusion/golden.ts';
import { bitFusionPresets, type BitFusionParams } from '../generators/bitfusion/params.ts';
import { openSim, type Sim } from '../testbenches/stream/session.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-bf-'));
const table = (head: string[], rows: (string | number)[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const k = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** FracTrain's candidate forward precisions, as a schedule of jobs. */
const SCHEDULE = [3, 4, 4, 6, 6];
const PRECISIONS = [2, 3, 4, 6, 8];

async function open(p: BitFusionParams): Promise<Sim> {
  const c = elaborate(acc.create(p));
  const dir = writeDesign(c, path.join(tmp, c.top.name), { generator: 'bitfusion', params: p }).dir;
  return openSim(dir, { seed: 1, stall: { in: 0, out: 0 }, record: false, hangCycles: 100_000 });
}

/** One job in Verilator, checked against golden: its cycles from the first send to the last y token. */
async function measure(s: Sim, p: BitFusionParams, t: Record<string, Tensor>): Promise<number> {
  const before = s.received('y').length;
  const start = s.cycle;
  for (const [name, list] of Object.entries(acc.encode(p, t))) s.send(name, list);
  await s.run({ until: { y: before + acc.outputTokens!(p, t).y! } });
  const got = acc.decode(p, { y: s.received('y').slice(before) }, t);
  const want = acc.golden(p, t).outputs.Y!.data;
  if (got.Y!.data.some((v, i) => v !== want[i])) throw new Error(`${p.fused ? 'bitfusion' : 'baseline'}, ${t.bits!.data[0]} bits: outputs differ from golden`);
  return s.cycles('y').at(-1)! - start + 1;
}

interface Row { bits: number; mode: number; cycles: number; bound: number; model: number; perUnit: number; macs: number }

async function precisionRows(p: BitFusionParams, shape: { M: number; N: number; K: number }): Promise<Row[]> {
  const s = await open(p);
  const rows: Row[] = [];
  try {
    for (const bits of PRECISIONS) {
      const t = randomBitFusionInputs(100 + bits, { ...shape, bits });
      const cycles = await measure(s, p, t);
      const sh = bitFusionShape(p, t);
      const model = bitFusionCycles(p, t);
      const macs = shape.M * shape.N * shape.K;
      rows.push({ bits, mode: sh.mode, cycles, bound: model.bound, model: model.total, perUnit: macs / p.units / cycles, macs });
    }
  } finally {
    await s.close();
  }
  return rows;
}

async function baselineCycles(p: BitFusionParams, shape: { M: number; N: number; K: number }): Promise<number> {
  const s = await open(p);
  try {
    return await measure(s, p, randomBitFusionInputs(7, { ...shape, bits: 8 }));
  } finally {
    await s.close();
  }
}

/** yosys synth_ice40 (no DSPs: multipliers in LUTs, as the bricks are) of the design of `p`. */
async function yosys(p: BitFusionParams): Promise<{ name: string; luts: number; ffs: number; carries: number }> {
  const c = elaborate(acc.create(p));
  const dir = fs.mkdtempSync(path.join(tmp, 'ys-'));
  const files = emitVerilog(c);
  for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.text);
  const r = await execa('yosys', ['-q', '-p', `read_verilog ${files.map((f) => path.join(dir, f.name)).join(' ')}; synth_ice40 -top ${c.top.name}; tee -o ${path.join(dir, 'stat.txt')} stat`], { reject: false });
  if (r.exitCode !== 0) throw new Error(`yosys failed on ${c.top.name}: ${r.stderr.split('\n')[0]}`);
  const stat = fs.readFileSync(path.join(dir, 'stat.txt'), 'utf8');
  const count = (re: string): number => [...stat.matchAll(new RegExp(`^\\s+(${re})\\s+(\\d+)`, 'gm'))].reduce((a, m) => a + Number(m[2]), 0);
  return { name: c.top.name, luts: count('SB_LUT4'), ffs: count('SB_DFF\\w*'), carries: count('SB_CARRY') };
}

function cycleTable(rows: Row[], base: number): string {
  return table(['precision (bits)', 'brick mode', 'cycles (Verilator)', 'bound', 'cycles / bound', 'products / unit / cycle', 'baseline cycles (Verilator)', 'baseline / bit fusion'],
    rows.map((r) => [r.bits, `${r.mode}-bit`, k(r.cycles), k(r.bound), (r.cycles / r.bound).toFixed(4), r.perUnit.toFixed(3), k(base), (base / r.cycles).toFixed(2)]));
}

async function main(): Promise<void> {
  const lines: string[] = [machineLine(), ''];
  if (quick) {
    const p = bitFusionPresets.ci!;
    const shape = { M: 4, N: 4, K: 32 };
    const rows = await precisionRows(p, shape);
    const base = await baselineCycles(bitFusionPresets['ci-mac']!, shape);
    lines.push(`Command: \`npm run bench:bitfusion -- --quick\`: presets \`ci\` / \`ci-mac\` (2 units), M ${shape.M} N ${shape.N} K ${shape.K}, Verilator, no stalls, checked against golden.`, '');
    lines.push(cycleTable(rows, base));
    console.log(lines.join('\n'));
    recordBlock('bench:bitfusion', 'Bit Fusion (FracTrain)', lines.join('\n'));
    return;
  }
  const p = bitFusionPresets.resnet20!;
  const pm = bitFusionPresets['resnet20-mac']!;
  const shape = { M: 16 * 16, N: 32, K: 9 * 32 };
  const rows = await precisionRows(p, shape);
  const base = await baselineCycles(pm, shape);
  const macs = shape.M * shape.N * shape.K;
  lines.push(
    `Command: \`npm run bench:bitfusion\`. Preset \`resnet20\` (${p.units} fused units: peak ${p.units} / ${4 * p.units} / ${16 * p.units} products a cycle at 8 / 4 / 2 bits) against \`resnet20-mac\` ` +
      `(${pm.units} int8 multipliers: ${pm.units} products a cycle at every precision). ResNet-20's 3×3 conv 32→32 at 16×16 as an im2col GEMM, M ${shape.M} × K ${shape.K} × N ${shape.N} = ${k(macs)} MACs, ` +
      'random operands of each precision, one job each in Verilator without stalls, checked against golden. Bound: MACs / (units · products per unit per cycle of the brick mode).',
    '',
    cycleTable(rows, base),
    '',
    'Compute energy under FracTrain\'s model (a MAC of a × w bits costs a·w/64 of an 8-bit MAC), in 8-bit-MAC units for this layer:',
    '',
    table(['precision (bits)', 'at the precision (p²/64)', 'at the brick mode (mode²/64)', 'rounding-up cost', 'baseline (every MAC at 8 bits)', 'baseline / bit fusion'],
      rows.map((r) => {
        const ideal = fracTrainEnergy(macs, r.bits, r.bits);
        const at = fracTrainEnergy(macs, r.mode, r.mode);
        return [r.bits, k(ideal), k(at), `${(at / ideal).toFixed(2)}×`, k(macs), (macs / at).toFixed(2)];
      })),
    '',
  );
  const byBits = new Map(rows.map((r) => [r.bits, r]));
  const sched = SCHEDULE.map((b) => byBits.get(b)!);
  const schedCycles = sched.reduce((a, r) => a + r.cycles, 0);
  const schedIdeal = SCHEDULE.reduce((a, b) => a + fracTrainEnergy(macs, b, b), 0);
  const schedMode = sched.reduce((a, r) => a + fracTrainEnergy(macs, r.mode, r.mode), 0);
  lines.push(
    `FracTrain's schedule ${SCHEDULE.join(', ')} (this layer once per precision, five jobs): ${k(schedCycles)} cycles against the baseline's ${k(5 * base)} ` +
      `(${((5 * base) / schedCycles).toFixed(2)}× fewer); energy ${k(schedMode)} at the brick modes, ${k(schedIdeal)} at the precisions themselves ` +
      `(rounding up costs ${(schedMode / schedIdeal).toFixed(2)}×), ${k(5 * macs)} for the baseline (${((5 * macs) / schedMode).toFixed(2)}× more than bit fusion).`,
    '',
  );
  const ys: Awaited<ReturnType<typeof yosys>>[] = [];
  for (const q of [p, pm, { ...p, units: 1 }, { ...pm, units: 1 }]) ys.push(await yosys(q));
  const version = (await execa('yosys', ['-V'])).stdout.trim().split(' (')[0];
  lines.push(
    `${version}, \`synth_ice40\` without DSPs (multipliers in LUTs, as the bricks are; a resource count, not a timing-closed build):`,
    '',
    table(['design', 'SB_LUT4', 'flip-flops', 'SB_CARRY', 'LUTs vs the int8 array of the same units'], ys.map((y, i) => [y.name, k(y.luts), k(y.ffs), k(y.carries), i % 2 === 0 ? `${(y.luts / ys[i + 1]!.luts).toFixed(2)}×` : '1'])),
  );
  console.log(lines.join('\n'));
  recordBlock('bench:bitfusion', 'Bit Fusion (FracTrain)', lines.join('\n'));
}

main().finally(() => fs.rmSync(tmp, { recursive: true, force: true })).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
