// The vector runner on Verilator and Icarus against the IR simulator, the model cache, and the
// missing-tool error. Designs are written with the DSL here; stimulus is seeded random.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { In, Out, Simulator, elaborate, emitVerilog, module, sint, uint, cat, mux, type ModuleDef } from '../dsl/index.ts';
import { buildManifest, type ManifestPort } from '../dsl/manifest.ts';
import { buildVerilatorModel, modelKey, VerilatorBuildError } from '../testbenches/cache.ts';
import { cacheRoot } from '../toolchain/cache-root.ts';
import { MissingToolError } from '../toolchain/tools.ts';
import { buildVectorModel, prepareStimulus, runVectors, type Backend } from '../testbenches/vectors/index.ts';
import { Rng, testSeed } from './support/rng.ts';

const seed = testSeed();
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'hwflow-vectors-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A 7-bit counter with enable and load, and a 130-bit shift register (VlWide on Verilator). */
const counter = module('vec_counter', {
  enable: In(uint(1)), load: In(uint(1)), value: In(uint(7)), din: In(uint(1)),
  count: Out(uint(7)), wrapped: Out(uint(1)), shift: Out(uint(130)),
}, (io, m) => {
  const count = m.reg('count_q', uint(7), { reset: 0 });
  const shift = m.reg('shift_q', uint(130), { reset: 0 });
  m.when(io.load, () => count.set(io.value))
    .elsewhen(io.enable, () => count.set(count.add(1).trunc(7)));
  shift.set(cat(shift.slice(128, 0), io.din));
  io.count.set(count);
  io.wrapped.set(count.andR());
  io.shift.set(shift);
});

/** A signed MAC (8x8 into 24 bits), a 40x40 product (a 64-bit QData port path) and a 70-bit input. */
const mac = module('vec_mac', {
  a: In(sint(8)), b: In(sint(8)), valid: In(uint(1)), clear: In(uint(1)),
  x: In(uint(40)), y: In(uint(40)), wide: In(sint(70)),
  acc: Out(sint(24)), prod: Out(uint(80)), widePlusOne: Out(sint(71)), low: Out(uint(33)),
}, (io, m) => {
  const acc = m.reg('acc_q', sint(24), { reset: 0 });
  const sum = acc.add(io.a.mul(io.b).extend(24));
  m.when(io.clear, () => acc.set(0)).elsewhen(io.valid, () => acc.set(sum.trunc(24)));
  io.acc.set(acc);
  io.prod.set(io.x.mul(io.y));
  io.widePlusOne.set(io.wide.add(io.wide.neg().trunc(70)));
  io.low.set(mux(io.valid, io.x.slice(32, 0), io.y.slice(32, 0)));
});

/** Purely combinational: no clk, the runner must not try to clock it. */
const comb = module('vec_comb', { a: In(uint(5)), b: In(uint(5)), lt: Out(uint(1)), sum: Out(uint(6)) }, (io) => {
  io.lt.set(io.a.lt(io.b));
  io.sum.set(io.a.add(io.b));
});

interface Written {
  files: string[];
  top: string;
  ports: ManifestPort[];
  def: ModuleDef;
}

function write(def: ModuleDef): Written {
  const c = elaborate(def);
  const dir = mkdtempSync(join(work, `${c.top.name}-`));
  const files = emitVerilog(c).map((f) => {
    const p = join(dir, f.name);
    writeFileSync(p, f.text);
    return p;
  });
  return { files, top: c.top.name, ports: buildManifest(c, { generator: 'test' }).ports, def };
}

/** Random stimulus: reset for two cycles, then random values on a random subset of inputs. */
function randomCycles(ports: ManifestPort[], n: number, rng: Rng): Array<Record<string, bigint>> {
  const inputs = ports.filter((p) => p.dir === 'in' && p.name !== 'clk' && p.name !== 'rst');
  const hasRst = ports.some((p) => p.name === 'rst');
  return Array.from({ length: n }, (_, c) => {
    const rec: Record<string, bigint> = {};
    if (hasRst) rec.rst = c < 2 || rng.int(0, 60) === 0 ? 1n : 0n;
    for (const p of inputs) {
      if (c > 0 && rng.int(0, 2) === 0) continue; // keep the last value
      const bits = rng.bits(p.width);
      rec[p.name] = p.signed ? BigInt.asIntN(p.width, bits) : bits;
    }
    return rec;
  });
}

/** The same cycles on the IR simulator, with the runner's semantics. */
function simulate(w: Written, cycles: Array<Record<string, bigint>>): Array<Record<string, bigint>> {
  const sim = new Simulator(elaborate(w.def));
  const outs = w.ports.filter((p) => p.dir === 'out');
  const clocked = w.ports.some((p) => p.name === 'clk');
  return cycles.map((given) => {
    for (const [k, v] of Object.entries(given)) sim.poke(k, v);
    const rec: Record<string, bigint> = {};
    for (const p of outs) rec[p.name] = sim.peekBits(p.name);
    if (clocked) sim.step();
    return rec;
  });
}

/** Index and contents of the first cycle where two runs differ, for a readable failure. */
function firstDiff(a: Array<Record<string, bigint>>, b: Array<Record<string, bigint>>): string | null {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let c = 0; c < a.length; c++) {
    for (const k of Object.keys(a[c]!)) if (a[c]![k] !== b[c]![k]) return `cycle ${c} port ${k}: ${a[c]![k]} vs ${b[c]![k]}`;
  }
  return null;
}

const backends: Backend[] = ['verilator', 'icarus'];

describe(`vector runner (seed ${seed})`, () => {
  const designs = [counter, mac, comb];
  it.each(designs.map((d, i) => [d.name, i] as const))('%s: Verilator, Icarus and the IR simulator agree', async (_name, i) => {
    const w = write(designs[i]!);
    const rng = new Rng(seed + i);
    const cycles = randomCycles(w.ports, 300, rng);
    const expected = simulate(w, cycles);
    for (const backend of backends) {
      const got = await runVectors({ backend, files: w.files, top: w.top, ports: w.ports, cycles });
      expect(got.length).toBe(cycles.length);
      const diff = firstDiff(expected, got);
      expect(diff, `${backend} vs Simulator on ${w.top}, seed ${seed + i}: ${diff}`).toBeNull();
    }
  });

  it('counts: the outputs really move (the comparison is not vacuous)', async () => {
    const w = write(counter);
    const cycles: Array<Record<string, bigint>> = [{ rst: 1n }, { rst: 0n, enable: 1n }, {}, {}, { load: 1n, value: 127n }, { load: 0n }, { enable: 0n, din: 1n }, {}];
    const got = await runVectors({ backend: 'verilator', files: w.files, top: w.top, ports: w.ports, cycles });
    expect(got.map((r) => r.count)).toEqual([0n, 0n, 1n, 2n, 3n, 127n, 0n, 0n]);
    expect(got.map((r) => r.wrapped)).toEqual([0n, 0n, 0n, 0n, 0n, 1n, 0n, 0n]);
    expect(got[7]!.shift).toBe(1n);
  });

  it('a second build of an unchanged design is cached, and a changed design is not', async () => {
    const w = write(mac);
    const stim = prepareStimulus(w.top, w.ports, []);
    const first = await buildVectorModel(w.files, w.top, stim);
    const second = await buildVectorModel(w.files, w.top, stim);
    expect(second.cached).toBe(true);
    expect(second.key).toBe(first.key);
    expect(second.exe).toBe(first.exe);
    // Same design emitted into another folder: the key depends on contents, not paths.
    const again = write(mac);
    expect((await buildVectorModel(again.files, again.top, stim)).key).toBe(first.key);
    // Any change of the Verilog changes the key.
    writeFileSync(again.files[0]!, `// changed\n${readFileSync(again.files[0]!, 'utf8')}`);
    const changed = await buildVectorModel(again.files, again.top, stim);
    expect(changed.key).not.toBe(first.key);
  });

  it('rejects an unknown input, the clock, and a value that does not fit, naming what is valid', async () => {
    const w = write(comb);
    const run = (cycles: Array<Record<string, bigint>>) => runVectors({ backend: 'icarus', files: w.files, top: w.top, ports: w.ports, cycles });
    await expect(run([{ c: 1n }])).rejects.toThrow(/cannot set "c".*inputs: a, b/);
    await expect(run([{ a: 32n }])).rejects.toThrow(/value 32 does not fit a \(uint\(5\); valid 0\.\.31\)/);
    await expect(run([{ sum: 1n }])).rejects.toThrow(/sum is an output/);
    await expect(runVectors({ backend: 'modelsim' as Backend, files: w.files, top: w.top, ports: w.ports, cycles: [] })).rejects.toThrow(/valid: verilator, icarus/);
  });

  it('reports a Verilog error with verilator\'s own message', async () => {
    const bad = join(work, 'broken.v');
    writeFileSync(bad, 'module broken(input wire a, output wire y);\n  assign y = a & nosuch;\nendmodule\n');
    const cpp = join(work, 'broken_main.cpp');
    writeFileSync(cpp, '#include "Vbroken.h"\nint main() { Vbroken m; m.eval(); return 0; }\n');
    // The message names the user's file (not the build folder's copy), the line, and the culprit.
    const err = await buildVerilatorModel({ files: [bad], top: 'broken', cppFiles: [cpp] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerilatorBuildError);
    expect((err as Error).message).toContain(`%Error: ${bad}:2:`);
    expect((err as Error).message).toContain('nosuch');
  });

  it('a header the C++ includes is copied next to it and keyed: changing it builds another model', async () => {
    const src = join(work, 'hdrdemo.v');
    writeFileSync(src, `module hdrdemo(input wire [7:0] a, output wire [7:0] y);\n  assign y = a;\nendmodule\n`);
    const dir = mkdtempSync(join(work, 'hdr-'));
    const cpp = join(dir, 'hdrdemo_main.cpp');
    const header = join(dir, 'hdrdemo_value.h');
    writeFileSync(cpp, '#include "hdrdemo_value.h"\n#include "Vhdrdemo.h"\n#include <cstdio>\nint main() { Vhdrdemo m; m.a = VALUE; m.eval(); printf("%d\\n", (int)m.y); return 0; }\n');
    const build = { files: [src], top: 'hdrdemo', cppFiles: [cpp], headers: [header] };
    writeFileSync(header, '#define VALUE 7\n');
    const first = await buildVerilatorModel(build);
    expect((await execa(first.exe)).stdout).toBe('7');
    writeFileSync(header, '#define VALUE 9\n');
    const second = await buildVerilatorModel(build);
    expect(second.key).not.toBe(first.key);
    expect((await execa(second.exe)).stdout).toBe('9');
    // No headers keys like before headers existed: models built earlier stay valid.
    expect(await modelKey({ ...build, headers: [] })).toBe(await modelKey({ files: [src], top: 'hdrdemo', cppFiles: [cpp] }));
  });

  it('two processes asking for the same new model at once build it once; a dead owner\'s lock is broken', async () => {
    // A private cache root, so the model is surely new; the shared ccache keeps the compile short
    // (the sources are the same every run). Without the lock both processes would compile.
    const root = mkdtempSync(join(work, 'cache-'));
    const src = join(work, 'lockdemo.v');
    writeFileSync(src, `module lockdemo(input wire [7:0] a, output wire [8:0] y);\n  assign y = {1'b0, a} + 9'd1;\nendmodule\n`);
    const cpp = join(work, 'lockdemo_main.cpp');
    writeFileSync(cpp, '#include "Vlockdemo.h"\n#include <cstdio>\nint main() { Vlockdemo m; m.a = 41; m.eval(); printf("%d\\n", (int)m.y); return 0; }\n');
    const build = { files: [src], top: 'lockdemo', cppFiles: [cpp] };
    const script = join(work, 'build-once.mts');
    writeFileSync(script, `import { buildVerilatorModel } from ${JSON.stringify(join(repoRoot, 'testbenches/cache.ts'))};\n` +
      `console.log(JSON.stringify(await buildVerilatorModel(${JSON.stringify(build)})));\n`);
    const env = { HWFLOW_CACHE: root, CCACHE_DIR: process.env.CCACHE_DIR ?? join(cacheRoot(), 'ccache') };
    const runs = await Promise.all([0, 1].map(() => execa(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env })));
    const results = runs.map((r) => JSON.parse(r.stdout) as { cached: boolean; exe: string });
    expect(results.map((r) => r.cached).sort()).toEqual([false, true]);
    expect(results[0]!.exe).toBe(results[1]!.exe);
    expect((await execa(results[0]!.exe)).stdout).toBe('42');

    // A lock left by a process that died (its pid no longer exists) must not block the next build.
    const dead = execa('true');
    await dead;
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const key = await modelKey(build);
      rmSync(join(root, 'verilator', key), { recursive: true });
      for (const name of [`${key}.lock`, 'slot0.lock', 'slot1.lock']) {
        const lock = join(root, 'verilator', 'locks', name);
        mkdirSync(lock, { recursive: true });
        writeFileSync(join(lock, 'owner'), JSON.stringify({ pid: dead.pid, host: hostname(), time: Date.now(), token: 'dead' }));
      }
      const after = await buildVerilatorModel(build);
      expect(after.cached).toBe(false);
      expect(after.key).toBe(key);
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it.each(backends)('a missing %s names the tool and `npm run setup`', async (backend) => {
    const w = write(comb);
    const saved = process.env.PATH;
    process.env.PATH = join(work, 'no-tools-here');
    try {
      const err = await runVectors({ backend, files: w.files, top: w.top, ports: w.ports, cycles: [{ a: 1n }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MissingToolError);
      const tool = backend === 'verilator' ? 'verilator' : 'iverilog';
      expect((err as MissingToolError).tool).toBe(tool);
      expect((err as Error).message).toContain(tool);
      expect((err as Error).message).toContain('npm run setup');
    } finally {
      process.env.PATH = saved;
    }
  });
});
