/**
 * Strengthening invariants for k-induction of a buffer (a FIFO, slice or skid buffer) inside the formal harness.
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
  const top = c.top;
  if (top.instances.length) return undefined;
  const elements = top.notes.filter((n) => n['kind'] === 'element');
  const fifos = elements.filter((n) => n['element'] !== 'connect');
  if (fifos.length !== 1) return undefined;
  const note = fifos[0]!;
  const state = fifoState(note);
  const ins = note['ins'] as string[] | undefined;
  const out = (note['outs'] as string[] | undefined)?.[0];
  if (!state || ins?.[0] !== q.input || out === undefined) return undefined;
  const wired = out === q.output || elements.some((n) => n['element'] === 'connect' && (n['ins'] as string[] | undefined)?.[0] === out && (n['outs'] as string[] | undefined)?.[0] === q.output);
  return wired ? { name: note['name'] as string, state } : undefined;
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

/** A copy of `top` with output ports showing the FIFO's state (registers and every memory word). */
export function probeFifo(top: ModuleIR, fifo: QueueFifo): { module: ModuleIR; probes: FifoProbes } {
  const st = fifo.state;
  const loc = new LazyLoc();
  // A builder used only as a node factory: fresh ids for the probe ports and their expressions.
  const f = new ModuleBuilder(`${top.name}_probes`, loc);
  const taken = new Set([...top.signals.map((s) => s.name), ...top.memories.map((mm) => mm.name)]);
  const added: SignalDecl[] = [];
  const probe = (what: string, value: Expr): string => {
    let name = `formal_probe_${what}`;
    for (let i = 1; taken.has(name); i++) name = `formal_probe_${what}_${i}`;
    taken.add(name);
    const port = f.port(name, Out(value.type)).decl;
    port.assigns.push({ path: [], value, loc });
    added.push(port);
    return name;
  };
  const signal = (name: string): Expr => {
    const s = top.signals.find((x) => x.name === name);
    if (!s) throw new Error(`FIFO '${fifo.name}': no signal '${name}' in module '${top.name}' (fifo.ts and the formal harness disagree)`);
    return f.refNode(s);
  };
  const slots: string[] = [];
  if (st.memory !== undefined) {
    const decl = top.memories.find((x) => x.name === st.memory);
    if (!decl) throw new Error(`FIFO '${fifo.name}': no memory '${st.memory}' in module '${top.name}'`);
    const mem = new Memory(decl, f);
    for (let i = 0; i < st.size; i++)
      slots.push(probe(`slot${i}`, mem.readAsync(new Value(f.constNode(uint(decl.addrWidth), BigInt(i), loc), f)).node));
  } else slots.push(probe('slot0', signal(st.register!)));
  const probes: FifoProbes = {
    count: probe('count', signal(st.count)),
    slots,
    ...(st.rptr !== undefined ? { rptr: probe('rptr', signal(st.rptr)), wptr: probe('wptr', signal(st.wptr!)) } : {}),
    ...(st.head ? { headValid: probe('head_valid', signal(st.head.valid)), headData: probe('head_data', signal(st.head.data)) } : {}),
  };
  return { module: { ...top, ports: [...top.ports, ...added], signals: [...top.signals, ...added] }, probes };
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
