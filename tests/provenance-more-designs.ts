/**
 * Designs for the models of the elements that depend on timing, memories or counts: throwWhen, a
 * streamMux with a signal select, readStream from a ROM (token model), and a PE grid between skew
 * lines with a ping-pong buffer (hand-style logic, located by the lockstep replay).
 */
import {
  In, Out, Stream, Vec, addressStream, connect, loopNest, u, type Value, deskew, module, peGrid, pingPongBuffer, queue, readStream, skidBuffer, skew, streamMux, throwWhen, uint,
} from '../dsl/index.ts';

/** a: odd tokens thrown; merged with b by a toggling select; the merged byte's low 4 bits read a ROM. */
export const moreChain = module('prov_more', { a: In(Stream(uint(8))), b: In(Stream(uint(8))), out: Out(Stream(uint(8))) }, (io, m) => {
  const a = queue(io.a, 2);
  const even = throwWhen(a, a.payload.slice(0, 0), 'even');
  const turn = m.reg('turn', uint(1), { reset: 0 });
  turn.set(turn.not());
  const merged = streamMux(turn, [even, skidBuffer(io.b)], 'merged');
  const lut = m.rom('lut', uint(8), Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff));
  const read = readStream(merged, uint(8), (addr, en) => lut.read(addr.slice(3, 0), en), { name: 'looked' });
  connect(queue(read, 2), io.out);
});

/** x skewed into a 2x2 multiply-accumulate grid, deskewed out; x[0] also goes through a ping-pong buffer of 2 words per half. */
export const gridChain = module('prov_grid', { x: In(Vec(uint(4), 2)), w: In(Vec(uint(4), 2)), y: Out(Vec(uint(8), 2)), pp: Out(uint(4)) }, (io, m) => {
  const west = skew(m, 'xs', io.x);
  const grid = peGrid(m, {
    rows: 2, cols: 2, west, north: [u(8, 0), u(8, 0)] as Value[],
    pe: ({ west: x, north: acc, row, col }) => ({ east: x, south: acc.add(x.mul(io.w[(row + col) % 2]!).extend(8)).trunc(8) }),
    name: 'mac',
  });
  const ys = deskew(m, 'ys', grid.south);
  ys.forEach((v, i) => io.y[i]!.set(v));
  const buf = pingPongBuffer(m, 'pp', { type: uint(4), depth: 2 });
  const wa = m.reg('wa', uint(1), { reset: 0 });
  const ra = m.reg('ra', uint(1), { reset: 0 });
  buf.write(wa, io.x[0]!, buf.writeReady);
  m.when(buf.writeReady, () => wa.set(wa.not()));
  buf.commit.set(buf.writeReady.and(wa));
  m.when(buf.readReady, () => ra.set(ra.not()));
  buf.release.set(buf.readReady.and(ra));
  io.pp.set(buf.read(ra, buf.readReady));
});

/** A loop nest whose outer count is a configuration port, one run per start token, scaled into addresses. */
export const loopSignalChain = module('prov_loopsig', { go: In(Stream(uint(2))), n: In(uint(2)), addr: Out(Stream(uint(8))) }, (io, m) => {
  const nest = loopNest(m, { loops: [{ name: 'i', count: io.n }, { name: 'j', count: 3 }], start: io.go });
  const addrs = addressStream(nest.out, { coefficients: { i: 3, j: 1 }, width: 8 });
  connect(queue(addrs.map(uint(8), (f) => (f.addr as Value).resize(8)), 2), io.addr);
});
