/** A signed 8-bit dot product of 8 elements: the inner kernel of a MAC PE row. */
export function dot(x: number[], w: number[]): number {
  let acc = 0;
  for (let i = 0; i < 8; i++) acc += x[i]! * w[i]!;
  return acc;
}
