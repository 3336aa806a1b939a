/**
 * Strengthening invariants for k-induction of a buffer (a FIFO, slice or skid buffer) or a round-robin
 * arbiter inside the formal harness (the arbiter's: `arbiterInvariants`, below).
 *
 * BMC checks the queue properties from reset; k-induction starts from any state in which the
 * properties held for k cycles, and for a FIFO that includes unreachable ones (pointers that
 * disagree with the count, a tracked token whose slot holds another payload, a harness occupancy
 * that is not the FIFO's), from which a property fails later: induction never closes. These
 * invariants rule those states out. They are true of every reachable state of the FIFOs of
 * dsl/lib/fifo.ts and the slices and skid buffer of dsl/lib/slices.ts (each records its state with
 * `noteBufferState`; a slice is a ring of one slot), so they are asserted (BMC checks them from reset too) and k-induction assumes them in its
 * hypothesis. Stated over a ring of `size` slots read at `rptr`, written at `wptr`, holding `count`
 * tokens, behind an optional output register (`head`, the block RAM FIFO):
 *
 *  - count <= size, and the pointers stay below size;
 *  - wptr = (rptr + count) mod size;
 *  - the harness occupancy (accepted - given) = count + head valid;
 *  - a tracked token with `ahead` tokens before it: ahead < occupancy, and the slot at its place in
 *    line (the head when it is first there, else ring slot (rptr + ahead - head valid) mod size)
 *    holds its payload.
 *
 * The harness reads the FIFO's registers and memory words through probe ports added to a copy of
 * the design's top module (the copy only gains output ports; the design itself is not changed).
 */
import { Memory, ModuleBuilder, type Signal } from '../../dsl/builder/module.ts';
import { Out, uint } from '../../dsl/builder/ports.ts';
import { Value, mux, select } from '../../dsl/builder/value.ts';
import { LazyLoc } from '../../dsl/errors.ts';
import type { Circuit, Expr, ModuleIR, SignalDecl } from '../../dsl/ir/nodes.ts';
import { fifoState, type FifoState } from '../../dsl/lib/fifo.ts';
import { arbiterState, type ArbiterState } from '../../dsl/lib/route.ts';
import type { QueueSpec } from './harness.ts';

/** The buffer (FIFO, slice, skid buffer) a queue is made of, with its name (for messages). */
export interface QueueFifo {
  name: string;
  state: FifoState;
}

/**
 * The one buffer of a queue design: the design's only element besides wiring (with a recorded state), in its top module (no
 * instances), taking the queue's input stream and giving, directly or through a `connect`, its output.
 * Undefined for any other design (then no invariants are added and induction may not close).
 */
export function soleFifo(c: Circuit, q: QueueSpec): QueueFifo | undefined {
  const sole = soleElement(c);
  const state = sole && fifoState(sole.note);
  if (!state || sole!.ins[0] !== q.input || sole!.output !== q.output) return undefined;
  return { name: sole!.note['name'] as string, state };
}

/**
 * The design's only element besides `connect`s, in its top module (no instances): its note, its
 * input streams, and the stream its first output reaches (itself, or a `connect`'s output).
 */
function soleElement(c: Circuit): { note: Record<string, unknown>; ins: string[]; output?: string } | undefined {
  const top = c.top;
  if (top.instances.length) return undefined;
  const elements = top.notes.filter((n) => n['kind'] === 'element');
  const others = elements.filter((n) => n['element'] !== 'connect');
  if (others.length !== 1) return undefined;
  const note = others[0]!;
  const out = (note['outs'] as string[] | undefined)?.[0];
  const onward = elements.find((n) => n['element'] === 'connect' && (n['ins'] as string[] | undefined)?.[0] === out);
  const output = onward ? (onward['outs'] as string[] | undefined)?.[0] : out;
  return { note, ins: (note['ins'] as string[] | undefined) ?? [], ...(output !== undefined ? { output } : {}) };
}

/** Names of the probe ports added to the design's top module, by what they show. */
export interface FifoProbes {
  count: string;
  rptr?: string;
  wptr?: string;
  headValid?: string;
  headData?: string;
  /** One port per ring slot. */
  slots: string[];
}

/** Adds output ports to a copy of a module, each showing one expression over its signals. */
class Prober {
  private readonly loc = new LazyLoc();
  // A builder used only as a node factory: fresh ids for the probe ports and their expressions.
  readonly f: ModuleBuilder;
  private readonly taken: Set<string>;
  private readonly added: SignalDecl[] = [];

  constructor(private readonly top: ModuleIR, private readonly owner: string) {
    this.f = new ModuleBuilder(`${top.name}_probes`, this.loc);
    this.taken = new Set([...top.signals.map((x) => x.name), ...top.memories.map((mm) => mm.name)]);
  }

  /** A new output port showing `value`; returns its name. */
  probe(what: string, value: Expr): string {
    let name = `formal_probe_${what}`;
    for (let i = 1; this.taken.has(name); i++) name = `formal_probe_${what}_${i}`;
    this.taken.add(name);
    const port = this.f.port(name, Out(value.type)).decl;
    port.assigns.push({ path: [], value, loc: this.loc });
    this.added.push(port);
    return name;
  }

  /** The design's signal `name`, read. */
  signal(name: string): Expr {
    const x = this.top.signals.find((d) => d.name === name);
    if (!x) throw new Error(`${this.owner}: no signal '${name}' in module '${this.top.name}' (dsl/lib and the formal harness disagree)`);
    return this.f.refNode(x);
  }

  memoryWord(memory: string, i: number): Expr {
    const decl = this.top.memories.find((x) => x.name === memory);
    if (!decl) throw new Error(`${this.owner}: no memory '${memory}' in module '${this.top.name}'`);
    return new Memory(decl, this.f).readAsync(new Value(this.f.constNode(uint(decl.addrWidth), BigInt(i), this.loc), this.f)).node;
  }

  /** The copy of the module with the probe ports. */
  module(): ModuleIR {
    return { ...this.top, ports: [...this.top.ports, ...this.added], signals: [...this.top.signals, ...this.added] };
  }
}

/** A copy of `top` with output ports showing the FIFO's state (registers and every memory word). */
export function probeFifo(top: ModuleIR, fifo: QueueFifo): { module: ModuleIR; probes: FifoProbes } {
  const st = fifo.state;
  const p = new Prober(top, `FIFO '${fifo.name}'`);
  const slots = st.memory !== undefined
    ? Array.from({ length: st.size }, (_, i) => p.probe(`slot${i}`, p.memoryWord(st.memory!, i)))
    : [p.probe('slot0', p.signal(st.register!))];
  const probes: FifoProbes = {
    count: p.probe('count', p.signal(st.count)),
    slots,
    ...(st.rptr !== undefined ? { rptr: p.probe('rptr', p.signal(st.rptr)), wptr: p.probe('wptr', p.signal(st.wptr!)) } : {}),
    ...(st.head ? { headValid: p.probe('head_valid', p.signal(st.head.valid)), headData: p.probe('head_data', p.signal(st.head.data)) } : {}),
  };
  return { module: p.module(), probes };
}

/** The one round-robin arbiter of a design: its lock registers, its input streams in order and its output stream. */
export interface SoleArbiter {
  name: string;
  state: ArbiterState;
  inputs: string[];
  output: string;
}

/**
 * The design's only element besides wiring when that is a round-robin arbiter, in its top module
 * (no instances), taking top-level input streams and giving, directly or through a `connect`, a
 * top-level output stream. Undefined for any other design.
 */
export function soleArbiter(c: Circuit): SoleArbiter | undefined {
  const sole = soleElement(c);
  const state = sole && arbiterState(sole.note);
  const streams = (dir: 'in' | 'out'): string[] => c.top.streams.filter((x) => x.dir === dir).map((x) => x.name);
  if (!state || !sole!.ins.every((i) => streams('in').includes(i)) || !streams('out').includes(sole!.output ?? '')) return undefined;
  return { name: sole!.note['name'] as string, state, inputs: sole!.ins, output: sole!.output! };
}

/** A copy of `top` with output ports showing the arbiter's lock registers. */
export function probeArbiter(top: ModuleIR, arb: SoleArbiter): { module: ModuleIR; locked: string; lockIdx: string } {
  const p = new Prober(top, `arbiter '${arb.name}'`);
  const locked = p.probe('locked', p.signal(arb.state.locked));
  const lockIdx = p.probe('lock_idx', p.signal(arb.state.lockIdx));
  return { module: p.module(), locked, lockIdx };
}

/** What the harness's handshake check of one stream remembers of the last cycle. */
export interface HandshakeMonitor {
  /** valid was up and ready down. */
  waiting: Signal;
  /** the payload (absent for a stream without one). */
  prev?: Signal;
}

/**
 * The arbiter's lock is the output's waiting state, and a locked token is its input's waiting
 * token: locked = output waiting; locked -> the locked input waiting, with the output's payload.
 * True from reset (the lock is set exactly when the output is valid and not taken, and the chosen
 * input is then valid and not taken); k-induction assumes them, which rules out a lock on an input
 * that has nothing to offer.
 */
export function arbiterInvariants(m: ModuleBuilder, arb: SoleArbiter, locked: Value, lockIdx: Value, monitors: ReadonlyMap<string, HandshakeMonitor>): string[] {
  const who = `invariant of arbiter '${arb.name}' for k-induction`;
  const out = monitors.get(arb.output)!;
  const ins = arb.inputs.map((i) => monitors.get(i)!);
  m.assert(locked.eq(out.waiting), `${who}: locked is not the output's waiting state`);
  m.when(locked, () => {
    m.assert(select(lockIdx, ins.map((x) => x.waiting)), `${who}: the locked input is not waiting`);
    if (out.prev && ins.every((x) => x.prev)) m.assert(select(lockIdx, ins.map((x) => x.prev!)).eq(out.prev), `${who}: the output's payload is not the locked input's`);
  });
  return ['locked = output waiting', 'locked -> the locked input waiting, with the output payload'].map((l) => `asserted (induction invariant): arbiter '${arb.name}' ${l}`);
}

/** The harness's view of the tracked token (flows/formal/harness.ts `trackTokens`). */
export interface Tracker {
  occupancy: Signal;
  tracking: Signal;
  ahead: Signal;
  data: Signal;
}

/** Assert the invariants over the probes (read through `at`); returns one line per property. */
export function fifoInvariants(m: ModuleBuilder, fifo: QueueFifo, probes: FifoProbes, at: (port: string) => Value, t: Tracker): string[] {
  const n = fifo.state.size;
  const who = `invariant of buffer '${fifo.name}' for k-induction`;
  const count = at(probes.count);
  const slots = probes.slots.map(at);
  const headValid = probes.headValid !== undefined ? at(probes.headValid) : undefined;
  // (base + k) mod n for base < n and k <= n: one subtraction at most.
  const modN = (x: Value): Value => mux(x.ge(n), x.sub(n).trunc(x.width), x);
  const slotAt = (k: Value): Value => {
    if (probes.rptr === undefined) return slots[0]!;
    const idx = modN(at(probes.rptr).add(k));
    return select(idx, slots);
  };
  const lines: string[] = [];
  m.assert(count.le(n), `${who}: more than ${n} tokens in the ring`);
  lines.push(`count <= ${n}`);
  if (probes.rptr !== undefined) {
    const rptr = at(probes.rptr);
    const wptr = at(probes.wptr!);
    if (2 ** rptr.width !== n) {
      m.assert(rptr.lt(n).and(wptr.lt(n)), `${who}: a pointer beyond the ring`);
      lines.push(`pointers < ${n}`);
    }
    m.assert(wptr.eq(modN(rptr.add(count))), `${who}: write pointer is not read pointer + count`);
    lines.push('wptr = (rptr + count) mod size');
  }
  const inside = headValid ? count.add(headValid) : count;
  m.assert(t.occupancy.eq(inside), `${who}: the harness occupancy is not the tokens the FIFO holds`);
  lines.push(`occupancy = count${headValid ? ' + head valid' : ''}`);
  m.when(t.tracking, () => {
    m.assert(t.ahead.lt(t.occupancy), `${who}: the tracked token is not inside`);
    if (headValid) {
      m.when(headValid.and(t.ahead.eq(0)), () => m.assert(at(probes.headData!).eq(t.data), `${who}: the output register does not hold the tracked token`))
        .otherwise(() => m.assert(slotAt(t.ahead.sub(headValid).trunc(t.ahead.width)).eq(t.data), `${who}: the tracked token's slot holds another payload`));
    } else m.assert(slotAt(t.ahead).eq(t.data), `${who}: the tracked token's slot holds another payload`);
  });
  lines.push('tracked token: ahead < occupancy, its slot holds its payload');
  return lines.map((l) => `asserted (induction invariant): buffer '${fifo.name}' ${l}`);
}
