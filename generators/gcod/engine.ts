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
 * accumulator row.
 *
 * Two stages, so that the Z buffer and the accumulator can be block RAM (registered reads): stage A
 * is the command at the head of the stream, which issues a lane group's reads; stage B does its MAC
 * and writes the row back a cycle later, forwarding that write to a read of the same row issued on
 * the same edge. Throughput stays one lane group a cycle; an EMIT's row leaves a cycle later.
 */
import { In, Out, bool, uint } from '../../dsl/build/ports.ts';
import { module, type Memory, type ModuleBuilder, type ModuleDef } from '../../dsl/build/module.ts';
import { cat, mux, select, u, type Value } from '../../dsl/build/value.ts';
import type { PortRecord } from '../../dsl/build/ports.ts';
import { record, unpack, type RecordType } from '../../dsl/lib/payload.ts';
import type { HwType } from '../../dsl/ir/types.ts';
import { ACC_BITS, OUT_BITS } from './widths.ts';

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
 * Memories of fewer words stay asynchronous (read in the same cycle, so they live in flip-flops).
 * They are the 2-row accumulators of the sparser branch and the baseline and small prefetch rings:
 * a block RAM (4 kbit on iCE40, 16 bits wide) would hold a few hundred bits of them, and the
 * registered read would add a row-wide register in front of a memory that is hardly larger.
 */
export const SYNC_MIN_DEPTH = 8;

/**
 * A row kept as one memory per lane (same depth, same address). A single wide memory would make
 * every lane access a slice of a several-hundred-bit word, which Verilator turns into megabytes of
 * C++ (minutes of g++); per-lane memories keep each access one machine word. Yosys maps each lane
 * memory to block RAM on its own when its reads are synchronous (same RAM count as one wide memory:
 * the lanes' widths add up).
 */
export class LaneMemory {
  readonly mems: Memory[];
  constructor(m: ModuleBuilder, name: string, lanes: number, width: number, readonly depth: number) {
    this.mems = Array.from({ length: lanes }, (_, j) => m.mem(`${name}_${j}`, { type: uint(width), depth }));
  }
  get addrWidth(): number {
    return this.mems[0]!.addrWidth;
  }
  /** Big enough for block RAM (see SYNC_MIN_DEPTH): read it with `read`, not `readAsync`. */
  get sync(): boolean {
    return this.depth >= SYNC_MIN_DEPTH;
  }
  /** Signed lanes at `addr`, this cycle (asynchronous: flip-flops or LUT RAM). */
  readAsync(addr: Value): Value[] {
    return this.mems.map((mm) => mm.readAsync(addr).asSInt());
  }
  /**
   * Signed lanes at `addr` as of the last cycle `enable` held (a registered, read-first read: block
   * RAM). The result holds while `enable` is low, so a stalled stage keeps its data.
   */
  read(addr: Value, enable: Value, name: string): Value[] {
    return this.mems.map((mm, j) => mm.read(addr, enable, `${name}_${j}`).asSInt());
  }
  /**
   * Write lanes (signed or unsigned values of the lane width) at `addr` where enclosing conditions and
   * `enable` hold. Call once per memory: one write port is what block RAM has.
   */
  write(addr: Value, lanes: readonly Value[], enable?: Value): void {
    this.mems.forEach((mm, j) => mm.write(addr, lanes[j]!.asUInt(), enable));
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
    const zbuf = new LaneMemory(m, 'zbuf', s.hidden, OUT_BITS, s.slots);
    // Memories have no reset: sweep the accumulator to zero after reset, before taking commands
    // (it overlaps the combination phase, which is longer).
    const sweep = m.reg('sweep', uint(acc.addrWidth + 1), { reset: 0 });
    const sweeping = sweep.lt(s.rows);
    m.when(sweeping, () => sweep.set(sweep.add(1).trunc(sweep.width)));

    // Stage B (execute) holds one lane group: its MAC, its accumulator write, and for the last group
    // of an EMIT the output row, which waits there for out_ready. While it waits, stage A (the
    // command at the head of the stream) is frozen, so the registered reads it issued stay valid.
    const bValid = m.reg('b_valid', bool(), { reset: 0 });
    const bEmit = m.reg('b_emit', bool());
    const bRow = m.reg('b_row', uint(acc.addrWidth));
    const bA = m.reg('b_a', uint(8));
    const bV = m.reg('b_v', uint(s.nodeW));
    const stall = bValid.and(bEmit).and(io.out_ready.not());

    const go = io.go.and(sweeping.not());
    const valid = io.cmd_valid.and(go).and(stall.not());
    const isLoad = f.op.eq(OP_LOAD);
    const isMac = f.op.eq(OP_MAC);
    const isEmit = f.op.eq(OP_EMIT);
    const isEnd = f.op.eq(OP_END);
    const slot = f.slot.resize(zbuf.addrWidth);
    const row = f.r.resize(acc.addrWidth);

    // One "landed" bit per Z slot: cleared when a LOAD is issued, set when its data returns.
    const landed = m.reg('landed', uint(s.slots), { reset: 0 });
    const slotReady = landed.shrBy(slot).bit(0);

    const g = groups > 1 ? m.reg('group', uint(Math.max(1, Math.ceil(Math.log2(groups)))), { reset: 0 }) : undefined;
    const lastGroup = g ? g.eq(groups - 1) : u(1, 1);
    // A lane group of a MAC or EMIT moves from stage A to stage B (and issues its reads).
    const macGo = valid.and(isMac.or(isEmit)).and(slotReady);
    m.when(stall.not(), () => bValid.set(macGo));
    m.when(macGo, () => {
      bEmit.set(isEmit.and(lastGroup));
      bRow.set(row);
      bA.set(f.a);
      bV.set(f.v);
    });
    const bGroup = g ? m.delay(g, { name: 'b_group', enable: macGo }) : undefined;

    // Z: a slot is read only once its LOAD has landed (the write is a cycle or more in the past). A
    // later LOAD into the slot waits behind the group in stage A and its data takes >= 1 cycle, so
    // even the small ring, read asynchronously in stage B, needs no bypass.
    const z = zbuf.sync ? zbuf.read(slot, macGo, 'z_q') : zbuf.readAsync(m.delay(slot, { name: 'b_slot', enable: macGo }));

    // The accumulator row. Small: read asynchronously in stage B, where the previous cycle's write is
    // already visible. Block RAM: read in stage A, on the same clock edge as stage B writes; the read
    // is read-first, so when both touch one row (back-to-back MACs of a row, the groups of one MAC,
    // the clear after an EMIT) the word written then is forwarded instead: one MAC group a cycle.
    const bWrite = bValid.and(bEmit.not().or(io.out_ready));
    const fwd = acc.sync
      ? { hit: m.reg('fwd_hit', bool()), row: Array.from({ length: s.hidden }, (_, j) => m.reg(`fwd_${j}`, uint(ACC_BITS))) }
      : undefined;
    const old = fwd
      ? acc.read(row, macGo, 'acc_q').map((w, j) => mux(fwd.hit, fwd.row[j]!, w.asUInt()).asSInt())
      : acc.readAsync(bRow);

    const a = bA.toSigned();
    const pick = (lanes: Value[], i: number): Value =>
      bGroup ? select(bGroup, Array.from({ length: groups }, (_, k) => lanes[k * s.lanes + i]!)) : lanes[i]!;
    // The lanes MAC units: each multiplies the Â entry by one Z word of the current group.
    const sums = Array.from({ length: s.lanes }, (_, i) => pick(old, i).add(a.mul(pick(z, i)).extend(ACC_BITS)).trunc(ACC_BITS));
    const updated = old.map((o, j) => {
      const k = Math.floor(j / s.lanes);
      const sum = sums[j % s.lanes]!;
      return bGroup ? mux(bGroup.eq(k), sum, o) : sum;
    });
    // A MAC writes the updated row; an EMIT sends it out and writes zeros once it is taken.
    const clearing = bEmit.or(sweeping);
    const data = updated.map((l) => mux(clearing, u(ACC_BITS, 0), l.asUInt()));
    acc.write(mux(sweeping, sweep.trunc(acc.addrWidth), bRow), data, sweeping.or(bWrite));
    if (fwd)
      m.when(macGo, () => {
        fwd.hit.set(bWrite.and(bRow.eq(row)));
        fwd.row.forEach((r, j) => r.set(data[j]!));
      });

    io.out_valid.set(bValid.and(bEmit));
    io.out_row.set(bV);
    io.out_data.set(packLanes(updated));

    const loadFire = valid.and(isLoad).and(io.req_ready);
    io.req_valid.set(valid.and(isLoad));
    io.req_addr.set(f.v);
    io.req_tag.set(f.slot);
    const ready = mux(isLoad, io.req_ready, mux(isMac.or(isEmit), slotReady.and(lastGroup), u(1, 1)));
    io.cmd_ready.set(ready.and(go).and(stall.not()));
    if (g) m.when(macGo, () => g.set(mux(lastGroup, u(g.width, 0), g.add(1).trunc(g.width))));

    const respTag = io.resp_tag.resize(zbuf.addrWidth);
    zbuf.write(respTag, lanesOf(io.resp_data, s.hidden, OUT_BITS), io.resp_valid);
    const one = u(s.slots, 1);
    const set = mux(io.resp_valid, one.shlBy(respTag), u(s.slots, 0));
    const clear = mux(loadFire, one.shlBy(slot), u(s.slots, 0));
    landed.set(landed.or(set).and(clear.not()));

    // END, like every command, is taken only while stage B is not stalled: an EMIT ahead of it is
    // taken by the merge by then, so `done` rises after the engine's last partial row is out.
    const done = m.reg('done_r', bool(), { reset: 0 });
    m.when(valid.and(isEnd), () => done.set(u(1, 1)));
    io.done.set(done);
  });
  cache.set(name, def as unknown as ModuleDef<PortRecord>);
  return def as unknown as ModuleDef<PortRecord>;
}
