/**
 * The one check of input tensors against an Accelerator's specs, used by `hwflow run` and by the
 * accelerators themselves before they encode or compute: what it accepts, the hardware computes
 * exactly. Every error names the tensor, the shape and type it takes, and what it got, e.g.
 *   tensor 'x' takes [nodes 1..64, features = 16] of uint(1) (0..1); got x[0, 0] = 2
 */
import { TensorError } from './errors.ts';
import type { Accelerator, ParamValue, Tensor, TensorSpec } from './generator.ts';

/** Least and largest value of a spec's element type. */
export function tensorRange(s: Pick<TensorSpec, 'width' | 'signed'>): [bigint, bigint] {
  return s.signed ? [-(1n << BigInt(s.width - 1)), (1n << BigInt(s.width - 1)) - 1n] : [0n, (1n << BigInt(s.width)) - 1n];
}

/** `sint(8) (-128..127)`. */
export function describeType(s: Pick<TensorSpec, 'width' | 'signed'>): string {
  const [lo, hi] = tensorRange(s);
  return `${s.signed ? 'sint' : 'uint'}(${s.width}) (${lo}..${hi})`;
}

const minOf = (s: TensorSpec, i: number): number => s.minShape?.[i] ?? (s.dims ? 1 : s.shape[i]!);

/** One dimension as taken: `K 8..64 (a multiple of 8)`, `Q = 3`, `16`. */
function describeDim(s: TensorSpec, i: number): string {
  const [lo, hi, name, step] = [minOf(s, i), s.shape[i]!, s.dims?.[i], s.multipleOf?.[i] ?? 1];
  const sizes = lo === hi ? (name ? `= ${hi}` : String(hi)) : `${lo}..${hi}`;
  return `${name ? `${name} ` : ''}${sizes}${step > 1 ? ` (a multiple of ${step})` : ''}`;
}

/** `[K 8..64 (a multiple of 8)] of sint(8) (-128..127)`. */
export function describeSpec(s: TensorSpec): string {
  return `[${s.shape.map((_, i) => describeDim(s, i)).join(', ')}] of ${describeType(s)}`;
}

/** The error for tensor `s`: what it takes, then `got` (what was given, and what is wrong with it). */
export function tensorError(s: TensorSpec, got: string): TensorError {
  return new TensorError(`tensor '${s.name}' takes ${describeSpec(s)}; got ${got}`);
}

const showShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** The index `[i, j, ..]` of flat position `flat` in a row-major tensor. */
export function indexOf(shape: readonly number[], flat: number): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]!);
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

/**
 * Check tensors against specs: every spec'd tensor present, rank and sizes within the spec (exact,
 * least, largest, multiple), a dimension named in several tensors of one size in all, every value
 * within the element type. Tensors the specs do not name are left to the caller.
 */
export function checkTensors(specs: readonly TensorSpec[], tensors: Record<string, Tensor>): void {
  const sizes = new Map<string, { size: number; from: string; index: number }>();
  for (const s of specs) {
    const t = tensors[s.name];
    if (!t) throw tensorError(s, 'no such tensor');
    const shape = showShape(t.shape);
    if (t.shape.length !== s.shape.length) throw tensorError(s, `shape ${shape} (${t.shape.length}-D, expected ${s.shape.length}-D)`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) throw tensorError(s, `shape ${shape} with ${t.data.length} values (the shape holds ${count})`);
    t.shape.forEach((d, i) => {
      const what = s.dims ? `${s.dims[i]} = ${d}` : `dimension ${i} = ${d}`;
      const [lo, hi] = [minOf(s, i), s.shape[i]!];
      if (d < lo || d > hi) throw tensorError(s, `shape ${shape}: ${what} is not ${lo === hi ? hi : `in ${lo}..${hi}`}`);
      const step = s.multipleOf?.[i] ?? 1;
      if (d % step !== 0) throw tensorError(s, `shape ${shape}: ${what} is not a multiple of ${step}`);
      const dim = s.dims?.[i];
      if (dim === undefined) return;
      const prev = sizes.get(dim);
      if (prev && prev.size !== d) {
        // A dimension named twice in one tensor ([H, N, N]) must be square; across tensors, shared.
        const where = prev.from === s.name ? `its dimension ${prev.index} is ${dim} = ${prev.size} too` : `tensor '${prev.from}' has ${dim} = ${prev.size}`;
        throw tensorError(s, `shape ${shape} with ${dim} = ${d}, but ${where}`);
      }
      sizes.set(dim, { size: d, from: s.name, index: i });
    });
    const [lo, hi] = tensorRange(s);
    const bad = t.data.findIndex((v) => v < lo || v > hi);
    if (bad >= 0) throw tensorError(s, `${s.name}${showShape(indexOf(t.shape, bad))} = ${t.data[bad]} (values are rejected, not wrapped)`);
  }
}

/** The whole input check of an accelerator: its specs, then the relations between its tensors. */
export function checkInputs<P extends Record<string, ParamValue>>(acc: Pick<Accelerator<P>, 'inputs' | 'checkRelations'>, p: P, inputs: Record<string, Tensor>): void {
  checkTensors(acc.inputs(p), inputs);
  acc.checkRelations?.(p, inputs);
}
