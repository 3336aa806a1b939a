/**
 * The HLS differential fuzzer: random kernel functions in the subset (loops, if/else, early returns,
 * ?:, Math.max/min/abs, bit operators and shifts, ROM tables, array reads with data indices, calls,
 * wrap/saturate helpers) are compiled by hls/, then checked three ways on random arguments: the
 * compiled graph evaluated on exact integers, and the Verilog in Verilator under random stalls, both
 * against calling the same function in Node. Many kernels share one Verilator build.
 *
 *   npm run fuzz:hls -- --count 5000 --seed 1 --batch 100 [--ii1] [--no-rtl] [--from F]
 *
 * Each kernel is compiled at II 1, 2 or 3 with its table as a LUT ROM or in block RAM, by its seed
 * (kernelVariant); `--ii1` compiles all at II 1 with LUT ROMs (the campaigns before these existed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import { In, Out, Record as RecordT, Stream, connect, elaborate, module, type PayloadType, type PortRecord } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { mulberry32 } from '../generators/random.ts';
import { HlsError, hls, parseTypes, type HlsResult } from '../hls/index.ts';
import { evaluateKernel, type HostValue } from '../hls/evaluate.ts';
import * as helpers from '../hls/helpers.ts';
import { checkKernel, randomValue } from '../cli/commands/hls.ts';

export interface FuzzKernel { name: string; source: string; types: string }

/** A random kernel in the subset, from a seed. */
export function randomKernel(seed: number, name = 'f'): FuzzKernel {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const K = int(2, 5);
  const locals: string[] = [];
  const types = `{ a: sint(${int(2, 12)}), b: uint(${int(1, 10)}), v: Vec(sint(${int(2, 8)}), ${K}) }`;
  let inLoop = false;

  const leaf = (): string => {
    const c = int(0, 9);
    if (c < 2) return pick(['a', 'b']);
    if (c < 5 && locals.length) return pick(locals);
    if (c < 6) return String(int(-8, 40));
    if (c < 7 && inLoop) return 'v[i]';
    return `v[${int(0, K - 1)}]`;
  };
  const expr = (d: number): string => {
    if (d <= 0 || r() < 0.25) return leaf();
    const x = () => expr(d - 1);
    switch (int(0, 21)) {
      case 0: case 1: return `(${x()} + ${x()})`;
      case 2: case 3: return `(${x()} - ${x()})`;
      case 4: return `(wrapS(${x()}, ${int(4, 14)}) * ${x()})`;
      case 5: return `(${x()} & ${x()})`;
      case 6: return `(${x()} | ${x()})`;
      case 7: return `(${x()} ^ ${x()})`;
      case 8: return `(${x()} << ${int(0, 5)})`;
      case 9: return `(${x()} >> ${int(0, 7)})`;
      case 10: return `(wrapS(${x()}, 20) >>> ${int(0, 3)})`;
      case 11: return `(~${x()})`;
      case 12: return `(-(${x()}))`;
      case 13: return `Math.max(${x()}, ${x()})`;
      case 14: return `Math.min(${x()}, ${x()}, ${x()})`;
      case 15: return `Math.abs(${x()})`;
      case 16: return `(${cond(d - 1)} ? ${x()} : ${x()})`;
      case 17: return `TBL[(${x()}) & 7]`;
      case 18: return `v[Math.min(Math.max(${x()}, 0), ${K - 1})]`;
      case 19: return `g(${x()}, ${x()})`;
      case 20: return `satU(${x()}, ${int(3, 12)})`;
      default: return `(wrapU(${x()}, ${int(3, 16)}) << (b & 3))`;
    }
  };
  const cond = (d: number): string => {
    const c = int(0, 6);
    if (c === 5 && d > 0) return `(${cond(d - 1)} && ${cond(d - 1)})`;
    if (c === 6 && d > 0) return `!(${cond(d - 1)})`;
    // No '<' at all: \`x < (T[(t) & 7] > (y)) ? …\` parses in TS as a generic call x<T[(t) & 7]>(y)
    // (an indexed access type), parentheses or not; a < b is written b > a.
    // (Drawn left, operator, right, as before, so every seed still makes the kernel it made.)
    const l = expr(d);
    const op = pick(['<', '<=', '>', '>=', '===', '!==']);
    const rr = expr(d);
    return op === '<' ? `(${rr} > ${l})` : op === '<=' ? `(${rr} >= ${l})` : `(${l} ${op} ${rr})`;
  };
  const assign = (): string => {
    const t = pick(locals);
    const e = expr(3);
    return pick([`${t} = wrapS(${e}, ${int(8, 24)});`, `${t} = ${e};`, `${t} += wrapS(${e}, 16);`]);
  };
  const stmt = (d: number): string => {
    const c = int(0, d > 0 ? 6 : 2);
    if (c <= 2) return assign();
    if (c === 3) return `if (${cond(2)}) { ${stmt(d - 1)} } else { ${stmt(d - 1)} }`;
    if (c === 4) {
      inLoop = true;
      const body = `${stmt(d - 1)} ${assign()}${r() < 0.3 ? ` if (${cond(1)}) break;` : ''}`;
      inLoop = false;
      return `for (let i = 0; i < ${K}; i++) { ${body} }`;
    }
    if (c === 5) return `if (${cond(1)}) return ${ret()};`;
    return `v[${int(0, K - 1)}] = wrapS(${expr(2)}, 8);`;
  };
  const retArr = r() < 0.3;
  const ret = (): string => (retArr ? `[wrapS(${expr(2)}, 30), ${expr(1)}]` : `wrapS(${expr(3)}, 40)`);
  const init0 = expr(2);
  locals.push('t0');
  const init1 = expr(2);
  locals.push('t1', 't2');
  const body = Array.from({ length: int(2, 6) }, () => stmt(2)).join('\n  ');
  const source = `import { satU, wrapS, wrapU } from './helpers.ts';
const TBL = [${Array.from({ length: 8 }, () => int(-100, 100)).join(', ')}];
function g(x: number, y: number): number {
  return x > y ? wrapS(x - y, 12) : y - (x & 15);
}
export function ${name}(a: number, b: number, v: number[]): number${retArr ? '[]' : ''} {
  let t0 = ${init0};
  let t1 = ${init1};
  let t2 = 0;
  ${body}
  return ${ret()};
}
`;
  return { name, source, types };
}

/** The kernel as a Node function (TS transpiled, the helpers passed in). */
export function nodeFunction(k: FuzzKernel): (...a: unknown[]) => unknown {
  const js = ts.transpileModule(k.source.replace(/^import .*$/m, ''), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('exports', 'wrapS', 'wrapU', 'satU', 'satS', `${js}\nreturn exports.${k.name};`);
  return make({}, helpers.wrapS, helpers.wrapU, helpers.satU, helpers.satS) as (...a: unknown[]) => unknown;
}

export interface FuzzStats {
  generated: number; rejected: number; graphChecks: number; rtlKernels: number; rtlTokens: number; rejections: Record<string, number>;
  /** Kernels compiled with shared multipliers (II > 1 and a product), and with a block-RAM table read. */
  sharedKernels: number; bramKernels: number;
}

/**
 * Run kernels `seeds` through the whole check; throws at the first mismatch (naming the seed). Kernels
 * the compiler rejects (a value that could pass 2^53) are counted, not run.
 */
/**
 * The back-end variant a kernel seed is compiled with (unless `ii1` is set): II 1, 2 or 3 (shared
 * multipliers, lock-step pipeline) and its 8-entry table as a LUT ROM or in block RAM.
 */
export function kernelVariant(seed: number): { ii: number; bramMinEntries: number } {
  return { ii: 1 + (seed % 3), bramMinEntries: Math.floor(seed / 3) % 2 ? 8 : 1024 };
}

export async function fuzzBatch(seeds: number[], opts: { args: number; dir: string; rtl: boolean; stallSeed: number; ii1?: boolean }): Promise<FuzzStats> {
  const st: FuzzStats = { generated: seeds.length, rejected: 0, graphChecks: 0, rtlKernels: 0, rtlTokens: 0, rejections: {}, sharedKernels: 0, bramKernels: 0 };
  const compiled: { k: FuzzKernel; r: HlsResult; f: (...a: unknown[]) => unknown }[] = [];
  const srcDir = fs.mkdtempSync(path.join(opts.dir, 'src-'));
  fs.copyFileSync(path.join(import.meta.dirname, '..', 'hls', 'helpers.ts'), path.join(srcDir, 'helpers.ts'));
  for (const seed of seeds) {
    const k = randomKernel(seed, `k${seed}`);
    const file = path.join(srcDir, `k${seed}.ts`);
    fs.writeFileSync(file, k.source);
    let r: HlsResult;
    try {
      r = hls(file, k.name, parseTypes(k.types), { name: `hls_k${seed}`, ...(opts.ii1 ? {} : kernelVariant(seed)) });
    } catch (e) {
      if (e instanceof HlsError && /beyond 2\^53/.test(e.message)) {
        st.rejected++;
        const what = /^.*?: this (\S+)/.exec(e.message)?.[1] ?? 'value';
        st.rejections[what] = (st.rejections[what] ?? 0) + 1;
        continue;
      }
      throw new Error(`seed ${seed}: ${(e as Error).message}\n${k.source}`);
    }
    const f = nodeFunction(k);
    const next = mulberry32(seed ^ 0x5bd1e995);
    for (let t = 0; t < opts.args; t++) {
      const args = Object.fromEntries(Object.entries(r.argsType).map(([p, ty]) => [p, randomValue(ty, next)])) as Record<string, HostValue>;
      const want = JSON.stringify(f(...Object.keys(r.argsType).map((p) => structuredClone(args[p]))));
      const got = JSON.stringify(evaluateKernel(r.kernel, args));
      if (got !== want.replace(/-0\b/g, '0')) throw new Error(`seed ${seed}: graph gave ${got}, Node gave ${want} for ${JSON.stringify(args)}\n${k.source}`);
      st.graphChecks++;
    }
    compiled.push({ k, r, f });
    if (r.schedule.shared.size) st.sharedKernels++;
    if (r.schedule.bram.size) st.bramKernels++;
  }
  if (opts.rtl && compiled.length) {
    const ports: PortRecord = {};
    compiled.forEach(({ r }, i) => {
      ports[`args_${i}`] = In(Stream(RecordT(r.argsType)));
      ports[`result_${i}`] = Out(Stream(r.resultType as PayloadType));
    });
    const top = module(`hls_fuzz_batch`, ports, (io, m) => {
      const view = io as Record<string, unknown>;
      compiled.forEach(({ r }, i) => {
        const u = m.instance(`u${i}`, r.def, { args: view[`args_${i}`] } as never) as unknown as { result: Parameters<typeof connect>[0] };
        connect(u.result, view[`result_${i}`] as never);
      });
    });
    const w = writeDesign(elaborate(top), path.join(opts.dir, 'rtl'), { generator: 'fuzz-hls' });
    const res = await checkKernel(compiled.map((c) => c.r), w.dir, compiled.map((c) => ({ f: c.f, name: c.k.name })), opts.args, opts.stallSeed, 'quick');
    st.rtlKernels += compiled.length;
    st.rtlTokens += res.tokens;
  }
  fs.rmSync(srcDir, { recursive: true, force: true });
  return st;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, dflt: number): number => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return dflt;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < 0) { console.error(`fuzz:hls: --${name} must be a non-negative integer, got '${argv[i + 1]}'`); process.exit(2); }
    return n;
  };
  const count = opt('count', 200);
  const seed = opt('seed', Math.floor(Math.random() * 2 ** 30));
  const batch = opt('batch', 100);
  const args = opt('args', 20);
  const rtl = !argv.includes('--no-rtl');
  const ii1 = argv.includes('--ii1');
  // --from F: start at kernel F of the seed's sequence (re-run one batch of a campaign).
  const start = opt('from', 0);
  console.log(`fuzz:hls: ${count} kernels from seed ${seed}, ${batch} per Verilator build, ${args} argument sets each${rtl ? '' : ' (graph only)'}${ii1 ? ', all at II 1 with LUT ROMs' : ', II 1/2/3 and LUT/block-RAM tables by seed'}`);
  const total: FuzzStats = { generated: 0, rejected: 0, graphChecks: 0, rtlKernels: 0, rtlTokens: 0, rejections: {}, sharedKernels: 0, bramKernels: 0 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-fuzz-hls-'));
  const t0 = performance.now();
  const failures: string[] = [];
  try {
    for (let from = start; from < count; from += batch) {
      const seeds = Array.from({ length: Math.min(batch, count - from) }, (_, i) => seed * 1_000_003 + from + i);
      // A failing batch is reported (the error names the kernel's seed, arguments and both results) and
      // the campaign goes on, so one run reports every mismatch; the exit code says if there was one.
      let s: FuzzStats;
      try {
        s = await fuzzBatch(seeds, { args, dir, rtl, stallSeed: seed + from, ii1 });
      } catch (e) {
        failures.push(`kernels ${from}..${from + seeds.length - 1}: ${(e as Error).message}`);
        console.log(`  MISMATCH in kernels ${from}..${from + seeds.length - 1}:\n${(e as Error).message}`);
        continue;
      }
      total.generated += s.generated; total.rejected += s.rejected; total.graphChecks += s.graphChecks;
      total.rtlKernels += s.rtlKernels; total.rtlTokens += s.rtlTokens;
      total.sharedKernels += s.sharedKernels; total.bramKernels += s.bramKernels;
      for (const [k, v] of Object.entries(s.rejections)) total.rejections[k] = (total.rejections[k] ?? 0) + v;
      console.log(`  ${from + seeds.length}/${count}: ${total.rtlKernels} kernels equal in Verilator, ${total.rejected} rejected (> 2^53), ${Math.round((performance.now() - t0) / 1000)} s`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`fuzz:hls done: ${JSON.stringify({ seed, ...total, failedBatches: failures.length, seconds: Math.round((performance.now() - t0) / 1000) })}`);
  if (failures.length) { console.log(`fuzz:hls: ${failures.length} failing batch(es):\n${failures.join('\n')}`); process.exitCode = 1; }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main().catch((e: unknown) => { console.error(e); process.exit(1); });
