/**
 * The scheduler: ops in topological order, each placed in the earliest pipeline stage its arguments
 * allow, chained within a stage while the summed delays (hls/delays.ts) fit the clock period, and
 * started in the next stage when they would not (ASAP with operator chaining, as in Vitis HLS and
 * LegUp). Every stage ends in a register, so the circuit accepts a new argument set each cycle (II=1).
 */
import type { HwType } from '../dsl/index.ts';
import { opDelay } from './delays.ts';
import type { HNode } from './graph.ts';
import { HOPS, rangeType } from './ops.ts';
import { ICE40_DELAYS } from './ice40-delays.ts';

export interface Schedule {
  /** Pipeline stages (= latency in cycles; every stage ends in a register). */
  stages: number;
  ii: number;
  clockMHz: number;
  /** Stage of each op node (inputs 0; constants -1: made where they are used). */
  stageOf: Map<HNode, number>;
  /** The nodes the outputs need, in topological order. */
  order: HNode[];
  /** The longest estimated combinational path in a stage, ns (overhead included). */
  criticalNs: number;
  /** Ops by delay class (the datapath units; at II > 1 'multiplier' counts the shared units). */
  units: Record<string, number>;
  /**
   * At II > 1: each shared multiplier's unit (numbered per stage) and cycle (0..ii-1) within its
   * stage's ii cycles; `unitsPerStage[s]` multipliers serve stage s. Empty at II = 1.
   */
  shared: Map<HNode, { unit: number; slot: number }>;
  unitsPerStage: number[];
  /** Table reads from block RAM (tables of at least `bramMinEntries`): read at the end of the stage before theirs. */
  bram: Set<HNode>;
}

/**
 * A block RAM's clock-to-out on iCE40 (its read data comes from the RAM's output register): an
 * estimate from nextpnr's HX timing model, not measured by hls/measure-delays.ts.
 */
export const BRAM_READ_NS = 2.5;

/** A multiplier worth sharing over II cycles: a real product (a constant factor folds into LUTs). */
export function isShared(n: HNode): boolean {
  return HOPS[n.op].delay === 'multiplier' && n.args.every((a) => a.op !== 'const');
}

/** The type of a node's value, from its range. */
export function nodeType(n: HNode): HwType {
  return rangeType(n.lo, n.hi);
}

/** The width that times an op: the widest argument (index bits for a ROM/select) or the result. */
function timingWidth(n: HNode): number {
  if (n.op === 'rom' || n.op === 'sel') return nodeType(n.args[0]!).width;
  // The multiplier row was measured as w × w -> 2w bits: its operands time it, not its wide product.
  if (HOPS[n.op].delay === 'multiplier') return Math.max(...n.args.map((a) => nodeType(a).width));
  return Math.max(nodeType(n).width, ...n.args.map((a) => nodeType(a).width));
}

/**
 * Schedule for one argument set every `ii` cycles. At ii > 1 every stage holds its argument set for
 * ii cycles, and the multipliers of a stage are shared: ceil(m / ii) units, each computing one
 * product per cycle. A shared product is kept in a register from its cycle on, so a multiplier whose
 * operand depends on another shared product of the same stage starts the next stage instead (no
 * product waits on another within a stage: the operand multiplexers stay free of loops).
 */
export function schedule(outputs: HNode[], clockMHz: number, ii = 1, bramMinEntries = Infinity): Schedule {
  const seen = new Set<HNode>();
  const visit = (n: HNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    n.args.forEach(visit);
  };
  outputs.forEach(visit);
  const order = [...seen].sort((a, b) => a.id - b.id); // args are always made before their users
  const budget = 1000 / clockMHz - ICE40_DELAYS.overheadNs;
  const stageOf = new Map<HNode, number>();
  const finish = new Map<HNode, number>();
  const units: Record<string, number> = {};
  let critical = 0;
  // At ii > 1: the node depends, within its own stage, on a shared product.
  const afterProduct = new Set<HNode>();
  const bram = new Set<HNode>();
  for (const n of order) {
    if (n.op === 'const') { stageOf.set(n, -1); finish.set(n, 0); continue; }
    if (n.op === 'in') { stageOf.set(n, 0); finish.set(n, 0); continue; }
    if (n.op === 'rom' && n.table!.length >= bramMinEntries) {
      // The address is registered into the RAM with the stage after the index's: data from that stage on.
      bram.add(n);
      units.bram = (units.bram ?? 0) + 1;
      stageOf.set(n, stageOf.get(n.args[0]!)! + 1);
      finish.set(n, BRAM_READ_NS);
      critical = Math.max(critical, BRAM_READ_NS);
      continue;
    }
    const row = HOPS[n.op];
    const d = opDelay(row.delay, timingWidth(n));
    if (row.delay !== 'wire') units[row.delay] = (units[row.delay] ?? 0) + 1;
    let s = Math.max(0, ...n.args.map((a) => stageOf.get(a)!));
    let t0 = Math.max(0, ...n.args.filter((a) => stageOf.get(a) === s).map((a) => finish.get(a)!));
    // Chained after an op of this stage: the routing between the two (measured, ICE40_DELAYS.hopNs).
    if (t0 > 0 && d > 0) t0 += ICE40_DELAYS.hopNs;
    if (t0 > 0 && t0 + d > budget) { s += 1; t0 = 0; }
    if (ii > 1 && isShared(n) && n.args.some((a) => stageOf.get(a) === s && afterProduct.has(a))) { s += 1; t0 = 0; }
    if (ii > 1 && (isShared(n) || n.args.some((a) => stageOf.get(a) === s && afterProduct.has(a)))) afterProduct.add(n);
    stageOf.set(n, s);
    finish.set(n, t0 + d);
    critical = Math.max(critical, t0 + d);
  }
  const stages = 1 + Math.max(0, ...order.map((n) => stageOf.get(n)!));
  const shared = new Map<HNode, { unit: number; slot: number }>();
  const unitsPerStage = new Array<number>(stages).fill(0);
  if (ii > 1) {
    const count = new Array<number>(stages).fill(0);
    for (const n of order) {
      if (!isShared(n)) continue;
      const st = stageOf.get(n)!;
      const j = count[st]!++;
      shared.set(n, { unit: Math.floor(j / ii), slot: j % ii });
      unitsPerStage[st] = Math.floor(j / ii) + 1;
    }
    if (shared.size) units.multiplier = unitsPerStage.reduce((a, b) => a + b, 0);
  }
  return { stages, ii, clockMHz, stageOf, order, criticalNs: Math.round((critical + ICE40_DELAYS.overheadNs) * 100) / 100, units, shared, unitsPerStage, bram };
}
