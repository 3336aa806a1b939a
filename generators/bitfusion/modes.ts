/**
 * Facts of the brick modes that the hardware (create.ts) and the host (index.ts) share; imports
 * nothing. A fused unit has 16 bricks of 2×2 bits; an operand word holds 16 two-bit digits, element
 * e of a mode of B bits in digits e·B/2 .. e·B/2 + B/2 − 1, least significant first (two's
 * complement: only an element's top digit is signed).
 */

/** The operand widths of the modes, in the order of the cfg field `mode` (0, 1, 2). */
export const MODE_BITS = [2, 4, 8] as const;

/** Products per unit per cycle in each mode: 16 / (B/2)² bricks. */
export const ELEMENTS_PER_UNIT: Record<number, number> = { 2: 16, 4: 4, 8: 1 };

/** Digits of an operand word. */
export const DIGITS = 16;

/** The cfg field `mode` of a mode of `bits` bits. */
export const modeCode = (bits: number): number => MODE_BITS.indexOf(bits as 2 | 4 | 8);

/** The 2-bit digits of `bits`-bit two's complement `v`, least significant first. */
export function digitsOf(v: number, bits: number): number[] {
  const u = ((v % 2 ** bits) + 2 ** bits) % 2 ** bits;
  return Array.from({ length: bits / 2 }, (_, i) => Math.floor(u / 4 ** i) % 4);
}

/** One operand word: `values` (at most 16 / (bits/2) of them, the rest zero) as 16 digits. */
export function operandWord(values: readonly number[], bits: number): number[] {
  const word = new Array<number>(DIGITS).fill(0);
  values.forEach((v, e) => digitsOf(v, bits).forEach((d, i) => (word[e * (bits / 2) + i] = d)));
  return word;
}
