/**
 * The type map of a kernel's parameters: `{ x: Vec(sint(8), 8), n: uint(4) }`, written as a TS
 * expression (evaluated with uint/sint/bool/Vec in scope) or as JSON whose leaves are such
 * expressions (`{"x": "Vec(sint(8), 8)"}`).
 */
import { Vec, bool, sint, uint, type PayloadType } from '../dsl/index.ts';
import { HlsError } from './errors.ts';

const evalType = (src: string): unknown =>
  // The expression sees only the four type constructors.
  new Function('uint', 'sint', 'bool', 'Vec', `"use strict"; return (${src});`)(uint, sint, bool, Vec);

/** Parse `--types`: a TS object expression, or JSON with type-expression strings as values. */
export function parseTypes(text: string): Record<string, PayloadType> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    try {
      v = evalType(text);
    } catch (e) {
      throw new HlsError(`--types: cannot read '${text}' (${(e as Error).message}); write e.g. '{ x: Vec(sint(8), 8), n: uint(4) }'`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HlsError(`--types must be an object of parameter types, e.g. '{ x: Vec(sint(8), 8) }', got '${text}'`);
  return Object.fromEntries(Object.entries(v).map(([k, t]) => {
    try {
      return [k, (typeof t === 'string' ? evalType(t) : t) as PayloadType];
    } catch (e) {
      throw new HlsError(`--types: parameter '${k}': cannot read '${String(t)}' (${(e as Error).message})`);
    }
  }));
}
