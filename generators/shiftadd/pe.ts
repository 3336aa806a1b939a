/**
 * The three processing elements, as combinational functions from one activation lane and one
 * weight lane to a signed term of `termWidth` bits (the same formula the golden kernel derives):
 *
 * - mul:   x · w                                    (a multiplier; DSP or LUTs)
 * - shift: ±(x << (P − e)), w = {sign, e}           (a sign select and a barrel shifter)
 * - adder: −|x − w|                                 (a subtractor and an absolute value)
 *
 * The accumulating adder of each PE is the row's adder tree in `array.ts`.
 */
import { In, Out, Record, module, s, mux, payloadWidth, portType, sint, uint, u, unpack, type HwType, type PayloadType, type RecordType, type Value } from '../../dsl/index.ts';
import { termWidth, type PeKind } from './widths.ts';

/** What a PE needs to know: its kind and the widths of its operands. */
export interface PeConfig {
  kind: PeKind;
  xWidth: number;
  /** Weight width of mul and adder PEs. */
  wWidth: number;
  /** Largest exponent of a shift PE (2^expBits − 1). */
  p: number;
  expBits: number;
}

/** A shift weight lane: the sign bit (1 = negative) above the exponent e ∈ 0..P. */
export function shiftLaneType(expBits: number): RecordType<{ sign: HwType; exp: HwType }> {
  return Record({ sign: uint(1), exp: uint(expBits) });
}

/** A weight lane of the weight stream: a signed weight, or {sign, exp} for shift PEs. */
export function weightLanePayload(c: PeConfig): PayloadType {
  return c.kind === 'shift' ? shiftLaneType(c.expBits) : sint(c.wWidth);
}

/** Bits of one weight lane in the weight stream. */
export function weightLaneWidth(c: PeConfig): number {
  return payloadWidth(weightLanePayload(c));
}

/** The type of a weight lane as it sits in a register: the signed weight, or {sign, e} packed. */
export function weightLaneType(c: PeConfig): HwType {
  return portType(weightLanePayload(c));
}

export function peTermWidth(c: PeConfig): number {
  return termWidth(c.kind, c.xWidth, c.wWidth, c.p);
}

/** One PE's term for activation `x` (sint(xWidth)) and weight lane `w` (weightLaneType). */
export function peTerm(c: PeConfig, x: Value, w: Value): Value {
  const tw = peTermWidth(c);
  if (c.kind === 'mul') return x.mul(w);
  if (c.kind === 'shift') {
    const { sign, exp: e } = unpack(shiftLaneType(c.expBits), w);
    // P − e with e ≤ P (inputs are range-checked) fits the exponent field.
    const amount = u(c.expBits, c.p).sub(e).trunc(c.expBits);
    // x << P fits xWidth + P bits, so the barrel shifter never drops a significant bit.
    const shifted = x.extend(c.xWidth + c.p).shlBy(amount);
    return mux(sign, shifted.neg(), shifted.extend(tw));
  }
  const mw = Math.max(c.xWidth, c.wWidth);
  // |x − w| ≤ 2^mw − 1 fits mw unsigned bits; its negation fits mw + 1 signed bits.
  const magnitude = x.extend(mw).sub(w.extend(mw)).abs().trunc(mw);
  return s(tw, 0).sub(magnitude.toSigned()).trunc(tw);
}

/**
 * One PE with its own accumulator (acc += term on `valid`, `clear` first), the unit that the
 * synthesis benchmark sizes for each kind: in the array the accumulating adders are the row trees.
 */
export function createPe(c: PeConfig, accBits: number) {
  const weight = c.kind === 'shift' ? `p${c.p}` : `w${c.wWidth}`;
  return module(`shiftadd_pe_${c.kind}_x${c.xWidth}_${weight}_a${accBits}`, {
    x: In(sint(c.xWidth)),
    w: In(weightLaneType(c)),
    valid: In(uint(1)),
    clear: In(uint(1)),
    acc: Out(sint(accBits)),
  }, (io, m) => {
    const acc = m.reg('acc_q', sint(accBits), { reset: 0 });
    m.when(io.clear, () => acc.set(0))
      .elsewhen(io.valid, () => acc.set(acc.add(peTerm(c, io.x, io.w).extend(accBits)).trunc(accBits)));
    io.acc.set(acc);
  });
}
