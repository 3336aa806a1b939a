/** Reference model of the counter: the count seen in each cycle for a sequence of enables. */
export function counterGolden(limit: number, enables: readonly number[]): number[] {
  const seen: number[] = [];
  let count = 0;
  for (const en of enables) {
    seen.push(count);
    if (en) count = count === limit ? 0 : count + 1;
  }
  return seen;
}
