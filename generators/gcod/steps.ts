/**
 * One aggregation step of an engine, as the host compilers (schedule.ts, igcn's reuse.ts) and igcn's
 * golden kernel see it. Imports nothing: golden kernels build on it.
 */

/** acc += a · Z[u]; with `emit`, the row goes to node v (and with keep, stays in the accumulator). */
export interface Op {
  u: number;
  a: number;
  emit?: { v: number; keep: boolean };
}
