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
 * The cycle model (`locatorTiming`) is a cycle-exact model of the hardware (locator-hw.ts): hub
 * detection `hubLanes` degrees a cycle, a pipelined dispatcher handing seeds round robin to
 * `bfsEngines` (P2) BFS engines that run at once, and commits in seed order (see locator-hw.ts for
 * why the islands and their order do not depend on P2). It simulates the engines' BFS runs with the
 * shared state as each read sees it, so it also reproduces the wasted runs that the hardware drops.
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

/** The thresholds of the rounds: TH0, then nextThreshold until 1 (the hardware's table; the last repeats). */
export function thresholdTable(th0: number): number[] {
  const t = [th0];
  while (t[t.length - 1]! > 1) t.push(nextThreshold(t[t.length - 1]!));
  return t;
}

/**
 * Run the locator on neighbour lists (sorted, no self loops, symmetric): the islands by the sequential
 * algorithm, their cycles by the hardware's cycle model (`locatorTiming`, whose own islands must be the
 * same: checked on every call).
 */
export function locateIslands(adj: readonly (readonly number[])[], p: LocatorParams): Islands {
  const n = adj.length;
  const isHub = new Uint8Array(n);
  const claimed = new Uint8Array(n);
  const islandOf = new Int32Array(n).fill(-1);
  const hubs: number[] = [];
  const islands: number[][] = [];
  const thresholds: number[] = [];
  const units: number[] = [];
  let left = n;
  let abandoned = 0;
  let th = p.th0;
  const addIsland = (nodes: number[]): void => {
    for (const v of nodes) {
      claimed[v] = 1;
      islandOf[v] = islands.length;
    }
    left -= nodes.length;
    units.push(islands.length);
    islands.push(nodes);
  };
  while (left > 0) {
    thresholds.push(th);
    // 1. hub detection
    for (let v = 0; v < n; v++) {
      if (claimed[v] || isHub[v]) continue;
      if (adj[v]!.length === 0) addIsland([v]);
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
    for (const h of hubs)
      for (const start of adj[h]!) {
        if (isHub[start] || claimed[start] || visited[start]) continue;
        const { nodes, ok } = boundedBfs(adj, start, p.cMax, isHub, claimed, visited);
        if (ok) addIsland(nodes);
        else {
          abandoned++;
          for (const v of nodes) visited[v] = 1;
        }
      }
    th = nextThreshold(th);
  }
  const timing = locatorTiming(adj, p);
  if (JSON.stringify(timing.islands) !== JSON.stringify(islands) || JSON.stringify(timing.units) !== JSON.stringify(units))
    throw new Error('locator: the parallel cycle model found other islands than the sequential algorithm (a bug: see locator-hw.ts for why they are equal)');
  return { n, hubs, isHub, islands, islandOf, ready: timing.ready, cycles: timing.cycles, thresholds, abandoned, units };
}

/** What the cycle model of the hardware locator gives. */
export interface LocatorTiming {
  /**
   * Cycles of locating: the END token's cycle minus the CSR tokens' count (n + 1 + nnz, one a cycle
   * from cycle 0), as the Verilator harness counts them (tests/igcn-locator-rtl.test.ts checks them equal).
   */
  cycles: number;
  /** Islands in commit order (each in BFS order), and hubs and islands in emission order (as `Islands.units`). */
  islands: number[][];
  units: number[];
  /** Cycle at which each island's last token leaves the locator. */
  ready: number[];
  /** BFS runs started, runs dropped at commit (their seed already claimed), runs aborted. */
  runs: number;
  dropped: number;
  aborted: number;
  /** Cycles of hub detection, and of dispatching (hub lists, engine waits, draining) summed over rounds. */
  scanCycles: number;
  dispatchCycles: number;
  /** Of the dispatching: hub-neighbour entries decided, hub lists walked, cycles waiting for a busy engine, cycles draining the engines at a round's end. */
  entries: number;
  hubVisits: number;
  waitCycles: number;
  drainCycles: number;
  /** Cycles the commits take in all (one at a time, in seed order: read, walk, token). */
  commitCycles: number;
}

/**
 * Cycle-exact model of locator-hw.ts (no output stalls): the same state machines, stepped by events.
 * Cycle t's reads see the memory as written up to cycle t - 1 (read-first block RAM); a decision in
 * pipeline stage 2 at cycle c sees writes up to c - 2. Seeds are simulated in dispatch order, which
 * is enough: a run reads only what earlier seeds' commits wrote (later commits come after its own).
 */
export function locatorTiming(adj: readonly (readonly number[])[], p: LocatorParams): LocatorTiming {
  const n = adj.length;
  const P = p.bfsEngines;
  const L = p.hubLanes;
  const table = thresholdTable(p.th0);
  const isHub = new Uint8Array(n);
  const claimed = new Uint8Array(n); // claimed at the end of the model so far (scan: immediately)
  const claimedAt = new Float64Array(n).fill(Infinity);
  const abRound = new Int32Array(n).fill(-1);
  const abAt = new Float64Array(n);
  const hubs: number[] = [];
  const settled: boolean[] = [];
  const islands: number[][] = [];
  const ready: number[] = [];
  const units: number[] = [];
  const engineIdleAt = new Array<number>(P).fill(0);
  let tokenAt = 0;
  let dptr = 0;
  let left = n;
  let runs = 0;
  let dropped = 0;
  let aborted = 0;
  let scanCycles = 0;
  let dispatchCycles = 0;
  let entries = 0;
  let hubVisits = 0;
  let waitCycles = 0;
  let drainCycles = 0;
  let commitCycles = 0;
  // The engines' visited sets as the dispatcher sees them: per node, [set, cleared) write cycles.
  let vis: [number, number][][] = Array.from({ length: n }, () => []);
  /** HUB or CLAIMED as a read at cycle r sees it. */
  const final = (w: number, r: number): boolean => isHub[w] === 1 || claimedAt[w]! <= r - 1;
  const abandonedNow = (w: number, r: number, round: number): boolean => abRound[w] === round && abAt[w]! <= r - 1;

  /** An engine's run from `seed`, started at cycle `a`: its BFS, then its commit in seed order. */
  const run = (e: number, seed: number, a: number, round: number): void => {
    runs++;
    const queue = [seed];
    const own = new Set<number>([seed]);
    const setAt = new Map<number, number>([[seed, a]]);
    let popStart = a;
    let done = 0;
    let ok = true;
    for (let head = 0; ; head++) {
      const list = adj[queue[head]!]!;
      let stop = false;
      for (let j = 0; j < list.length; j++) {
        const c = popStart + 2 + j;
        const w = list[j]!;
        // stage 1 read at c - 1
        if (final(w, c - 1) || own.has(w)) continue;
        if (abandonedNow(w, c - 1, round) || queue.length === p.cMax) {
          ok = false;
          done = c + 1;
          stop = true;
          break;
        }
        queue.push(w);
        own.add(w);
        setAt.set(w, c);
      }
      if (stop) break;
      const finish = popStart + 2 + list.length;
      if (head + 1 === queue.length) {
        done = finish + 1;
        break;
      }
      popStart = finish + 1;
    }
    if (!ok) aborted++;
    // Commit: the token arrives, the seed's state is read (cycle t), the walk writes node i at t + 3 + i.
    const t = Math.max(done, tokenAt);
    const drop = claimedAt[seed]! <= t - 1;
    if (drop) dropped++;
    queue.forEach((v, i) => {
      const at = t + 3 + i;
      vis[v]!.push([setAt.get(v)!, at]);
      if (drop) return;
      if (ok) {
        claimedAt[v] = at;
        claimed[v] = 1;
      } else if (abRound[v] !== round) {
        abRound[v] = round;
        abAt[v] = at;
      }
    });
    if (ok && !drop) {
      left -= queue.length;
      units.push(islands.length);
      islands.push(queue);
      ready.push(t + 3 + queue.length);
    }
    engineIdleAt[e] = t + queue.length + 4;
    commitCycles += queue.length + 4;
    tokenAt = engineIdleAt[e]!;
  };

  // The ROUND state's cycle; the first is cycle 2 of the harness's count after the last CSR token.
  let t = 2;
  for (let round = 0; ; round++) {
    // ROUND with nothing left: FINISH emits END at t + 1, on the output at t + 2.
    if (left === 0) return { cycles: t + 2, islands, units, ready, runs, dropped, aborted, scanCycles, dispatchCycles, entries, hubVisits, waitCycles, drainCycles, commitCycles };
    const th = table[Math.min(round, table.length - 1)]!;
    const thPrev = round > 0 ? table[Math.min(round - 1, table.length - 1)]! : 0;
    // 1. hub detection: word w is taken in at p_w, its k candidates picked one a cycle, each decided a cycle later
    let pw = t + 2;
    let finish = pw;
    for (let base = 0; base < n; base += L) {
      let k = 0;
      for (let v = base; v < Math.min(n, base + L); v++) {
        const d = Math.min(adj[v]!.length, p.th0);
        const inBand = (d >= th && (round === 0 || d < thPrev)) || (round === 0 && d === 0);
        if (!inBand) continue;
        const decided = pw + k + 1;
        k++;
        if (isHub[v] || claimed[v]) continue;
        if (d === 0) {
          claimed[v] = 1;
          claimedAt[v] = decided;
          left--;
          units.push(islands.length);
          islands.push([v]);
          ready.push(decided + 1);
        } else {
          isHub[v] = 1;
          left--;
          hubs.push(v);
          settled.push(false);
          units.push(-(v + 1));
        }
      }
      finish = k > 0 ? pw + k : pw;
      pw += Math.max(1, k);
    }
    scanCycles += finish - t;
    // 2. the dispatcher: HUB_RD at finish + 1, then a HUB_SET cycle per hub
    let c0 = finish + 2;
    for (let hi = 0; hi < hubs.length; hi++) {
      if (settled[hi]) {
        c0++;
        continue;
      }
      const list = adj[hubs[hi]!]!;
      hubVisits++;
      entries += list.length;
      let open = false;
      let a = c0; // the cycle of the segment's startEdges
      let j0 = 0;
      for (let j = 0; j < list.length; j++) {
        const c = a + 2 + (j - j0);
        const u = list[j]!;
        if (!final(u, c - 1)) open = true;
        const busy = vis[u]!.some(([s, z]) => s <= c - 2 && c - 2 < z);
        if (final(u, c - 1) || abandonedNow(u, c - 1, round) || busy) continue;
        const e = dptr;
        dptr = (dptr + 1) % P;
        if (engineIdleAt[e]! <= c) run(e, u, c, round);
        else {
          const d = Math.max(c + 1, engineIdleAt[e]!);
          waitCycles += d - c;
          run(e, u, d, round);
          a = d;
          j0 = j + 1;
        }
      }
      const f = j0 < list.length ? a + 2 + (list.length - j0) : a + 1;
      if (!open) settled[hi] = true;
      c0 = f + 1;
    }
    // DRAIN from c0 until every engine is idle, then the next ROUND
    t = Math.max(c0, ...engineIdleAt) + 1;
    drainCycles += t - c0;
    dispatchCycles += t - finish;
    vis = vis.map(() => []);
  }
}

/**
 * One bounded BFS: the component of `start` among non-hub, unclaimed nodes, or `ok = false` once it
 * passes `cMax` nodes or touches a node of an abandoned component.
 */
function boundedBfs(
  adj: readonly (readonly number[])[],
  start: number,
  cMax: number,
  isHub: Uint8Array,
  claimed: Uint8Array,
  visited: Uint8Array,
): { nodes: number[]; ok: boolean } {
  const nodes = [start];
  const seen = new Set<number>([start]);
  for (let head = 0; head < nodes.length; head++) {
    for (const u of adj[nodes[head]!]!) {
      if (isHub[u] || claimed[u] || seen.has(u)) continue;
      if (visited[u] || nodes.length === cMax) return { nodes, ok: false };
      seen.add(u);
      nodes.push(u);
    }
  }
  return { nodes, ok: true };
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
