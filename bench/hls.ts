/**
 * `npm run bench:hls`: four inner kernels of this repo's accelerators written as plain TS
 * (hls/examples/) and compiled by hls/, each against a hand-written builder version of the same
 * computation at the same II (1: a new argument set every cycle): pipeline stages, LUTs and
 * flip-flops (yosys synth_ice40) and Fmax (nextpnr-ice40, HX8K, behind the serial I/O shell so the
 * ports fit the package; both versions get the same shell). Both versions are first checked equal
 * on random arguments in Verilator.
 * The HLS version is scheduled at the hand version's measured Fmax (then 1.25×, 1.5× while it falls short).
 * `--quick`: the dot product only, yosys only (no place and route); records nothing.
 * `--only <fn>`: one kernel, printed, not recorded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  In, Out, Record as RecordT, Stream, Vec, connect, elaborate, module, mux, pipelineMap, reductionTree, sint, sumTree, u, uint,
  type ModuleDef, type PayloadType, type PortRecord, type Value,
} from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { buildIce40 } from '../flows/fpga/build.ts';
import { runSynth } from '../flows/fpga/synth.ts';
import { hls, parseTypes } from '../hls/index.ts';
import { checkKernel } from '../cli/commands/hls.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const EX = path.join(import.meta.dirname, '..', 'hls', 'examples');
type Fields = Record<string, Value[]>;

/** A hand-written II=1 kernel: a pipelineMap over the same argument record as the HLS version. */
function hand(name: string, args: Record<string, PayloadType>, out: PayloadType, stages: ((x: any) => any)[]): ModuleDef<PortRecord> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return module(name, { args: In(Stream(RecordT(args))), result: Out(Stream(out)) }, (io) => {
    connect(pipelineMap(io.args, out, stages, `${name}_pipe`), io.result);
  });
}

/** Balanced mux tree over the index bits (what a hand-written ROM read of LUTs is). */
function romRead(idx: Value, table: number[], width: number): Value {
  const build = (base: number, bit: number): Value => {
    if (bit < 0) return u(width, table[Math.min(base, table.length - 1)]!);
    const low = build(base, bit - 1);
    return base + (1 << bit) >= table.length ? low : mux(idx.bit(bit), build(base + (1 << bit), bit - 1), low);
  };
  return build(0, idx.width - 1);
}

const EXP = Array.from({ length: 256 }, (_, r) => Math.round(255 * 2 ** (-r / 16)));

interface Case { name: string; file: string; fn: string; types: string; hand: () => ModuleDef<PortRecord>; note: string; noPlace?: string }
const CASES: Case[] = [
  {
    name: 'dot product 8 × sint8 (shift-PE/FIR inner product)', file: 'dot.ts', fn: 'dot', types: '{ x: Vec(sint(8), 8), w: Vec(sint(8), 8) }',
    hand: () => hand('hand_dot', { x: Vec(sint(8), 8), w: Vec(sint(8), 8) }, sint(19), [
      (f: Fields) => f.x!.map((x, i) => x.mul(f.w![i]!)),
      (p: Value[]) => sumTree(p),
    ]),
    note: 'products then an adder tree, two stages',
  },
  {
    name: 'ShiftAddLLM 256-entry table build', file: 'shiftaddllm-table.ts', fn: 'buildTable', types: '{ x: Vec(sint(8), 8) }',
    hand: () => hand('hand_table', { x: Vec(sint(8), 8) }, Vec(sint(12), 256), [
      (f: Fields) => ({ neg: sumTree(f.x!).neg().resize(12), x2: f.x!.map((x) => x.shl(1).extend(12)) }),
      (s: { neg: Value; x2: Value[] }) => {
        const t: Value[] = [s.neg];
        for (let b = 0; b < 8; b++) for (let i = 0; i < 1 << b; i++) t[i + (1 << b)] = t[i]!.add(s.x2[b]!).resize(12);
        return t;
      },
    ]),
    note: '−Σx, then 255 additions, two stages',
    // 256 × 12-13 output bits through the serial shell exceed the HX8K: place and route runs for most
    // of the bench and ends in "Unable to find legal placement" for both versions (see docs/benchmarks.md).
    noPlace: 'not placed: 256 output words exceed the HX8K with the I/O shell',
  },
  {
    name: 'ViTCoD exp-table softmax row (8 scores)', file: 'vitcod-softmax.ts', fn: 'softmaxRow', types: '{ s: Vec(sint(12), 8) }',
    hand: () => hand('hand_softmax', { s: Vec(sint(12), 8) }, Vec(uint(11), 9), [
      (f: Fields) => ({ m: reductionTree(f.s!, 'max'), s: f.s! }),
      (x: { m: Value; s: Value[] }) => x.s.map((s) => romRead(x.m.sub(s).asUInt().trunc(13).shr(2).sat(8), EXP, 8)),
      (p: Value[]) => [...p.map((v) => v.extend(11)), sumTree(p).extend(11)],
    ]),
    note: 'max tree, ROM reads, sum: three stages',
  },
  {
    name: 'VSA similarity, 64-bit popcount', file: 'popcount.ts', fn: 'similarity', types: '{ a: Vec(uint(16), 4), b: Vec(uint(16), 4) }',
    hand: () => hand('hand_similarity', { a: Vec(uint(16), 4), b: Vec(uint(16), 4) }, uint(7), [
      (f: Fields) => f.a!.map((a, i) => sumTree(Array.from({ length: 16 }, (_, j) => a.xor(f.b![i]!).bit(j)))),
      (c: Value[]) => u(7, 64).sub(sumTree(c)).trunc(7),
    ]),
    note: 'XOR, four 16-bit popcount trees, subtract: two stages',
  },
];

interface Measured { stages: number; luts: number; ffs: number; fmax: number | 'does not fit' | null }

async function measure(def: ModuleDef<PortRecord>, dir: string, argsType: Record<string, PayloadType>, f: (...a: unknown[]) => unknown, name: string, place = true): Promise<Measured> {
  const w = writeDesign(elaborate(def), dir, { generator: 'bench:hls' });
  await checkKernel({ argsType }, w.dir, [{ f, name }], quick ? 50 : 300, 1, 'quick');
  const synth = await runSynth(w.dir, { target: 'ice40' });
  const stages = w.manifest.notes.filter((e) => e.element === 'pipeline').reduce((s, e) => s + Number(e.latency), 0);
  // A design too big for the HX8K (with the shell's chains) has no Fmax: recorded as such.
  const fmax = quick || !place ? null : await buildIce40(w.dir, { target: 'ice40-hx8k', shell: 'always', progress: false }).then((b) => b.fmaxMhz, (e: Error) => {
    if (/Failed to expand region|Unable to find legal placement|Unable to place|too many/i.test(e.message + JSON.stringify(e))) return 'does not fit' as const;
    throw e;
  });
  return { stages, luts: synth.resources.luts, ffs: synth.resources.ffs, fmax };
}

/** Schedule clocks tried for the HLS version, as factors of the hand version's measured Fmax, in order. */
const SWEEP = [1, 1.25, 1.5];
/** The goal of issue 23: HLS Fmax at least this share of the hand version's. */
const FMAX_GOAL = 0.85;

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-hls-'));
  const rows: string[][] = [];
  const iiRows: string[][] = [];
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  try {
    // Kernels run side by side (each waits on its own tools); rows keep the order of CASES.
    const cases = quick ? CASES.slice(0, 1) : CASES.filter((x) => !only || x.fn === only);
    rows.push(...await Promise.all(cases.map(async (c): Promise<string[]> => {
      const file = path.join(EX, c.file);
      const types = parseTypes(c.types);
      const mod = (await import(file)) as Record<string, (...a: unknown[]) => unknown>;
      // The hand version first: its measured Fmax is the clock the HLS schedule targets (a sweep upward
      // from it while the placed HLS version falls short of the goal, as the delay model is an estimate).
      const b = await measure(c.hand(), path.join(tmp, `hand-${c.fn}`), types, mod[c.fn]!, c.fn, !c.noPlace);
      const targets = typeof b.fmax === 'number' ? SWEEP.map((k) => Math.round(b.fmax as number * k * 100) / 100) : [48];
      let best: (Measured & { clock: number; estNs: number }) | undefined;
      const tried: string[] = [];
      for (const clock of quick ? [48] : targets) {
        const r = hls(file, c.fn, types, { clockMHz: clock });
        const h = await measure(r.def, path.join(tmp, `hls-${c.fn}-${clock}`), types, mod[c.fn]!, c.fn, !c.noPlace);
        tried.push(`${clock}→${h.fmax ?? '–'}`);
        process.stdout.write(`${c.fn} @ ${clock} MHz: ${JSON.stringify({ hls: h, hand: b, estimatedNs: r.schedule.criticalNs })}\n`);
        const better = !best || (typeof h.fmax === 'number' && (typeof best.fmax !== 'number' || h.fmax > best.fmax));
        if (better) best = { ...h, clock, estNs: r.schedule.criticalNs };
        if (typeof h.fmax !== 'number' || typeof b.fmax !== 'number' || h.fmax >= FMAX_GOAL * b.fmax) break;
      }
      const h = best!;
      const ratio = (b.luts ? h.luts / b.luts : 0).toFixed(2);
      const fr = typeof h.fmax === 'number' && typeof b.fmax === 'number' ? `${((h.fmax / b.fmax) * 100).toFixed(0)}%` : '–';
      const fm = c.noPlace && !quick ? c.noPlace : `${h.fmax ?? '–'} / ${b.fmax ?? '–'}`;
      return [c.name, `1 / 1`, `${h.clock} (${h.estNs} ns est.)`, tried.join(', '), `${h.stages} / ${b.stages}`, `${h.luts} / ${b.luts}`, ratio, `${h.ffs} / ${b.ffs}`, fm, fr, c.note];
    })));
    // Resource sharing at II > 1 (hls/shared.ts): the dot product at II 1, 2, 4, 8, each checked equal to
    // dot() in Verilator (stalls) and synthesised (LUTs, FFs; no place and route).
    if (!only) for (const ii of quick ? [4] : [1, 2, 4, 8]) {
      const c = CASES[0]!;
      const file = path.join(EX, c.file);
      const types = parseTypes(c.types);
      const mod = (await import(file)) as Record<string, (...a: unknown[]) => unknown>;
      const r = hls(file, c.fn, types, { ii });
      const h = await measure(r.def, path.join(tmp, `hls-${c.fn}-ii${ii}`), types, mod[c.fn]!, c.fn, false);
      iiRows.push([String(ii), String(r.schedule.units.multiplier), String(r.schedule.stages), `${(r.schedule.stages + (ii > 1 ? 1 : 0)) * ii}`, String(h.luts), String(h.ffs)]);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const lines = [machineLine(), '',
    `Command: \`npm run bench:hls${quick ? ' -- --quick' : ''}${only ? ` -- --only ${only}` : ''}\`. The hand-written builder version is measured first; each kernel is then compiled by hls/ with its schedule clock (\`clockMHz\`) set to the hand version's measured Fmax, and again at ${SWEEP.slice(1).map((k) => `${k}×`).join(', ')} that while the placed HLS version stays below ${FMAX_GOAL * 100}% of the hand Fmax (the row shows the best try; "tried" lists schedule clock → placed Fmax). Both versions checked equal to the TS function on random arguments in Verilator (30% stalls) first. LUTs and FFs: yosys synth_ice40 of the kernel alone; Fmax: nextpnr-ice40 on the HX8K behind the serial I/O shell (same shell for both).`, '',
    '| kernel | II (hls / hand) | HLS schedule clock MHz | tried (MHz → Fmax) | stages (hls / hand) | LUTs | LUT ratio | FFs | Fmax MHz | Fmax hls/hand | hand-written version |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    ...(iiRows.length ? ['', `Resource sharing (\`hls(..., { ii })\`, \`--ii N\`): the dot product at II N, its 8 multipliers shared over N cycles; each checked equal to dot() in Verilator (30% stalls); LUTs and FFs from yosys synth_ice40 (48 MHz schedule, no place and route).`, '',
      '| II | multipliers | stages | latency (cycles) | LUTs | FFs |', '|---|---|---|---|---|---|', ...iiRows.map((r) => `| ${r.join(' | ')} |`)] : [])];
  process.stdout.write(lines.join('\n') + '\n');
  if (!only) recordBlock('bench:hls', 'HLS from plain TypeScript', lines.join('\n'));
}

await main();
