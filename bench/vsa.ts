/**
 * `npm run bench:vsa`: the VSA engine in Verilator without stalls, checked against golden, and the
 * same clean-up on this machine's CPU; recorded in the `bench:vsa` block of docs/benchmarks.md.
 *
 * 1. Cycles, measured: one program per design (D = 1024, 4096, 8192 at w = 64, C = 1024 items)
 *    runs each op back to back; the cycles between two output tokens are one instruction's period
 *    (SIM, SIM; four BINDs then SIM; ...). Clean-ups of 16..1024 items against the D·C/w bound.
 * 2. Size: yosys `synth_ice40` of the CI preset and of `d1k` (D = 1024, w = 64, C = 64): LUT4, FFs,
 *    carries, SB_RAM40_4K.
 * 3. The CPU: the same clean-up (D = 8192, C = 1024: a 1 MiB codebook) in TypeScript on typed arrays
 *    and in C (gcc -O2 -mpopcnt, compiled at bench time when gcc is present), beside a plain read of
 *    the same bytes, and again with a 64 MiB codebook (beyond the caches); bytes of codebook per
 *    CPU cycle (at the nominal clock) against the engine's w/8.
 * `--quick`: the CI preset only, a small CPU case, no synthesis (seconds); records nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Tensor } from '../dsl/generator.ts';
import { elaborate } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { runSynth } from '../flows/fpga/synth.ts';
import { buildIce40 } from '../flows/fpga/build.ts';
import { cleanup as goldenCleanup, popcount32, type Hv } from '../generators/vsa/golden.ts';
import { fromHvs, fromProgram, randomHvs, vsaAccelerator as acc } from '../generators/vsa/index.ts';
import { OP } from '../generators/vsa/ops.ts';
import { vsaPresets, vsaSizes, type VsaParams } from '../generators/vsa/params.ts';
import type { Instr } from '../generators/vsa/golden.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-vsa-'));
const table = (head: string[], rows: (string | number)[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const k = (n: number): string => n.toLocaleString('en-US');

// ---- 1. cycles ------------------------------------------------------------------------------------

interface Periods {
  p: VsaParams;
  sim: number;
  bind: number;
  bundle3: number;
  bundle8: number;
  perm: number;
  cleanups: { items: number; cycles: number }[];
  build: number;
  simSeconds: number;
}

/** The program: each op repeated, a SIM after each group so its period shows between two results. */
function periodProgram(p: VsaParams, items: readonly number[]): Instr[] {
  const I = (op: number, dst: number, a: number, b: number, imm: number): Instr => ({ op, dst, a, b, imm });
  const sim = I(OP.SIM, 0, 0, 1, 0);
  return [
    ...Array.from({ length: 8 }, (_, r) => I(OP.LOAD, r, 0, 0, 0)),
    sim, sim,
    ...[2, 3, 4, 5].map((d) => I(OP.BIND, d, 0, 1, 0)), sim,
    I(OP.BUNDLE, 6, 0, 0, 3), I(OP.BUNDLE, 6, 0, 0, 3), sim,
    I(OP.BUNDLE, 6, 0, 0, 8), I(OP.BUNDLE, 6, 0, 0, 8), sim,
    I(OP.PERM, 7, 0, 0, vsaSizes(p).elems / 2 + 5), I(OP.PERM, 7, 1, 0, 3), sim, // rotations in elements (bits when binary)
    ...items.flatMap((c) => [I(OP.CLEANUP, 0, 2, 0, c), I(OP.CLEANUP, 0, 3, 0, c)]),
    I(OP.STORE, 0, 6, 0, 0), I(OP.STORE, 0, 7, 0, 0),
  ];
}

async function measure(p: VsaParams, items: readonly number[], seed: number): Promise<Periods> {
  const t0 = performance.now();
  const c = elaborate(acc.create(p));
  const dir = writeDesign(c, path.join(tmp, c.top.name), { generator: 'vsa', params: p }).dir;
  // A clean-up of 1024 items of 8192 bits computes 131 k cycles without an output token.
  const s = await openSim(dir, { seed: 1, stall: { in: 0, out: 0 }, record: false, hangCycles: 1_000_000 });
  const build = (performance.now() - t0) / 1000;
  try {
    const t1 = performance.now();
    const prog = periodProgram(p, items);
    const maxItems = Math.max(...items);
    const inputs: Record<string, Tensor> = { P: fromProgram(prog), V: fromHvs(randomHvs(p.D, 8, seed), p.D), CB: fromHvs(randomHvs(p.D, maxItems, seed + 1), p.D) };
    for (const [name, list] of Object.entries(acc.encode(p, inputs))) s.send(name, list);
    await s.run({ until: acc.outputTokens!(p, inputs) });
    const simSeconds = (performance.now() - t1) / 1000;
    const got = acc.decode(p, { out: s.received('out') }, inputs);
    const want = acc.golden(p, inputs).outputs;
    const same = (a: bigint[], b: bigint[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    if (!same(got.O!.data, want.O!.data) || !same(got.R!.data, want.R!.data)) throw new Error(`${c.top.name}: outputs differ from golden`);
    // The cycle of each result token (SIM and CLEANUP): the STOREs' words come last.
    const t = s.cycles('out');
    const simP = t[1]! - t[0]!;
    const per = (a: number, b: number, count: number) => (t[b]! - t[a]! - simP) / count;
    const cleanups = items.map((it, i) => ({ items: it, cycles: t[7 + 2 * i]! - t[6 + 2 * i]! }));
    return { p, sim: simP, bind: per(1, 2, 4), bundle3: per(2, 3, 2), bundle8: per(3, 4, 2), perm: per(4, 5, 2), cleanups, build, simSeconds };
  } finally {
    await s.close();
  }
}

// ---- 3. the CPU -----------------------------------------------------------------------------------

/** The clean-up in TypeScript on one flat Uint32Array codebook (the loop a CPU implementation runs). */
function cleanupFlat(q: Uint32Array, cb: Uint32Array, items: number): { index: number; sim: number } {
  const n = q.length;
  let best = 0;
  let bestHam = Infinity;
  for (let c = 0; c < items; c++) {
    let h = 0;
    const base = c * n;
    for (let j = 0; j < n; j++) h += popcount32(q[j]! ^ cb[base + j]!);
    if (h < bestHam) {
      bestHam = h;
      best = c;
    }
  }
  return { index: best, sim: 32 * n - 2 * bestHam };
}

/** A plain read of the same words (a sum): what moving the bytes alone costs. */
function readFlat(cb: Uint32Array): number {
  let s = 0;
  for (let i = 0; i < cb.length; i++) s = (s + cb[i]!) | 0;
  return s;
}

/** Seconds per call of f, over enough repeats to take about `budget` seconds (at least 3). */
function timePer(f: () => unknown, budget: number): number {
  f();
  let reps = 0;
  const t0 = performance.now();
  do {
    f();
    reps++;
  } while (performance.now() - t0 < budget * 1000 || reps < 3);
  return (performance.now() - t0) / 1000 / reps;
}

const C_SOURCE = String.raw`
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
/* argv: file (query then codebook, 64-bit words), words per vector, items, seconds budget */
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb"); long n = atol(argv[2]), items = atol(argv[3]); double budget = atof(argv[4]);
  uint64_t *q = malloc(8 * n), *cb = malloc(8 * n * items);
  if (fread(q, 8, n, f) != (size_t)n || fread(cb, 8, n * items, f) != (size_t)(n * items)) return 2;
  long best = 0, bestHam = 1L << 40; volatile uint64_t sink = 0;
  double t0 = now(); long reps = 0;
  do {
    best = 0; bestHam = 1L << 40;
    for (long c = 0; c < items; c++) {
      long h = 0; const uint64_t *v = cb + c * n;
      for (long j = 0; j < n; j++) h += __builtin_popcountll(q[j] ^ v[j]);
      if (h < bestHam) { bestHam = h; best = c; }
    }
    sink += best; reps++;
  } while (now() - t0 < budget || reps < 3);
  double tc = (now() - t0) / reps;
  t0 = now(); long rr = 0;
  do { uint64_t s = 0; for (long i = 0; i < n * items; i++) s += cb[i]; sink += s; rr++; } while (now() - t0 < budget || rr < 3);
  double tr = (now() - t0) / rr;
  printf("%ld %ld %.9e %.9e\n", best, 64 * n - 2 * bestHam, tc, tr);
  return 0;
}
`;

interface CpuRow { what: string; bytes: number; seconds: number; readSeconds: number; index: number; sim: number }

async function cpu(D: number, items: number, budget: number, cc: string | undefined): Promise<CpuRow[]> {
  const [q] = randomHvs(D, 1, 7);
  const cbs = randomHvs(D, items, 8);
  const flat = new Uint32Array(items * (D / 32));
  cbs.forEach((v, c) => flat.set(v, c * (D / 32)));
  const want = goldenCleanup(q!, cbs as Hv[]);
  const bytes = (items * D) / 8;
  const ts = cleanupFlat(q!, flat, items);
  if (ts.index !== want.index || ts.sim !== want.sim) throw new Error('bench:vsa: the TS clean-up differs from golden');
  const rows: CpuRow[] = [{ what: 'TypeScript (Uint32Array, popcount by bit tricks)', bytes, seconds: timePer(() => cleanupFlat(q!, flat, items), budget), readSeconds: timePer(() => readFlat(flat), budget), ...ts }];
  if (cc) {
    const file = path.join(tmp, `cb-${D}-${items}.bin`);
    const buf = Buffer.alloc(4 * (q!.length + flat.length));
    q!.forEach((x, i) => buf.writeUInt32LE(x, 4 * i));
    flat.forEach((x, i) => buf.writeUInt32LE(x, 4 * (q!.length + i)));
    fs.writeFileSync(file, buf);
    const r = await execa(cc, [file, String(D / 64), String(items), String(budget)]);
    const [index, sim, tc, tr] = r.stdout.trim().split(/\s+/).map(Number) as [number, number, number, number];
    if (index !== want.index || sim !== want.sim) throw new Error(`bench:vsa: the C clean-up gives ${index}/${sim}, golden ${want.index}/${want.sim}`);
    rows.push({ what: 'C (gcc -O2 -mpopcnt, 64-bit words, popcnt)', bytes, seconds: tc, readSeconds: tr, index, sim });
    fs.rmSync(file);
  }
  return rows;
}

async function compileC(): Promise<string | undefined> {
  try {
    const src = path.join(tmp, 'cleanup.c');
    const bin = path.join(tmp, 'cleanup');
    fs.writeFileSync(src, C_SOURCE);
    await execa('gcc', ['-O2', '-mpopcnt', '-o', bin, src]);
    return bin;
  } catch {
    return undefined;
  }
}

// ---- the report -----------------------------------------------------------------------------------

function periodRows(rs: readonly Periods[]): string[] {
  const out: string[] = [];
  const cl: (string | number)[][] = [];
  for (const r of rs)
    for (const c of r.cleanups) {
      const bound = (r.p.D * c.items) / r.p.w;
      cl.push([r.p.D, r.p.w, r.p.elemBits, c.items, k(c.cycles), k(bound), (c.cycles / bound).toFixed(4)]);
    }
  out.push('Clean-up (argmax similarity over the codebook), cycles of one CLEANUP measured between two results:', '',
    table(['D', 'w', 'elem bits', 'items C', 'cycles', 'bound D·C/w', 'cycles / bound'], cl), '');
  out.push('Other ops, cycles per instruction (measured) and bits through the datapath per cycle:', '',
    table(['D', 'w', 'elem bits', 'SIM', 'BIND', 'BIND: result bits / cycle', 'PERM', 'BUNDLE of 3', 'BUNDLE of 8', 'BUNDLE of 8: operand bits / cycle', 'build s', 'sim s'],
      rs.map((r) => [r.p.D, r.p.w, r.p.elemBits, r.sim, r.bind, (r.p.D / r.bind).toFixed(1), r.perm, r.bundle3, r.bundle8, ((8 * r.p.D) / r.bundle8).toFixed(1), r.build.toFixed(0), r.simSeconds.toFixed(1)])));
  return out;
}

function cpuRows(rows: readonly (CpuRow & { D: number; items: number })[], ghz: number, w: number): string {
  return table(['code', 'D', 'items', 'codebook bytes', 'clean-up µs', 'bytes / CPU cycle', 'plain read µs', 'read bytes / CPU cycle', 'clean-up / read', `engine (w = ${w}) bytes / cycle`],
    rows.map((r) => [r.what, r.D, k(r.items), k(r.bytes), (r.seconds * 1e6).toFixed(1), (r.bytes / (r.seconds * ghz * 1e9)).toFixed(2),
      (r.readSeconds * 1e6).toFixed(1), (r.bytes / (r.readSeconds * ghz * 1e9)).toFixed(2), (r.seconds / r.readSeconds).toFixed(2), w / 8]));
}

/** The CPU's clock in MHz: Node's figure, or /proc/cpuinfo's where Node reports 0 (virtual machines). */
function cpuMhz(): number {
  const node = os.cpus()[0]?.speed ?? 0;
  if (node > 0) return node;
  const m = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^cpu MHz\s*:\s*([\d.]+)/m) : null;
  if (!m) throw new Error('bench:vsa: no CPU clock (os.cpus() and /proc/cpuinfo give none): bytes per cycle cannot be computed');
  return Math.round(Number(m[1]));
}

async function main(): Promise<void> {
  const lines: string[] = [machineLine(), ''];
  const mhz = cpuMhz();
  const ghz = mhz / 1000;
  const cc = await compileC();
  if (quick) {
    const p = vsaPresets.ci!;
    const r = await measure(p, [4, 16], 1);
    // The bipolar mode (4-bit elements, 8 lanes of 32 bits): the same walks, so the same cycles.
    const rb = await measure(vsaPresets['ci-bipolar']!, [4, 8], 1);
    const c = await cpu(1024, 64, 0.05, cc);
    lines.push('Command: `npm run bench:vsa -- --quick`: the CI presets (D = 256, w = 32; binary C = 16 and bipolar 4-bit elements C = 8), Verilator, no stalls, checked against golden; a 64-item CPU clean-up.', '');
    lines.push(...periodRows([r, rb]), '', cpuRows(c.map((x) => ({ ...x, D: 1024, items: 64 })), ghz, p.w));
    console.log(lines.join('\n'));
    recordBlock('bench:vsa', 'VSA engine', lines.join('\n'));
    return;
  }
  const items = [16, 64, 256, 1024];
  const rs: Periods[] = [];
  for (const D of [1024, 4096, 8192]) {
    const r = await measure({ D, w: 64, C: 1024, regs: 8, elemBits: 1 }, items, D);
    console.log(`D = ${D}: built in ${r.build.toFixed(0)} s, ran in ${r.simSeconds.toFixed(1)} s`);
    rs.push(r);
  }
  // The bipolar mode at D = 1024 bits (256 elements of 4 bits, 16 lanes per 64-bit word).
  rs.push(await measure({ D: 1024, w: 64, C: 1024, regs: 8, elemBits: 4 }, items, 4));
  // Size: yosys for iCE40 (LUT4, carries, FFs, block RAMs), one job at a time (the machine is shared).
  const size: (string | number)[][] = [];
  for (const preset of ['ci', 'ci-bipolar', 'd1k']) {
    const p = vsaPresets[preset]!;
    const c = elaborate(acc.create(p));
    const dir = writeDesign(c, path.join(tmp, `synth-${c.top.name}`), { generator: 'vsa', params: p }).dir;
    const s = await runSynth(dir, { target: 'ice40' });
    console.log(`${preset}: ${JSON.stringify(s.resources)} (${s.seconds} s)`);
    const bits = (p.C + 2 * p.regs) * p.D;
    size.push([preset, p.D, p.w, p.C, p.regs, k(s.resources.luts), k(s.resources.carries), k(s.resources.ffs), s.resources.brams, Math.ceil(bits / 4096), s.cached ? 'cached' : s.seconds.toFixed(0)]);
  }
  // Place and route of d1k on the iCE40 UP5K (in its serial shell: the chip has too few pins for the
  // ports): the clock the engine reaches, hence its bytes per second beside the CPU's.
  const d1k = vsaPresets.d1k!;
  const c1k = elaborate(acc.create(d1k));
  const b = await buildIce40(writeDesign(c1k, path.join(tmp, `pnr-${c1k.top.name}`), { generator: 'vsa', params: d1k }).dir, { target: 'ice40-up5k' });
  const cRate = (items: number): string => {
    const r = cpuAll.find((x) => x.what.startsWith('C') && x.items === items);
    return r ? (r.bytes / r.seconds / 1e9).toFixed(2) : '—';
  };
  const engineGBs = ((b.fmaxMhz ?? 0) * 1e6 * (d1k.w / 8)) / 1e9;
  const cpuAll = [
    ...(await cpu(8192, 1024, 1, cc)).map((x) => ({ ...x, D: 8192, items: 1024 })),
    ...(await cpu(8192, 65536, 2, cc)).map((x) => ({ ...x, D: 8192, items: 65536 })),
  ];
  lines.push(
    'Command: `npm run bench:vsa`. Designs D = 1024, 4096, 8192 at w = 64 bits per cycle, C = 1024 items, 8 registers, each in one Verilator run without stalls ' +
      '(a program that repeats each op; random hypervectors and codebook), every output checked against golden.',
    '',
    ...periodRows(rs),
    '',
    'Size, yosys `synth_ice40` (no DSPs), whole design flattened:',
    '',
    table(['preset', 'D', 'w', 'C', 'regs', 'LUT4', 'carry', 'FF', 'SB_RAM40_4K', 'RAM bits / 4 kbit', 'yosys s'], size),
    '',
    `The CPU (${os.cpus()[0]?.model ?? 'unknown'}, ${mhz} MHz nominal; bytes per cycle at that clock): the same clean-up (D = 8192, 1024 items: 1 MiB of codebook) and one over 65,536 items (64 MiB, beyond the caches); ` +
      `a plain read is a sum over the same words. ${cc ? '' : 'No gcc: the C rows are missing.'}`,
    '',
    cpuRows(cpuAll, ghz, 64),
    '',
    `Place and route of \`d1k\` on the iCE40 UP5K (nextpnr, serial shell; ${b.cached ? 'cached' : `${b.seconds.pnr.toFixed(0)} s`}): ${k(b.utilisation.lcs)} logic cells, ${b.utilisation.rams} block RAMs, ` +
      `Fmax ${b.fmaxMhz ?? '—'} MHz, so the engine moves ${engineGBs.toFixed(2)} GB/s of codebook (w/8 = ${d1k.w / 8} bytes per cycle); ` +
      `the C clean-up on this CPU ${cRate(1024)} GB/s (1 MiB) and ${cRate(65536)} GB/s (64 MiB).`,
  );
  console.log(lines.join('\n'));
  recordBlock('bench:vsa', 'VSA engine', lines.join('\n'));
}

main().finally(() => fs.rmSync(tmp, { recursive: true, force: true })).catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
