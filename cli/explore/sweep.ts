/**
 * The points of a sweep: each `--sweep key=v1,v2` is one axis, and the points are their cross
 * product, in a stable order (the first axis varies slowest), each named by its `key=value` pairs.
 */
import { UsageError } from '../errors.ts';

export interface SweepAxis {
  key: string;
  values: string[];
}

/** One point: its position in the sweep, its label and its `key=value` overrides. */
export interface SweepPoint {
  index: number;
  label: string;
  assignments: Record<string, string>;
}

/** Parse `key=v1,v2,...`; a malformed axis or a key given twice is a UsageError. */
export function parseSweeps(texts: readonly string[]): SweepAxis[] {
  const axes: SweepAxis[] = [];
  for (const t of texts) {
    const m = /^([A-Za-z_]\w*)=(.+)$/.exec(t);
    const values = m ? m[2]!.split(',').map((v) => v.trim()) : [];
    if (!m || values.some((v) => v === ''))
      throw new UsageError(`bad --sweep '${t}'; expected key=v1,v2,... (e.g. --sweep rows=2,4,8)`);
    if (axes.some((a) => a.key === m[1])) throw new UsageError(`--sweep names '${m[1]}' twice; give all its values in one --sweep ${m[1]}=v1,v2`);
    if (new Set(values).size !== values.length) throw new UsageError(`--sweep '${t}' repeats a value`);
    axes.push({ key: m[1]!, values });
  }
  return axes;
}

/** Every combination of the axes' values (one point with no overrides when there are no axes). */
export function crossProduct(axes: readonly SweepAxis[]): SweepPoint[] {
  let combos: Record<string, string>[] = [{}];
  for (const a of axes) combos = combos.flatMap((c) => a.values.map((v) => ({ ...c, [a.key]: v })));
  return combos.map((assignments, index) => ({
    index,
    label: Object.entries(assignments).map(([k, v]) => `${k}=${v}`).join(',') || 'base',
    assignments,
  }));
}
