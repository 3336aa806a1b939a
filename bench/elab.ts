/**
 * `npm run bench:elab`: elaborate and emit an N×N grid of MAC cells for N = 16, 32, 64, 128, each in
 * a fresh process so peak memory is its own. Prints and records time and peak RSS; the cost should
 * grow linearly with N² (cells), so time per cell should stay flat. `--quick`: N = 4 and 8.
 */
import { execa } from 'execa';
import { In, Out, elaborate, emitVerilog, module, sint, type ModuleDef, type PortRecord, type SignalPorts } from '../dsl/index.ts';
import { machineLine, quick, recordBlock } from './record.ts';

/** A weight-stationary grid: activations flow right, partial sums flow down, one MAC per cell. */
export function macGrid(n: number): ModuleDef<PortRecord> {
  const cell = module('grid_mac_cell_s8', {
    a_in: In(sint(8)), w_load: In(sint(8)), load: In(sint(1)), psum_in: In(sint(24)),
    a_out: Out(sint(8)), psum_out: Out(sint(24)),
  }, (io, m) => {
    const w = m.reg('weight', sint(8), { reset: 0 });
    m.when(io.load.asUInt(), () => w.set(io.w_load));
    const a = m.delay(io.a_in, { name: 'a_q', reset: 0 });
    const sum = io.psum_in.add(io.a_in.mul(w).extend(24)).trunc(24);
    io.a_out.set(a);
    io.psum_out.set(m.delay(sum, { name: 'psum_d', reset: 0 }));
  });
  const ports: SignalPorts = { load: In(sint(1)), w: In(sint(8)) };
  for (let r = 0; r < n; r++) ports[`a${r}`] = In(sint(8));
  for (let c = 0; c < n; c++) ports[`y${c}`] = Out(sint(24));
  return module(`mac_grid_${n}x${n}`, ports, (io, m) => {
    const psum: (typeof io.w)[] = [];
    for (let r = 0; r < n; r++) {
      let a = io[`a${r}`]!;
      for (let c = 0; c < n; c++) {
        const o = m.instance(`pe_r${r}_c${c}`, cell, { a_in: a, w_load: io.w, load: io.load, psum_in: r === 0 ? 0 : psum[c]! });
        a = o.a_out as typeof a;
        psum[c] = o.psum_out as typeof a;
      }
    }
    for (let c = 0; c < n; c++) io[`y${c}`]!.set(psum[c]!);
  });
}

async function one(n: number): Promise<void> {
  const t0 = performance.now();
  const circuit = elaborate(macGrid(n));
  const t1 = performance.now();
  const files = emitVerilog(circuit);
  const t2 = performance.now();
  const bytes = files.reduce((s, f) => s + f.text.length, 0);
  process.stdout.write(JSON.stringify({ n, elabMs: t1 - t0, emitMs: t2 - t1, bytes, rssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--one');
  if (arg > 0) return one(Number(process.argv[arg + 1]));
  const rows: { n: number; elabMs: number; emitMs: number; bytes: number; rssMB: number }[] = [];
  for (const n of quick ? [4, 8] : [16, 32, 64, 128]) {
    const r = await execa('node', ['--import', 'tsx', 'bench/elab.ts', '--one', String(n)]);
    const row = JSON.parse(r.stdout.trim().split('\n').pop()!);
    rows.push(row);
    const total = row.elabMs + row.emitMs;
    console.log(`N=${n}: ${n * n} cells, elaborate ${row.elabMs.toFixed(0)} ms + emit ${row.emitMs.toFixed(0)} ms = ${total.toFixed(0)} ms, ${(total * 1000 / (n * n)).toFixed(1)} µs/cell, peak RSS ${row.rssMB.toFixed(0)} MB, ${(row.bytes / 1024).toFixed(0)} KiB Verilog`);
  }
  const base = rows[0]!;
  const perCell = (r: typeof base) => (r.elabMs + r.emitMs) / (r.n * r.n);
  const table = [
    '| N | cells | elaborate ms | emit ms | total ms | µs per cell | per-cell cost vs N=16 | peak RSS MB | Verilog KiB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.n} | ${r.n * r.n} | ${r.elabMs.toFixed(0)} | ${r.emitMs.toFixed(0)} | ${(r.elabMs + r.emitMs).toFixed(0)} | ${(perCell(r) * 1000).toFixed(1)} | ${(perCell(r) / perCell(base)).toFixed(2)}× | ${r.rssMB.toFixed(0)} | ${(r.bytes / 1024).toFixed(0)} |`),
  ].join('\n');
  const last = rows.at(-1)!;
  const n64 = rows.find((r) => r.n === 64);
  const growth = perCell(last) / perCell(base);
  const verdict = `64×64 under 1 s: ${n64 ? `${(n64.elabMs + n64.emitMs).toFixed(0)} ms, ${n64.elabMs + n64.emitMs < 1000 ? 'met' : 'missed'}` : 'not measured'}. ` +
    `Cost linear in N² (per-cell cost at N=${last.n} at most 1.2× N=${base.n}'s): ${growth.toFixed(2)}×, ${growth <= 1.2 ? 'met' : 'missed'}.`;
  console.log(verdict);
  recordBlock('bench:elab', 'Elaboration (bench:elab)', `${machineLine()}\n\n${table}\n\n${verdict}`);
}

await main();
