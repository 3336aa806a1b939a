/**
 * Round-robin arbiter (SpinalHDL `StreamArbiterFactory.roundRobin.transactionLock`): many input
 * streams share one output. The input after the last granted one has the highest priority, so
 * every waiting input is served within n tokens. Once a token is offered, the choice is locked
 * until it fires, so the output obeys the valid/ready rules even when other inputs wake up.
 */
import { LazyLoc, ParamError } from '../errors.ts';
import { bool, uint } from '../build/ports.ts';
import { lit, mux, select, type Value } from '../build/value.ts';
import { clog2 } from '../ir/types.ts';
import { noteElement } from './notes.ts';
import type { PayloadType } from './payload.ts';
import { checkPayload, streamWire, type Stream } from './stream.ts';

export interface Arbitrated<T extends PayloadType> {
  out: Stream<T>;
  /** Index of the input whose token is on the output (meaningful while `out.valid`). */
  chosen: Value;
}

/** Merge `inputs` into one stream, taking turns. */
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
  noteElement(m, { element: 'round_robin_arbiter', name: out.name, latency: 0, ii: 1, capacity: 0, inputs: n });
  return { out, chosen };
}
