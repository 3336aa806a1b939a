/**
 * On-chip memories for accelerators: RAM modules with synchronous reads (the form yosys maps to
 * block RAM: SB_RAM40_4K on iCE40, RAMB18E1/RAMB36E1 on 7-series), banked memories for parallel
 * access, and a read port as a stream element so a loop nest can drive a memory under back-pressure.
 *
 * Reads are read-first (an access that writes and reads one address returns the old word), which
 * every FPGA block RAM supports and which the IR simulator models.
 */
import { LazyLoc, ParamError, userLoc } from '../errors.ts';
import { module, type Memory, type ModuleBuilder, type ModuleDef } from '../builder/module.ts';
import { In, Out, bool, uint, type PortRecord } from '../builder/ports.ts';
import { Value, select } from '../builder/value.ts';
import { clog2, type HwType } from '../ir/types.ts';
import { noteElement } from './notes.ts';
import { isRecord, payloadTag, portType, type PayloadType } from '../builder/payload.ts';
import { streamWire, type Stream } from '../builder/stream.ts';
import { after } from './stream.ts';

/** Options of `singlePortRam` and `simpleDualPortRam`: word type, depth, name, initial contents. */
export interface RamOptions {
  /** Word type. */
  type: HwType;
  /** Words, >= 2. */
  depth: number;
  /** Module name (default encodes the kind, type and depth, e.g. `ram_sdp_u16_d1024`). */
  name?: string;
  /** Initial contents. */
  init?: readonly (number | bigint)[];
}

function checkRam(opts: RamOptions, loc: LazyLoc): void {
  if (!Number.isInteger(opts.depth) || opts.depth < 2 || opts.depth > 1 << 24)
    throw new ParamError(`RAM depth must be an integer from 2 to ${1 << 24}, got ${opts.depth}`, loc.get(), { field: 'depth', value: opts.depth });
}

/**
 * A single-port RAM module: one address for reads and writes. Ports `addr`, `en`, `we`, `wdata`,
 * `rdata`; `rdata` is the word at `addr` one cycle after an access with `en` (read-first).
 * @param opts word type, depth and name
 */
export function singlePortRam(opts: RamOptions): ModuleDef<PortRecord> {
  const loc = new LazyLoc();
  checkRam(opts, loc);
  const aw = clog2(opts.depth);
  return module(opts.name ?? `ram_sp_${payloadTag(opts.type)}_d${opts.depth}`, {
    addr: In(uint(aw)), en: In(bool()), we: In(bool()), wdata: In(opts.type), rdata: Out(opts.type),
  }, (io, m) => {
    const mem = m.mem('mem', { type: opts.type, depth: opts.depth, init: opts.init });
    mem.write(io.addr, io.wdata, io.en.and(io.we));
    io.rdata.set(mem.read(io.addr, io.en, 'rdata_q'));
    noteElement(m, { element: 'ram_single_port', name: 'mem', latency: 1, ii: 1, capacity: opts.depth, loc: loc.get() });
  });
}

/**
 * A simple dual-port RAM module: one write port and one read port, independent addresses.
 * Ports `waddr`, `we`, `wdata`, `raddr`, `re`, `rdata`.
 * @param opts word type, depth and name
 */
export function simpleDualPortRam(opts: RamOptions): ModuleDef<PortRecord> {
  const loc = new LazyLoc();
  checkRam(opts, loc);
  const aw = clog2(opts.depth);
  return module(opts.name ?? `ram_sdp_${payloadTag(opts.type)}_d${opts.depth}`, {
    waddr: In(uint(aw)), we: In(bool()), wdata: In(opts.type), raddr: In(uint(aw)), re: In(bool()), rdata: Out(opts.type),
  }, (io, m) => {
    const mem = m.mem('mem', { type: opts.type, depth: opts.depth, init: opts.init });
    mem.write(io.waddr, io.wdata, io.we);
    io.rdata.set(mem.read(io.raddr, io.re, 'rdata_q'));
    noteElement(m, { element: 'ram_simple_dual_port', name: 'mem', latency: 1, ii: 1, capacity: opts.depth, loc: loc.get() });
  });
}

/**
 * `banks` memories of `depth / banks` words each, interleaved by the low address bits (word `a`
 * lives in bank `a % banks`, row `a / banks`), so `banks` consecutive words are read in one cycle.
 */
export class BankedMemory {
  readonly banks: Memory[];
  readonly rowWidth: number;
  readonly bankBits: number;
  constructor(
    readonly m: ModuleBuilder,
    readonly name: string,
    readonly type: HwType,
    readonly depth: number,
    bankCount: number,
  ) {
    const loc = new LazyLoc();
    if (!Number.isInteger(bankCount) || bankCount < 1 || (bankCount & (bankCount - 1)) !== 0)
      throw new ParamError(`banked memory '${name}' needs a power-of-two bank count, got ${bankCount}`, loc.get(), { field: 'banks', value: bankCount });
    if (!Number.isInteger(depth) || depth < 2 * bankCount || depth % bankCount !== 0)
      throw new ParamError(`banked memory '${name}' depth must be a multiple of the ${bankCount} banks and at least ${2 * bankCount}, got ${depth}`, loc.get(), { field: 'depth', value: depth });
    this.bankBits = Math.log2(bankCount);
    this.rowWidth = clog2(depth / bankCount);
    this.banks = Array.from({ length: bankCount }, (_, i) => m.mem(`${name}_bank${i}`, { type, depth: depth / bankCount }));
    noteElement(m, { element: 'banked_memory', name, latency: 1, ii: 1, capacity: depth, banks: bankCount });
  }
  /** Address width of the whole memory. */
  get addrWidth(): number {
    return this.rowWidth + this.bankBits;
  }
  private split(addr: Value): { row: Value; bank: Value | undefined } {
    if (this.bankBits === 0) return { row: addr, bank: undefined };
    return { row: addr.slice(addr.width - 1, this.bankBits), bank: addr.slice(this.bankBits - 1, 0) };
  }
  /** Write one word at a flat address. */
  write(addr: Value, data: Value, enable: Value): void {
    const { row, bank } = this.split(addr);
    this.banks.forEach((b, i) => b.write(row, data, bank ? enable.and(bank.eq(i)) : enable));
  }
  /** Read one word at a flat address (one cycle later). */
  read(addr: Value, enable: Value): Value {
    const { row, bank } = this.split(addr);
    const words = this.banks.map((b) => b.read(row, enable));
    if (!bank) return words[0]!;
    const bankQ = this.m.reg(this.m.freshName(`${this.name}_bank_sel_q`), uint(this.bankBits));
    this.m.when(enable, () => bankQ.set(bank));
    return select(bankQ, words);
  }
  /** Write one word into every bank at `row` (a whole row at once). */
  writeRow(row: Value, data: readonly Value[], enable: Value): void {
    this.banks.forEach((b, i) => b.write(row, data[i]!, enable));
  }
  /** Read `row` of every bank: `banks` consecutive words, one cycle later. */
  readRow(row: Value, enable: Value): Value[] {
    return this.banks.map((b) => b.read(row, enable));
  }
}

/**
 * Banked memory in module `m`: `bankedMemory(m, 'act', { type: sint(8), depth: 1024, banks: 4 })`.
 * @param m the module to build in
 * @param name name prefix of the banks
 * @param opts word type, total depth and number of banks
 */
export function bankedMemory(m: ModuleBuilder, name: string, opts: { type: HwType; depth: number; banks: number }): BankedMemory {
  return new BankedMemory(m, name, opts.type, opts.depth, opts.banks);
}

/**
 * A synchronous read port as a stream element: address tokens in, data tokens out, one per cycle,
 * latency 1. `read(addr, enable)` is the memory's sync read (`mem.read`, `banked.read`, ...). The
 * address is the payload, its `addr` field (as `addressStream` makes), or `opts.addr(payload)`.
 * The read-data register is the output register, so nothing is added on the data path.
 * @param addrs a stream of addresses (records with an `addr` field and flags passed along)
 * @param dataType the word type read
 * @param read issues a synchronous read of an address with an enable, returns the data a cycle later
 * @param opts name and options
 */
export function readStream<D extends PayloadType>(
  addrs: Stream, dataType: D, read: (addr: Value, enable: Value) => Value, opts: { name?: string; addr?: (payload: Value) => Value } = {},
): Stream<D> {
  const m = addrs.m;
  const out = streamWire(m, opts.name ?? `${addrs.name}_rd`, dataType, after(addrs.timing, 1, 1, userLoc()));
  const outValid = m.reg(`${out.name}_valid_q`, bool(), { reset: 0 });
  const advance = outValid.not().or(out.ready);
  addrs.ready.set(advance);
  // A record with an `addr` field (what addressStream makes) is read at that field.
  const fields = isRecord(addrs.type) && 'addr' in addrs.type.fields ? (addrs.fields as Record<string, Value>) : undefined;
  const addr = opts.addr ? opts.addr(addrs.payload) : fields ? fields['addr']! : addrs.payload;
  const data = read(addr, addrs.valid.and(advance));
  if (data.width !== portType(dataType).width)
    throw new ParamError(`readStream: the memory gives ${data.width}-bit words but the stream type ${payloadTag(dataType)} has ${portType(dataType).width}`, new LazyLoc().get(), { field: 'dataType' });
  m.when(advance, () => outValid.set(addrs.valid));
  out.valid.set(outValid);
  out.payload.set(data.signed === portType(dataType).signed ? data : portType(dataType).signed ? data.asSInt() : data.asUInt());
  noteElement(m, { element: 'read_stream', name: out.name, latency: 1, ii: 1, capacity: 1, ins: [addrs.name], outs: [out.name] });
  return out;
}
