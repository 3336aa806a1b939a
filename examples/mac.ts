// A first hwflow design: an 8-bit signed multiply-accumulate unit.
// Turn it into Verilog with:  npx hwflow gen examples/mac.ts
import { In, Out, module, sint, uint } from '../dsl/index.ts';

export default module('mac_s8', {
  a: In(sint(8)),
  b: In(sint(8)),
  valid: In(uint(1)),
  clear: In(uint(1)),
  acc: Out(sint(24)),
}, (io, m) => {
  const acc = m.reg('acc_q', sint(24), { reset: 0 });
  const product = io.a.mul(io.b);                  // sint(16): a product never overflows
  const sum = acc.add(product.extend(24));         // sint(25): one bit of growth
  m.when(io.clear, () => acc.set(0))
    .elsewhen(io.valid, () => acc.set(sum.trunc(24)));  // narrowing is always explicit
  io.acc.set(acc);
});
