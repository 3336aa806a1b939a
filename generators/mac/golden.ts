/** Reference model of the MAC: the accumulator seen in each cycle (wrapping at accWidth bits). */
export interface MacStep {
  a: number;
  b: number;
  valid: number;
  clear: number;
}

export function macGolden(accWidth: number, steps: readonly MacStep[]): bigint[] {
  const seen: bigint[] = [];
  let acc = 0n;
  for (const s of steps) {
    seen.push(acc);
    if (s.clear) acc = 0n;
    else if (s.valid) acc = BigInt.asIntN(accWidth, acc + BigInt(s.a) * BigInt(s.b));
  }
  return seen;
}
