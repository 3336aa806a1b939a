/**
 * Fork and join (SpinalHDL `StreamFork`, `StreamJoin`).
 *  - `fork(s, n)` is eager: each output takes the token as soon as it is ready, and a register per
 *    output remembers who already has it; the input moves on when every output has taken it.
 *    Outputs never wait for each other, and `valid` never depends on another output's `ready`.
 *  - `fork(s, n, { lazy: true })` offers the token only when all outputs are ready at once (no
 *    state, but an output's `valid` then depends on the other outputs' `ready`).
 *  - `join` waits for a token on every input and emits one record (or one vector) of them.
 *
 * Join also checks timing: inputs that reconverge with different latencies need buffering on the
 * faster input as large as the slower path's (counted at full rate: a FIFO of depth d holds d - 1); otherwise the join stalls its producers every token
 * (and a producer that cannot wait deadlocks: the classic dataflow deadlock). That is reported as a
 * design warning naming the join and both inputs' source lines.
 */
import { LazyLoc, ParamError, formatLoc, userLoc } from '../errors.ts';
import { bool } from '../builder/ports.ts';
import type { Value } from '../builder/value.ts';
import { noteElement, warnDesign } from './notes.ts';
import { pack, Record, Vec, type Fields, type PayloadType, type RecordType, type VectorType } from '../builder/payload.ts';
import { checkPayload, streamWire, type Stream, type StreamTiming } from '../builder/stream.ts';

/**
 * Split a stream into `n` copies; every copy sees every token.
 * @param s the stream to copy
 * @param n number of copies
 * @param opts `lazy`: each copy takes the token independently (else all at once); `name`
 */
export function fork<T extends PayloadType>(s: Stream<T>, n: number, opts: { lazy?: boolean; name?: string } = {}): Stream<T>[] {
  if (!Number.isInteger(n) || n < 1)
    throw new ParamError(`fork needs an integer number of outputs >= 1, got ${n}`, new LazyLoc().get(), { field: 'n', value: n });
  const m = s.m;
  const base = opts.name ?? `${s.name}_fork`;
  const loc = userLoc();
  const timing: StreamTiming = { ...s.timing, loc };
  const outs = Array.from({ length: n }, (_, i) => streamWire(m, `${base}${i}`, s.type, timing));
  for (const o of outs) o.payload.set(s.payload);
  if (opts.lazy) {
    const allReady = outs.map((o) => o.ready as Value).reduce((a, b) => a.and(b));
    outs.forEach((o, i) => {
      const others = outs.filter((_, j) => j !== i).map((x) => x.ready as Value);
      o.valid.set(others.length ? s.valid.and(others.reduce((a, b) => a.and(b))) : s.valid);
    });
    s.ready.set(allReady);
  } else {
    const taken = outs.map((o) => m.reg(`${o.name}_taken_q`, bool(), { reset: 0 }));
    outs.forEach((o, i) => o.valid.set(s.valid.and(taken[i]!.not())));
    const done = outs.map((o, i) => taken[i]!.or(o.ready)).reduce((a, b) => a.and(b));
    s.ready.set(done);
    outs.forEach((o, i) => {
      m.when(s.valid.and(done), () => taken[i]!.set(0)).elsewhen(o.valid.and(o.ready), () => taken[i]!.set(1));
    });
  }
  noteElement(m, { element: opts.lazy ? 'fork_lazy' : 'fork', name: base, latency: 0, ii: 1, capacity: 0, outputs: n, loc, ins: [s.name], outs: outs.map((o) => o.name) });
  return outs;
}

/**
 * Warn when reconverging inputs differ in latency and the faster one cannot buffer the difference.
 * @param m the module to warn in
 * @param inputs the reconverging streams by name
 * @param what the element named in the warning
 */
export function checkJoinTiming(m: Stream['m'], inputs: Record<string, Stream>, what: string): void {
  const entries = Object.entries(inputs);
  const slowest = entries.reduce((a, b) => (b[1].timing.latency > a[1].timing.latency ? b : a));
  const [slowName, slow] = slowest;
  const here = userLoc();
  for (const [name, s] of entries) {
    if (s.timing.latency >= slow.timing.latency || s.timing.capacity >= slow.timing.capacity) continue;
    const need = slow.timing.capacity - s.timing.capacity;
    warnDesign(
      m,
      `${what} joins '${name}' (latency ${s.timing.latency}, buffers ${s.timing.capacity}; made at ${formatLoc(s.timing.loc)}) ` +
        `with '${slowName}' (latency ${slow.timing.latency}, buffers ${slow.timing.capacity}; made at ${formatLoc(slow.timing.loc)}): ` +
        `'${name}' arrives ${slow.timing.latency - s.timing.latency} cycles early and cannot wait, so the join stalls its producers ` +
        `(throughput drops; a producer that cannot stall deadlocks). Buffer ${need} more token${need === 1 ? '' : 's'} on '${name}', e.g. queue(${name}, ${need + 1}).`,
      [here, s.timing.loc, slow.timing.loc],
    );
  }
}

type Joined<S extends Record<string, Stream>> = RecordType<{ [K in keyof S]: S[K]['type'] }>;

/**
 * Wait for one token on every input; emit them together as a record `{ name: payload }`.
 * @param inputs streams by field name
 * @param name name prefix of the joined stream
 */
export function join<S extends Record<string, Stream>>(inputs: S, name?: string): Stream<Joined<S>> {
  const entries = Object.entries(inputs);
  if (entries.length === 0) throw new ParamError('join needs at least one input stream, got {}', new LazyLoc().get(), { field: 'inputs' });
  const m = entries[0]![1].m;
  checkJoinTiming(m, inputs, 'join');
  const type = Record(Object.fromEntries(entries.map(([k, s]) => [k, s.type]))) as Joined<S>;
  const slow = entries.reduce((a, b) => (b[1].timing.latency > a[1].timing.latency ? b : a))[1];
  const out = streamWire(m, name ?? 'join', type, { ...slow.timing, loc: userLoc() });
  const allValid = entries.map(([, s]) => s.valid).reduce((a, b) => a.and(b));
  out.valid.set(allValid);
  out.payload.set(pack(type, Object.fromEntries(entries.map(([k, s]) => [k, s.fields])) as Fields<Joined<S>>));
  for (const [, s] of entries) s.ready.set(allValid.and(out.ready));
  noteElement(m, { element: 'join', name: out.name, latency: 0, ii: 1, capacity: 0, inputs: entries.map(([k]) => k), ins: entries.map(([, s]) => s.name), outs: [out.name] });
  return out;
}

/**
 * Join streams of one payload type into a vector (input 0 is element 0).
 * @param inputs streams of one payload type
 * @param name name prefix of the joined stream
 */
export function joinVector<T extends PayloadType>(inputs: readonly Stream<T>[], name?: string): Stream<VectorType<T>> {
  if (inputs.length === 0) throw new ParamError('joinVector needs at least one input stream', new LazyLoc().get(), { field: 'inputs' });
  for (const s of inputs) checkPayload(s, inputs[0]!.type, 'joinVector');
  const m = inputs[0]!.m;
  checkJoinTiming(m, Object.fromEntries(inputs.map((s, i) => [`${i}`, s])), 'joinVector');
  const type = Vec(inputs[0]!.type, inputs.length);
  const slow = inputs.reduce((a, b) => (b.timing.latency > a.timing.latency ? b : a));
  const out = streamWire(m, name ?? 'join', type, { ...slow.timing, loc: userLoc() });
  const allValid = inputs.map((s) => s.valid).reduce((a, b) => a.and(b));
  out.valid.set(allValid);
  out.payload.set(pack(type, inputs.map((s) => s.fields) as Fields<VectorType<T>>));
  for (const s of inputs) s.ready.set(allValid.and(out.ready));
  noteElement(m, { element: 'join', name: out.name, latency: 0, ii: 1, capacity: 0, inputs: inputs.length, ins: inputs.map((s) => s.name), outs: [out.name] });
  return out;
}
