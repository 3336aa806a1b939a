/**
 * The back end: the scheduled graph as a DSL module with one input stream (a Record of the
 * arguments) and one output stream (the result), built on `pipelineMap`, so the valid/ready
 * handshake, stalls and back-pressure come from the dataflow library and every downstream tool
 * (checks, Verilog, harness, FPGA flow) applies unchanged. The manifest gets the schedule.
 */
import {
  In, Out, Record as RecordT, Stream, Vec, clog2, connect, module, noteElement, pipelineMap,
  type Bundle, type ModuleBuilder, type HwType, type ModuleDef, type PayloadType, type PortRecord, type Value,
} from '../dsl/index.ts';
import type { HNode } from './graph.ts';
import type { Kernel, Val } from './frontend.ts';
import { HOPS, fit, rangeType } from './ops.ts';
import { nodeType, type Schedule } from './schedule.ts';
import { sharedPipeline, type PhaseContext } from './shared.ts';

/** The output payload type of a result value: numbers by range, booleans 1 bit, arrays a Vec of one type. */
export function resultType(v: Val): PayloadType {
  if (v.t !== 'arr') return v.t === 'bool' ? { signed: false, width: 1 } : nodeType(v.n);
  if (v.items.length === 0) throw new Error('an empty array result');
  if (v.items.some((x) => x.t === 'arr')) return Vec(resultType(v.items[0]!), v.items.length);
  const leaves = v.items.map((x) => (x as { n: HNode }).n);
  let lo = leaves[0]!.lo, hi = leaves[0]!.hi;
  for (const n of leaves) { if (n.lo < lo) lo = n.lo; if (n.hi > hi) hi = n.hi; }
  return Vec(rangeType(lo, hi), v.items.length);
}

/** Leaves of a result value, in order. */
export function resultLeaves(v: Val): HNode[] {
  return v.t === 'arr' ? v.items.flatMap(resultLeaves) : [v.n];
}

export function buildModule(name: string, kernel: Kernel, argsType: Record<string, PayloadType>, sched: Schedule): ModuleDef<PortRecord> {
  const inType = RecordT(argsType);
  const outType = resultType(kernel.result);
  const outputs = new Set(resultLeaves(kernel.result));
  // Last stage in which each node is read (by an op or, at the end, by the output).
  const lastUse = new Map<HNode, number>();
  // (A block-RAM read takes its index in the stage before its own.)
  for (const n of sched.order) for (const a of n.args) lastUse.set(a, Math.max(lastUse.get(a) ?? -1, sched.stageOf.get(n)! - (sched.bram.has(n) ? 1 : 0)));
  for (const n of outputs) lastUse.set(n, sched.stages);
  const key = (n: HNode) => `n${n.id}`;

  return module(name, { args: In(Stream(inType)), result: Out(Stream(outType)) }, (io, m) => {
    // Block-RAM reads: issued in the stage before theirs (registered with the pipeline's move).
    const bramOut = new Map<HNode, Value>();
    // ctx: at II > 1, shared multipliers are wires driven by their unit (hls/shared.ts).
    const stageFn = (i: number) => (bundle: Record<string, unknown>, ctx?: PhaseContext): Bundle => {
      const vals = new Map<HNode, Value>();
      const get = (n: HNode, t?: HwType): Value => {
        if (n.op === 'const') return HOPS.const.emit([], n, t ?? nodeType(n));
        const v = vals.get(n);
        if (!v) throw new Error(`hls backend: node ${n.id} (${n.op}) is not available in stage ${i}`);
        return v;
      };
      for (const n of sched.order) {
        const s = sched.stageOf.get(n)!;
        if (n.op === 'in') {
          if (i === 0) vals.set(n, n.input!.reduce<unknown>((x, k) => (x as Record<string | number, unknown>)[k], bundle) as Value);
          else if (bundle[key(n)]) vals.set(n, bundle[key(n)] as Value);
        } else if (sched.bram.has(n) && ctx) {
          if (s === i + 1) bramOut.set(n, bramRead(m, `${name}_rom${n.id}`, n, get(n.args[0]!), ctx.move));
          else if (s === i) vals.set(n, bramOut.get(n)!);
          else if (s < i && bundle[key(n)]) vals.set(n, bundle[key(n)] as Value);
        } else if (n.op !== 'const') {
          const sh = sched.shared.get(n);
          if (s === i && sh && ctx) {
            const out = m.wire(m.freshName(`${name}_n${n.id}`), nodeType(n));
            ctx.share(sh.unit, { a: get(n.args[0]!), b: get(n.args[1]!), slot: sh.slot, type: nodeType(n), out });
            vals.set(n, out);
          } else if (s === i) vals.set(n, HOPS[n.op].emit(n.args.map((a) => get(a)), n, nodeType(n)));
          else if (s < i && bundle[key(n)]) vals.set(n, bundle[key(n)] as Value);
        }
      }
      if (i === sched.stages - 1) return shape(kernel.result, outType, get);
      const live: Record<string, Value> = {};
      for (const [n, v] of vals) if ((lastUse.get(n) ?? -1) > i) live[key(n)] = v;
      return live;
    };
    const stages = Array.from({ length: sched.stages }, (_, i) => stageFn(i));
    if (sched.ii > 1 || sched.bram.size) sharedPipeline(m, io.args, io.result, outType, sched.ii, stages as never, `${name}_pipe`);
    else connect(pipelineMap(io.args, outType, stages, `${name}_pipe`), io.result);
    noteElement(m, {
      element: 'hls', name: kernel.name, ...(sched.ii > 1 || sched.bram.size ? { latency: (sched.stages + 1) * sched.ii, capacity: sched.stages + 1 } : { latency: sched.stages, capacity: sched.stages }), ii: sched.ii,
      stages: sched.stages, clockMHz: sched.clockMHz, estimatedNs: sched.criticalNs, units: sched.units,
      ops: sched.order.filter((n) => n.op !== 'in' && n.op !== 'const').length, loc: kernel.loc,
    });
  });
}

/** A table read from block RAM: a ROM of the table (unreachable entries repeat a reachable one), read synchronously. */
function bramRead(m: ModuleBuilder, name: string, n: HNode, index: Value, enable: Value): Value {
  const t = nodeType(n);
  const [lo, hi] = [Number(n.args[0]!.lo), Number(n.args[0]!.hi)];
  const rom = m.rom(m.freshName(name), t, n.table!.map((v, k) => (k < lo ? n.table![lo]! : k > hi ? n.table![hi]! : v)));
  const aw = clog2(n.table!.length);
  const addr = index.asUInt();
  return rom.read(addr.width < aw ? addr.extend(aw) : addr, enable);
}

function shape(v: Val, t: PayloadType, get: (n: HNode, t?: HwType) => Value): Bundle {
  if (v.t !== 'arr') return fit(get(v.n, t as HwType), t as HwType);
  const el = (t as { element: PayloadType }).element;
  return v.items.map((x) => shape(x, el, get));
}
