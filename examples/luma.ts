// A design written on interfaces: a stream of pixel records in, a stream of luma records out,
// through a child stage that takes a record-typed configuration port.
// Turn it into Verilog with:  npx hwflow gen examples/luma.ts
import { In, Out, Record, Stream, Vec, connect, module, queue, sint, uint } from '../dsl/index.ts';

export const Pixel = Record({ tag: uint(4), rgb: Vec(uint(8), 3) });
export const Luma = Record({ tag: uint(4), y: sint(10) });
export const Config = Record({ offset: sint(8) });

/** y = (r + 2g + b) / 4 - offset, the tag passed along. */
export const lumaStage = module('luma_stage', { px: In(Stream(Pixel)), cfg: In(Config), y: Out(Stream(Luma)) }, (io) => {
  const luma = io.px.map(Luma, ({ tag, rgb: [r, g, b] }) => ({
    tag,
    y: r!.add(g!.shl(1)).add(b!).shr(2).extend(10).asSInt().sub(io.cfg.offset).trunc(10),
  }));
  connect(luma, io.y);
});

export default module('luma_filter', { px: In(Stream(Pixel)), cfg: In(Config), y: Out(Stream(Luma)) }, (io, m) => {
  const stage = m.instance('stage', lumaStage, { px: queue(io.px, 2), cfg: io.cfg });
  connect(queue(stage.y, 2), io.y);
});
