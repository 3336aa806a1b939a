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
 * needs, so no product leaves the unit on its own.
 */
import { cat, lit, mux, select, sumTree, uint } from '../../dsl/index.ts';
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
  const modeIndex = mux(m8, lit(uint(2), 2), mux(m2, lit(uint(2), 0), lit(uint(2), 1)));
  const groups = [0, 1, 2, 3].map((g) => {
    const bricks = [0, 1, 2, 3].map((k) => {
      const b = 4 * g + k;
      const operand = (side: 'a' | 'w', digits: readonly Value[]): Value => {
        const { idx, signed } = brickDigit(b, side);
        const d = select(modeIndex, idx.map((i) => digits[i]!));
        return brickOperand(d, select(modeIndex, signed.map((s) => lit(uint(1), s ? 1 : 0))));
      };
      const prod = operand('a', a).mul(operand('w', w)); // sint(6): −6..9
      const shift = 2 * ((k >> 1) + (k & 1));
      return mux(m2, prod.extend(10), prod.shl(shift).extend(10));
    });
    return sumTree(bricks); // a 4×4 product (or four int2 products): |Σ| ≤ 2^8
  });
  const shifted = groups.map((s, g) => mux(m8, s.shl(4 * ((g >> 1) + (g & 1))).resize(UNIT_OUT_WIDTH), s.resize(UNIT_OUT_WIDTH)));
  return sumTree(shifted).resize(UNIT_OUT_WIDTH);
}

/** The baseline unit: one int8 × int8 multiplier on digits 0..3 of each operand (the 8-bit layout). */
export function macUnit(a: readonly Value[], w: readonly Value[]): Value {
  const int8 = (d: readonly Value[]): Value => cat(d[3]!, d[2]!, d[1]!, d[0]!).asSInt();
  return int8(a).mul(int8(w)).resize(UNIT_OUT_WIDTH);
}
