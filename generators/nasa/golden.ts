/**
 * The reference of the NASA chunk accelerator: the plain layer chain, image by image. Layer 0
 * (multiply), layer 1 (shift) and layer 2 (adder) are ShiftAdd's golden kernels; between layers the
 * output is requantised to int8 (arithmetic right shift, saturation), as the chunks do on chip.
 * Imports nothing from `dsl/` (ShiftAdd's golden kernels import nothing from it either).
 */
import { adderLayer, mulLayer, opCounts, requantise, shiftLayer, type Matrix } from '../shiftadd/golden.ts';

export interface ChainWeights {
  w0: Matrix;
  w1Sign: Matrix;
  w1Exp: Matrix;
  w2: Matrix;
}

export interface ChainSpec {
  xWidth: number;
  wWidth: number;
  p: number;
  q0: number;
  q1: number;
}

/** One image X [K0, N] through the chain: Y [M2, N]. */
export function chainImage(s: ChainSpec, w: ChainWeights, x: Matrix): Matrix {
  const y0 = requantise(mulLayer(w.w0, x, s.xWidth, s.wWidth), s.q0, 8);
  const y1 = requantise(shiftLayer(w.w1Sign, w.w1Exp, y0, 8, s.p), s.q1, 8);
  return adderLayer(w.w2, y1, 8, s.wWidth);
}

/**
 * One image through R rounds of the chain (`rounds[r]` the weights of round r): every round but the
 * last feeds its output, requantised by q2 to int8, to the next round's multiply layer.
 */
export function roundsImage(s: ChainSpec & { q2: number }, rounds: readonly ChainWeights[], x: Matrix): Matrix {
  let a = x;
  for (const [r, w] of rounds.entries()) {
    const y = chainImage(s, w, a);
    a = r < rounds.length - 1 ? requantise(y, s.q2, 8) : y;
  }
  return a;
}

/** Operation counts of one image (multiply, shift, adder layers). */
export function chainCounts(w: ChainWeights, n: number): { multiplies: number; shifts: number; adds: number } {
  const parts = [opCounts('mul', w.w0.rows, w.w0.cols, n), opCounts('shift', w.w1Sign.rows, w.w1Sign.cols, n), opCounts('adder', w.w2.rows, w.w2.cols, n)];
  return parts.reduce((a, b) => ({ multiplies: a.multiplies + b.multiplies, shifts: a.shifts + b.shifts, adds: a.adds + b.adds }));
}
