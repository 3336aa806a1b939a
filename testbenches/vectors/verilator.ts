/**
 * Vector runs on Verilator. The design is wrapped in a generated module whose ports are renamed
 * i0.., o0.. and driven by a generated C++ program that knows only the port widths; stimulus and
 * results cross the process boundary once each, as one binary block (see harness.cpp.hbs). The model
 * is built through the cache, so every later run of the same design, with any stimulus, reuses it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildVerilatorModel, type BuiltModel, type ModelBuild } from '../cache.ts';
import type { ManifestPort } from '../../dsl/manifest.ts';
import { getWords, putWords, wordsOf, type Stimulus } from './stimulus.ts';
import { render } from './templates.ts';

/** Module name of the generated wrapper (and so `V<name>` of the model). */
export const WRAPPER = 'hwflow_vectors_top';

/**
 * Verilator flags that make the model start like the IR simulator: every variable without an
 * initial value starts at 0, and an explicit X becomes 0, instead of Verilator's "unique" values.
 */
export const VECTOR_FLAGS: readonly string[] = ['--x-assign', '0', '--x-initial', '0'];

interface PortSlot {
  name: string;
  port: string;
  width: number;
  msb: number;
  words: number;
  offset: number;
  narrow: boolean;
  quad: boolean;
}

function slots(ports: readonly ManifestPort[], prefix: string): { list: PortSlot[]; words: number } {
  let offset = 0;
  const list = ports.map((p, i) => {
    const words = wordsOf(p.width);
    const s: PortSlot = { name: p.name, port: `${prefix}${i}`, width: p.width, msb: p.width - 1, words, offset, narrow: p.width <= 32, quad: p.width > 32 && p.width <= 64 };
    offset += words;
    return s;
  });
  return { list, words: offset };
}

/** Builds (or finds in the cache) the Verilator vector model of `top`. */
export async function buildVectorModel(
  files: readonly string[], top: string, stim: Pick<Stimulus, 'clocked' | 'inputs' | 'outputs'>, compile: ModelBuild['compile'] = 'optimized',
): Promise<BuiltModel> {
  const ins = slots(stim.inputs, 'i');
  const outs = slots(stim.outputs, 'o');
  const portDecls = [
    ...(stim.clocked ? [{ dir: 'input', msb: 0, port: 'clk' }] : []),
    ...ins.list.map((s) => ({ dir: 'input', msb: s.msb, port: s.port })),
    ...outs.list.map((s) => ({ dir: 'output', msb: s.msb, port: s.port })),
  ];
  const conns = [...(stim.clocked ? [{ name: 'clk', port: 'clk' }] : []), ...ins.list, ...outs.list].map((s) => ({ name: s.name, port: s.port }));
  const wrapper = render('wrapper.v', {
    wrapper: WRAPPER, top,
    ports: portDecls.map((p, i) => ({ ...p, last: i === portDecls.length - 1 })),
    conns: conns.map((c, i) => ({ ...c, last: i === conns.length - 1 })),
  });
  const harness = render('harness.cpp', {
    top, wrapper: WRAPPER, clocked: stim.clocked, inWords: ins.words, outWords: outs.words, inputs: ins.list, outputs: outs.list,
  });
  // The sources only need to exist while verilator reads them; the model keys on their contents.
  const dir = mkdtempSync(join(tmpdir(), 'hwflow-vec-'));
  try {
    const wrapperFile = join(dir, `${WRAPPER}.v`);
    const cppFile = join(dir, 'vectors_main.cpp');
    writeFileSync(wrapperFile, wrapper);
    writeFileSync(cppFile, harness);
    return await buildVerilatorModel({ files: [...files, wrapperFile], top: WRAPPER, cppFiles: [cppFile], flags: [...VECTOR_FLAGS], compile });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a prepared stimulus on Verilator; returns raw output bit patterns per cycle. */
export async function runOnVerilator(files: readonly string[], top: string, stim: Stimulus, compile: ModelBuild['compile'] = 'optimized'): Promise<Array<Record<string, bigint>>> {
  const model = await buildVectorModel(files, top, stim, compile);
  return runModel(model, stim);
}

/** Runs a prepared stimulus on an already built vector model (build once, run many). */
export async function runModel(model: BuiltModel, stim: Stimulus): Promise<Array<Record<string, bigint>>> {
  const ins = slots(stim.inputs, 'i');
  const outs = slots(stim.outputs, 'o');
  const n = stim.table.length;
  const input = new Uint8Array(8 + n * ins.words * 4);
  new DataView(input.buffer).setBigUint64(0, BigInt(n), true);
  const words = new Uint32Array(input.buffer, 8, n * ins.words);
  for (let c = 0; c < n; c++) {
    const row = stim.table[c]!;
    const base = c * ins.words;
    for (let i = 0; i < ins.list.length; i++) putWords(words, base + ins.list[i]!.offset, row[i]!, ins.list[i]!.width);
  }
  const expected = n * outs.words * 4;
  const r = await execa(model.exe, [], { input, encoding: 'buffer', reject: false, maxBuffer: expected + (1 << 20), stderr: 'pipe' });
  const stderr = Buffer.from(r.stderr as Uint8Array).toString('utf8').trim();
  if (r.exitCode !== 0 || r.signal) {
    throw new Error(`Verilator vector model ${model.exe} failed (${r.signal ?? `exit status ${r.exitCode}`})${stderr ? `:\n${stderr}` : ''}`);
  }
  const out = r.stdout as Uint8Array;
  if (out.byteLength !== expected)
    throw new Error(`Verilator vector model wrote ${out.byteLength} bytes of outputs, expected ${expected} (${n} cycles x ${outs.words} words)${stderr ? `:\n${stderr}` : ''}`);
  // Copy into an aligned buffer: the pipe's chunk may start at any byte offset.
  const outWords = new Uint32Array(out.slice().buffer, 0, n * outs.words);
  const result: Array<Record<string, bigint>> = [];
  for (let c = 0; c < n; c++) {
    const rec: Record<string, bigint> = {};
    const base = c * outs.words;
    for (const s of outs.list) rec[s.name] = getWords(outWords, base + s.offset, s.width);
    result.push(rec);
  }
  return result;
}
