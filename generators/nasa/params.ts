/**
 * Parameters of the NASA chunk accelerator: three ShiftAdd chunks in a chain (multiply → shift →
 * adder), each a rows×cols PE array. A chunk's output token (rows lanes) is the next chunk's input
 * token, so each chunk's cols are the previous chunk's rows: the free sizes are the multiply chunk's
 * cols and every chunk's rows. The mapper (`mapper.ts`, `chain: true`) picks them for a network.
 */
import { ParamError } from '../../dsl/errors.ts';
import type { ParamSpec } from '../../dsl/generator.ts';

export interface NasaParams extends Record<string, number | string | boolean> {
  /** Multiply chunk: PE rows and cols (cols = input lanes). */
  mulRows: number;
  mulCols: number;
  /** Shift chunk rows (its cols are mulRows). */
  shiftRows: number;
  /** Adder chunk rows (its cols are shiftRows). */
  adderRows: number;
  /** Signed activation width of the image; every later activation is requantised to int8. */
  xWidth: number;
  /** Signed weight width of the multiply and adder layers. */
  wWidth: number;
  /** Largest shift exponent P (2^b − 1). */
  p: number;
  /** Largest run-time sizes: layer 0 is M0×K0, layer 1 M1×M0, layer 2 M2×M1; N pixels an image. */
  m0Max: number;
  k0Max: number;
  m1Max: number;
  m2Max: number;
  nMax: number;
  /** Arithmetic right shifts before int8 saturation after the multiply and the shift layer. */
  q0: number;
  q1: number;
  /**
   * Most rounds of the chain per image: with R > 1 the network is R·3 layers (multiply, shift, adder,
   * multiply, ...), each chunk runs R layers an image in sequence, and the adder chunk's output of
   * every round but the last, requantised by `q2`, feeds the multiply chunk again.
   */
  rounds: number;
  q2: number;
}

const size = (doc: string): ParamSpec => ({ kind: 'int', doc, min: 1, max: 4096 });
const side = (doc: string): ParamSpec => ({ kind: 'int', doc, min: 1, max: 64 });

export const nasaParamSpecs: Record<keyof NasaParams & string, ParamSpec> = {
  mulRows: side('multiply chunk PE rows (= shift chunk cols)'),
  mulCols: side('multiply chunk PE cols (input lanes)'),
  shiftRows: side('shift chunk PE rows (= adder chunk cols)'),
  adderRows: side('adder chunk PE rows (output lanes)'),
  xWidth: { kind: 'int', doc: 'bits of the signed input activations', min: 2, max: 16 },
  wWidth: { kind: 'int', doc: 'bits of the signed multiply and adder weights', min: 2, max: 16 },
  p: { kind: 'int', doc: 'largest shift exponent P (2^b - 1)', min: 1, max: 31 },
  m0Max: size('largest M0: outputs of the multiply layer'),
  k0Max: size('largest K0: inputs of the multiply layer'),
  m1Max: size('largest M1: outputs of the shift layer'),
  m2Max: size('largest M2: outputs of the adder layer'),
  nMax: size('largest N: pixels of an image'),
  q0: { kind: 'int', doc: 'right shift of the multiply layer output before int8 saturation', min: 0, max: 63 },
  q1: { kind: 'int', doc: 'right shift of the shift layer output before int8 saturation', min: 0, max: 63 },
  rounds: { kind: 'int', doc: 'most rounds of the multiply-shift-adder chain per image (each chunk runs that many layers an image)', min: 1, max: 16 },
  q2: { kind: 'int', doc: 'right shift of the adder layer output before int8 saturation when it feeds the next round', min: 0, max: 63 },
};

export const nasaPresets: Record<string, NasaParams> = {
  // The mapper's chunks for the tiny chain (network.ts TINY_CHAIN) on 96 PEs, sides 2..8:
  // multiply 4×8, shift 8×4, adder 4×8, 280 predicted cycles per image each (tests check this).
  ci: { mulRows: 4, mulCols: 8, shiftRows: 8, adderRows: 4, xWidth: 8, wWidth: 8, p: 7, m0Max: 16, k0Max: 32, m1Max: 32, m2Max: 16, nMax: 16, q0: 6, q1: 9, rounds: 1, q2: 4 },
  // Larger chunks for 3×3-sized GEMMs of CIFAR's last stage (K0 = 9·64).
  cifar: { mulRows: 8, mulCols: 16, shiftRows: 16, adderRows: 8, xWidth: 8, wWidth: 8, p: 15, m0Max: 64, k0Max: 576, m1Max: 64, m2Max: 64, nMax: 64, q0: 10, q1: 20, rounds: 1, q2: 6 },
  // Two rounds of the chain on the ci chunks (six layers, each chunk runs two an image): the adder
  // chunk's 4 lanes wrap around to the multiply chunk's 4 lanes, and layer 3's K is M2.
  'ci-rounds': { mulRows: 4, mulCols: 4, shiftRows: 8, adderRows: 4, xWidth: 8, wWidth: 8, p: 7, m0Max: 8, k0Max: 16, m1Max: 16, m2Max: 16, nMax: 16, q0: 6, q1: 9, rounds: 2, q2: 4 },
};

/** Checks beyond the ranges. */
export function validateNasa(p: NasaParams): void {
  if (p.rounds > 1) {
    // The adder chunk's output token (adderRows lanes, one m-tile of a pixel) is the multiply chunk's next input token.
    if (p.adderRows !== p.mulCols)
      throw new ParamError(`rounds = ${p.rounds} feeds the adder chunk back into the multiply chunk, so 'adderRows' (${p.adderRows}) must equal 'mulCols' (${p.mulCols})`, undefined, { field: 'adderRows' });
    if (p.xWidth < 8) throw new ParamError(`rounds = ${p.rounds} feeds int8 activations to the multiply chunk, so 'xWidth' = ${p.xWidth} must be at least 8`, undefined, { field: 'xWidth' });
    if (p.k0Max < p.m2Max) throw new ParamError(`rounds = ${p.rounds}: later rounds have K0 = M2, so 'k0Max' (${p.k0Max}) must be at least 'm2Max' (${p.m2Max})`, undefined, { field: 'k0Max' });
  }
  if (2 ** Math.ceil(Math.log2(p.p + 1)) !== p.p + 1)
    throw new ParamError(`parameter 'p' = ${p.p} must be 2^b - 1 (a b-bit exponent field uses every code), e.g. 7 or 15`, undefined, { field: 'p' });
}
