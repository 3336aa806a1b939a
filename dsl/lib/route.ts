/**
 * Steering tokens between streams (SpinalHDL `StreamMux`, `StreamDemux`, `StreamArbiter`).
 *  - `streamMux(sel, inputs)` passes input `sel` through; the others wait. `sel` may be a signal
 *    (keep it stable while a token waits) or a stream of indices, one consumed per token, which
 *    is how an FSM or a loop nest schedules a merge.
 *  - `streamDemux(s, sel, n)` sends each token to output `sel` (a signal, typically a payload
 *    field, so it is stable for as long as the token waits).
 *  - `roundRobinArbiter(inputs)` merges streams taking turns (`StreamArbiterFactory.roundRobin
 *    .transactionLock`): the input after the last granted one has the highest priority, so every
 *    waiting input is served within n tokens, and once a token is offered the choice is locked
 *    until it fires, so the output obeys the valid/ready rules even when other inputs wake up.
 */
import { LazyLoc, ParamError } from '../errors.ts';
import { Value, lit, mux, select } from '../builder/value.ts';
import { bool, uint } from '../builder/ports.ts';
import { clog2, showType } from '../ir/types.ts';
import { noteElement } from './notes.ts';
import type { PayloadType } from '../builder/payload.ts';
import { StreamSource, checkPayload, streamWire, type Stream } from '../builder/stream.ts';

function checkSel(sel: Value, n: number, what: string): void {
  if (sel.signed || 2 ** sel.width < n)
    throw new ParamError(`${what} select must be unsigned and at least ${clog2(n)} bits for ${n} ways, got ${showType(sel.type)}`, new LazyLoc().get(), { field: 'sel' });
}

/**
 * Pass through input `sel` (a signal, or a stream of indices consumed one per token).
 * @param sel the input index: a signal, or a stream of indices
 * @param inputs the streams to choose from
 * @param name name prefix of the output
 */
export function streamMux<T extends PayloadType>(sel: Value | Stream, inputs: readonly Stream<T>[], name?: string): Stream<T> {
  const n = inputs.length;
  if (n < 1) throw new ParamError('streamMux needs at least one input stream, got 0', new LazyLoc().get(), { field: 'inputs' });
  for (const s of inputs) checkPayload(s, inputs[0]!.type, 'streamMux');
  const m = inputs[0]!.m;
  const index = sel instanceof StreamSource ? sel.payload : sel;
  checkSel(index, n, 'streamMux');
  const slow = inputs.reduce((a, b) => (b.timing.latency > a.timing.latency ? b : a));
  const out = streamWire(m, name ?? 'mux', inputs[0]!.type, slow.timing);
  // An index past the last input selects nothing (valid 0), so no token is duplicated or lost.
  const chosenValid = select(index, [...inputs.map((s) => s.valid), ...(2 ** index.width > n ? [lit(bool(), 0)] : [])]);
  const selValid = sel instanceof StreamSource ? sel.valid : undefined;
  out.valid.set(selValid ? selValid.and(chosenValid) : chosenValid);
  out.payload.set(select(index, inputs.map((s) => s.payload)));
  const go = selValid ? out.ready.and(selValid) : out.ready;
  inputs.forEach((s, i) => s.ready.set(go.and(index.eq(i))));
  if (sel instanceof StreamSource) sel.ready.set(out.valid.and(out.ready));
  noteElement(m, { element: 'stream_mux', name: out.name, latency: 0, ii: 1, capacity: 0, inputs: n,
    ...(sel instanceof StreamSource ? { select: sel.name } : {}), ins: [...(sel instanceof StreamSource ? [sel.name] : []), ...inputs.map((s) => s.name)], outs: [out.name] });
  return out;
}

/**
 * Send each token of `s` to output `sel` of `n`.
 * @param s the input stream
 * @param sel the output index of the current token
 * @param n number of outputs
 * @param name name prefix of the outputs
 */
export function streamDemux<T extends PayloadType>(s: Stream<T>, sel: Value, n: number, name?: string): Stream<T>[] {
  if (!Number.isInteger(n) || n < 1) throw new ParamError(`streamDemux needs an integer number of outputs >= 1, got ${n}`, new LazyLoc().get(), { field: 'n', value: n });
  checkSel(sel, n, 'streamDemux');
  const base = name ?? `${s.name}_demux`;
  const outs = Array.from({ length: n }, (_, i) => streamWire(s.m, `${base}${i}`, s.type, s.timing));
  outs.forEach((o, i) => {
    o.valid.set(s.valid.and(sel.eq(i)));
    o.payload.set(s.payload);
  });
  // An index past the last output holds the token (ready 0) rather than dropping it.
  s.ready.set(select(sel, [...outs.map((o) => o.ready as Value), ...(2 ** sel.width > n ? [lit(bool(), 0)] : [])]));
  noteElement(s.m, { element: 'stream_demux', name: base, latency: 0, ii: 1, capacity: 0, outputs: n, ins: [s.name], outs: outs.map((o) => o.name) });
  return outs;
}

/**
 * Where a round-robin arbiter keeps its lock (a token offered and not yet taken stays with its
 * input), by signal name, so the formal harness can state the invariants k-induction needs.
 */
export interface ArbiterState {
  locked: string;
  lockIdx: string;
}

/** The lock registers of each arbiter, by its element note (kept out of the note: manifests stay as they were). */
const arbiterStates = new WeakMap<object, ArbiterState>();

/**
 * The lock registers a round-robin arbiter recorded for its element note.
 * @param note an element note
 */
export function arbiterState(note: object): ArbiterState | undefined {
  return arbiterStates.get(note);
}

/** What `roundRobinArbiter` returns: the merged stream and the index of the input each token came from. */
export interface Arbitrated<T extends PayloadType> {
  out: Stream<T>;
  /** Index of the input whose token is on the output (meaningful while `out.valid`). */
  chosen: Value;
}

/**
 * Merge `inputs` into one stream, taking turns.
 * @param inputs the streams to merge
 * @param name name prefix of the output
 */
export function roundRobinArbiter<T extends PayloadType>(inputs: readonly Stream<T>[], name?: string): Arbitrated<T> {
  const n = inputs.length;
  if (n < 1) throw new ParamError('roundRobinArbiter needs at least one input stream, got 0', new LazyLoc().get(), { field: 'inputs' });
  for (const s of inputs) checkPayload(s, inputs[0]!.type, 'roundRobinArbiter');
  const m = inputs[0]!.m;
  const slow = inputs.reduce((a, b) => (b.timing.latency > a.timing.latency ? b : a));
  const out = streamWire(m, name ?? 'arbiter', inputs[0]!.type, slow.timing);
  const iw = clog2(n);
  const idxT = uint(iw);
  const prio = m.reg(`${out.name}_prio_q`, idxT, { reset: 0 });
  const locked = m.reg(`${out.name}_locked_q`, bool(), { reset: 0 });
  const lockIdx = m.reg(`${out.name}_lock_idx_q`, idxT, { reset: 0 });
  // Lowest valid input at or after `prio`, else the lowest valid input overall.
  const lowest = (bits: Value[]): Value => {
    let idx: Value = lit(idxT, 0);
    for (let i = n - 1; i >= 0; i--) idx = mux(bits[i]!, lit(idxT, i), idx);
    return idx;
  };
  const valids = inputs.map((s) => s.valid);
  const upper = valids.map((v, i) => v.and(prio.le(i)));
  const anyUpper = upper.reduce((a, b) => a.or(b));
  const pick = mux(anyUpper, lowest(upper), lowest(valids));
  const chosen = mux(locked, lockIdx, pick).named(`${out.name}_chosen`);
  out.valid.set(locked.or(valids.reduce((a, b) => a.or(b))));
  out.payload.set(n === 1 ? inputs[0]!.payload : select(chosen, inputs.map((s) => s.payload)));
  inputs.forEach((s, i) => s.ready.set(out.ready.and(chosen.eq(i))));
  const fire = out.valid.and(out.ready);
  const next = n === 1 || 2 ** iw === n ? chosen.add(1).trunc(iw) : mux(chosen.eq(n - 1), 0, chosen.add(1).trunc(iw));
  m.when(fire, () => {
    prio.set(next);
    locked.set(0);
  }).elsewhen(out.valid, () => {
    locked.set(1);
    lockIdx.set(chosen);
  });
  const note = noteElement(m, { element: 'round_robin_arbiter', name: out.name, latency: 0, ii: 1, capacity: 0, inputs: n, ins: inputs.map((s) => s.name), outs: [out.name] });
  arbiterStates.set(note, { locked: locked.name, lockIdx: lockIdx.name });
  return { out, chosen };
}
