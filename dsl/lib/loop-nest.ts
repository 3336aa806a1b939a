/**
 * Loop nests as counter FSMs: the HLS part of the library. A nest of loops with trip counts (fixed,
 * or read from signals when a run starts), strides, start values, an order and an initiation
 * interval becomes a stream of index tuples with `first_<loop>` and `last_<loop>` flags, one tuple
 * per `ii` cycles when the consumer does not stall.
 *
 * Each level keeps an iteration counter (for `last`) and its index register, which steps by the
 * stride, so no multiplier is built. With a `start` stream, each start token launches one run and
 * the counts are sampled from their signals at that moment; the next start is taken in the same
 * cycle as the last tuple of a run, so back-to-back runs have no bubble. Without one, the nest runs
 * forever from reset. A run whose trip count is 0 at the start emits nothing (and costs one cycle).
 */
import { LazyLoc, ParamError, userLoc } from '../errors.ts';
import type { ModuleBuilder, Signal } from '../builder/module.ts';
import { bool, uint } from '../builder/ports.ts';
import { Value, lit } from '../builder/value.ts';
import { bitsFor, type HwType } from '../ir/types.ts';
import { noteElement } from './notes.ts';
import { pack, Record, type PayloadType, type RecordType } from '../builder/payload.ts';
import { streamWire, type Stream } from '../builder/stream.ts';

/** One loop of a `loopNest`: its index name, trip count, stride and start. */
export interface LoopSpec {
  /** Field name of this loop's index in the tuple. */
  name: string;
  /** Trip count: a number >= 1, or an unsigned signal sampled when a run starts. */
  count: number | Value | { readonly width: number; readonly signed: boolean };
  /** Index step (default 1). */
  stride?: number;
  /** First index (default 0). */
  start?: number;
}

/** Options of `loopNest`. */
export interface LoopNestOptions {
  /** Loops, outermost first. */
  loops: readonly LoopSpec[];
  /** Loop names outermost first, to run the same loops in another order (default: as given). */
  order?: readonly string[];
  /** Cycles between tuples (default 1). */
  ii?: number;
  /** One run per token; absent = run forever from reset. */
  start?: Stream;
  /** Index width for loops whose count is a signal (default: enough for the largest count). */
  indexWidth?: number;
  name?: string;
}

/** The tuple type of a nest: each index, then `first_<loop>` and `last_<loop>` flags. */
export type LoopTuple = RecordType<Record<string, PayloadType>>;

/** What `loopNest` returns: the tuple stream, index widths and a busy flag. */
export interface LoopNest {
  out: Stream<LoopTuple>;
  /** Index width of each loop. */
  widths: Record<string, number>;
  /** High while a run is in progress. */
  busy: Value;
}

/**
 * Validated loops in run order, their index widths and the tuple type.
 * @param opts the loops, their order and index width
 */
export function loopTupleType(opts: Pick<LoopNestOptions, 'loops' | 'order' | 'indexWidth'> & { ii?: number }): { loops: LoopSpec[]; widths: Record<string, number>; type: LoopTuple } {
  const loc = new LazyLoc();
  const bad = (field: string, value: unknown, valid: string): never => {
    throw new ParamError(`loopNest ${field} is ${JSON.stringify(value)}; ${valid}`, loc.get(), { field, value });
  };
  if (!Array.isArray(opts.loops) || opts.loops.length === 0) bad('loops', opts.loops, 'give at least one loop');
  const ii = opts.ii ?? 1;
  if (!Number.isInteger(ii) || ii < 1 || ii > 1 << 16) bad('ii', ii, 'an integer from 1 to 65536 is valid');
  const names = opts.loops.map((l) => l.name);
  if (new Set(names).size !== names.length) bad('loops', names, 'loop names must be distinct');
  let loops = [...opts.loops];
  if (opts.order) {
    if (opts.order.length !== names.length || !opts.order.every((n) => names.includes(n)))
      bad('order', opts.order, `a permutation of ${names.join(', ')} is valid`);
    loops = opts.order.map((n) => opts.loops.find((l) => l.name === n)!);
  }
  const widths: Record<string, number> = {};
  for (const l of loops) {
    const stride = l.stride ?? 1;
    const start = l.start ?? 0;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(l.name)) bad(`loops.${l.name}.name`, l.name, 'a letter or _ then letters, digits, _');
    if (!Number.isInteger(stride) || stride < 0) bad(`loops.${l.name}.stride`, stride, 'an integer >= 0 is valid');
    if (!Number.isInteger(start) || start < 0) bad(`loops.${l.name}.start`, start, 'an integer >= 0 is valid');
    if (typeof l.count === 'number') {
      if (!Number.isInteger(l.count) || l.count < 1) bad(`loops.${l.name}.count`, l.count, 'an integer >= 1 or an unsigned signal is valid');
      widths[l.name] = bitsFor(start + (l.count - 1) * stride);
    } else {
      if (l.count.signed) bad(`loops.${l.name}.count`, 'a signed signal', 'counts are unsigned');
      widths[l.name] = opts.indexWidth ?? bitsFor(start + (2 ** l.count.width - 2) * stride);
    }
  }
  const fields: Record<string, PayloadType> = {};
  for (const l of loops) fields[l.name] = uint(widths[l.name]!);
  for (const l of loops) fields[`first_${l.name}`] = bool();
  for (const l of loops) fields[`last_${l.name}`] = bool();
  return { loops, widths, type: Record(fields) };
}

/**
 * Build a loop nest; see the file comment.
 * @param m the module to build in
 * @param opts loops (outermost first), order, II, start stream, name
 */
export function loopNest(m: ModuleBuilder, opts: LoopNestOptions): LoopNest {
  const { loops, widths, type: tupleType } = loopTupleType(opts);
  const ii = opts.ii ?? 1;
  for (const l of loops)
    if (typeof l.count !== 'number' && !(l.count instanceof Value))
      throw new ParamError(`loopNest loops.${l.name}.count must be a number or a hardware value`, new LazyLoc().get(), { field: `loops.${l.name}.count` });
  const base = opts.name ?? m.freshName('loop');
  const here = userLoc();
  // The II travels with the stream, so an element that holds tokens downstream can tell (throughput.ts).
  const out = streamWire(m, base, tupleType, { latency: 0, capacity: 0, loc: here, ...(ii > 1 ? { ii: { cycles: ii, loc: here, element: 'loopNest', capacity: 0 } } : {}) });
  const n = out.name;
  // Without a start stream the nest runs forever: `running` is the constant 1, not a register (a
  // register nothing assigns is an error).
  const running: Value = opts.start ? m.reg(`${n}_running_q`, bool(), { reset: 0 }) : lit(bool(), 1);
  const gap = ii > 1 ? m.reg(`${n}_gap_q`, uint(bitsFor(ii - 1)), { reset: 0 }) : undefined;
  const valid = gap ? running.and(gap.eq(0)) : running;
  const fire = valid.and(out.ready);

  // Per level: iteration counter k (0..count-1), the index register, and the captured count.
  const levels = loops.map((l) => {
    const cw = typeof l.count === 'number' ? bitsFor(l.count) : l.count.width;
    const k = m.reg(`${n}_${l.name}_k_q`, uint(cw), { reset: 0 });
    const idx = m.reg(`${n}_${l.name}_q`, uint(widths[l.name]!), { reset: l.start ?? 0 });
    const count: Value = typeof l.count === 'number' ? lit(uint(cw), l.count) : m.reg(`${n}_${l.name}_count_q`, uint(cw), { reset: 0 });
    const last = k.add(1).eq(count.extend(cw + 1)); // k == count - 1, without wrapping at count 0
    return { spec: l, k, idx, count, last, first: k.eq(0) };
  });
  const allLast = levels.map((l) => l.last).reduce((a, b) => a.and(b));

  out.valid.set(valid);
  const tuple: Record<string, Value> = {};
  for (const l of levels) tuple[l.spec.name] = l.idx;
  for (const l of levels) tuple[`first_${l.spec.name}`] = l.first;
  for (const l of levels) tuple[`last_${l.spec.name}`] = l.last;
  out.payload.set(pack(tupleType, tuple as never));

  const restart = (): void => {
    for (const l of levels) {
      l.k.set(0);
      l.idx.set(l.spec.start ?? 0);
    }
  };
  const step = (): void => {
    // Innermost level steps every tuple; a level steps when every level inside it is at its last.
    levels.forEach((l, i) => {
      const inner = levels.slice(i + 1).map((x) => x.last);
      const wraps = l.last;
      const steps = inner.length ? inner.reduce((a, b) => a.and(b)) : undefined;
      const body = (): void => {
        m.when(wraps, () => {
          l.k.set(0);
          l.idx.set(l.spec.start ?? 0);
        }).otherwise(() => {
          l.k.set(l.k.add(1).trunc(l.k.width));
          l.idx.set(l.idx.add(l.spec.stride ?? 1).trunc(l.idx.width));
        });
      };
      if (steps) m.when(steps, body);
      else body();
    });
  };

  if (opts.start) {
    const start = opts.start;
    const takeStart = running.not().or(fire.and(allLast));
    start.ready.set(takeStart);
    const startFire = start.valid.and(takeStart);
    // Counts from signals are sampled as the run starts; a zero count makes an empty run.
    let anyZero: Value = lit(bool(), 0);
    for (const l of levels) if (typeof l.spec.count !== 'number') anyZero = anyZero.or((l.spec.count as Value).eq(0));
    m.when(startFire, () => {
      for (const l of levels) if (typeof l.spec.count !== 'number') (l.count as Signal).set(l.spec.count as Value);
      restart();
      (running as Signal).set(anyZero.not());
    }).elsewhen(fire, () => {
      step();
      m.when(allLast, () => (running as Signal).set(0));
    });
  } else {
    for (const l of levels) if (typeof l.spec.count !== 'number') (l.count as Signal).set(l.spec.count as Value);
    m.when(fire, step);
  }
  if (gap) m.when(fire, () => gap.set(ii - 1)).elsewhen(gap.ne(0), () => gap.set(gap.sub(1).trunc(gap.width)));
  noteElement(m, { element: 'loop_nest', name: n, latency: 0, ii, capacity: 0, loops: loops.map((l) => l.name),
    // The constant bounds, so a token-level model can replay the nest (null: a count from a signal).
    bounds: loops.map((l) => ({ name: l.name, count: typeof l.count === 'number' ? l.count : null, start: l.start ?? 0, stride: l.stride ?? 1 })),
    ...(opts.start ? { ins: [opts.start.name] } : {}), outs: [out.name] });
  return { out, widths, busy: running };
}

/** An affine address `base + sum(coef * index)` over a loop tuple (see `affineAddress`). */
export interface AffineSpec {
  /** Non-negative coefficient per loop index; missing loops contribute 0. */
  coefficients: Record<string, number>;
  /** Constant offset (default 0). */
  base?: number;
  /** Address width; the sum wraps to it. */
  width: number;
}

/**
 * `base + Σ c·index` from a tuple's fields, built from shifts and adds (no multipliers).
 * @param fields the tuple's fields (index values)
 * @param spec base, coefficients and address width
 */
export function affineAddress(fields: Record<string, Value>, spec: AffineSpec): Value {
  const loc = new LazyLoc();
  const t: HwType = uint(spec.width);
  let sum: Value = lit(t, BigInt.asUintN(spec.width, BigInt(spec.base ?? 0)));
  for (const [name, c] of Object.entries(spec.coefficients)) {
    const x = fields[name];
    if (!x) throw new ParamError(`affine address names loop '${name}', which the tuple does not have (${Object.keys(fields).join(', ')})`, loc.get(), { field: `coefficients.${name}` });
    if (!Number.isSafeInteger(c) || c < 0) throw new ParamError(`affine coefficient of '${name}' must be an integer >= 0, got ${c}`, loc.get(), { field: `coefficients.${name}`, value: c });
    for (let b = 0; 2 ** b <= c; b++)
      if (Math.floor(c / 2 ** b) % 2 === 1) {
        const term = x.asUInt().shl(b);
        sum = sum.add(term.width > spec.width ? term.trunc(spec.width) : term.extend(spec.width)).trunc(spec.width);
      }
  }
  return sum;
}

/**
 * A stream of addresses (record `{ addr, ...flags }`) from a loop nest's tuples. Latency 0.
 * @param nest the tuple stream of a loop nest
 * @param spec the affine address
 * @param name name prefix of the address stream
 */
export function addressStream(nest: Stream<LoopTuple>, spec: AffineSpec, name?: string): Stream<LoopTuple> {
  const flags = Object.entries(nest.type.fields).filter(([f]) => f.startsWith('first_') || f.startsWith('last_'));
  const outType = Record({ addr: uint(spec.width), ...Object.fromEntries(flags) });
  const out = streamWire(nest.m, name ?? `${nest.name}_addr`, outType, nest.timing);
  const f = nest.fields as Record<string, Value>;
  out.valid.set(nest.valid);
  out.payload.set(pack(outType, { addr: affineAddress(f, spec), ...Object.fromEntries(flags.map(([k]) => [k, f[k]!])) } as never));
  nest.ready.set(out.ready);
  noteElement(nest.m, { element: 'address_stream', name: out.name, latency: 0, ii: 1, capacity: 0, coefficients: spec.coefficients, base: spec.base ?? 0, ins: [nest.name], outs: [out.name] });
  return out;
}


