/**
 * Host side of GCoD, part 2: polarise the adjacency so that most non-zeros fall into dense blocks on
 * the diagonal, then split it into those blocks (the denser branch's work) and an off-diagonal
 * remainder in compressed-column form (the sparser branch's work).
 *
 * The partitioner, deterministic and documented as ACCELERATORS.md §3 asks:
 *  1. Degree classes: node v (degree d in A + I) goes to class min(C-1, floor(log2 d)) counted from
 *     the top, so class 0 holds the highest-degree nodes. Classes are placed in that order.
 *  2. Inside a class, blocks of at most B nodes are grown greedily (graph-growing edge-cut): the next
 *     node is the unassigned class member with the most edges into the block being grown (ties: higher
 *     degree, then lower node number); when no member touches the block, the highest-degree unassigned
 *     member seeds a new connected piece in the same block. A block is closed when it holds B nodes or
 *     its class is used up, so blocks never mix classes.
 *  3. Blocks are placed on the diagonal in the order they were grown; node order inside a block is
 *     the order of growth.
 * No pruning: the paper also drops ~10% of weak edges during fine-tuning, which changes the graph;
 * this host keeps the graph exact so the layer can be checked against the plain kernel.
 */
import type { Csr } from './graph.ts';

/** One diagonal block: rows/columns start..start+size-1 of the reordered matrix. */
export interface Block {
  start: number;
  size: number;
  /** Degree class of every node in the block. */
  degreeClass: number;
  /** Non-zeros inside the block, row-major: local row, local column, value. */
  rows: Int32Array;
  cols: Int32Array;
  vals: Uint16Array;
}

/** Off-diagonal remainder in compressed-column form over reordered indices. */
export interface Csc {
  n: number;
  colPtr: Int32Array;
  row: Int32Array;
  val: Uint16Array;
}

export interface Polarised {
  n: number;
  /** perm[newIndex] = original node. */
  perm: Int32Array;
  /** inv[original node] = newIndex. */
  inv: Int32Array;
  blocks: Block[];
  sparse: Csc;
  nnz: number;
  denseNnz: number;
  /** denseNnz / nnz: the share of non-zeros the diagonal blocks capture. */
  denseShare: number;
}

export interface PartitionOptions {
  /** Largest block (rows of Z a sub-engine keeps on chip). */
  blockRows: number;
  /** Number of degree classes (1 = no class split). */
  degreeClasses: number;
}

/** Degree class of a node of degree `d` (in A + I), class 0 being the highest degrees. */
export function degreeClassOf(d: number, maxDegree: number, classes: number): number {
  const top = Math.floor(Math.log2(maxDegree));
  return Math.min(classes - 1, top - Math.floor(Math.log2(d)));
}

/** Compute the reordering (perm/inv) and the block boundaries. */
export function partition(a: Csr, opts: PartitionOptions): { perm: Int32Array; blockStarts: number[]; blockClass: number[] } {
  const { blockRows: B, degreeClasses: C } = opts;
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`blockRows must be a positive integer, got ${B}`);
  if (!Number.isInteger(C) || C < 1) throw new RangeError(`degreeClasses must be a positive integer, got ${C}`);
  const n = a.n;
  const deg = new Int32Array(n);
  for (let v = 0; v < n; v++) deg[v] = a.rowPtr[v + 1]! - a.rowPtr[v]!;
  let maxDeg = 1;
  for (const d of deg) maxDeg = Math.max(maxDeg, d);
  const members: number[][] = Array.from({ length: C }, () => []);
  for (let v = 0; v < n; v++) members[degreeClassOf(deg[v]!, maxDeg, C)]!.push(v);

  const perm = new Int32Array(n);
  const assigned = new Uint8Array(n);
  const gain = new Int32Array(n);
  const blockStarts: number[] = [];
  const blockClass: number[] = [];
  let pos = 0;
  for (let c = 0; c < C; c++) {
    const list = members[c]!;
    let left = list.length;
    while (left > 0) {
      blockStarts.push(pos);
      blockClass.push(c);
      const inBlock: number[] = [];
      while (inBlock.length < B && left > 0) {
        let best = -1;
        for (const v of list) {
          if (assigned[v]) continue;
          if (best < 0 || gain[v]! > gain[best]! || (gain[v] === gain[best] && deg[v]! > deg[best]!)) best = v;
        }
        assigned[best] = 1;
        left--;
        inBlock.push(best);
        perm[pos++] = best;
        for (let k = a.rowPtr[best]!; k < a.rowPtr[best + 1]!; k++) gain[a.col[k]!]!++;
      }
      // Gains are per block: undo this block's contributions before growing the next one.
      for (const v of inBlock) for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) gain[a.col[k]!]!--;
    }
  }
  return { perm, blockStarts, blockClass };
}

/** Reorder and split Â into diagonal blocks plus the off-diagonal CSC remainder. */
export function polarise(a: Csr, opts: PartitionOptions): Polarised {
  const { perm, blockStarts, blockClass } = partition(a, opts);
  return splitBlocks(a, perm, blockStarts, blockClass);
}

/**
 * Split Â (reordered by `perm`) at the given block boundaries. Exposed separately so a test can
 * check the split of any permutation (e.g. the identity) against the unsplit matrix.
 */
export function splitBlocks(a: Csr, perm: Int32Array, blockStarts: readonly number[], blockClass: readonly number[] = []): Polarised {
  const n = a.n;
  const inv = new Int32Array(n);
  for (let i = 0; i < n; i++) inv[perm[i]!] = i;
  const blockOf = new Int32Array(n);
  const starts = [...blockStarts, n];
  for (let b = 0; b + 1 < starts.length; b++) for (let i = starts[b]!; i < starts[b + 1]!; i++) blockOf[i] = b;

  const blocks: Block[] = [];
  const colCount = new Int32Array(n + 1);
  let denseNnz = 0;
  for (let b = 0; b + 1 < starts.length; b++) {
    const start = starts[b]!;
    const size = starts[b + 1]! - start;
    const rows: number[] = [];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let r = 0; r < size; r++) {
      const v = perm[start + r]!;
      const entries: [number, number][] = [];
      for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) entries.push([inv[a.col[k]!]!, a.val[k]!]);
      entries.sort((x, y) => x[0] - y[0]);
      for (const [u, val] of entries) {
        if (blockOf[u] === b) {
          rows.push(r);
          cols.push(u - start);
          vals.push(val);
        } else colCount[u + 1]!++;
      }
    }
    denseNnz += vals.length;
    blocks.push({ start, size, degreeClass: blockClass[b] ?? 0, rows: Int32Array.from(rows), cols: Int32Array.from(cols), vals: Uint16Array.from(vals) });
  }
  const colPtr = new Int32Array(n + 1);
  for (let u = 0; u < n; u++) colPtr[u + 1] = colPtr[u]! + colCount[u + 1]!;
  const fill = Int32Array.from(colPtr.subarray(0, n));
  const row = new Int32Array(colPtr[n]!);
  const val = new Uint16Array(colPtr[n]!);
  // Rows visited in ascending new index, so each column's rows come out sorted.
  for (let i = 0; i < n; i++) {
    const v = perm[i]!;
    for (let k = a.rowPtr[v]!; k < a.rowPtr[v + 1]!; k++) {
      const u = inv[a.col[k]!]!;
      if (blockOf[u] === blockOf[i]) continue;
      row[fill[u]!] = i;
      val[fill[u]!] = a.val[k]!;
      fill[u]!++;
    }
  }
  const nnz = a.rowPtr[n]!;
  return { n, perm, inv, blocks, sparse: { n, colPtr, row, val }, nnz, denseNnz, denseShare: nnz === 0 ? 0 : denseNnz / nnz };
}

/** Block boundaries of the unreordered graph cut into consecutive chunks of `blockRows`. */
export function identitySplit(a: Csr, blockRows: number): Polarised {
  const perm = Int32Array.from({ length: a.n }, (_, i) => i);
  const starts: number[] = [];
  for (let s = 0; s < a.n; s += blockRows) starts.push(s);
  return splitBlocks(a, perm, starts);
}
