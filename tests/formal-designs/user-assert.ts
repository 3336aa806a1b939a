// A counter whose user assertion is wrong on purpose: it wraps at 8, but claims to stay below 5.
import { module, Out, uint } from '../../dsl/index.ts';

export default module('formal_counter', { count: Out(uint(3)) }, (io, m) => {
  const c = m.reg('c', uint(3), { reset: 0 });
  c.set(c.add(1).trunc(3));
  io.count.set(c);
  m.assert(c.lt(5), 'the counter stays below 5'); // line 8: `hwflow prove` must name it
});
