/**
 * Width conversion (SpinalHDL `StreamWidthAdapter`, `StreamFragmentWidthAdapter`):
 *  - `serialize` splits each token of a vector (or a wide bit vector cut into `parts`) into one
 *    narrow token per element, element 0 first, one per cycle;
 *  - `deserialize` gathers `n` narrow tokens into one vector token, first token as element 0.
 * Both keep one token per cycle on the narrow side; the last narrow token of a group passes in the
 * same cycle as the wide one, so neither adds latency beyond the gathering itself.
 */
import { LazyLoc, ParamError, userLoc } from '../errors.ts';
import { uint } from '../builder/ports.ts';
import { cat, mux, select, type Value } from '../builder/value.ts';
import { clog2 } from '../ir/types.ts';
import { noteElement } from './notes.ts';
import { isBits, isVector, payloadWidth, portType, Vec, type PayloadType, type VectorType } from '../builder/payload.ts';
import { streamWire, type Stream } from '../builder/stream.ts';
import { after } from './stream.ts';
import { checkHoldingElement } from './throughput.ts';

function counter(s: Stream, name: string, n: number, advance: Value): { k: Value; last: Value } {
  const m = s.m;
  const k = m.reg(`${name}_k_q`, uint(clog2(n)), { reset: 0 });
  const last = k.eq(n - 1);
  m.when(advance, () => k.set(mux(last, 0, k.add(1).trunc(k.width))));
  return { k, last };
}

/**
 * One token per element of each vector token (or per `parts` slice of a bit-vector token).
 * @param s a stream of vector (or wide bit-vector) tokens
 * @param opts `parts` (slices of a bit-vector token) and `name`
 */
export function serialize<T extends PayloadType>(s: Stream<T>, opts: { parts?: number; name?: string } = {}): Stream<PayloadType> {
  const loc = new LazyLoc();
  let n: number;
  let element: PayloadType;
  if (isVector(s.type)) {
    n = s.type.length;
    element = s.type.element;
  } else {
    n = opts.parts ?? 0;
    const w = payloadWidth(s.type);
    if (!Number.isInteger(n) || n < 1 || w % n !== 0)
      throw new ParamError(`serialize of a ${w}-bit payload needs parts dividing ${w}, got ${opts.parts}`, loc.get(), { field: 'parts', value: opts.parts });
    element = uint(w / n);
  }
  const name = opts.name ?? `${s.name}_ser`;
  const out = streamWire(s.m, name, element, after(s.timing, 0, 0, userLoc()));
  const { k, last } = counter(s, out.name, n, out.valid.and(out.ready));
  const ew = payloadWidth(element);
  const whole = isBits(s.type) ? s.payload.asUInt() : s.payload;
  const parts = Array.from({ length: n }, (_, i) => (n === 1 ? whole : whole.slice((i + 1) * ew - 1, i * ew)));
  const piece = n === 1 ? whole : select(k, parts);
  out.valid.set(s.valid);
  out.payload.set(portType(element).signed ? piece.asSInt() : piece);
  s.ready.set(out.ready.and(last));
  const pathIi = checkHoldingElement(s, 'serialize', n, loc.get());
  noteElement(s.m, { element: 'serialize', name: out.name, latency: 0, ii: 1, capacity: 0, ratio: n, ins: [s.name], outs: [out.name], ...(pathIi ? { pathIi } : {}) });
  return out;
}

/**
 * Gather `n` tokens into one vector token.
 * @param s the input stream
 * @param n tokens gathered per vector
 * @param name name prefix of the output
 */
export function deserialize<T extends PayloadType>(s: Stream<T>, n: number, name?: string): Stream<VectorType<T>> {
  if (!Number.isInteger(n) || n < 1)
    throw new ParamError(`deserialize needs an integer group size >= 1, got ${n}`, new LazyLoc().get(), { field: 'n', value: n });
  const m = s.m;
  const type = Vec(s.type, n);
  const out = streamWire(m, name ?? `${s.name}_des`, type, after(s.timing, n - 1, n - 1, userLoc()));
  const { k, last } = counter(s, out.name, n, s.valid.and(s.ready));
  // Elements 0..n-2 wait in registers; the last one passes straight through.
  const held = Array.from({ length: n - 1 }, (_, i) => m.reg(`${out.name}_e${i}_q`, uint(payloadWidth(s.type))));
  held.forEach((r, i) => m.when(s.valid.and(k.eq(i)), () => r.set(s.payload.asUInt())));
  out.valid.set(s.valid.and(last));
  out.payload.set(cat(s.payload.asUInt(), ...[...held].reverse()));
  s.ready.set(last.not().or(out.ready));
  noteElement(m, { element: 'deserialize', name: out.name, latency: n - 1, ii: 1, capacity: n - 1, ratio: n, ins: [s.name], outs: [out.name] });
  return out;
}
