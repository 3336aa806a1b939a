/**
 * A signed multiply-accumulate unit: on `valid`, acc += a*b (wrapping at accWidth bits, as a
 * hardware accumulator of that width does); `clear` zeroes it and has priority.
 */
import { In, Out, module, sint, uint } from '../../dsl/index.ts';
import type { MacParams } from './params.ts';

export function createMac(p: MacParams) {
  return module(`mac_s${p.width}_acc${p.accWidth}`, {
    a: In(sint(p.width)),
    b: In(sint(p.width)),
    valid: In(uint(1)),
    clear: In(uint(1)),
    acc: Out(sint(p.accWidth)),
  }, (io, m) => {
    const acc = m.reg('acc_q', sint(p.accWidth), { reset: 0 });
    const product = io.a.mul(io.b).extend(p.accWidth);
    m.when(io.clear, () => acc.set(0))
      .elsewhen(io.valid, () => acc.set(acc.add(product).trunc(p.accWidth)));
    io.acc.set(acc);
  });
}
