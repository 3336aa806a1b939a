/**
 * A VSA similarity: the number of equal bits of two 64-bit hypervectors (4 words of 16 bits),
 * 64 − popcount(a XOR b).
 */
export function similarity(a: number[], b: number[]): number {
  let diff = 0;
  for (let w = 0; w < 4; w++) {
    const x = a[w]! ^ b[w]!;
    for (let j = 0; j < 16; j++) diff += (x >> j) & 1;
  }
  return 64 - diff;
}
