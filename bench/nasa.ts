/**
 * `npm run bench:nasa`: NASA's chunk accelerator against single-form accelerators of the same budget.
 *
 * 1. Predicted (the mapper, `generators/nasa/mapper.ts`, from the measured cost table): cycles per
 *    image of the NASA-like CIFAR network (`NASA_CIFAR`) on the mapped multiply/shift/adder chunks,
 *    on one multiply chunk (every layer in multiply form) and on shift + adder chunks (multiply
 *    layers as shift layers), for LUT and PE budgets; the mapper's search time and combinations.
 * 2. Measured (Verilator, no stalls, outputs checked against golden): the tiny chain (`TINY_CHAIN`)
 *    on the generated chunk accelerator (ci preset, the mapper's chunks for 96 PEs), steady-state
 *    cycles per image vs predicted; the same three layers as back-to-back jobs on one ShiftAdd
 *    multiply engine of the all-multiply mapping of the same 96 PEs; and the shift + adder mapping
 *    (the multiply layer as a shift layer) as ShiftAdd shift and adder engines running their layers
 *    as jobs, each vs its prediction; and two rounds of the chain (six layers, two per chunk) on the
 *    ci-rounds top vs the mapper's prediction (the last two are left out of --quick).
 *
 * Writes the generated block of `## NASA` in docs/benchmarks.md. `--quick`: fewer budgets and 3 images.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compareTensors } from '../verify/compare.ts';
import { writeDesign } from '../dsl/output.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { loadCostTable } from '../generators/nasa/cost-table.ts';
import { nasaTyped as nasa, randomNasaInputs } from '../generators/nasa/index.ts';
import { allInForm, chunkLutsOf, costModel, mapNetwork, predictChunks, shiftAddOnly, type Budget, type Mapping } from '../generators/nasa/mapper.ts';
import { NASA_CIFAR, TINY_CHAIN, TINY_ROUNDS, layerGemm, type HybridLayer } from '../generators/nasa/network.ts';
import { nasaPresets } from '../generators/nasa/params.ts';
import { CHUNK_LUTS_FILE, loadChunkLuts, type ChunkLuts, type ChunkLutEntry } from '../generators/nasa/chunk-luts.ts';
import { chunkConfigs } from '../generators/nasa/create.ts';
import { createArray } from '../generators/shiftadd/array.ts';
import { runSynth } from '../flows/fpga/synth.ts';
import { randomShiftAddInputs, shiftadd } from '../generators/shiftadd/index.ts';
import { shiftAddPresets, type ShiftAddParams } from '../generators/shiftadd/params.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const SEED = 11;
const table = loadCostTable();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-nasa-'));
const B = quick ? 3 : 8;

const shapes = (m: Mapping): string => m.chunks.map((c) => `${c.form} ${c.rows}×${c.cols}`).join(', ');
const budgetText = (b: Budget): string => ('pes' in b ? `${b.pes} PEs` : `${b.luts} LUTs`);

function predicted(): string[] {
  const budgets: Budget[] = quick ? [{ luts: 20_000 }] : [{ luts: 10_000 }, { luts: 20_000 }, { luts: 40_000 }, { luts: 80_000 }, { pes: 128 }, { pes: 256 }];
  const rows = ['| budget | design | chunks | PEs | LUTs (model) | cycles/image | hybrid speed-up | search | combinations |', '|---|---|---|---|---|---|---|---|---|'];
  for (const b of budgets) {
    const runs = [['NASA hybrid (mapped)', NASA_CIFAR], ['all multiply', allInForm(NASA_CIFAR, 'mul')], ['shift + adder', shiftAddOnly(NASA_CIFAR)]] as const;
    const maps = runs.map(([, net]) => mapNetwork(net, b, table));
    const hybrid = maps[0]!.cyclesPerImage;
    runs.forEach(([label], i) => {
      const m = maps[i]!;
      rows.push(`| ${budgetText(b)} | ${label} | ${shapes(m)} | ${m.pes} | ${m.luts} | ${m.cyclesPerImage} | ${i === 0 ? '—' : `**${(m.cyclesPerImage / hybrid).toFixed(2)}×**`} | ${m.searchMs.toFixed(1)} ms | ${m.evaluated} |`);
    });
  }
  return rows;
}

function designDir(def: ReturnType<typeof nasa.create>, info: { generator: string; params: Record<string, unknown> }): string {
  const c = elaborate(def);
  return writeDesign(c, path.join(tmp, c.top.name), info as never).dir;
}

/** The ci chunk accelerator on B images of the tiny chain: steady-state cycles per image. */
async function measureChunks(): Promise<{ predicted: number; measured: number; mapping: Mapping }> {
  const p = nasaPresets.ci!;
  const mapping = mapNetwork(TINY_CHAIN, { pes: 96 }, table, { chain: true, sides: [2, 4, 8] });
  const [l0, l1, l2] = TINY_CHAIN;
  const t = randomNasaInputs(p, SEED, { B, M0: l0!.cout, K0: l0!.cin, M1: l1!.cout, M2: l2!.cout, N: l0!.hw * l0!.hw });
  const sim = await openSim(designDir(nasa.create(p), { generator: 'nasa', params: p }), { seed: SEED, stall: { in: 0, out: 0 } });
  try {
    for (const [s, tokens] of Object.entries(nasa.encode(p, t))) sim.send(s, tokens);
    const total = nasa.outputTokens!(p, t).y!;
    await sim.run({ until: { y: total } });
    if (compareTensors(nasa.decode(p, { y: sim.received('y') }, t), nasa.golden(p, t).outputs) !== null) throw new Error(`nasa ci: outputs differ from the layer chain (seed ${SEED})`);
    const per = total / B;
    const cyc = sim.cycles('y');
    return { predicted: mapping.cyclesPerImage, measured: (cyc[B * per - 1]! - cyc[per - 1]!) / (B - 1), mapping };
  } finally {
    await sim.close();
  }
}

/** Two rounds of the chain on `ci-rounds` (six layers, two per chunk): steady state over groups of three images. */
async function measureRounds(): Promise<{ predicted: number; measured: number; chunks: string }> {
  const p = nasaPresets['ci-rounds']!;
  const sizes = { mul: { rows: p.mulRows, cols: p.mulCols }, shift: { rows: p.shiftRows, cols: p.mulRows }, adder: { rows: p.adderRows, cols: p.shiftRows } };
  const [l0, l1, l2] = TINY_ROUNDS;
  const groups = 3;
  const t = randomNasaInputs(p, SEED, { B: 3 * groups, M0: l0!.cout, K0: l0!.cin, M1: l1!.cout, M2: l2!.cout, N: l0!.hw * l0!.hw });
  const sim = await openSim(designDir(nasa.create(p), { generator: 'nasa', params: p }), { seed: SEED, stall: { in: 0, out: 0 } });
  try {
    for (const [s, tokens] of Object.entries(nasa.encode(p, t))) sim.send(s, tokens);
    const total = nasa.outputTokens!(p, t).y!;
    await sim.run({ until: { y: total } });
    if (compareTensors(nasa.decode(p, { y: sim.received('y') }, t), nasa.golden(p, t).outputs) !== null) throw new Error(`nasa ci-rounds: outputs differ from the two-round chain (seed ${SEED})`);
    const per = total / (3 * groups);
    const cyc = sim.cycles('y');
    const groupEnd = (g: number): number => cyc[(3 * g + 3) * per - 1]!;
    return {
      predicted: predictChunks(TINY_ROUNDS, sizes, table).cycles,
      measured: (groupEnd(groups - 1) - groupEnd(0)) / (3 * (groups - 1)),
      chunks: Object.entries(sizes).map(([f, s]) => `${f} ${s.rows}×${s.cols}`).join(', '),
    };
  } finally {
    await sim.close();
  }
}

/**
 * A single-form mapping measured chunk by chunk: each chunk is a ShiftAdd engine of its kind and
 * mapped size, running its layers as jobs back to back, image after image; its steady-state cycles
 * per image are measured in Verilator. The chunks of a mapping pipeline images through full-layer
 * queues (as the NASA top measured above does), so the mapping's rate is its slowest chunk's.
 */
async function measureMapping(mapping: Mapping, net: readonly HybridLayer[]): Promise<{ predicted: number; measured: number; mapping: Mapping; perChunk: { predicted: number; measured: number }[] }> {
  const perChunk: { predicted: number; measured: number }[] = [];
  for (const [ci, c] of mapping.chunks.entries()) {
    const layers = net.filter((l) => c.layers.includes(l.name));
    const gemms = layers.map(layerGemm);
    const p: ShiftAddParams = {
      ...shiftAddPresets.ci!, kind: c.form, p: 7, rows: c.rows, cols: c.cols,
      mMax: Math.max(...gemms.map((g) => g.M)), kMax: Math.max(...gemms.map((g) => g.K)), nMax: Math.max(...gemms.map((g) => g.N)),
    };
    const sim = await openSim(designDir(shiftadd.create(p) as never, { generator: 'shiftadd', params: p }), { seed: SEED, stall: { in: 0, out: 0 } });
    try {
      let expected = 0;
      const ends: number[] = [];
      for (let b = 0; b < B; b++) {
        for (const [i, g] of gemms.entries()) {
          const t = randomShiftAddInputs(p, g, SEED + 7 * b + 3 * ci + i);
          for (const [s, tokens] of Object.entries(shiftadd.encode(p, t))) sim.send(s, tokens);
          expected += shiftadd.outputTokens!(p, t).y!;
        }
        ends.push(expected);
      }
      await sim.run({ until: { y: expected } });
      const cyc = sim.cycles('y');
      perChunk.push({ predicted: c.cycles, measured: (cyc[ends[B - 1]! - 1]! - cyc[ends[0]! - 1]!) / (B - 1) });
    } finally {
      await sim.close();
    }
  }
  return { predicted: mapping.cyclesPerImage, measured: Math.max(...perChunk.map((c) => c.measured)), mapping, perChunk };
}

/**
 * `--calibrate`: the mapper's LUT model from whole chunks. The ci preset's three chunk configurations
 * (their buffers and widths) synthesised alone for iCE40 at 4×4 and 4×8 PEs, written to
 * generators/nasa/chunk-luts.json (the mapper fits base + per PE per form from it), recorded in the
 * `bench:nasa-calibrate` block with the model's error on the whole ci top, synthesised alongside.
 */
async function calibrate(): Promise<void> {
  // The whole ci top, synthesised alongside the chunks (the model's error is measured against it).
  const topRun = runSynth(designDir(nasa.create(nasaPresets.ci!), { generator: 'nasa', params: nasaPresets.ci! }), { target: 'ice40', progress: false });
  const entries: ChunkLutEntry[] = [];
  for (const [rows, cols] of [[4, 4], [4, 8]] as const)
    for (const base of chunkConfigs(nasaPresets.ci!)) {
      const cfg = { ...base, rows, cols, name: `${base.name}_cal_r${rows}c${cols}` };
      const c = elaborate(createArray(cfg));
      const s = await runSynth(writeDesign(c, path.join(tmp, cfg.name), { generator: 'shiftadd-array', params: {} } as never).dir, { target: 'ice40', progress: false });
      entries.push({ form: cfg.kind, rows, cols, mMax: cfg.mMax, kMax: cfg.kMax, nMax: cfg.nMax, luts: s.resources.luts, ffs: s.resources.ffs, brams: s.resources.brams });
      console.log(JSON.stringify(entries[entries.length - 1]));
    }
  const t: ChunkLuts = { hwflowChunkLuts: 1, source: `npm run bench:nasa -- --calibrate: the nasa ci preset's chunk configurations at 4×4 and 4×8 PEs, yosys synth_ice40; ${machineLine()}`, entries };
  fs.writeFileSync(CHUNK_LUTS_FILE, JSON.stringify(t, null, 2) + '\n');
  const fitted = costModel(table, t);
  const old = costModel(table, null);
  const p = nasaPresets.ci!;
  const ci = chunkConfigs(p).map((c) => [c.kind, c.rows, c.cols] as const);
  const predict = (m: typeof fitted) => ci.reduce((a, [f, r, c]) => a + chunkLutsOf(m, f, r, c), 0);
  const top = (await topRun).resources.luts;
  const err = (v: number) => `${((100 * (v - top)) / top).toFixed(1)}%`;
  const lines = [machineLine(), '', 'Command: `npm run bench:nasa -- --calibrate` (chunks of the ci preset synthesised alone, yosys synth_ice40). Written to generators/nasa/chunk-luts.json.', '',
    '| form | PEs | LUTs | FFs | BRAMs |', '|---|---|---|---|---|',
    ...entries.map((e) => `| ${e.form} | ${e.rows}×${e.cols} | ${e.luts} | ${e.ffs} | ${e.brams} |`), '',
    `Fitted LUT model (base + per PE): ${(['mul', 'shift', 'adder'] as const).map((f) => `${f} ${fitted.luts[f].base.toFixed(0)} + ${fitted.luts[f].perPe.toFixed(1)}/PE`).join(', ')} ` +
    `(the cost table's 4×4 engines alone: ${(['mul', 'shift', 'adder'] as const).map((f) => `${f} ${old.luts[f].perPe.toFixed(0)}/PE`).join(', ')}).`,
    `ci top (${ci.map(([f, r, c]) => `${f} ${r}×${c}`).join(', ')}), synthesised whole: ${top} LUT4; calibrated model ${predict(fitted)} (${err(predict(fitted))}), table model ${predict(old)} (${err(predict(old))}).`];
  console.log(lines.join('\n'));
  recordBlock('bench:nasa-calibrate', 'NASA mapper LUT calibration', lines.join('\n'));
}

async function main(): Promise<void> {
  const lines = [machineLine(), '', `Predicted (mapper: cycles from \`cost-table.json\`, LUTs ${loadChunkLuts() ? 'from whole chunks, `chunk-luts.json`' : 'per PE from `cost-table.json`'}), NASA-like CIFAR network (${NASA_CIFAR.length} layers, 32×32 images):`, '', ...predicted()];
  const chunks = await measureChunks();
  const mul = await measureMapping(mapNetwork(allInForm(TINY_CHAIN, 'mul'), { pes: 96 }, table), allInForm(TINY_CHAIN, 'mul'));
  // Two more Verilator models: left out of --quick, which must stay a few seconds.
  const sa = quick ? undefined : await measureMapping(mapNetwork(shiftAddOnly(TINY_CHAIN), { pes: 96 }, table), shiftAddOnly(TINY_CHAIN));
  const rounds = quick ? undefined : await measureRounds();
  const perChunk = (r: NonNullable<typeof sa>): string => r.perChunk.length > 1 ? ` (chunks: ${r.perChunk.map((c, i) => `${r.mapping.chunks[i]!.form} ${c.measured} vs ${c.predicted}`).join(', ')})` : '';
  const err = (r: { predicted: number; measured: number }) => `${((100 * (r.measured - r.predicted)) / r.predicted).toFixed(1)}%`;
  lines.push('', `Measured (Verilator, no stalls, outputs checked against golden, seed ${SEED}), tiny chain (${TINY_CHAIN.map((l) => `${l.op} ${l.cout}×${l.cin}`).join(' → ')}, N = 16) on a 96-PE budget, steady state over ${B} images:`, '',
    '| design | chunks | PEs | predicted cycles/image | measured | error |', '|---|---|---|---|---|---|',
    `| NASA chunks (ci preset) | ${shapes(chunks.mapping)} | ${chunks.mapping.pes} | ${chunks.predicted} | ${chunks.measured} | ${err(chunks)} |`,
    `| all multiply (one ShiftAdd engine, layers as jobs) | ${shapes(mul.mapping)} | ${mul.mapping.pes} | ${mul.predicted} | ${mul.measured} | ${err(mul)} |`,
    ...(sa ? [`| shift + adder (multiply layer as shift; each chunk a ShiftAdd engine, its layers as jobs; slowest chunk) | ${shapes(sa.mapping)} | ${sa.mapping.pes} | ${sa.predicted} | ${sa.measured}${perChunk(sa)} | ${err(sa)} |`] : []),
    '', `Measured speed-up of the chunks over one multiply engine of the same budget: **${(mul.measured / chunks.measured).toFixed(2)}×** (predicted ${(mul.predicted / chunks.predicted).toFixed(2)}×)` +
    (sa ? `; over shift + adder chunks: **${(sa.measured / chunks.measured).toFixed(2)}×** (predicted ${(sa.predicted / chunks.predicted).toFixed(2)}×).` : '.'));
  if (rounds) lines.push('', `Several layers per chunk (Verilator, no stalls, outputs checked against the golden chain): \`TINY_ROUNDS\` (${TINY_ROUNDS.length} layers, two per chunk, the adder chunk's output fed back) on the ci-rounds chunks (${rounds.chunks}), images in groups of three, steady state over 3 groups: ` +
    `**${rounds.measured} cycles per image measured, ${rounds.predicted} predicted** (${err(rounds)}).`);
  for (const l of lines) console.log(l);
  recordBlock('bench:nasa', 'NASA', lines.join('\n'));
}

try {
  if (process.argv.includes('--calibrate')) await calibrate();
  else await main();
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
