/**
 * The JSON tensor format of `hwflow run`, read and written in one place.
 *
 * An input file is one JSON object mapping tensor names to either
 *   - `{"shape": [2, 3], "data": [1, 2, 3, 4, 5, 6]}` (row-major, flat), or
 *   - plain nested arrays: `[[1, 2, 3], [4, 5, 6]]`.
 * Values are JSON integers, or decimal strings for integers beyond 2^53. Shapes and values are then
 * checked against the design's tensor specs by the shared `checkTensors` (dsl/tensors.ts): a value
 * that does not fit is rejected, never wrapped, and named run-time dimensions must agree.
 */
import fs from 'node:fs';
import type { Tensor, TensorSpec } from '../dsl/generator.ts';
import { checkTensors, describeSpec } from '../dsl/tensors.ts';
import { UsageError } from './errors.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const showShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Read and parse a JSON input file; a missing or malformed file is a UsageError naming it. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read input file '${file}'`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`input file '${file}' is not valid JSON: ${(e as Error).message}`);
  }
}

function toInteger(name: string, index: number, v: Json): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  throw new UsageError(`tensor '${name}' value #${index} is ${JSON.stringify(v)}; expected an integer (or a decimal string for integers beyond 2^53)`);
}

/** Flatten nested arrays, inferring a rectangular shape; ragged nesting is an error naming the place. */
function flattenNested(name: string, v: Json[]): { shape: number[]; values: Json[] } {
  const shape: number[] = [];
  for (let level: Json = v; Array.isArray(level); level = level[0] ?? null) shape.push(level.length);
  const values: Json[] = [];
  const walk = (x: Json, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (Array.isArray(x)) throw new UsageError(`tensor '${name}' is ragged: element ${showShape(path)} is an array, expected a number at depth ${depth}`);
      values.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth])
      throw new UsageError(`tensor '${name}' is ragged: element ${showShape(path)} has ${Array.isArray(x) ? `${x.length} entries` : 'no array'}, expected ${shape[depth]} (shape ${showShape(shape)})`);
    x.forEach((e, i) => walk(e, depth + 1, [...path, i]));
  };
  walk(v, 0, []);
  return { shape, values };
}

/** One tensor from its JSON form (shape and values are checked against the spec by `checkTensors`). */
function parseTensor(spec: TensorSpec, v: Json): Tensor {
  const name = spec.name;
  let shape: number[];
  let values: Json[];
  if (Array.isArray(v)) ({ shape, values } = flattenNested(name, v));
  else if (v !== null && typeof v === 'object' && 'data' in v) {
    const s = v.shape;
    if (!Array.isArray(s) || !s.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0))
      throw new UsageError(`tensor '${name}' needs "shape": an array of non-negative integers, got ${JSON.stringify(s)}`);
    if (!Array.isArray(v.data)) throw new UsageError(`tensor '${name}': "data" must be a flat array of integers`);
    shape = s as number[];
    values = v.data;
    const count = shape.reduce((a, b) => a * b, 1);
    if (values.length !== count) throw new UsageError(`tensor '${name}' has ${values.length} values in "data" but shape ${showShape(shape)} needs ${count}`);
  } else throw new UsageError(`tensor '${name}' must be nested arrays or {"shape": [...], "data": [...]}, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return { shape, data: values.map((x, i) => toInteger(name, i, x)) };
}

/** Parse a whole input object against the design's input specs. */
export function parseInputs(json: unknown, specs: readonly TensorSpec[], file = 'input'): Record<string, Tensor> {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new UsageError(`${file} must be a JSON object mapping tensor names (${specs.map((s) => s.name).join(', ')}) to tensors`);
  const obj = json as Record<string, Json>;
  const names = specs.map((s) => s.name);
  for (const key of Object.keys(obj))
    if (!names.includes(key)) throw new UsageError(`${file} has a tensor '${key}' that the design does not take; its inputs: ${names.join(', ')}`);
  const out: Record<string, Tensor> = {};
  for (const spec of specs) {
    const v = obj[spec.name];
    if (v === undefined) throw new UsageError(`${file} lacks tensor '${spec.name}', which takes ${describeSpec(spec)}`);
    out[spec.name] = parseTensor(spec, v);
  }
  checkTensors(specs, out);
  return out;
}

/** A tensor as JSON: numbers where exact, decimal strings beyond 2^53. */
export function tensorToJson(t: Tensor): { shape: number[]; data: (number | string)[] } {
  return { shape: t.shape, data: t.data.map((v) => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString())) };
}
