/**
 * ViTCoD's softmax numerator for a row of 8 scores (generators/vitcod/golden.ts prob): the row
 * maximum m, then P[i] = E[min(255, (m − s[i]) >> σ)] from the 256-entry exp table, σ = 2, and the
 * row sum of the P (the normalizer), returned last.
 */
const E = [255, 244, 234, 224, 214, 205, 197, 188, 180, 173, 165, 158, 152, 145, 139, 133, 128, 122, 117, 112, 107, 103, 98, 94, 90, 86, 83, 79, 76, 73, 70, 67, 64, 61, 58, 56, 54, 51, 49, 47, 45, 43, 41, 40, 38, 36, 35, 33, 32, 31, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 17, 16, 15, 15, 14, 13, 13, 12, 12, 11, 11, 10, 10, 9, 9, 9, 8, 8, 8, 7, 7, 7, 6, 6, 6, 6, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

export function softmaxRow(s: number[]): number[] {
  let m = s[0]!;
  for (let i = 1; i < 8; i++) m = Math.max(m, s[i]!);
  const p = new Array(9).fill(0);
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    // m >= s[i], but ranges are per value: say so with Math.max(0, ...) for the index to be provably in 0..255.
    p[i] = E[Math.min(255, Math.max(0, m - s[i]!) >> 2)]!;
    sum += p[i]!;
  }
  p[8] = sum;
  return p;
}
