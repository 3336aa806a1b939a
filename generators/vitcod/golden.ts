/**
 * The ViTCoD kernel, bit-exact, in plain TypeScript (ACCELERATORS.md §4), and the host-side plan the
 * engine runs from: the reorder of key columns (global tokens first), the split of the kept pairs into
 * the dense block and the sparse coordinate list, and the split of MAC lines between the two engines.
 * Imports nothing from dsl/.
 *
 * Integer widths (per head: N queries/keys, head dimension d):
 *   Q, K, V   int8, [N, d]
 *   keep      0/1, [N, N] (true = the pair (query i, key j) is kept; the .npy masks store true = pruned)
 *   S[i,j]    int32 = Σ_t Q[i,t]·K[j,t], on kept pairs only (|S| ≤ d·2^14 < 2^31 for d ≤ 2^16)
 *   m[i]      int32 = max_j S[i,j] over kept j (0 for a row with nothing kept: it is never used)
 *   r         uint8 = min(255, (m[i] − S[i,j]) >> σ)   (m − S ≥ 0 needs 33 bits before the shift)
 *   P[i,j]    uint8 = E[r], E[r] = round(255 · 2^(−r/16))
 *   O[i,:]    int32 = Σ_j P[i,j]·V[j,:]   (|O| ≤ N·255·128 < 2^31 for N < 2^16)
 *   L[i]      uint32 = Σ_j P[i,j]         (≤ 255·N)
 * Normalisation is deferred: a consumer computes O / L.
 */
import { expTable } from './exp-table.ts';

/** One head's problem: rows of int8 numbers, the kept mask, and σ. */
export interface HeadProblem {
  q: number[][];
  k: number[][];
  v: number[][];
  keep: boolean[][];
}

export interface HeadResult {
  o: number[][];
  l: number[];
  /** The row maxima (0 where a row keeps nothing). */
  m: number[];
  /** Scores on kept pairs, by (i, j) in row-major order of the kept set. */
  kept: number;
}

const E = expTable();

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t]! * b[t]!;
  return s;
}

/** P from a row maximum and a score: E[min(255, (m − s) >> σ)] (m ≥ s, so the shift is of a non-negative number). */
export function prob(m: number, s: number, sigma: number): number {
  const diff = m - s;
  if (diff < 0) throw new Error(`internal: score ${s} above the row maximum ${m}`);
  return E[Math.min(255, Math.floor(diff / 2 ** sigma))]!;
}

/** The kernel of §4 for one head, straight from the definition. */
export function vitcodHead(h: HeadProblem, sigma: number): HeadResult {
  const N = h.q.length;
  const d = h.q[0]?.length ?? 0;
  const o: number[][] = [];
  const l: number[] = [];
  const m: number[] = [];
  let kept = 0;
  for (let i = 0; i < N; i++) {
    const js: number[] = [];
    const s: number[] = [];
    for (let j = 0; j < N; j++)
      if (h.keep[i]![j]) {
        js.push(j);
        s.push(dot(h.q[i]!, h.k[j]!));
      }
    kept += js.length;
    const mi = s.length ? Math.max(...s) : 0;
    const row = new Array<number>(d).fill(0);
    let li = 0;
    js.forEach((j, n) => {
      const p = prob(mi, s[n]!, sigma);
      li += p;
      for (let t = 0; t < d; t++) row[t]! += p * h.v[j]![t]!;
    });
    o.push(row);
    l.push(li);
    m.push(mi);
  }
  return { o, l, m, kept };
}

// ---- host side: the reorder, the dense block and the coordinate list, the line split ----------

/** One kept pair as the engine walks it: query i, key j (original column index). */
export interface Pair {
  i: number;
  j: number;
}

/** One entry of a MAC line's list: a pair, and whether it is the line's first pair of row i. */
export interface LineEntry extends Pair {
  first: boolean;
}

export interface HeadPlan {
  /** Global key columns (most kept entries first, ties by index): the dense block's columns. */
  global: number[];
  /** Key permutation: global columns first, then the rest in index order (perm[new] = old). */
  perm: number[];
  /** Kept pairs in the global columns, query-major (the denser engine: query-stationary). */
  dense: Pair[];
  /** Kept pairs elsewhere, key-major (the sparser engine: key-stationary, each key walks its queries). */
  sparse: Pair[];
  /** MAC lines given to the denser and the sparser engine. */
  denseLines: number;
  sparseLines: number;
  /** Each line's list (lines 0..denseLines−1 dense, then sparse); padded to `steps` by the hardware. */
  lists: LineEntry[][];
  /** Longest list: the pair steps every line walks in lock step. */
  steps: number;
}

/** Kept entries per key column. */
export function columnCounts(keep: readonly (readonly boolean[])[]): number[] {
  const N = keep.length;
  const c = new Array<number>(N).fill(0);
  for (const row of keep) for (let j = 0; j < N; j++) if (row[j]) c[j]!++;
  return c;
}

/**
 * The global key columns: the `count` columns with most kept entries (as the data's
 * global_token_info gives), or, with `threshold`, every column keeping at least that fraction of
 * the queries. Ties go to the lower index.
 */
export function globalColumns(keep: readonly (readonly boolean[])[], sel: { count: number } | { threshold: number }): number[] {
  const N = keep.length;
  const c = columnCounts(keep);
  const order = Array.from({ length: N }, (_, j) => j).sort((a, b) => c[b]! - c[a]! || a - b);
  if ('count' in sel) return order.slice(0, Math.max(0, Math.min(N, sel.count)));
  return order.filter((j) => c[j]! > 0 && c[j]! >= sel.threshold * N);
}

/** Split n items into `parts` contiguous chunks as equal as possible. */
function chunks<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (let p = 0; p < parts; p++) {
    const size = Math.floor(items.length / parts) + (p < items.length % parts ? 1 : 0);
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

function withFirst(list: readonly Pair[]): LineEntry[] {
  const seen = new Set<number>();
  return list.map((p) => {
    const first = !seen.has(p.i);
    seen.add(p.i);
    return { ...p, first };
  });
}

/**
 * The plan of one head on `lines` MAC lines: global columns, the dense/sparse split, and the lines
 * split between the engines in proportion to their pairs (the split that makes the longer of the
 * two engines' lists shortest; each pair costs the same d/macs cycles in either engine).
 */
export function planHead(keep: readonly (readonly boolean[])[], lines: number, sel: { count: number } | { threshold: number }): HeadPlan {
  const N = keep.length;
  const global = globalColumns(keep, sel);
  const isGlobal = new Set(global);
  const perm = [...global, ...Array.from({ length: N }, (_, j) => j).filter((j) => !isGlobal.has(j))];
  const dense: Pair[] = [];
  for (let i = 0; i < N; i++) for (const j of global) if (keep[i]![j]) dense.push({ i, j });
  const sparse: Pair[] = [];
  for (let j = 0; j < N; j++) if (!isGlobal.has(j)) for (let i = 0; i < N; i++) if (keep[i]![j]) sparse.push({ i, j });
  let best = { denseLines: 0, steps: Infinity };
  const lo = dense.length > 0 ? 1 : 0;
  const hi = sparse.length > 0 ? lines - 1 : lines;
  if (lines === 1 && dense.length > 0 && sparse.length > 0) {
    // One line serves both engines in turn.
    const all = withFirst([...dense, ...sparse]);
    return { global, perm, dense, sparse, denseLines: 1, sparseLines: 0, lists: [all], steps: all.length };
  }
  // Start from the proportional split and keep the best nearby (ties: the proportional one).
  const prop = Math.min(hi, Math.max(lo, Math.round((lines * dense.length) / Math.max(1, dense.length + sparse.length))));
  for (const ld of [prop, ...Array.from({ length: hi - lo + 1 }, (_, k) => lo + k)]) {
    const steps = Math.max(ld ? Math.ceil(dense.length / ld) : 0, lines - ld ? Math.ceil(sparse.length / (lines - ld)) : 0);
    if (steps < best.steps) best = { denseLines: ld, steps };
  }
  const ld = best.denseLines;
  const lists = [...chunks(dense, ld), ...chunks(sparse, lines - ld)].map(withFirst);
  return { global, perm, dense, sparse, denseLines: ld, sparseLines: lines - ld, lists, steps: Math.max(0, ...lists.map((l) => l.length)) };
}

/**
 * The kernel as the engine computes it: partial row maxima per line, merged; P per pair; partial O
 * and L per line, summed. Equal to `vitcodHead` (checked by the tests): the order of the sums and
 * maxima does not matter in integers.
 */
export function vitcodHeadPlanned(h: HeadProblem, plan: HeadPlan, sigma: number): HeadResult {
  const N = h.q.length;
  const d = h.q[0]?.length ?? 0;
  const S = plan.lists.map((list) => list.map((e) => dot(h.q[e.i]!, h.k[e.j]!)));
  const m = new Array<number>(N).fill(0);
  const has = new Array<boolean>(N).fill(false);
  plan.lists.forEach((list, l) => list.forEach((e, t) => {
    const s = S[l]![t]!;
    m[e.i] = has[e.i] ? Math.max(m[e.i]!, s) : s;
    has[e.i] = true;
  }));
  const o = Array.from({ length: N }, () => new Array<number>(d).fill(0));
  const L = new Array<number>(N).fill(0);
  plan.lists.forEach((list, l) => list.forEach((e, t) => {
    const p = prob(m[e.i]!, S[l]![t]!, sigma);
    L[e.i]! += p;
    for (let x = 0; x < d; x++) o[e.i]![x]! += p * h.v[e.j]![x]!;
  }));
  return { o, l: L, m, kept: plan.dense.length + plan.sparse.length };
}

/** MACs of one head: scores and S·V on every kept pair. */
export function headMacs(kept: number, d: number): number {
  return 2 * kept * d;
}

// ---- the Q/K auto-encoder (ViTCoD's second step): the maps, the host fit, the per-head loads ----

/**
 * An int8 linear map across heads with right shifts: for every (token i, dimension t) the h values
 * x[·][i][t] are encoded to h' < h codes and decoded back on chip:
 *   z[a][i][t] = sat8((Σ_h enc[a][h] · x[h][i][t]) >> encShift)       (enc int8 [h'][h])
 *   x̂[h][i][t] = sat8((Σ_a dec[h][a] · z[a][i][t]) >> decShift)      (dec int8 [h][h'])
 * with >> arithmetic (floor) and sat8 clamping to −128..127. Sums fit int32 (h ≤ 2^16).
 */
export interface HeadCodec {
  enc: number[][];
  encShift: number;
  dec: number[][];
  decShift: number;
}

const sat8 = (v: number): number => Math.max(-128, Math.min(127, v));
const shiftDown = (v: number, s: number): number => Math.floor(v / 2 ** s);

function mapHeads(x: readonly (readonly (readonly number[])[])[], w: readonly (readonly number[])[], shift: number): number[][][] {
  const N = x[0]?.length ?? 0;
  const d = x[0]?.[0]?.length ?? 0;
  return w.map((row) => Array.from({ length: N }, (_, i) => Array.from({ length: d }, (_, t) => {
    let s = 0;
    row.forEach((c, h) => (s += c * x[h]![i]![t]!));
    return sat8(shiftDown(s, shift));
  })));
}

/** Encode [h][N][d] int8 to [h'][N][d] int8 codes. */
export function encodeHeads(x: readonly (readonly (readonly number[])[])[], c: HeadCodec): number[][][] {
  return mapHeads(x, c.enc, c.encShift);
}

/** Decode [h'][N][d] codes back to [h][N][d] int8. */
export function decodeHeads(z: readonly (readonly (readonly number[])[])[], c: HeadCodec): number[][][] {
  return mapHeads(z, c.dec, c.decShift);
}

/** Eigenvectors of a symmetric matrix (Jacobi rotations), largest eigenvalue first. */
function symmetricEigen(a0: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const n = a0.length;
  const a = a0.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-18) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p]![q]!) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j]![j]! - a[i]![i]!);
  return { values: order.map((i) => a[i]![i]!), vectors: order.map((i) => v.map((r) => r[i]!)) };
}

/** The largest shift s ≤ 14 with every |w·2^s| rounding into int8. */
function int8Scaled(w: number[][]): { q: number[][]; shift: number } {
  const mx = Math.max(1e-12, ...w.flat().map(Math.abs));
  let shift = 0;
  while (shift < 14 && Math.round(mx * 2 ** (shift + 1)) <= 127) shift++;
  return { q: w.map((r) => r.map((x) => Math.max(-128, Math.min(127, Math.round(x * 2 ** shift))))), shift };
}

/**
 * Fit the auto-encoder on data (host side): the top h' principal directions across heads, the codes
 * scaled to fill int8, encoder and decoder rounded to int8 with the largest shifts that fit.
 */
export function fitHeadCodec(x: readonly (readonly (readonly number[])[])[], hOut: number): HeadCodec {
  const h = x.length;
  const cov = Array.from({ length: h }, () => new Array<number>(h).fill(0));
  for (let a = 0; a < h; a++)
    for (let b = 0; b < h; b++)
      x[a]!.forEach((row, i) => row.forEach((v, t) => (cov[a]![b]! += v * x[b]![i]![t]!)));
  const { vectors } = symmetricEigen(cov);
  const U = vectors.slice(0, hOut); // [h'][h], unit rows
  let zmax = 1e-9;
  x[0]!.forEach((row, i) => row.forEach((_, t) => U.forEach((u) => (zmax = Math.max(zmax, Math.abs(u.reduce((s, c, k) => s + c * x[k]![i]![t]!, 0)))))));
  const alpha = 127 / zmax;
  const enc = int8Scaled(U.map((u) => u.map((c) => c * alpha)));
  const dec = int8Scaled(Array.from({ length: h }, (_, k) => U.map((u) => u[k]! / alpha)));
  return { enc: enc.q, encShift: enc.shift, dec: dec.q, decShift: dec.shift };
}

/** Relative error ‖x̂ − x‖ / ‖x‖ of a round trip. */
export function codecError(x: readonly (readonly (readonly number[])[])[], c: HeadCodec): number {
  const y = decodeHeads(encodeHeads(x, c), c);
  let num = 0;
  let den = 0;
  x.forEach((head, h) => head.forEach((row, i) => row.forEach((v, t) => {
    num += (y[h]![i]![t]! - v) ** 2;
    den += v * v;
  })));
  return Math.sqrt(num / Math.max(1, den));
}

/**
 * How one head's Q and K reach the engine with the auto-encoder: `mode` 1 = its load brings the
 * layer's codes (zq0, zq1, zk0, zk1, each [N][d] int8) and V, 2 = the codes are already on chip and
 * only V is loaded; (0 = raw Q, K and V, without the encoder). The head's decoder row (`dq`, `dk`,
 * int8) and shifts (`sq`, `sk`) rebuild its Q and K: x̂ = sat8((w0·z0 + w1·z1) >> s).
 */
export interface HeadLoad {
  mode: 0 | 1 | 2;
  dq: [number, number];
  sq: number;
  dk: [number, number];
  sk: number;
  codes?: number[][][];
}

/** The identity "codec" of a group of one or two heads: its heads are the codes (exact). */
function identityCodec(g: number): HeadCodec {
  const unit = (h: number) => [0, 1].map((a) => (a === h ? 1 : 0));
  return { enc: [0, 1].map((a) => Array.from({ length: g }, (_, h) => (a === h ? 1 : 0))), encShift: 0, dec: Array.from({ length: g }, (_, h) => unit(h)), decShift: 0 };
}

/**
 * The auto-encoder over a run of heads: consecutive groups of `group` heads (a DeiT layer: 3) share
 * 2 Q codes and 2 K codes, fitted on the group (`fitHeadCodec`; a last group of 1 or 2 heads sends
 * its heads as they are). Returns each head's load and the heads as the engine sees them (Q and K
 * decoded): the golden of an engine with the decoder is the kernel on these.
 */
export function autoEncodeHeads(heads: readonly HeadProblem[], group = 3): { loads: HeadLoad[]; decoded: HeadProblem[] } {
  const loads: HeadLoad[] = [];
  const decoded: HeadProblem[] = [];
  for (let g0 = 0; g0 < heads.length; g0 += group) {
    const members = heads.slice(g0, g0 + group);
    const g = members.length;
    const fit = (x: number[][][]) => (g > 2 ? fitHeadCodec(x, 2) : identityCodec(g));
    const cq = fit(members.map((h) => h.q));
    const ck = fit(members.map((h) => h.k));
    const zq = encodeHeads(members.map((h) => h.q), cq);
    const zk = encodeHeads(members.map((h) => h.k), ck);
    const qh = decodeHeads(zq, cq);
    const kh = decodeHeads(zk, ck);
    members.forEach((h, n) => {
      const pair = (row: number[]) => [row[0] ?? 0, row[1] ?? 0] as [number, number];
      loads.push({ mode: n === 0 ? 1 : 2, dq: pair(cq.dec[n]!), sq: cq.decShift, dk: pair(ck.dec[n]!), sk: ck.decShift, ...(n === 0 ? { codes: [zq[0]!, zq[1]!, zk[0]!, zk[1]!] } : {}) });
      decoded.push({ ...h, q: qh[n]!, k: kh[n]! });
    });
  }
  return { loads, decoded };
}
