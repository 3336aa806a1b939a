/**
 * The design registry: every generator by name, with its parameters and presets. The CLI, tests,
 * benchmarks and sweeps read designs from here, and `resolveDesign` also accepts a user's own DSL
 * script (a .ts file exporting a module definition or a generator).
 */
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ModuleDef } from '../dsl/build/module.ts';
import { HdlError, ParamError } from '../dsl/errors.ts';
import type { Generator, ParamSpec, ParamValue } from '../dsl/generator.ts';
import type { Circuit } from '../dsl/ir/nodes.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { counter, mac } from './examples.ts';
import { gcodGenerator as gcod } from './gcod/index.ts';
import { shiftadd } from './shiftadd/index.ts';
import { shiftaddllm } from './shiftaddllm/index.ts';
import { shiftaddllmMac } from './shiftaddllm/baseline.ts';
import { vitcod } from './vitcod/index.ts';

export const registry: Record<string, Generator> = {
  counter,
  gcod,
  mac,
  shiftadd,
  shiftaddllm,
  'shiftaddllm-mac': shiftaddllmMac,
  vitcod,
};

/** Thrown for a bad design name, preset or parameter; the CLI prints its message alone. */
export class UsageError extends HdlError {
  override readonly name = 'UsageError';
}

export function getGenerator(name: string): Generator {
  const g = registry[name];
  if (!g) throw new UsageError(`unknown design '${name}'; registered designs: ${Object.keys(registry).sort().join(', ')} (or pass a path to a .ts script)`);
  return g;
}

/** Parse one `--param key=value` string against a generator's parameter specs. */
export function parseParam(g: Generator, kv: string): [string, ParamValue] {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new UsageError(`parameter '${kv}' is not of the form key=value`);
  const key = kv.slice(0, eq);
  const raw = kv.slice(eq + 1);
  const spec = g.params[key];
  if (!spec) throw new UsageError(`design '${g.name}' has no parameter '${key}'; its parameters: ${Object.keys(g.params).join(', ')}`);
  return [key, parseValue(g.name, key, spec, raw)];
}

function parseValue(design: string, key: string, spec: ParamSpec, raw: string): ParamValue {
  if (spec.kind === 'bool') {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new UsageError(`parameter '${key}' of '${design}' is a boolean; got '${raw}', expected true or false`);
  }
  if (spec.kind === 'enum') {
    if (!spec.values?.includes(raw)) throw new UsageError(`parameter '${key}' of '${design}' must be one of ${spec.values?.join(', ')}; got '${raw}'`);
    return raw;
  }
  if (!/^-?\d+$/.test(raw)) throw new UsageError(`parameter '${key}' of '${design}' is an integer; got '${raw}'`);
  return Number(raw);
}

/** Check every value against its spec: kind and range. */
export function checkParams(g: Generator, params: Record<string, ParamValue>): void {
  for (const [key, spec] of Object.entries(g.params)) {
    const v = params[key];
    if (v === undefined) throw new ParamError(`design '${g.name}' needs parameter '${key}' (${spec.doc})`);
    if (spec.kind === 'int') {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new ParamError(`parameter '${key}' of '${g.name}' must be an integer, got ${String(v)}`);
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max))
        throw new ParamError(`parameter '${key}' of '${g.name}' = ${v} is out of range ${spec.min ?? '-inf'}..${spec.max ?? 'inf'}`);
    }
  }
  for (const key of Object.keys(params))
    if (!(key in g.params)) throw new ParamError(`design '${g.name}' has no parameter '${key}'; its parameters: ${Object.keys(g.params).join(', ')}`);
  g.validate?.(params);
}

/** Parameters from a preset (or the default one) with `key=value` overrides applied and checked. */
export function resolveParams(g: Generator, preset: string | undefined, overrides: readonly string[] = []): { preset: string; params: Record<string, ParamValue> } {
  const name = preset ?? g.defaultPreset;
  const base = g.presets[name];
  if (!base) throw new UsageError(`design '${g.name}' has no preset '${name}'; presets: ${Object.keys(g.presets).join(', ')}`);
  const params: Record<string, ParamValue> = { ...base };
  for (const kv of overrides) {
    const [k, v] = parseParam(g, kv);
    params[k] = v;
  }
  try {
    checkParams(g, params);
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(e.message);
    throw e;
  }
  return { preset: name, params };
}

export interface ResolvedDesign {
  circuit: Circuit;
  info: { generator: string; preset?: string; params: Record<string, ParamValue> };
  generator?: Generator;
}

const isScript = (s: string): boolean => /\.(m?ts|m?js)$/.test(s) || s.includes('/') || s.includes(path.sep);

/**
 * A registered design name, or the path of a user's script that exports (default or named) a
 * module definition or a generator. Elaborates and checks the design.
 */
export async function resolveDesign(nameOrPath: string, opts: { preset?: string; params?: readonly string[] } = {}): Promise<ResolvedDesign> {
  if (!isScript(nameOrPath)) {
    const g = getGenerator(nameOrPath);
    const { preset, params } = resolveParams(g, opts.preset, opts.params);
    return { circuit: elaborate(g.create(params)), info: { generator: g.name, preset, params }, generator: g };
  }
  const file = path.resolve(nameOrPath);
  if (!fs.existsSync(file)) throw new UsageError(`no design script at '${nameOrPath}' (and it is not a registered design: ${Object.keys(registry).sort().join(', ')})`);
  const mod = await importScript(file, nameOrPath);
  const exported = mod.default ?? Object.values(mod).find((v) => v instanceof ModuleDef || isGenerator(v));
  const generatorName = path.relative(process.cwd(), file);
  if (exported instanceof ModuleDef) {
    if (opts.preset || opts.params?.length) throw new UsageError(`'${nameOrPath}' exports a plain module, which takes no --preset or --param; export a generator to take parameters`);
    return { circuit: elaborate(exported), info: { generator: generatorName, params: {} } };
  }
  if (isGenerator(exported)) {
    const { preset, params } = resolveParams(exported, opts.preset, opts.params);
    return { circuit: elaborate(exported.create(params)), info: { generator: generatorName, preset, params }, generator: exported };
  }
  throw new UsageError(`'${nameOrPath}' exports no module definition or generator; export one with 'export default module(...)'`);
}

/** Load a design script as an ES module (tsx compiles TypeScript on the fly). */
async function importScript(file: string, shown: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_REQUIRE_CYCLE_MODULE' || code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE')
      throw new UsageError(`'${shown}' was loaded as CommonJS; design scripts are ES modules: put it in a package whose package.json says "type": "module", or rename it to .mts`);
    throw e;
  }
}

function isGenerator(v: unknown): v is Generator {
  return typeof v === 'object' && v !== null && 'create' in v && 'presets' in v && 'params' in v;
}
