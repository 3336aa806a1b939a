// Broken stream elements written for the formal tests: each breaks one rule the harness checks.
import { module, mux, In, Out, Stream, uint, type ModuleDef, type PortRecord } from '../../dsl/index.ts';

const T = uint(3);

/** A one-slot buffer that drops `valid` after one cycle whether or not the consumer took the token. */
export const dropsValid: ModuleDef<PortRecord> = module('drops_valid', { in: In(Stream(T)), out: Out(Stream(T)) }, (io, m) => {
  const full = m.reg('full', uint(1), { reset: 0 });
  const data = m.reg('data', T);
  io.in.ready.set(full.not());
  m.when(io.in.valid.and(full.not()), () => {
    full.set(1);
    data.set(io.in.payload);
  }).otherwise(() => full.set(0)); // the bug: empties even when out.ready is low
  io.out.valid.set(full);
  io.out.payload.set(data);
});

/** A two-slot FIFO that always takes a token, overwriting the newest one when full. */
export const overwritingFifo: ModuleDef<PortRecord> = module('overwriting_fifo', { in: In(Stream(T)), out: Out(Stream(T)) }, (io, m) => {
  const mem = m.mem('slots', { type: T, depth: 2 });
  const wptr = m.reg('wptr', uint(1), { reset: 0 });
  const rptr = m.reg('rptr', uint(1), { reset: 0 });
  const count = m.reg('count', uint(2), { reset: 0 });
  const full = count.eq(2);
  io.in.ready.set(1); // the bug: ready while full
  const push = io.in.valid;
  const pop = io.out.valid.and(io.out.ready);
  m.when(push, () => {
    // The newest token is overwritten (the slot before wptr), so the head stays steady and only token tracking sees the loss.
    mem.write(mux(full, wptr.sub(1).trunc(1), wptr), io.in.payload);
    m.when(full.not(), () => wptr.set(wptr.add(1).trunc(1)));
  });
  m.when(pop, () => rptr.set(rptr.add(1).trunc(1)));
  m.when(push.and(pop.not()).and(full.not()), () => count.set(count.add(1).trunc(2)))
    .elsewhen(pop.and(push.not()), () => count.set(count.sub(1).trunc(2)));
  io.out.valid.set(count.ne(0));
  io.out.payload.set(mem.readAsync(rptr));
});
