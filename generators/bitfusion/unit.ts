/**
 * One fused unit (Bit Fusion style): 16 bricks, each a signed 3×3-bit multiplier of two 2-bit digits
 * (a digit is signed when it is the top digit of its element, else unsigned), then a two-level
 * shift-add. The bricks are grouped in fours: group g = b >> 2, brick (i, j) = ((b >> 1) & 1, b & 1)
 * within it.
 *   2-bit mode: brick b multiplies digit b of a by digit b of w (sixteen int2 products), no shifts.
 *   4-bit mode: group g is element g's 4×4 product: digits 2g + i of a, 2g + j of w, shifted by 2(i + j).
 *   8-bit mode: group g = (I, J) = (g >> 1, g & 1) is the 4×4 product of a's nibble I and w's nibble J
 *               (only the top nibble signed), shifted by 4(I + J); the four groups make one 8×8 product.
 * The unit's output is the sum of its products that cycle (1, 4 or 16 of them): what a dot product
 * needs, so no product leaves the unit on its own. At each level the two terms of equal weight
 * (bricks or groups (0, 1) and (1, 0)) are added before their one shift mux, so a level has two
 * mode muxes, not four (724 instead of 810 LUT4 for a one-unit array, yosys synth_ice40). Each
 * operand digit is a 3:1 mux over the modes, folded where two modes take the same digit.
 */
import { cat, lit, mux, sumTree, uint } from '../../dsl/index.ts';
import type { Value } from '../../dsl/index.ts';

/** Width of a unit's output: |Σ| ≤ 2^14 (one −128·−128), 4·2^6 or 16·2^2. */
export const UNIT_OUT_WIDTH = 16;

/** The digit a brick takes in each mode, and whether it is signed there, for operand side `side`. */
function brickDigit(b: number, side: 'a' | 'w'): { idx: [number, number, number]; signed: [boolean, boolean, boolean] } {
  const g = b >> 2;
  const lo = side === 'a' ? (b >> 1) & 1 : b & 1;
  const hi = side === 'a' ? g >> 1 : g & 1;
  return { idx: [b, 2 * g + lo, 2 * hi + lo], signed: [true, lo === 1, lo === 1 && hi === 1] };
}

/** A digit as a signed 3-bit value: sign-extended when `signed` is set, zero-extended otherwise. */
function brickOperand(d: Value, signed: Value): Value {
  return cat(d.bit(1).and(signed), d).asSInt();
}

/**
 * The fused unit's sum of products this cycle. `a`, `w`: 16 digits each (uint(2)); `mode`: uint(2)
 * (0: 2-bit, 1: 4-bit, 2: 8-bit).
 */
export function fusedUnit(a: readonly Value[], w: readonly Value[], mode: Value): Value {
  const m2 = mode.eq(0);
  const m8 = mode.eq(2);
  const groups = [0, 1, 2, 3].map((g) => {
    const prods = [0, 1, 2, 3].map((k) => {
      const b = 4 * g + k;
      const operand = (side: 'a' | 'w', digits: readonly Value[]): Value => {
        const { idx, signed } = brickDigit(b, side);
        const [i2, i4, i8] = idx;
        const d4 = i8 === i4 ? digits[i4]! : mux(m8, digits[i8]!, digits[i4]!);
        const d = i2 === i4 && i2 === i8 ? digits[i2]! : mux(m2, digits[i2]!, d4);
        const bit = (on: boolean): Value => lit(uint(1), on ? 1 : 0);
        const [s2, s4, s8] = signed;
        return brickOperand(d, mux(m2, bit(s2), s4 === s8 ? bit(s4) : mux(m8, bit(s8), bit(s4))));
      };
      return operand('a', a).mul(operand('w', w)); // sint(6): −6..9
    });
    // Bricks (0, 1) and (1, 0) share the weight 2^2 in the 4- and 8-bit modes: add them first, then one
    // shift mux for the pair and one for brick (1, 1) (2^4); in the 2-bit mode nothing is shifted.
    const mid = prods[1]!.add(prods[2]!);
    const bricks = [prods[0]!.extend(10), mux(m2, mid.extend(10), mid.shl(2).extend(10)), mux(m2, prods[3]!.extend(10), prods[3]!.shl(4).extend(10))];
    return sumTree(bricks); // a 4×4 product (or four int2 products): |Σ| ≤ 2^8
  });
  // The same pairing one level up: groups (0, 1) and (1, 0) share 2^4 in the 8-bit mode, (1, 1) has 2^8.
  const W = UNIT_OUT_WIDTH;
  const [g0, g1, g2, g3] = groups as [Value, Value, Value, Value];
  const mid = g1.add(g2);
  return sumTree([g0.resize(W), mux(m8, mid.shl(4).resize(W), mid.resize(W)), mux(m8, g3.shl(8).resize(W), g3.resize(W))]).resize(W);
}

/** The baseline unit: one int8 × int8 multiplier on digits 0..3 of each operand (the 8-bit layout). */
export function macUnit(a: readonly Value[], w: readonly Value[]): Value {
  const int8 = (d: readonly Value[]): Value => cat(d[3]!, d[2]!, d[1]!, d[0]!).asSInt();
  return int8(a).mul(int8(w)).resize(UNIT_OUT_WIDTH);
}
