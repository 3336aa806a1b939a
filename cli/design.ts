/**
 * The `<design>` argument of the commands: a registered design name, or the path of a user's DSL
 * script exporting (default or named) a module definition or a generator; `--preset` and
 * `--param key=value` choose its parameters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModuleDef } from '../dsl/build/module.ts';
import { isGenerator, type Generator, type ParamSpec, type ParamValue } from '../dsl/generator.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { elaborateDesign, presetParams, registry, type ResolvedDesign } from '../generators/registry.ts';
import { UsageError } from './errors.ts';

export type { ResolvedDesign };

const isScript = (s: string): boolean => /\.(m?ts|m?js)$/.test(s) || s.includes('/') || s.includes(path.sep);

/** Elaborate and check the design `nameOrPath` names, with its preset and `key=value` overrides. */
export async function resolveDesign(nameOrPath: string, opts: { preset?: string; params?: readonly string[] } = {}): Promise<ResolvedDesign> {
  if (!isScript(nameOrPath)) {
    const g = registeredGenerator(nameOrPath);
    return withParams(g, g.name, opts);
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
  if (isGenerator(exported)) return withParams(exported, generatorName, opts);
  throw new UsageError(`'${nameOrPath}' exports no module definition or generator; export one with 'export default module(...)'`);
}

function registeredGenerator(name: string): Generator {
  const g = registry[name];
  if (!g) throw new UsageError(`unknown design '${name}'; registered designs: ${Object.keys(registry).sort().join(', ')} (or pass a path to a .ts script)`);
  return g;
}

/** `g` with a preset and `key=value` overrides (a bad preset is reported before a bad override). */
function withParams(g: Generator, generatorName: string, opts: { preset?: string; params?: readonly string[] }): ResolvedDesign {
  const { preset, params } = presetParams(g, opts.preset);
  for (const kv of opts.params ?? []) {
    const [k, v] = parseParam(g, kv);
    params[k] = v;
  }
  return elaborateDesign(g, { generator: generatorName, preset, params });
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
