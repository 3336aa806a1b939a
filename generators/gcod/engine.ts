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
import { In, Out, bool, sint, uint } from '../../dsl/builder/ports.ts';
import { module, type Memory, type ModuleBuilder, type ModuleDef } from '../../dsl/builder/module.ts';
import { mux, select, u, type Value } from '../../dsl/builder/value.ts';
import { Record, Vec, pack, portType, unpack, type RecordType, type VectorType } from '../../dsl/builder/payload.ts';
import { Stream } from '../../dsl/builder/stream.ts';
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
  /**
   * Commands carry a `keep` bit (I-GCN's shared-neighbour reuse): an EMIT with keep = 1 sends its
   * row out and leaves the accumulator row as it is, so a second row continues from the shared sum.
   */
  keep?: boolean;
}

/** Payload of a command token, first field most significant. */
export function commandType(w: CommandWidths): RecordType<{ op: HwType; a: HwType; slot: HwType; r: HwType; v: HwType; keep?: HwType }> {
  const base = { op: uint(2), a: uint(8), slot: uint(w.slotW), r: uint(w.rowW), v: uint(w.nodeW) };
  return Record(w.keep ? { ...base, keep: uint(1) } : base);
}

/**
 * A row of Z (combination's output, an off-chip word, an engine's buffer row): `hidden` int32 lanes,
 * lane 0 least significant. Rows cross ports packed (`portType`, one signal): a vector in a port
 * would be one Verilog port per lane, and the merge muxes and registers a partial row as one word.
 */
export const zRowType = (hidden: number): VectorType<HwType> => Vec(sint(OUT_BITS), hidden);
/** A row of an accumulator (an engine's or the merge's): `hidden` lanes of ACC_BITS. */
export const accRowType = (hidden: number): VectorType<HwType> => Vec(sint(ACC_BITS), hidden);

/** An engine's request to the off-chip port: Z row `addr`, to land in buffer slot `tag`. */
export const readRequestType = (w: CommandWidths): ReadRequest => Record({ addr: uint(w.nodeW), tag: uint(w.slotW) });
export type ReadRequest = RecordType<{ addr: HwType; tag: HwType }>;
/** The off-chip port's answer to one engine: no handshake (the slot was reserved by the request); `data` a packed Z row. */
export const readResponseType = (w: CommandWidths, hidden: number): RecordType<{ valid: HwType; tag: HwType; data: HwType }> =>
  Record({ valid: bool(), tag: uint(w.slotW), data: portType(zRowType(hidden)) });
/** An engine's EMIT, to the merge: node `row` (design order) and its partial output row (a packed `accRowType`). */
export const partialRowType = (w: CommandWidths, hidden: number): PartialRow => Record({ row: uint(w.nodeW), data: portType(accRowType(hidden)) });
export type PartialRow = RecordType<{ row: HwType; data: HwType }>;

export interface EngineShape extends CommandWidths {
  /** Z buffer rows. */
  slots: number;
  /** Accumulator rows. */
  rows: number;
  /** MAC units (divides hidden). */
  lanes: number;
  hidden: number;
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

/**
 * Memories have no reset: a register `name` walks `mem`'s addresses once after reset. While
 * `active`, the owner writes zeros at `addr` (through its one write port) and takes no work.
 */
export function sweepAfterReset(m: ModuleBuilder, name: string, mem: LaneMemory): { active: Value; addr: Value } {
  const sweep = m.reg(name, uint(mem.addrWidth + 1), { reset: 0 });
  const active = sweep.lt(mem.depth);
  m.when(active, () => sweep.set(sweep.add(1).trunc(sweep.width)));
  return { active, addr: sweep.trunc(mem.addrWidth) };
}

/** An engine's ports: commands in, read requests and responses to the off-chip port, partial rows out. */
function enginePorts(s: EngineShape) {
  return {
    go: In(bool()),
    cmd: In(Stream(commandType(s))),
    req: Out(Stream(readRequestType(s))),
    resp: In(readResponseType(s, s.hidden)),
    out: Out(Stream(partialRowType(s, s.hidden))),
    done: Out(bool()),
  };
}
export type EnginePorts = ReturnType<typeof enginePorts>;

const cache = new Map<string, ModuleDef<EnginePorts>>();

/** The sub-engine module for one shape (one Verilog module per shape, named after it). */
export function engineModule(s: EngineShape): ModuleDef<EnginePorts> {
  const name = `gcod_engine_s${s.slots}_r${s.rows}_m${s.lanes}_h${s.hidden}_n${s.nodeW}_w${s.slotW}x${s.rowW}${s.keep ? 'k' : ''}`;
  const hit = cache.get(name);
  if (hit) return hit;
  const groups = s.hidden / s.lanes;
  const def = module(name, enginePorts(s), (io, m) => {
    const f = io.cmd.fields;
    const acc = new LaneMemory(m, 'acc', s.hidden, ACC_BITS, s.rows);
    const zbuf = new LaneMemory(m, 'zbuf', s.hidden, OUT_BITS, s.slots);
    // Clear the accumulator before taking commands (the sweep overlaps the longer combination phase).
    const sweep = sweepAfterReset(m, 'sweep', acc);

    // Stage B (execute) holds one lane group: its MAC, its accumulator write, and for the last group
    // of an EMIT the output row, which waits there for out.ready. While it waits, stage A (the
    // command at the head of the stream) is frozen, so the registered reads it issued stay valid.
    const bValid = m.reg('b_valid', bool(), { reset: 0 });
    const bEmit = m.reg('b_emit', bool());
    const bRow = m.reg('b_row', uint(acc.addrWidth));
    const bA = m.reg('b_a', uint(8));
    const bV = m.reg('b_v', uint(s.nodeW));
    const bKeep = s.keep ? m.reg('b_keep', bool()) : undefined;
    const stall = bValid.and(bEmit).and(io.out.ready.not());

    const go = io.go.and(sweep.active.not());
    const valid = io.cmd.valid.and(go).and(stall.not());
    const isLoad = f.op.eq(OP_LOAD);
    const isMac = f.op.eq(OP_MAC);
    const isEmit = f.op.eq(OP_EMIT);
    const isEnd = f.op.eq(OP_END);
    const slot = f.slot.resize(zbuf.addrWidth);
    const row = f.r.resize(acc.addrWidth);

    const landed = landedSlots(m, s.slots);
    const slotReady = landed.has(slot);

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
      if (bKeep && f.keep) bKeep.set(f.keep);
    });
    const bGroup = g ? m.delay(g, { name: 'b_group', enable: macGo }) : undefined;

    // Z: a slot is read only once its LOAD has landed (the write is a cycle or more in the past). A
    // later LOAD into the slot waits behind the group in stage A and its data takes >= 1 cycle, so
    // even the small ring, read asynchronously in stage B, needs no bypass.
    const z = zbuf.sync ? zbuf.read(slot, macGo, 'z_q') : zbuf.readAsync(m.delay(slot, { name: 'b_slot', enable: macGo }));

    const bWrite = bValid.and(bEmit.not().or(io.out.ready));
    const accRow = accumulatorRead(m, acc, { row, issue: macGo, bRow });
    const updated = macUnits(accRow.old, z, bA.toSigned(), bGroup, s.lanes);
    // A MAC writes the updated row; an EMIT sends it out and writes zeros once it is taken (an EMIT
    // with keep writes the updated row back instead).
    const clearing = (bKeep ? bEmit.and(bKeep.not()) : bEmit).or(sweep.active);
    const data = updated.map((l) => mux(clearing, u(ACC_BITS, 0), l.asUInt()));
    acc.write(mux(sweep.active, sweep.addr, bRow), data, sweep.active.or(bWrite));
    accRow.forward(() => bWrite.and(bRow.eq(row)), data);

    io.out.valid.set(bValid.and(bEmit));
    io.out.setFields({ row: bV, data: pack(accRowType(s.hidden), updated) });

    const loadFire = valid.and(isLoad).and(io.req.ready);
    io.req.valid.set(valid.and(isLoad));
    io.req.setFields({ addr: f.v, tag: f.slot });
    const ready = mux(isLoad, io.req.ready, mux(isMac.or(isEmit), slotReady.and(lastGroup), u(1, 1)));
    io.cmd.ready.set(ready.and(go).and(stall.not()));
    if (g) m.when(macGo, () => g.set(mux(lastGroup, u(g.width, 0), g.add(1).trunc(g.width))));

    const respTag = io.resp.tag.resize(zbuf.addrWidth);
    zbuf.write(respTag, unpack(zRowType(s.hidden), io.resp.data), io.resp.valid);
    landed.update({ slot: respTag, when: io.resp.valid }, { slot, when: loadFire });

    // END, like every command, is taken only while stage B is not stalled: an EMIT ahead of it is
    // taken by the merge by then, so `done` rises after the engine's last partial row is out.
    const done = m.reg('done_r', bool(), { reset: 0 });
    m.when(valid.and(isEnd), () => done.set(u(1, 1)));
    io.done.set(done);
  });
  cache.set(name, def);
  return def;
}

/**
 * One "landed" bit per Z buffer slot: cleared when a LOAD into the slot is issued, set when its data
 * returns, so a MAC waits for exactly the row it reads.
 */
function landedSlots(m: ModuleBuilder, slots: number): { has(slot: Value): Value; update(set: SlotEvent, clear: SlotEvent): void } {
  const bits = m.reg('landed', uint(slots), { reset: 0 });
  const one = u(slots, 1);
  const mask = (e: SlotEvent): Value => mux(e.when, one.shlBy(e.slot), u(slots, 0));
  return {
    has: (slot) => bits.shrBy(slot).bit(0),
    update: (set, clear) => bits.set(bits.or(mask(set)).and(mask(clear).not())),
  };
}
interface SlotEvent {
  slot: Value;
  when: Value;
}

/**
 * The accumulator row stage B works on. Small: read asynchronously in stage B, where the previous
 * cycle's write is already visible. Block RAM: read in stage A (`issue`), on the same clock edge as
 * stage B writes; the read is read-first, so when both touch one row (back-to-back MACs of a row, the
 * groups of one MAC, the clear after an EMIT) the word written then is forwarded instead (`forward`:
 * stage B's write hits the row read with it): one MAC group a cycle.
 */
function accumulatorRead(
  m: ModuleBuilder,
  acc: LaneMemory,
  at: { row: Value; issue: Value; bRow: Value },
): { old: Value[]; forward(hit: () => Value, data: readonly Value[]): void } {
  if (!acc.sync) return { old: acc.readAsync(at.bRow), forward: () => {} };
  const hit = m.reg('fwd_hit', bool());
  const saved = acc.mems.map((_, j) => m.reg(`fwd_${j}`, uint(ACC_BITS)));
  const old = acc.read(at.row, at.issue, 'acc_q').map((w, j) => mux(hit, saved[j]!, w.asUInt()).asSInt());
  const forward = (h: () => Value, data: readonly Value[]): void => {
    m.when(at.issue, () => {
      hit.set(h());
      saved.forEach((r, j) => r.set(data[j]!));
    });
  };
  return { old, forward };
}

/**
 * The engine's `lanes` MAC units on the lane group `group` of a row (every lane when there is one
 * group): each multiplies the Â entry `a` by one Z word and adds it to the accumulator word; the
 * row's other groups pass through.
 */
function macUnits(old: readonly Value[], z: readonly Value[], a: Value, group: Value | undefined, lanes: number): Value[] {
  const groups = old.length / lanes;
  const pick = (row: readonly Value[], i: number): Value =>
    group ? select(group, Array.from({ length: groups }, (_, k) => row[k * lanes + i]!)) : row[i]!;
  const sums = Array.from({ length: lanes }, (_, i) => pick(old, i).add(a.mul(pick(z, i)).extend(ACC_BITS)).trunc(ACC_BITS));
  return old.map((o, j) => {
    const sum = sums[j % lanes]!;
    return group ? mux(group.eq(Math.floor(j / lanes)), sum, o) : sum;
  });
}
