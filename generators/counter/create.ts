/** Counter: `count` steps by one each cycle `enable` is high and wraps to 0 after `limit`. */
import { In, Out, module, uint } from '../../dsl/index.ts';
import type { CounterParams } from './params.ts';

export function createCounter(p: CounterParams) {
  return module(`counter_w${p.width}_l${p.limit}`, {
    enable: In(uint(1)),
    count: Out(uint(p.width)),
    wrap: Out(uint(1)),
  }, (io, m) => {
    const count = m.reg('count_q', uint(p.width), { reset: 0 });
    const atLimit = count.eq(p.limit);
    m.when(io.enable, () => {
      m.when(atLimit, () => count.set(0)).otherwise(() => count.set(count.add(1).trunc(p.width)));
    });
    io.count.set(count);
    io.wrap.set(io.enable.and(atLimit));
  });
}
