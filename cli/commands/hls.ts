/**
 * `hwflow hls <file.ts> --function f --types '{ x: Vec(sint(8), 8) }'`: compile a plain TS kernel
 * into a pipelined circuit (hls/), write its Verilog and manifest, and with `--check N` run N random
 * argument sets through Verilator under random stalls, comparing with calling `f` in Node.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { elaborate, isVector, type PayloadType } from '../../dsl/index.ts';
import { writeDesign } from '../../dsl/output.ts';
import { mulberry32 } from '../../generators/random.ts';
import { hls, parseTypes, type HlsResult } from '../../hls/index.ts';
import { openSim } from '../../testbenches/index.ts';
import { UsageError, printWarnings, runCommand } from '../errors.ts';

interface HlsCliOptions { function: string; types: string; ii?: string; bram?: string; clock?: string; out?: string; check?: string; seed?: string }

export function register(program: Command): void {
  program
    .command('hls')
    .description('compile a plain TypeScript kernel function into a pipelined circuit (see docs/hls.md)')
    .argument('<file>', 'the .ts file with the exported kernel function')
    .requiredOption('--function <name>', 'the exported function to compile')
    .requiredOption('--types <map>', "parameter types, e.g. '{ x: Vec(sint(8), 8), n: uint(4) }' (TS expression or JSON)")
    .option('--ii <n>', 'initiation interval: one argument set every n cycles, multipliers shared over them', '1')
    .option('--bram <entries>', 'constant tables of at least this many entries go in block RAM', '1024')
    .option('--clock <MHz>', 'target clock for the schedule', '48')
    .option('--out <dir>', 'output folder (default: rtl-out/hls_<function>)')
    .option('--check <n>', 'run n random argument sets through Verilator (random stalls) and compare with the function in Node')
    .option('--seed <n>', 'seed of the random arguments and stalls of --check')
    .action((file: string, opts: HlsCliOptions) => runCommand(() => hlsCommand(file, opts)));
}

function intOption(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

async function hlsCommand(file: string, opts: HlsCliOptions): Promise<void> {
  const ii = intOption('--ii', opts.ii, 1, 1);
  const clock = Number(opts.clock ?? 48);
  if (!(clock > 0 && clock <= 1000)) throw new UsageError(`--clock must be a frequency in MHz from 1 to 1000, got '${opts.clock}'`);
  const r = hls(file, opts.function, parseTypes(opts.types), { clockMHz: clock, ii, bramMinEntries: intOption('--bram', opts.bram, 1024, 2) });
  const dir = opts.out ?? path.join('rtl-out', r.def.name);
  const w = writeDesign(elaborate(r.def), dir, { generator: 'hls', params: { file: path.relative(process.cwd(), path.resolve(file)), function: opts.function, types: opts.types, clockMHz: clock, ii } });
  const s = r.schedule;
  process.stdout.write(`${path.relative(process.cwd(), w.dir) || '.'}: ${w.manifest.files.join(', ')}, manifest.json\n`);
  process.stdout.write(`${opts.function}: ${s.stages} stages, II ${s.ii}, estimated ${s.criticalNs} ns per stage at ${clock} MHz; units ${JSON.stringify(s.units)}\n`);
  printWarnings(w.manifest.warnings);
  if (opts.check !== undefined) {
    const n = intOption('--check', opts.check, 0, 1);
    const seed = intOption('--seed', opts.seed, Math.floor(Math.random() * 2 ** 31), 0);
    const mod = (await import(pathToFileURL(path.resolve(file)).href)) as Record<string, unknown>;
    const f = mod[opts.function];
    if (typeof f !== 'function') throw new UsageError(`${file} exports no function '${opts.function}'`);
    const res = await checkKernel(r, w.dir, [{ f: f as (...a: unknown[]) => unknown, name: opts.function }], n, seed);
    process.stdout.write(`check: ${res.tokens} argument sets through Verilator (seed ${seed}, 30% stalls): all equal to ${opts.function}() in Node\n`);
  }
}

type Host = number | Host[];

/** A random value of a payload type: uniform, with the extremes of the range one time in eight. */
export function randomValue(t: PayloadType, next: () => number): Host {
  if (isVector(t)) return Array.from({ length: t.length }, () => randomValue(t.element as PayloadType, next));
  const h = t as { signed: boolean; width: number };
  const lo = h.signed ? -(2 ** (h.width - 1)) : 0;
  const hi = h.signed ? 2 ** (h.width - 1) - 1 : 2 ** h.width - 1;
  const r = next();
  if (r < 1 / 16) return lo;
  if (r < 1 / 8) return hi;
  // A uniform draw in [0, 1) with 53 bits: floor(u·2^21) + v stays below 2^21 (u·2^21 + v could reach it).
  const u = (Math.floor(next() * 2 ** 21) + next()) / 2 ** 21;
  return lo + Math.floor(u * (hi - lo + 1));
}

/** A kernel's result as the output stream's field value (booleans as 0/1). */
export function asField(v: unknown): Host {
  if (Array.isArray(v)) return v.map(asField);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v === 0 ? 0 : v; // -0 reads back as 0
  return v as Host;
}

export class HlsCheckError extends UsageError {}

/**
 * Run `n` random argument sets through the design in `dir` (one stream pair per kernel; a batch of
 * several kernels is one design whose streams are `args_<k>`/`result_<k>`), under 30% stalls on both
 * sides, and compare every result with calling the kernel in Node.
 */
export async function checkKernel(
  r: Pick<HlsResult, 'argsType'> | Pick<HlsResult, 'argsType'>[], dir: string,
  kernels: { f: (...a: unknown[]) => unknown; name: string }[], n: number, seed: number, compile?: 'optimized' | 'quick',
): Promise<{ tokens: number }> {
  const specs = Array.isArray(r) ? r : [r];
  const next = mulberry32(seed);
  const sim = await openSim(dir, { seed, stall: { in: 0.3, out: 0.3 }, record: false, compile });
  try {
    const single = kernels.length === 1 && !Array.isArray(r);
    const sent = kernels.map((k, i) => {
      const params = Object.keys(specs[i]!.argsType);
      const args = Array.from({ length: n }, () => Object.fromEntries(params.map((p) => [p, randomValue(specs[i]!.argsType[p]!, next)])));
      sim.send(single ? 'args' : `args_${i}`, args as never);
      return { params, args };
    });
    const until = Object.fromEntries(kernels.map((_, i) => [single ? 'result' : `result_${i}`, n]));
    await sim.run({ until });
    kernels.forEach((k, i) => {
      const got = sim.receivedFields(single ? 'result' : `result_${i}`);
      const { params, args } = sent[i]!;
      for (let t = 0; t < n; t++) {
        const a = args[t]!;
        const want = asField(k.f(...params.map((p) => structuredClone(a[p]))));
        if (JSON.stringify(got[t]) !== JSON.stringify(want))
          throw new HlsCheckError(`${k.name}(${params.map((p) => JSON.stringify(a[p])).join(', ')}): hardware gave ${JSON.stringify(got[t])}, Node gave ${JSON.stringify(want)} (argument set ${t}, seed ${seed})`);
      }
    });
    return { tokens: n * kernels.length };
  } finally {
    await sim.close();
  }
}
