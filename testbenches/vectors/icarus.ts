/**
 * Vector runs on Icarus Verilog: a generated testbench reads all stimulus with `$readmemh`, and
 * writes every cycle's outputs as one line of hex words. Compiled with `iverilog -g2005` (the
 * dialect the backend promises) and run with `vvp`. Icarus is ~300x slower than Verilator; it is
 * here as an independent second opinion for short runs, not for throughput.
 *
 * Icarus keeps X for variables the design never gives a value (a register without reset or init,
 * an out-of-range memory read). Verilator and the IR simulator use 0 there, so X and Z digits are
 * read as 0; designs that define their values agree bit for bit on all three.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { requireTool } from '../../toolchain/tools.ts';
import type { Stimulus } from './stimulus.ts';
import { render } from './templates.ts';

const TB = 'hwflow_vectors_tb';

/** Runs a prepared stimulus on Icarus; returns raw output bit patterns per cycle. */
export async function runOnIcarus(files: readonly string[], top: string, stim: Stimulus): Promise<Array<Record<string, bigint>>> {
  const iverilog = requireTool('iverilog');
  const vvp = requireTool('vvp');
  const n = stim.table.length;
  if (n === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'hwflow-icarus-'));
  try {
    const stimFile = join(dir, 'stim.hex');
    const outFile = join(dir, 'out.hex');
    const tbFile = join(dir, `${TB}.v`);
    const inBits = stim.inputs.reduce((s, p) => s + p.width, 0);
    const inputs = stim.inputs.map((p, i) => ({ port: `i${i}`, msb: p.width - 1, width: p.width }));
    const outputs = stim.outputs.map((p, i) => ({ port: `o${i}`, msb: p.width - 1 }));
    const conns = [
      ...(stim.clocked ? [{ name: 'clk', port: 'clk' }] : []),
      ...stim.inputs.map((p, i) => ({ name: p.name, port: `i${i}` })),
      ...stim.outputs.map((p, i) => ({ name: p.name, port: `o${i}` })),
    ];
    writeFileSync(tbFile, render('testbench.v', {
      tb: TB, top, clocked: stim.clocked, inputs, outputs, stimFile, outFile, cycles: n, lastCycle: n - 1,
      inBits, inMsb: inBits - 1,
      // First input in the low bits: the concatenation lists it last.
      inCat: inputs.map((p) => p.port).reverse().join(', '),
      outFormat: outputs.length ? outputs.map(() => '%h').join(' ') : '-',
      outArgs: outputs.map((p) => `, ${p.port}`).join(''),
      conns: conns.map((c, i) => ({ ...c, last: i === conns.length - 1 })),
    }));
    if (inBits > 0) writeFileSync(stimFile, stimulusHex(stim, inBits));

    const exe = join(dir, 'sim.vvp');
    const comp = await execa(iverilog, ['-g2005', '-o', exe, '-s', TB, tbFile, ...files.map((f) => resolve(f))], { all: true, reject: false, stdin: 'ignore' });
    if (comp.exitCode !== 0) throw new Error(`iverilog could not compile ${top}:\n${(comp.all ?? '').trim()}`);
    const run = await execa(vvp, ['-n', exe], { all: true, reject: false, stdin: 'ignore', cwd: dir });
    if (run.exitCode !== 0) throw new Error(`vvp failed on ${top} (${run.signal ?? `exit status ${run.exitCode}`}):\n${(run.all ?? '').trim()}`);
    return parseOutputs(readFileSync(outFile, 'utf8'), stim, n, run.all ?? '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One hex line per cycle, each exactly as wide as the concatenated inputs. */
function stimulusHex(stim: Stimulus, inBits: number): string {
  const digits = Math.ceil(inBits / 4);
  const lines: string[] = [];
  for (const row of stim.table) {
    let word = 0n;
    let shift = 0n;
    stim.inputs.forEach((p, i) => {
      word |= row[i]! << shift;
      shift += BigInt(p.width);
    });
    lines.push(word.toString(16).padStart(digits, '0'));
  }
  return lines.join('\n') + '\n';
}

function parseOutputs(text: string, stim: Stimulus, n: number, log: string): Array<Record<string, bigint>> {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length !== n) throw new Error(`Icarus wrote ${lines.length} lines of outputs, expected ${n}${log.trim() ? `:\n${log.trim()}` : ''}`);
  return lines.map((line, c) => {
    const rec: Record<string, bigint> = {};
    if (stim.outputs.length === 0) return rec;
    const fields = line.trim().split(/\s+/);
    if (fields.length !== stim.outputs.length) throw new Error(`Icarus output line ${c + 1} has ${fields.length} fields, expected ${stim.outputs.length}: ${line}`);
    stim.outputs.forEach((p, i) => {
      rec[p.name] = BigInt.asUintN(p.width, BigInt(`0x${fields[i]!.replace(/[xXzZ]/g, '0')}`));
    });
    return rec;
  });
}
