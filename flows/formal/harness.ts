/**
 * The formal harness: a module around a design (the DUT) that turns its stream interfaces into
 * checks, so no library element or accelerator carries protocol properties of its own.
 *
 *  - every output stream: once `valid` is up without `ready`, it stays up with the same payload until
 *    the token fires (asserted);
 *  - every input stream: the same, of the environment (assumed);
 *  - a queue (one input and one output stream of one payload width, built only of buffering elements,
 *    or declared with `queue`): tokens in flight stay within 0..capacity, no token leaves an empty
 *    queue, and a token the solver picks at will comes out exactly when the tokens ahead of it have
 *    left, with its own payload (a tracked token: no loss, no duplication, no reordering).
 *
 * The harness is written in the DSL itself, so its checks carry TS lines like a user's `m.assert`;
 * each message names the stream and the line where its port was declared.
 */
import { ModuleDef, type ModuleBuilder, type Signal } from '../../dsl/builder/module.ts';
import { In, Out, bool, uint, type PortRecord } from '../../dsl/builder/ports.ts';
import { cat, mux, type Value } from '../../dsl/builder/value.ts';
import { formatLoc } from '../../dsl/errors.ts';
import type { Circuit, ModuleIR, SignalDecl, StreamInterface } from '../../dsl/ir/nodes.ts';
import { bitsFor } from '../../dsl/ir/types.ts';
import { collectElements } from '../../dsl/lib/notes.ts';
import { elaborate } from '../../dsl/passes/elaborate.ts';
import { arbiterInvariants, fifoInvariants, probeArbiter, probeFifo, soleArbiter, soleFifo, type HandshakeMonitor, type Tracker } from './invariants.ts';

/** A queue the harness tracks tokens through: tokens enter on `input`, leave on `output`, at most `capacity` inside. */
export interface QueueSpec {
  input: string;
  output: string;
  capacity: number;
}

export interface HarnessOptions {
  /** Track tokens through this queue; default: detected (see `detectQueue`), `false` for none. */
  queue?: QueueSpec | false;
}

/** The harness circuit and what it checks. */
export interface Harness {
  circuit: Circuit;
  /** Instance name of the design inside the harness (its signals in a waveform are under it). */
  dut: string;
  /** The harness input the solver drives to pick the tracked token (absent without a queue). */
  pick?: string;
  queue?: QueueSpec;
  /** One line per generated property, for reports. */
  properties: string[];
  /** The buffer (FIFO, slice, skid buffer) whose induction invariants the harness adds (a queue made of one). */
  fifo?: string;
  /** The round-robin arbiter whose induction invariants the harness adds (a design made of one). */
  arbiter?: string;
}

/** Elements that only buffer (or, for `connect`, only wire) tokens, in order: a design of these alone is a queue. */
const BUFFERS = new Set(['fifo', 'forward_slice', 'backward_slice', 'skid_buffer', 'connect']);

/**
 * A design is a queue when it has one input and one output stream of the same payload width and
 * every library element in it only buffers (FIFOs, slices, skid buffers); its capacity is theirs summed.
 */
export function detectQueue(c: Circuit): QueueSpec | undefined {
  const ins = c.top.streams.filter((s) => s.dir === 'in');
  const outs = c.top.streams.filter((s) => s.dir === 'out');
  if (ins.length !== 1 || outs.length !== 1) return undefined;
  if (payloadWidth(c.top, ins[0]!) !== payloadWidth(c.top, outs[0]!)) return undefined;
  const elements = collectElements(c);
  if (elements.length === 0 || !elements.every((e) => BUFFERS.has(e.element))) return undefined;
  return { input: ins[0]!.name, output: outs[0]!.name, capacity: elements.reduce((n, e) => n + e.capacity, 0) };
}

const payloadWidth = (m: ModuleIR, s: StreamInterface): number =>
  s.payload.reduce((w, p) => w + m.ports.find((x) => x.name === p)!.type.width, 0);

/** A module definition whose IR is already built (the elaborated design). */
class Prebuilt extends ModuleDef<PortRecord> {
  constructor(private readonly built: ModuleIR) {
    super(built.name, {}, () => undefined, built.loc);
  }
  override elaborate(): ModuleIR {
    return this.built;
  }
}

/** The name of the harness module around a design's top module. */
export const harnessName = (top: string): string => `formal_${top}`;

/** Build the harness around `design` (an elaborated, checked circuit). */
export function buildHarness(design: Circuit, opts: HarnessOptions = {}): Harness {
  const top = design.top;
  const queue = opts.queue === false ? undefined : (opts.queue ?? detectQueue(design));
  if (queue) checkQueue(top, queue);
  // A queue made of one FIFO gets the invariants k-induction needs (flows/formal/invariants.ts), read
  // through probe ports of a copy of the design; only for a queue the design's elements make up.
  const auto = queue && detectQueue(design);
  const fifo = queue && auto && auto.input === queue.input && auto.output === queue.output ? soleFifo(design, queue) : undefined;
  const probed = fifo ? probeFifo(top, fifo) : undefined;
  // Likewise a design made of one round-robin arbiter (its lock registers, probed the same way).
  const arbiter = fifo ? undefined : soleArbiter(design);
  const arbProbed = arbiter ? probeArbiter(top, arbiter) : undefined;
  const ports: PortRecord = {};
  for (const p of top.ports) ports[p.name] = p.kind === 'input' ? In(p.type) : Out(p.type);
  const pick = queue ? freshPort(top, 'formal_pick') : undefined;
  if (pick) ports[pick] = In(bool());
  const properties: string[] = [];
  const dut = 'dut';
  const def = new ModuleDef(harnessName(top.name), ports, (io, m) => {
    const sig = io as unknown as Record<string, Signal>;
    const inputs: Record<string, Value> = {};
    for (const p of top.ports) if (p.kind === 'input') inputs[p.name] = sig[p.name]!;
    const outs = m.instanceFlat(dut, new Prebuilt(probed?.module ?? arbProbed?.module ?? top), inputs);
    for (const p of top.ports) if (p.kind === 'output') sig[p.name]!.set(outs[p.name]!);
    // Every port as the harness sees it: inputs from the solver, outputs from the design.
    const at = (name: string): Value => (top.ports.find((p) => p.name === name)!.kind === 'input' ? sig[name]! : outs[name]!);
    const monitors = new Map<string, HandshakeMonitor>();
    for (const s of top.streams) properties.push(...handshake(m, top, s, at, monitors));
    if (arbiter) properties.push(...arbiterInvariants(m, arbiter, outs[arbProbed!.locked]!, outs[arbProbed!.lockIdx]!, monitors));
    if (queue) {
      const tracker = trackTokens(m, top, queue, at, sig[pick!]!, properties);
      if (fifo) properties.push(...fifoInvariants(m, fifo, probed!.probes, (p) => outs[p]!, tracker));
    }
  }, top.loc);
  return { circuit: elaborate(def), dut, pick, queue, properties, ...(fifo ? { fifo: fifo.name } : {}), ...(arbiter ? { arbiter: arbiter.name } : {}) };
}

function uconstOne(m: ModuleBuilder): Value {
  const one = m.wire(m.freshName('formal_token'), bool());
  one.set(1);
  return one;
}

function freshPort(top: ModuleIR, base: string): string {
  const names = new Set(top.ports.map((p) => p.name));
  let name = base;
  for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
  return name;
}

function checkQueue(top: ModuleIR, q: QueueSpec): void {
  const find = (name: string, dir: 'in' | 'out'): StreamInterface => {
    const s = top.streams.find((x) => x.name === name && x.dir === dir);
    if (!s) throw new Error(`module '${top.name}' has no ${dir}put stream '${name}'; its streams: ${top.streams.map((x) => `${x.dir} ${x.name}`).join(', ') || 'none'}`);
    return s;
  };
  const a = find(q.input, 'in');
  const b = find(q.output, 'out');
  if (payloadWidth(top, a) !== payloadWidth(top, b)) throw new Error(`queue streams '${q.input}' and '${q.output}' of '${top.name}' carry payloads of different widths`);
  if (!Number.isInteger(q.capacity) || q.capacity < 0) throw new Error(`queue capacity must be an integer >= 0, got ${q.capacity}`);
}

/** The payload of a stream as one value (its ports concatenated, first most significant), or undefined without payload. */
function payloadOf(s: StreamInterface, at: (n: string) => Value): Value | undefined {
  const parts = s.payload.map(at);
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0]! : cat(...parts);
}

const declared = (top: ModuleIR, port: string): string => formatLoc(top.ports.find((p: SignalDecl) => p.name === port)!.loc.get());

/** Valid held and payload stable until ready: asserted of an output stream, assumed of an input stream. */
function handshake(m: ModuleBuilder, top: ModuleIR, s: StreamInterface, at: (n: string) => Value, monitors: Map<string, HandshakeMonitor>): string[] {
  const valid = at(s.valid);
  const ready = at(s.ready);
  const payload = payloadOf(s, at);
  const who = `${s.dir === 'out' ? 'output' : 'input'} stream '${s.name}' (declared at ${declared(top, s.valid)})`;
  // Waiting: valid was up last cycle and the token did not fire.
  const waiting = m.reg(m.freshName(`${s.name}_waiting_q`), bool(), { reset: 0 });
  waiting.set(valid.and(ready.not()));
  const prev = payload ? m.reg(m.freshName(`${s.name}_prev_q`), payload.type) : undefined;
  if (payload) prev!.set(payload);
  monitors.set(s.name, { waiting, ...(prev ? { prev } : {}) });
  const check = (cond: Value, msg: string): void => (s.dir === 'out' ? m.assert(cond, msg) : m.assume(cond, msg));
  m.when(waiting, () => {
    check(valid, `${who}: valid dropped before ready`);
    if (payload) check(payload.eq(prev!), `${who}: payload changed before ready`);
  });
  const verb = s.dir === 'out' ? 'asserted' : 'assumed';
  return [`${verb}: ${s.dir} '${s.name}' valid held until ready`, ...(payload ? [`${verb}: ${s.dir} '${s.name}' payload stable until ready`] : [])];
}

/** Occupancy in range and a tracked token through a queue. */
function trackTokens(m: ModuleBuilder, top: ModuleIR, q: QueueSpec, at: (n: string) => Value, pick: Value, properties: string[]): Tracker {
  const a = top.streams.find((x) => x.name === q.input && x.dir === 'in')!;
  const b = top.streams.find((x) => x.name === q.output && x.dir === 'out')!;
  const inFire = at(a.valid).and(at(a.ready)).named('formal_in_fire');
  const outFire = at(b.valid).and(at(b.ready)).named('formal_out_fire');
  // Without payload the token's place in line is all there is to check: compare a constant.
  const inData = payloadOf(a, at) ?? uconstOne(m);
  const outData = payloadOf(b, at) ?? inData;
  const who = `queue '${q.input}' -> '${q.output}' (capacity ${q.capacity})`;
  // Tokens inside: accepted minus given. One bit of headroom so an overflow shows as a value above capacity.
  const w = bitsFor(q.capacity + 1);
  const occ = m.reg('formal_occupancy_q', uint(w), { reset: 0 });
  m.when(inFire.and(outFire.not()), () => occ.set(occ.add(1).trunc(w)))
    .elsewhen(outFire.and(inFire.not()), () => occ.set(occ.sub(1).trunc(w)));
  m.assert(occ.le(q.capacity), `${who}: more tokens inside than its capacity`);
  m.when(outFire.and(inFire.not()), () => m.assert(occ.ne(0), `${who}: a token left while it was empty (a duplicated or invented token)`));
  // The tracked token: which position it has in the line (tokens ahead of it still inside).
  const tracking = m.reg('formal_tracking_q', bool(), { reset: 0 });
  const data = m.reg('formal_tracked_q', inData.type);
  const ahead = m.reg('formal_ahead_q', uint(w), { reset: 0 });
  const start = inFire.and(pick).and(tracking.not()).named('formal_track_start');
  m.when(start, () => {
    // An empty queue that passes the token through in the same cycle: it must be this one.
    m.when(outFire.and(occ.eq(0)), () => m.assert(outData.eq(inData), `${who}: the token passed straight through is not the one that entered`))
      .otherwise(() => {
        tracking.set(1);
        data.set(inData);
        ahead.set(mux(outFire, occ.sub(1).trunc(w), occ));
      });
  });
  m.when(tracking.and(outFire), () => {
    m.when(ahead.eq(0), () => {
      m.assert(outData.eq(data), `${who}: the tracked token came out with another payload or in another place (lost, duplicated or reordered)`);
      tracking.set(0);
    }).otherwise(() => ahead.set(ahead.sub(1).trunc(w)));
  });
  properties.push(
    `asserted: ${who} occupancy within 0..${q.capacity}`,
    `asserted: ${who} no token leaves it empty`,
    `asserted: ${who} a tracked token leaves in order with its payload`,
  );
  return { occupancy: occ, tracking, ahead, data };
}
