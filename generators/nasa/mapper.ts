/**
 * NASA's auto-mapper: given a hybrid network and a PE or LUT budget, size one chunk per arithmetic
 * form (multiply, shift, adder: rows × cols PEs each) so that the chunk pipeline is balanced, and
 * predict the cycles per image.
 *
 * Every layer runs on the chunk of its form; images pipeline across the chunks (image i's shift
 * layers on the shift chunk while image i+1's multiply layers run on the multiply chunk), so the
 * steady-state cycles per image are the largest chunk's sum over its layers. A layer's cycles on an
 * r×c chunk come from the measured cost table (`cost-table.json`): the table's engines spend
 * `N + tileExtra` cycles per weight tile and `jobExtra` per layer, both fitted here from the
 * measured cycles, so a wrong table shows up as a wrong prediction against Verilator. A chunk's
 * LUTs are a fixed part plus a part per PE, fitted from whole chunks synthesised at two sizes per
 * form (`chunk-luts.json`); without that file, its PEs times the table's LUTs per PE of that form
 * (control and buffers amortised as measured on the table's 4×4 engine). Imports nothing from `dsl/`.
 */
import { fitLutModel, loadChunkLuts, type ChunkLuts, type LutModel } from './chunk-luts.ts';
import type { CostTable, OpForm } from './cost-table.ts';
import { checkNetwork, layerGemm, type HybridLayer } from './network.ts';

/** What the mapper may spend: PEs, or LUTs (iCE40, from the table's LUTs per PE). */
export type Budget = { pes: number } | { luts: number };

/** The cycle and area model the mapper derives from a cost table. */
export interface CostModel {
  /** Cycles per weight tile beyond N (the weight swap). */
  tileExtra: number;
  /** Cycles per layer (job) beyond its tiles: filling the first weights, draining the pipeline. */
  jobExtra: number;
  lutsPerPe: Record<OpForm, number>;
  /** LUTs of a chunk = base + perPe · PEs, per form: fitted from synthesised chunks when given, else base 0 and the table's LUTs per PE. */
  luts: LutModel;
}

export interface ChunkPlan {
  form: OpForm;
  rows: number;
  cols: number;
  layers: string[];
  /** Predicted cycles of one image's layers of this form on this chunk. */
  cycles: number;
  luts: number;
}

export interface Mapping {
  chunks: ChunkPlan[];
  /** Steady-state cycles per image: the slowest chunk's. */
  cyclesPerImage: number;
  bottleneck: OpForm;
  pes: number;
  luts: number;
  /** Chunk-size combinations evaluated, and the search's wall time. */
  evaluated: number;
  searchMs: number;
}

export interface MapOptions {
  /** Candidate chunk sides (rows and cols); default 1, 2, 3, 4, 6, 8, ... 48, 64. */
  sides?: readonly number[];
  /**
   * Chain the chunks as the generated top does (forms in network order, each chunk's rows equal to
   * the next chunk's cols, so an output token is the next chunk's input token). A network that
   * repeats its cycle of forms (mul, shift, adder, mul, ...: several rounds, each chunk running one
   * layer a round) also needs the last chunk's rows equal to the first chunk's cols (the ring).
   */
  chain?: boolean;
  /** Synthesised chunks calibrating the LUT model (default: the shipped chunk-luts.json, when written; null: the table's LUTs per PE). */
  chunkLuts?: ChunkLuts | null;
}

const FORMS: readonly OpForm[] = ['mul', 'shift', 'adder'];

/**
 * Fit the per-tile and per-job overheads (least squares over all entries) and the LUT model: from
 * synthesised whole chunks (`chunkLuts`, base + per PE; default the shipped chunk-luts.json), or with
 * `null` (or no such file) the table's LUTs per PE.
 */
export function costModel(t: CostTable, chunkLuts: ChunkLuts | null = loadChunkLuts() ?? null): CostModel {
  // cycles − tiles·N = tiles·tileExtra + jobExtra
  const pts = t.entries.map((e) => {
    const tiles = Math.ceil(e.gemm.M / e.engine.rows) * Math.ceil(e.gemm.K / e.engine.cols);
    return [tiles, e.cycles - tiles * e.gemm.N] as const;
  });
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p[0], 0) / n;
  const my = pts.reduce((a, p) => a + p[1], 0) / n;
  const sxx = pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  const tileExtra = sxx === 0 ? 1 : pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / sxx;
  const jobExtra = my - tileExtra * mx;
  const lutsPerPe = Object.fromEntries(FORMS.map((f) => {
    const es = t.entries.filter((e) => e.form === f);
    if (es.length === 0) throw new Error(`cost table has no ${f} entries; the mapper needs LUTs per PE of every form`);
    return [f, es.reduce((a, e) => a + e.luts / (e.engine.rows * e.engine.cols), 0) / es.length];
  })) as Record<OpForm, number>;
  const luts = chunkLuts ? fitLutModel(chunkLuts) : (Object.fromEntries(FORMS.map((f) => [f, { base: 0, perPe: lutsPerPe[f] }])) as LutModel);
  return { tileExtra, jobExtra, lutsPerPe, luts };
}

/** The model's LUTs of an r×c chunk of form `f`. */
export const chunkLutsOf = (m: CostModel, f: OpForm, rows: number, cols: number): number => Math.round(m.luts[f].base + m.luts[f].perPe * rows * cols);

/** Predicted cycles of one layer on an r×c chunk (K in whole channel tiles, as the engines walk it). */
export function layerCycles(m: CostModel, l: HybridLayer, rows: number, cols: number): number {
  const g = layerGemm(l);
  const tiles = Math.ceil(g.M / rows) * l.r * l.r * Math.ceil(l.cin / cols);
  return tiles * (g.N + m.tileExtra) + m.jobExtra;
}

/** Powers of two and three times powers of two, 1..64 (a budget is not always a power of two). */
const defaultSides = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];

/** Size the chunks for `net` within `budget`; the fastest pipeline wins, then the fewest LUTs. */
export function mapNetwork(net: readonly HybridLayer[], budget: Budget, table: CostTable, opts: MapOptions = {}): Mapping {
  checkNetwork(net);
  const start = performance.now();
  const model = costModel(table, opts.chunkLuts);
  const forms = FORMS.filter((f) => net.some((l) => l.op === f));
  let ring = false;
  if (opts.chain) {
    const order = net.map((l) => l.op);
    const cycle = [...new Set(order)];
    if (order.length % cycle.length !== 0 || order.some((f, i) => f !== cycle[i % cycle.length]))
      throw new RangeError(`chain mapping needs the layers' forms to repeat one cycle with each form once (e.g. mul, shift, adder, mul, shift, adder); the network's forms are ${order.join(', ')}`);
    forms.splice(0, forms.length, ...cycle);
    ring = order.length > cycle.length;
  }
  const sides = opts.sides ?? defaultSides;
  const limit = 'pes' in budget ? budget.pes : budget.luts;

  // Each form's candidate chunks with their cycles.
  const options = forms.map((f) => {
    const layers = net.filter((l) => l.op === f);
    return sides.flatMap((rows) => sides.map((cols) => ({
      form: f, rows, cols, layers: layers.map((l) => l.name),
      cycles: layers.reduce((a, l) => a + layerCycles(model, l, rows, cols), 0),
      luts: chunkLutsOf(model, f, rows, cols),
      // What the budget counts: PEs, or the chunk's LUTs as reported (so the reported total fits).
      cost: 'pes' in budget ? rows * cols : chunkLutsOf(model, f, rows, cols),
    })));
  });
  let best: (typeof options)[number] | undefined;
  let bestKey = [Infinity, Infinity];
  let evaluated = 0;
  const pick: (typeof options)[number] = [];
  const walk = (i: number, spent: number, slowest: number): void => {
    if (slowest > bestKey[0]!) return; // cannot beat the best pipeline any more
    if (i === options.length) {
      if (ring && pick[pick.length - 1]!.rows !== pick[0]!.cols) return;
      evaluated++;
      const luts = pick.reduce((a, c) => a + c.luts, 0);
      if (slowest < bestKey[0]! || (slowest === bestKey[0] && luts < bestKey[1]!)) {
        best = [...pick];
        bestKey = [slowest, luts];
      }
      return;
    }
    for (const c of options[i]!) {
      if (spent + c.cost > limit) continue;
      if (opts.chain && i > 0 && c.cols !== pick[i - 1]!.rows) continue;
      pick.push(c);
      walk(i + 1, spent + c.cost, Math.max(slowest, c.cycles));
      pick.pop();
    }
  };
  walk(0, 0, 0);
  if (!best) throw new RangeError(`budget ${JSON.stringify(budget)} is too small for one PE per form (${forms.join(', ')})`);
  const chunks = best.map(({ cost: _c, ...c }) => c);
  const slowest = chunks.reduce((a, c) => (c.cycles > a.cycles ? c : a));
  return {
    chunks,
    cyclesPerImage: slowest.cycles,
    bottleneck: slowest.form,
    pes: chunks.reduce((a, c) => a + c.rows * c.cols, 0),
    luts: chunks.reduce((a, c) => a + c.luts, 0),
    evaluated,
    searchMs: performance.now() - start,
  };
}

/** The mapper's predicted cycles per image of `net` on chunks of the given sizes (one per form it uses). */
export function predictChunks(net: readonly HybridLayer[], sizes: Partial<Record<OpForm, { rows: number; cols: number }>>, table: CostTable): { cycles: number; perChunk: Partial<Record<OpForm, number>> } {
  checkNetwork(net);
  const model = costModel(table);
  const perChunk: Partial<Record<OpForm, number>> = {};
  for (const l of net) {
    const s = sizes[l.op];
    if (!s) throw new RangeError(`layer '${l.name}' is in ${l.op} form, but no ${l.op} chunk size was given`);
    perChunk[l.op] = (perChunk[l.op] ?? 0) + layerCycles(model, l, s.rows, s.cols);
  }
  return { cycles: Math.max(...Object.values(perChunk)), perChunk };
}

/** The network with every layer in one form (the all-multiply baseline). */
export function allInForm(net: readonly HybridLayer[], form: OpForm): HybridLayer[] {
  return net.map((l) => ({ ...l, op: form }));
}

/** The network without multiplies: multiply layers become shift layers (ShiftAddNet's reparametrisation), adder layers stay. */
export function shiftAddOnly(net: readonly HybridLayer[]): HybridLayer[] {
  return net.map((l) => (l.op === 'mul' ? { ...l, op: 'shift' as const } : l));
}
