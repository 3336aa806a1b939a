/**
 * The island locator (ACCELERATORS.md §6), as an exact algorithm and a cycle model of its hardware.
 * Shared by the host side (which compiles the consumer's commands from the islands) and the golden
 * kernel (which checks the island invariants); imports nothing, so the golden kernel may build on it.
 *
 * Rounds with a threshold TH: TH0 first, then TH <- max(1, floor(0.8 TH)).
 *  1. Hub detection: every unclaimed node of degree >= TH becomes a hub; an unclaimed node of degree
 *     0 becomes an island of its own (no hub ever reaches it).
 *  2. For every hub (in order of detection, ascending id within a round), for every neighbour u
 *     (ascending) that is not a hub, not claimed and not visited this round: a bounded BFS from u over
 *     non-hub, unclaimed nodes. If it completes with at most C_max nodes, they form an island (claimed);
 *     if it would grow past C_max, or meets a node an abandoned BFS visited this round (the same
 *     component), it is abandoned: its nodes stay visited (skipped) until the round ends.
 * So an island is a whole connected component of the graph without hubs: every neighbour of an island
 * node is in the island or a hub. The edges between hubs are kept apart (the hub pass). At TH = 1
 * every node with a neighbour is a hub or claimed, so the rounds end.
 *
 * Cycle model of the hardware: `hubLanes` degree comparisons a cycle over all nodes each round; a
 * dispatcher reads one hub-neighbour entry a cycle and hands each BFS start to the first free of the
 * `bfsEngines` engines; a BFS takes one cycle per node it pops and one per neighbour it checks
 * against the shared visited set (one bit per node). The engines' islands come out in the order their
 * starts were dispatched (a reorder point keeps the queue in that order, so the result does not
 * depend on P2); `ready[i]` is the cycle island i is in the queue. Rounds are separated by a barrier.
 */

export interface LocatorParams {
  th0: number;
  cMax: number;
  bfsEngines: number;
  hubLanes: number;
}

export interface Islands {
  n: number;
  /** Hubs, in order of detection. */
  hubs: number[];
  isHub: Uint8Array;
  /** Islands in queue order; each island's nodes in BFS order. */
  islands: number[][];
  /** Island of each node, -1 for a hub. */
  islandOf: Int32Array;
  /** Locator cycle at which each island is in the queue. */
  ready: number[];
  /** Locator cycles in all. */
  cycles: number;
  /** Thresholds of the rounds run. */
  thresholds: number[];
  /** BFS runs abandoned (grew past C_max or met an abandoned component). */
  abandoned: number;
  /** Hubs and islands in the order the hardware locator emits them: island i as i, hub h as -(h + 1). */
  units: number[];
}

/** The threshold after a round at `th`: max(1, floor(0.8 TH)) (the hardware's table is built from it). */
export function nextThreshold(th: number): number {
  return Math.max(1, Math.floor(0.8 * th));
}

/** Run the locator on neighbour lists (sorted, no self loops, symmetric). */
export function locateIslands(adj: readonly (readonly number[])[], p: LocatorParams): Islands {
  const n = adj.length;
  const isHub = new Uint8Array(n);
  const claimed = new Uint8Array(n);
  const islandOf = new Int32Array(n).fill(-1);
  const hubs: number[] = [];
  const islands: number[][] = [];
  const ready: number[] = [];
  const thresholds: number[] = [];
  const units: number[] = [];
  let left = n;
  let cycle = 0;
  let abandoned = 0;
  let th = p.th0;
  const addIsland = (nodes: number[], at: number): void => {
    for (const v of nodes) {
      claimed[v] = 1;
      islandOf[v] = islands.length;
    }
    left -= nodes.length;
    units.push(islands.length);
    islands.push(nodes);
    ready.push(at);
  };
  while (left > 0) {
    thresholds.push(th);
    // 1. hub detection lanes
    cycle += Math.ceil(n / p.hubLanes);
    for (let v = 0; v < n; v++) {
      if (claimed[v] || isHub[v]) continue;
      if (adj[v]!.length === 0) addIsland([v], cycle);
      else if (adj[v]!.length >= th) {
        isHub[v] = 1;
        claimed[v] = 1;
        left--;
        hubs.push(v);
        units.push(-(v + 1));
      }
    }
    // 2. bounded BFS from hub neighbours; `visited` marks this round's abandoned components (and
    // claimed nodes are never entered).
    const visited = new Uint8Array(n);
    const engineFree = new Array<number>(p.bfsEngines).fill(cycle);
    let dispatch = cycle;
    let lastReady = cycle;
    for (const h of hubs)
      for (const start of adj[h]!) {
        dispatch++; // the dispatcher reads one hub-neighbour entry a cycle
        if (isHub[start] || claimed[start] || visited[start]) continue;
        let e = 0;
        for (let i = 1; i < p.bfsEngines; i++) if (engineFree[i]! < engineFree[e]!) e = i;
        const begin = Math.max(dispatch, engineFree[e]!);
        const { nodes, ok, work } = boundedBfs(adj, start, p.cMax, isHub, claimed, visited);
        const finish = begin + work;
        engineFree[e] = finish;
        lastReady = Math.max(lastReady, finish);
        if (ok) addIsland(nodes, Math.max(finish, ready.length > 0 ? ready[ready.length - 1]! : 0));
        else {
          abandoned++;
          for (const v of nodes) visited[v] = 1;
        }
      }
    cycle = Math.max(dispatch, lastReady, ...engineFree);
    th = nextThreshold(th);
  }
  return { n, hubs, isHub, islands, islandOf, ready, cycles: cycle, thresholds, abandoned, units };
}

/**
 * One bounded BFS: the component of `start` among non-hub, unclaimed nodes, or `ok = false` once it
 * passes `cMax` nodes or touches a node of an abandoned component. `work` = its cycles (one per node
 * popped, one per neighbour checked).
 */
function boundedBfs(
  adj: readonly (readonly number[])[],
  start: number,
  cMax: number,
  isHub: Uint8Array,
  claimed: Uint8Array,
  visited: Uint8Array,
): { nodes: number[]; ok: boolean; work: number } {
  const nodes = [start];
  const seen = new Set<number>([start]);
  let work = 0;
  for (let head = 0; head < nodes.length; head++) {
    const v = nodes[head]!;
    work++;
    for (const u of adj[v]!) {
      work++;
      if (isHub[u] || claimed[u] || seen.has(u)) continue;
      if (visited[u] || nodes.length === cMax) return { nodes, ok: false, work };
      seen.add(u);
      nodes.push(u);
    }
  }
  return { nodes, ok: true, work };
}

/** The invariants of §6: every node in exactly one island or a hub, islands of 1..C_max nodes, closed over non-hubs. */
export function islandViolations(adj: readonly (readonly number[])[], r: Islands, cMax: number): string[] {
  const errors: string[] = [];
  const count = new Int32Array(r.n);
  for (const h of r.hubs) count[h]!++;
  r.islands.forEach((isl, i) => {
    if (isl.length < 1 || isl.length > cMax) errors.push(`island ${i} has ${isl.length} nodes (1..${cMax})`);
    for (const v of isl) {
      count[v]!++;
      if (r.islandOf[v] !== i) errors.push(`node ${v} is listed in island ${i} but mapped to ${r.islandOf[v]}`);
      for (const u of adj[v]!) if (!r.isHub[u] && r.islandOf[u] !== i) errors.push(`island ${i}: node ${v} has neighbour ${u} outside it that is no hub`);
    }
  });
  for (let v = 0; v < r.n; v++) if (count[v] !== 1) errors.push(`node ${v} is in ${count[v]} islands/hub lists (must be exactly 1)`);
  return errors;
}
