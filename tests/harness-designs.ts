/**
 * Small DSL designs that the harness tests drive: a register FIFO with valid/ready streams (and two
 * deliberately broken variants), so the harness is tested on hardware written the way users write it.
 */
import { In, Out, bool, cat, clog2, module, mux, select, u, uint, type ModuleDef, type PortRecord } from '../dsl/index.ts';

/** What is wrong with the FIFO on purpose: nothing, a flipped data bit in one state, or a stuck output. */
export type FifoBug = 'none' | 'corrupt' | 'stuck';

export interface FifoOptions {
  /** Entries; a power of two. */
  depth: number;
  /** Width of the data field (the payload also carries a 4-bit tag, most significant). */
  width: number;
  bug?: FifoBug;
}

/**
 * A register FIFO: `in` (tag, data) to `out` (tag, data), `in_ready` while not full, `out_valid` while
 * not empty. Both streams are recorded with `m.stream`, so the harness finds them in the manifest.
 */
export function regFifo(o: FifoOptions): ModuleDef<PortRecord> {
  const bug = o.bug ?? 'none';
  const aw = clog2(o.depth);
  const w = o.width;
  const name = `reg_fifo_d${o.depth}_w${w}${bug === 'none' ? '' : `_${bug}`}`;
  return module(name, {
    in_valid: In(bool()), in_ready: Out(bool()), in_tag: In(uint(4)), in_data: In(uint(w)),
    out_valid: Out(bool()), out_ready: In(bool()), out_tag: Out(uint(4)), out_data: Out(uint(w)),
  }, (io, m) => {
    const wr = m.reg('wr_ptr', uint(aw), { reset: 0 });
    const rd = m.reg('rd_ptr', uint(aw), { reset: 0 });
    const count = m.reg('count', uint(aw + 1), { reset: 0 });
    const entries = Array.from({ length: o.depth }, (_, i) => m.reg(`entry${i}`, uint(w + 4)));
    const notFull = count.lt(o.depth);
    // The stuck variant only offers data when full, so a tail shorter than the depth never leaves.
    const hasData = bug === 'stuck' ? count.eq(o.depth) : count.ne(0);
    const push = io.in_valid.and(notFull);
    const pop = hasData.and(io.out_ready);
    io.in_ready.set(notFull);
    io.out_valid.set(hasData);
    entries.forEach((e, i) => m.when(push.and(wr.eq(i)), () => e.set(cat(io.in_tag, io.in_data))));
    m.when(push, () => wr.set(wr.add(1).trunc(aw)));
    m.when(pop, () => rd.set(rd.add(1).trunc(aw)));
    m.when(push.and(pop.not()), () => count.set(count.add(1).trunc(aw + 1)))
      .elsewhen(pop.and(push.not()), () => count.set(count.sub(1).trunc(aw + 1)));
    const head = select(rd, entries);
    const data = head.slice(w - 1, 0);
    io.out_tag.set(head.slice(w + 3, w));
    // The corrupt variant flips bit 0 of the data when it leaves from entry 2 while only it is queued.
    io.out_data.set(bug === 'corrupt' ? data.xor(mux(rd.eq(2).and(count.eq(1)), u(w, 1), u(w, 0))) : data);
    m.stream({ name: 'in', dir: 'in', valid: 'in_valid', ready: 'in_ready', payload: ['in_tag', 'in_data'] });
    m.stream({ name: 'out', dir: 'out', valid: 'out_valid', ready: 'out_ready', payload: ['out_tag', 'out_data'] });
  });
}
