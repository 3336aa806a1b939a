/**
 * A sliding window on a stream (a tapped delay line): each input token, once `n - 1` tokens came
 * before it, leaves as a vector of the last `n` tokens, element 0 the current one and element k the
 * token k steps earlier: `y = window(x, 8)` is the x[t - k] of an 8-tap FIR. The first `n - 1` tokens
 * only fill the window (they are consumed without an output token); then one vector leaves per input
 * token, in the cycle the token arrives (latency 0, one token per cycle).
 */
import { LazyLoc, ParamError, userLoc } from '../errors.ts';
import { uint } from '../builder/ports.ts';
import { cat } from '../builder/value.ts';
import { bitsFor } from '../ir/types.ts';
import { noteElement } from './notes.ts';
import { payloadWidth, Vec, type PayloadType, type VectorType } from '../builder/payload.ts';
import { streamWire, type Stream } from '../builder/stream.ts';
import { after } from './stream.ts';

/**
 * The last `n` tokens of `s` as one vector token per input token (element 0 the newest).
 * @param s the input stream
 * @param n window length, >= 1 (taps of a FIR)
 * @param name name prefix of the output (default `<input>_win`)
 */
export function window<T extends PayloadType>(s: Stream<T>, n: number, name?: string): Stream<VectorType<T>> {
  if (!Number.isInteger(n) || n < 1)
    throw new ParamError(`window needs an integer length >= 1, got ${n}`, new LazyLoc().get(), { field: 'n', value: n });
  const m = s.m;
  const out = streamWire(m, name ?? `${s.name}_win`, Vec(s.type, n), after(s.timing, 0, 0, userLoc()));
  // History: h[0] the previous token, h[k] the one k + 1 steps back. Data only: no reset (the fill
  // count, which resets, says when they are valid).
  const history = Array.from({ length: n - 1 }, (_, k) => m.reg(`${out.name}_h${k}_q`, uint(payloadWidth(s.type))));
  const filled = n > 1 ? m.reg(`${out.name}_filled_q`, uint(bitsFor(n - 1)), { reset: 0 }) : undefined;
  const full = filled ? filled.eq(n - 1) : undefined;
  const fire = s.valid.and(s.ready);
  m.when(fire, () => {
    history.forEach((h, k) => h.set(k === 0 ? s.payload.asUInt() : history[k - 1]!));
    if (filled && full) m.when(full.not(), () => filled.set(filled.add(1).trunc(filled.width)));
  });
  out.valid.set(full ? s.valid.and(full) : s.valid);
  // Element 0 is the least significant: the current token last in the concatenation.
  out.payload.set(n > 1 ? cat(...[...history].reverse(), s.payload.asUInt()) : s.payload.asUInt());
  s.ready.set(full ? out.ready.or(full.not()) : out.ready);
  noteElement(m, { element: 'window', name: out.name, latency: 0, ii: 1, capacity: 0, length: n });
  return out;
}
