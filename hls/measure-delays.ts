/**
 * Measures the op-delay table of the HLS scheduler on iCE40 (run once: `npx tsx hls/measure-delays.ts`;
 * writes hls/ice40-delays.ts). Each op class at each width is a tiny design with registered inputs
 * and a registered output, synthesised with yosys (synth_ice40 -nobram, as the HLS output never asks
 * for block RAM) and placed and routed with nextpnr-ice40 (HX8K, fixed seed). The op's delay is the
 * period at the achieved Fmax minus that of the same design with a wire in place of the op.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from '../toolchain/tools.ts';

type Row = { cls: string; widths: number[]; body: (w: number) => { ports: string; expr: string; outW: number } };
const lg = (w: number) => Math.max(1, Math.ceil(Math.log2(w)));
const ROWS: Row[] = [
  { cls: 'lut', widths: [4, 16, 32], body: (w) => ({ ports: `a:${w} b:${w}`, expr: 'a ^ b', outW: w }) },
  { cls: 'adder', widths: [4, 8, 16, 24, 32], body: (w) => ({ ports: `a:${w} b:${w}`, expr: 'a + b', outW: w + 1 }) },
  { cls: 'multiplier', widths: [4, 8, 12, 16], body: (w) => ({ ports: `a:${w} b:${w}`, expr: 'a * b', outW: 2 * w }) },
  { cls: 'comparator', widths: [4, 8, 16, 32], body: (w) => ({ ports: `a:${w} b:${w}`, expr: 'a < b', outW: 1 }) },
  { cls: 'equality', widths: [4, 8, 16, 32], body: (w) => ({ ports: `a:${w} b:${w}`, expr: 'a == b', outW: 1 }) },
  { cls: 'selector', widths: [4, 16, 32], body: (w) => ({ ports: `s:1 a:${w} b:${w}`, expr: 's ? a : b', outW: w }) },
  { cls: 'shifter', widths: [4, 8, 16, 32], body: (w) => ({ ports: `a:${w} b:${lg(w)}`, expr: 'a << b', outW: w }) },
  // 'table': index bits -> an 8-bit constant table of 2^w random entries, read at an index an adder
  // computes (as every HLS table index is: a register-fed ROM alone places its LUTs next to the
  // registers and measured optimistic); the adder's own delay is subtracted below.
  { cls: 'table', widths: [2, 4, 6, 8], body: (w) => ({ ports: `a:${w} b:${w}`, expr: 'rom[idx]', outW: 8 }) },
];
/** Rows measured as a composite whose first op's delay (row, width) is subtracted. */
const AFTER: Record<string, string> = { table: 'adder' };
/** Ops chained per design for the 'hop' entry: the routing between chained ops, beyond their sum. */
const HOP_CHAIN = 4;

function verilog(r: Row, w: number): string {
  const b = r.body(w);
  const ports = b.ports.split(' ').map((p) => p.split(':') as [string, string]);
  const lines = [`module top(input wire clk, ${ports.map(([n, pw]) => `input wire [${+pw - 1}:0] ${n}_in`).join(', ')}, output reg [${b.outW - 1}:0] y);`];
  for (const [n, pw] of ports) lines.push(`  reg [${+pw - 1}:0] ${n}; always @(posedge clk) ${n} <= ${n}_in;`);
  if (r.cls === 'table') {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) & 255;
    lines.push(`  reg [7:0] rom [0:${(1 << w) - 1}];`, '  initial begin');
    for (let i = 0; i < 1 << w; i++) lines.push(`    rom[${i}] = 8'd${rnd()};`);
    lines.push('  end', `  wire [${w - 1}:0] idx = a + b;`);
  }
  lines.push(`  always @(posedge clk) y <= ${b.expr};`, 'endmodule');
  return lines.join('\n');
}

function interp(pts: [number, number][], w: number): number {
  for (let i = 1; i < pts.length; i++) if (w <= pts[i]![0]) return pts[i - 1]![1] + ((pts[i]![1] - pts[i - 1]![1]) * (w - pts[i - 1]![0])) / (pts[i]![0] - pts[i - 1]![0]);
  return w <= pts[0]![0] ? pts[0]![1] : pts[pts.length - 1]![1];
}

function fmax(dir: string, v: string): number {
  fs.writeFileSync(path.join(dir, 'top.v'), v);
  execFileSync(requireTool('yosys'), ['-q', '-p', 'read_verilog top.v; synth_ice40 -nobram -top top -json top.json'], { cwd: dir });
  execFileSync(requireTool('nextpnr-ice40'), ['--hx8k', '--package', 'ct256', '--json', 'top.json', '--freq', '300', '--seed', '1', '--timing-allow-fail', '--report', 'report.json', '-q'], { cwd: dir, stdio: 'ignore' });
  const rep = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as { fmax: Record<string, { achieved: number }> };
  return Math.min(...Object.values(rep.fmax).map((f) => f.achieved));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hls-delays-'));
const base = 1000 / fmax(dir, verilog({ cls: 'wire', widths: [], body: (w) => ({ ports: `a:${w}`, expr: 'a', outW: w }) }, 8));
const ops: Record<string, [number, number][]> = {};
for (const r of ROWS) {
  ops[r.cls] = r.widths.map((w) => {
    const first = AFTER[r.cls] ? interp(ops[AFTER[r.cls]!]!, w) : 0;
    const ns = Math.max(0.1, 1000 / fmax(dir, verilog(r, w)) - base - first);
    process.stderr.write(`${r.cls} ${w}: ${ns.toFixed(2)} ns\n`);
    return [w, Math.round(ns * 100) / 100];
  });
}
// 'hop': HOP_CHAIN dependent 8-bit XOR-then-add steps in one stage vs one of them alone: the extra
// routing each chained op costs (LUTs of different ops placed apart), which the isolated rows omit.
const step = (e: string, i: number) => `((${e} ^ c${i}) + d${i})`;
const chainV = (k: number) => {
  const ports = Array.from({ length: k }, (_, i) => `c${i}:8 d${i}:8`).join(' ');
  return verilog({ cls: 'chain', widths: [], body: () => ({ ports: `a:8 ${ports}`, expr: Array.from({ length: k }, (_, i) => i).reduce(step, 'a'), outW: 8 }) }, 8);
};
const one = 1000 / fmax(dir, chainV(1)) - base;
const many = 1000 / fmax(dir, chainV(HOP_CHAIN)) - base;
const hopNs = Math.max(0, (many - HOP_CHAIN * one) / (HOP_CHAIN - 1));
process.stderr.write(`hop: one step ${one.toFixed(2)} ns, ${HOP_CHAIN} steps ${many.toFixed(2)} ns -> ${hopNs.toFixed(2)} ns per chained op\n`);
const yosys = execFileSync(requireTool('yosys'), ['-V']).toString().trim();
const out = `// Generated by \`npx tsx hls/measure-delays.ts\` (${yosys}; nextpnr-ice40 --hx8k, seed 1): do not edit.
// ns of each op class by width (for 'table': index bits), beyond the ${base.toFixed(2)} ns of a register-to-register wire.
import type { DelayTable } from './delays.ts';

export const ICE40_DELAYS: DelayTable = {
  overheadNs: ${Math.round(base * 100) / 100},
  hopNs: ${Math.round(hopNs * 100) / 100},
  ops: {
${Object.entries(ops).map(([k, v]) => `    ${k}: ${JSON.stringify(v)},`).join('\n')}
  },
  source: 'measured on iCE40 HX8K with yosys synth_ice40 -nobram and nextpnr-ice40 (hls/measure-delays.ts)',
};
`;
fs.writeFileSync(path.join(import.meta.dirname, 'ice40-delays.ts'), out);
fs.rmSync(dir, { recursive: true, force: true });
process.stderr.write('wrote hls/ice40-delays.ts\n');
