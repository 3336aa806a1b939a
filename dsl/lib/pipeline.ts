/**
 * Pipelined stream functions (SpinalHDL `Pipeline`, Chisel `Pipe` with back-pressure): a list of
 * stage functions with a register stage after each. Values passed between stages are any nesting
 * of arrays and records of hardware values (a "bundle"); every leaf gets its own register.
 *
 * Each stage has a valid register and loads when it is empty or when the stage after it moves, so
 * bubbles collapse and a stalled output fills the pipeline before the input stops: latency =
 * number of stages, capacity = number of stages, one token per cycle. The ready path runs
 * combinationally back through the stages (put a `backwardSlice` in front to cut it).
 */
import { LazyLoc, ParamError, userLoc } from '../errors.ts';
import type { ModuleBuilder } from '../builder/module.ts';
import { bool } from '../builder/ports.ts';
import { Value, mux } from '../builder/value.ts';
import { noteElement } from './notes.ts';
import { pack, type Fields, type PayloadType } from '../builder/payload.ts';
import { streamWire, type Stream } from '../builder/stream.ts';
import { after } from './stream.ts';

/** Hardware values in any nesting of arrays and records. */
export type Bundle = Value | readonly Bundle[] | { readonly [k: string]: Bundle };

/**
 * Register every leaf of a bundle (loading where `enable` holds). One-bit leaves are flags (valid,
 * first, last) and reset to 0, so nothing downstream sees a token that was never sent after a
 * reset; wider leaves are data and have no reset: only a flag says when they are read, and a reset
 * on every datapath bit costs logic and routing for nothing (as in SpinalHDL's `Reg` vs `RegInit`).
 * @param m the module to build in
 * @param prefix name prefix of the registers
 * @param b the values to register (a value, array or object of values)
 * @param enable clock enable
 */
export function registerBundle<B extends Bundle>(m: ModuleBuilder, prefix: string, b: B, enable: Value): B {
  if (b instanceof Value) {
    const r = m.reg(m.freshName(prefix), b.type, b.width === 1 ? { reset: 0 } : {});
    m.when(enable, () => r.set(b));
    return r as unknown as B;
  }
  if (Array.isArray(b)) return b.map((x, i) => registerBundle(m, `${prefix}_${i}`, x, enable)) as unknown as B;
  return Object.fromEntries(Object.entries(b).map(([k, x]) => [k, registerBundle(m, `${prefix}_${k}`, x as Bundle, enable)])) as B;
}

/**
 * Run `stages` on every token with a register after each stage. The first stage gets the input's
 * fields; the last must return fields of `outType`. `pipelineMap(s, outType, [f])` is one stage.
 * @param s the input stream
 * @param outType the payload type of the result
 * @param stages one function per pipeline stage, each from the previous stage's bundle
 * @param name name prefix (default derived from `s`)
 */
export function pipelineMap<T extends PayloadType, U extends PayloadType>(
  s: Stream<T>, outType: U, stages: readonly ((x: any) => Bundle)[], name?: string, // eslint-disable-line @typescript-eslint/no-explicit-any
): Stream<U> {
  if (stages.length === 0) throw new ParamError('pipelineMap needs at least one stage function, got 0', new LazyLoc().get(), { field: 'stages' });
  const m = s.m;
  const n = stages.length;
  const out = streamWire(m, name ?? `${s.name}_pipe`, outType, after(s.timing, n, n, userLoc()));
  const valids = stages.map((_, i) => m.reg(`${out.name}_s${i}_valid_q`, bool(), { reset: 0 }));
  // advance[i]: stage i may load this cycle (it is empty, or its token moves on).
  const advance: Value[] = new Array(n);
  let downstream: Value = out.ready;
  for (let i = n - 1; i >= 0; i--) {
    advance[i] = valids[i]!.not().or(downstream).named(`${out.name}_s${i}_advance`);
    downstream = advance[i]!;
  }
  s.ready.set(advance[0]!);
  let value: Bundle = s.fields as Bundle;
  let prevValid: Value = s.valid;
  stages.forEach((f, i) => {
    value = registerBundle(m, `${out.name}_s${i}`, f(value), advance[i]!);
    m.when(advance[i]!, () => valids[i]!.set(prevValid));
    prevValid = valids[i]!;
  });
  out.valid.set(valids[n - 1]!);
  out.payload.set(pack(outType, value as Fields<U>));
  noteElement(m, { element: 'pipeline', name: out.name, latency: n, ii: 1, capacity: n, stages: n, ins: [s.name], outs: [out.name] });
  return out;
}

/** A reduction operator: 'add' (each level grows one bit), 'max', 'min', or any associative function. */
export type ReduceOp = 'add' | 'max' | 'min' | ((a: Value, b: Value) => Value);

function combine(op: ReduceOp, a: Value, b: Value): Value {
  const w = Math.max(a.width, b.width);
  const [x, y] = [a.extend(w), b.extend(w)];
  if (op === 'add') return x.add(y);
  if (op === 'max') return mux(x.gt(y), x, y);
  if (op === 'min') return mux(x.lt(y), x, y);
  return op(x, y);
}

/**
 * One level of a balanced tree: pairs combined, an odd last value carried (widened to match).
 * @param values the level's inputs
 * @param op the combining operator
 */
export function reduceLevel(values: readonly Value[], op: ReduceOp): Value[] {
  const next: Value[] = [];
  for (let i = 0; i + 1 < values.length; i += 2) next.push(combine(op, values[i]!, values[i + 1]!));
  if (values.length % 2) next.push(values[values.length - 1]!);
  const w = Math.max(...next.map((v) => v.width));
  return next.map((v) => (v.width < w ? v.extend(w) : v));
}

/**
 * Levels of a balanced tree over `n` leaves: ceil(log2 n).
 * @param n number of leaves
 */
export function treeDepth(n: number): number {
  return n <= 1 ? 0 : Math.ceil(Math.log2(n));
}

/**
 * Combinational balanced reduction tree.
 * @param values the leaves
 * @param op the combining operator
 */
export function reductionTree(values: readonly Value[], op: ReduceOp): Value {
  if (values.length === 0) throw new ParamError('reductionTree needs at least one value, got 0', new LazyLoc().get(), { field: 'values' });
  let level = [...values];
  while (level.length > 1) level = reduceLevel(level, op);
  return level[0]!;
}

/**
 * A reduction tree over the elements of each vector token, with a register stage after every
 * `levelsPerStage` levels (1 = fully pipelined; >= depth = one stage). Latency = number of stages.
 * @param s a stream of vector tokens
 * @param outType the payload type of the result
 * @param op the combining operator
 * @param opts `levelsPerStage` (tree levels between registers) and `name`
 */
export function reduceStream(s: Stream, outType: PayloadType, op: ReduceOp, opts: { levelsPerStage?: number; name?: string } = {}): Stream<PayloadType> {
  const per = opts.levelsPerStage ?? 1;
  if (!Number.isInteger(per) || per < 1)
    throw new ParamError(`reduceStream levelsPerStage must be an integer >= 1, got ${per}`, new LazyLoc().get(), { field: 'levelsPerStage', value: per });
  const leaves = s.fields as unknown;
  if (!Array.isArray(leaves)) throw new ParamError(`reduceStream needs a stream of vectors, got '${s.name}'`, new LazyLoc().get(), { field: 's' });
  const depth = treeDepth(leaves.length);
  const stageCount = Math.max(1, Math.ceil(depth / per));
  const stages = Array.from({ length: stageCount }, (_, i) => (x: Value[]) => {
    let level = x;
    for (let l = 0; l < per && level.length > 1; l++) level = reduceLevel(level, op);
    return i === stageCount - 1 ? level[0]! : level;
  });
  return pipelineMap(s, outType, stages, opts.name ?? `${s.name}_reduce`);
}
