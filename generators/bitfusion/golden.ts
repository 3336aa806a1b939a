/**
 * Bit Fusion golden kernel and cost model (ACCELERATORS.md §9), plain TypeScript (no dsl import).
 *
 * - `dotGemm`: Y[m, n] = Σ_k X[m, k]·W[n, k], the plain integer dot products of `bits`-bit signed
 *   operands (checked in range), int32 results (checked).
 * - `fracTrainEnergy`: FracTrain's compute cost model: a MAC of a_bits × w_bits costs
 *   a_bits·w_bits / 64 of an 8-bit MAC.
 */

/** The range of a `bits`-bit signed integer. */
export function signedRange(bits: number): [number, number] {
  return [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

/** Y = X·Wᵀ for `bits`-bit signed X [M, K] and W [N, K]; int32 Y [M, N]. */
export function dotGemm(X: readonly (readonly number[])[], W: readonly (readonly number[])[], bits: number): { Y: number[][]; macs: number } {
  if (!Number.isInteger(bits) || bits < 2 || bits > 8) throw new Error(`precision ${bits} is not an integer in 2..8`);
  const [lo, hi] = signedRange(bits);
  const K = X[0]?.length ?? 0;
  for (const [name, T] of [['X', X], ['W', W]] as const)
    T.forEach((row, r) => {
      if (row.length !== K) throw new Error(`${name}[${r}] has ${row.length} values, expected K = ${K}`);
      row.forEach((v, k) => {
        if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${name}[${r}, ${k}] = ${v} is not a ${bits}-bit signed integer (${lo}..${hi})`);
      });
    });
  const Y = X.map((x) => W.map((w) => {
    let s = 0;
    for (let k = 0; k < K; k++) s += x[k]! * w[k]!;
    if (s < -(2 ** 31) || s >= 2 ** 31) throw new Error(`a dot product ${s} is not int32`);
    return s;
  }));
  return { Y, macs: X.length * W.length * K };
}

/** Compute energy of `macs` MACs at a_bits × w_bits, in units of one 8-bit MAC (FracTrain's model). */
export function fracTrainEnergy(macs: number, aBits: number, wBits: number): number {
  return (macs * aBits * wBits) / 64;
}
