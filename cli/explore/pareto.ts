/**
 * The Pareto front of a sweep: the points no other point beats on every objective at once (all
 * objectives are minimised: cycles, LUTs, energy, and for placed and routed points the achieved clock
 * period, so a higher Fmax is better). An objective a point lacks (a design without a
 * simulation has no cycles) is left out of the comparison for every point, so fronts are only ever
 * computed over figures all the compared points have.
 */

export const OBJECTIVES = ['cycles', 'luts', 'energyPj', 'periodNs'] as const;
export type Objective = (typeof OBJECTIVES)[number];

/** The objectives every one of `points` has a finite number for. */
export function sharedObjectives(points: readonly Partial<Record<Objective, number>>[]): Objective[] {
  return OBJECTIVES.filter((o) => points.length > 0 && points.every((p) => Number.isFinite(p[o])));
}

/** True when `a` is no worse than `b` on every objective and better on one. */
export function dominates(a: Partial<Record<Objective, number>>, b: Partial<Record<Objective, number>>, objectives: readonly Objective[]): boolean {
  let better = false;
  for (const o of objectives) {
    if (a[o]! > b[o]!) return false;
    if (a[o]! < b[o]!) better = true;
  }
  return better;
}

/** Indices (into `points`) of the non-dominated points, in input order. Equal points are all kept. */
export function paretoFront(points: readonly Partial<Record<Objective, number>>[], objectives = sharedObjectives(points)): number[] {
  if (objectives.length === 0) return [];
  return points.flatMap((p, i) => (points.some((q, j) => j !== i && dominates(q, p, objectives)) ? [] : [i]));
}
