/**
 * The aggregation sub-engine, shared by GCoD's denser branch, its sparser branch and the baseline.
 * It is a small command-driven machine; the host's schedule (schedule.ts) decides what it does, so
 * the three uses differ only in their commands and their buffer sizes:
 *
 *   LOAD v, slot        ask the off-chip port for Z[v], to land in Z buffer slot `slot`
 *   MAC  r, slot, a     acc[r] += a · zbuf[slot]            (a is an Â entry, u0.8)
 *   EMIT r, slot, a, v  out (v, acc[r] + a · zbuf[slot]) to the merge, and clear acc[r]
 *   END                 raise `done`
 *
 * Loads are pipelined: a LOAD only waits for the port to take the request, and every Z slot has a
 * "landed" bit, so a MAC waits for exactly the row it reads. Commands run in order, so a LOAD into a
 * slot cannot overtake the MACs still reading the slot's previous row. `lanes` MAC units work on one
 * non-zero: a MAC takes hidden/lanes cycles, one lane group a cycle, each a read-modify-write of the
 * accumulator row (asynchronous read, so back-to-back updates of a row see each other).
 */
import { In, Out, bool, uint } from '../../dsl/build/ports.ts';
import { module, type Memory, type ModuleBuilder, type ModuleDef } from '../../dsl/build/module.ts';
import { cat, mux, select, u, type Value } from '../../dsl/build/value.ts';
import type { PortRecord } from '../../dsl/build/ports.ts';
import { record, unpack, type RecordType } from '../../dsl/lib/payload.ts';
import type { HwType } from '../../dsl/ir/types.ts';
import { ACC_BITS, OUT_BITS } from './golden.ts';

export const OP_LOAD = 0;
export const OP_MAC = 1;
export const OP_EMIT = 2;
export const OP_END = 3;

/** Field widths shared by every engine of a design (one command format per design). */
export interface CommandWidths {
  nodeW: number;
  slotW: number;
  rowW: number;
}

/** Payload of a command token, first field most significant. */
export function commandType(w: CommandWidths): RecordType<{ op: HwType; a: HwType; slot: HwType; r: HwType; v: HwType }> {
  return record({ op: uint(2), a: uint(8), slot: uint(w.slotW), r: uint(w.rowW), v: uint(w.nodeW) });
}

export interface EngineShape extends CommandWidths {
  /** Z buffer rows. */
  slots: number;
  /** Accumulator rows. */
  rows: number;
  /** MAC units (divides hidden). */
  lanes: number;
  hidden: number;
}

/** Split a packed row into `n` signed lanes of `w` bits, lane 0 least significant. */
export function lanesOf(row: Value, n: number, w: number): Value[] {
  return Array.from({ length: n }, (_, j) => row.slice(w * j + w - 1, w * j).asSInt());
}

/**
 * A row kept as one memory per lane (same depth, same address). A single wide memory would make
 * every lane access a slice of a several-hundred-bit word, which Verilator turns into megabytes of
 * C++ (minutes of g++); per-lane memories keep each access one machine word.
 */
export class LaneMemory {
  readonly mems: Memory[];
  constructor(m: ModuleBuilder, name: string, lanes: number, width: number, depth: number) {
    this.mems = Array.from({ length: lanes }, (_, j) => m.mem(`${name}_${j}`, { type: uint(width), depth }));
  }
  get addrWidth(): number {
    return this.mems[0]!.addrWidth;
  }
  /** Signed lanes at `addr`, this cycle. */
  read(addr: Value): Value[] {
    return this.mems.map((mm) => mm.readAsync(addr).asSInt());
  }
  /** Write lanes (signed or unsigned values of the lane width) at `addr` where enclosing conditions hold. */
  write(addr: Value, lanes: readonly Value[]): void {
    this.mems.forEach((mm, j) => mm.write(addr, lanes[j]!.asUInt()));
  }
}

/** Pack lanes into a row, lane 0 least significant. */
export function packLanes(lanes: readonly Value[]): Value {
  return cat(...[...lanes].reverse());
}

const cache = new Map<string, ModuleDef<PortRecord>>();

/** The sub-engine module for one shape (one Verilog module per shape, named after it). */
export function engineModule(s: EngineShape): ModuleDef<PortRecord> {
  const name = `gcod_engine_s${s.slots}_r${s.rows}_m${s.lanes}_h${s.hidden}_n${s.nodeW}_w${s.slotW}x${s.rowW}`;
  const hit = cache.get(name);
  if (hit) return hit;
  const cmdT = commandType(s);
  const groups = s.hidden / s.lanes;
  const ports = {
    go: In(bool()),
    cmd_valid: In(bool()),
    cmd_ready: Out(bool()),
    cmd_payload: In(uint(s.nodeW + s.rowW + s.slotW + 10)),
    req_valid: Out(bool()),
    req_ready: In(bool()),
    req_addr: Out(uint(s.nodeW)),
    req_tag: Out(uint(s.slotW)),
    resp_valid: In(bool()),
    resp_tag: In(uint(s.slotW)),
    resp_data: In(uint(s.hidden * OUT_BITS)),
    out_valid: Out(bool()),
    out_ready: In(bool()),
    out_row: Out(uint(s.nodeW)),
    out_data: Out(uint(s.hidden * ACC_BITS)),
    done: Out(bool()),
  };
  const def = module(name, ports, (io, m) => {
    const f = unpack(cmdT, io.cmd_payload);
    const acc = new LaneMemory(m, 'acc', s.hidden, ACC_BITS, s.rows);
    const zeroLanes = Array.from({ length: s.hidden }, () => u(ACC_BITS, 0));
    // Memories have no reset: sweep the accumulator to zero after reset, before taking commands
    // (it overlaps the combination phase, which is longer).
    const sweep = m.reg('sweep', uint(acc.addrWidth + 1), { reset: 0 });
    const sweeping = sweep.lt(s.rows);
    m.when(sweeping, () => {
      acc.write(sweep.trunc(acc.addrWidth), zeroLanes);
      sweep.set(sweep.add(1).trunc(sweep.width));
    });
    const go = io.go.and(sweeping.not());
    const valid = io.cmd_valid.and(go);
    const isLoad = f.op.eq(OP_LOAD);
    const isMac = f.op.eq(OP_MAC);
    const isEmit = f.op.eq(OP_EMIT);
    const isEnd = f.op.eq(OP_END);

    const zbuf = new LaneMemory(m, 'zbuf', s.hidden, OUT_BITS, s.slots);
    const slot = f.slot.resize(zbuf.addrWidth);
    const row = f.r.resize(acc.addrWidth);

    // One "landed" bit per Z slot: cleared when a LOAD is issued, set when its data returns.
    const landed = m.reg('landed', uint(s.slots), { reset: 0 });
    const slotReady = landed.shrBy(slot).bit(0);

    const g = groups > 1 ? m.reg('group', uint(Math.max(1, Math.ceil(Math.log2(groups)))), { reset: 0 }) : undefined;
    const lastGroup = g ? g.eq(groups - 1) : u(1, 1);

    const z = zbuf.read(slot);
    const old = acc.read(row);
    const a = f.a.toSigned();
    const pick = (lanes: Value[], i: number): Value =>
      g ? select(g, Array.from({ length: groups }, (_, k) => lanes[k * s.lanes + i]!)) : lanes[i]!;
    // The lanes MAC units: each multiplies the Â entry by one Z word of the current group.
    const sums = Array.from({ length: s.lanes }, (_, i) => pick(old, i).add(a.mul(pick(z, i)).extend(ACC_BITS)).trunc(ACC_BITS));
    const updated = old.map((o, j) => {
      const k = Math.floor(j / s.lanes);
      const sum = sums[j % s.lanes]!;
      return g ? mux(g.eq(k), sum, o) : sum;
    });
    const newRow = packLanes(updated);

    const macGo = valid.and(isMac.or(isEmit)).and(slotReady);
    const emitting = valid.and(isEmit).and(slotReady).and(lastGroup);
    const emitFire = emitting.and(io.out_ready);
    const loadFire = valid.and(isLoad).and(io.req_ready);

    io.req_valid.set(valid.and(isLoad));
    io.req_addr.set(f.v);
    io.req_tag.set(f.slot);
    io.out_valid.set(emitting);
    io.out_row.set(f.v);
    io.out_data.set(newRow);
    const ready = mux(isLoad, io.req_ready, mux(isMac, slotReady.and(lastGroup), mux(isEmit, slotReady.and(lastGroup).and(io.out_ready), u(1, 1))));
    io.cmd_ready.set(ready.and(go));

    m.when(macGo.and(isMac.or(lastGroup.not())), () => acc.write(row, updated));
    m.when(emitFire, () => acc.write(row, zeroLanes));
    if (g) {
      m.when(macGo.and(lastGroup.not()), () => g.set(g.add(1).trunc(g.width)));
      m.when(macGo.and(lastGroup).and(isMac.or(io.out_ready)), () => g.set(u(g.width, 0)));
    }

    const respTag = io.resp_tag.resize(zbuf.addrWidth);
    m.when(io.resp_valid, () => zbuf.write(respTag, lanesOf(io.resp_data, s.hidden, OUT_BITS)));
    const one = u(s.slots, 1);
    const set = mux(io.resp_valid, one.shlBy(respTag), u(s.slots, 0));
    const clear = mux(loadFire, one.shlBy(slot), u(s.slots, 0));
    landed.set(landed.or(set).and(clear.not()));

    const done = m.reg('done_r', bool(), { reset: 0 });
    m.when(valid.and(isEnd), () => done.set(u(1, 1)));
    io.done.set(done);
  });
  cache.set(name, def as unknown as ModuleDef<PortRecord>);
  return def as unknown as ModuleDef<PortRecord>;
}
