// A first stream design: y = 3·x + 1 for every token of a stream of signed bytes, with a skid buffer
// on the output (registered valid, ready and payload). Turn it into Verilog with:
//   npx hwflow gen src/scale.ts
import { In, Out, Stream, connect, mapStream, module, s, sint, skidBuffer } from 'hwflow';

export default module('scale3', {
  x: In(Stream(sint(8))),
  y: Out(Stream(sint(12))),
}, (io) => {
  // sint(8) · sint(3) is sint(11), and + 1 one bit more: widths grow, nothing wraps.
  const scaled = mapStream(io.x, sint(12), (x) => x.mul(s(3, 3)).add(1));
  connect(skidBuffer(scaled), io.y);
});
