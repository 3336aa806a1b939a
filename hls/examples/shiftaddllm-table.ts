/**
 * ShiftAddLLM's table build (generators/shiftaddllm/golden.ts buildTable): for 8 activations,
 * T[j] = Σ_t (2·bit_t(j) − 1)·x[t], all 256 entries, one group per cycle.
 */
export function buildTable(x: number[]): number[] {
  const t = new Array(256).fill(0);
  let sum = 0;
  for (let s = 0; s < 8; s++) sum += x[s]!;
  t[0] = -sum;
  for (let s = 0; s < 8; s++) for (let i = 0; i < 1 << s; i++) t[i + (1 << s)] = t[i]! + 2 * x[s]!;
  return t;
}
