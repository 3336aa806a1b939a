/**
 * Small dataflow designs for the provenance tests and the mutation campaign (scripts/mutate.ts):
 * each chains several library elements in one module, so a fault in any of them shows up on a
 * traced internal stream.
 */
import {
  In, Out, Record, Stream, Vec, connect, deserialize, fork, join, loopNest, addressStream, module, pipelineMap, queue, reduceStream,
  serialize, sint, skidBuffer, forwardSlice, streamDemux, streamMux, uint, roundRobinArbiter, type ModuleDef, type PortRecord,
} from '../dsl/index.ts';

export const Pixel = Record({ tag: uint(4), rgb: Vec(uint(8), 3) });
export const Luma = Record({ tag: uint(4), y: sint(10) });

/** queue -> map -> fork -> (pipelineMap | skid) -> join: the luma filter of examples/luma.ts, flattened and split. */
export const lumaChain = module('prov_luma', { px: In(Stream(Pixel)), offset: In(sint(8)), y: Out(Stream(Record({ a: sint(12), b: Luma }))) }, (io) => {
  const q = queue(io.px, 4);
  const luma = q.map(Luma, ({ tag, rgb: [r, g, b] }) => ({
    tag,
    y: r!.add(g!.shl(1)).add(b!).shr(2).extend(10).asSInt().sub(io.offset).trunc(10),
  }));
  const [a, b] = fork(luma, 2) as [typeof luma, typeof luma];
  const scaled = pipelineMap(a, sint(12), [(x) => x.y.extend(12).shl(1).trunc(12), (v) => v.sub(3).trunc(12)], 'scaled');
  const j = join({ a: queue(scaled, 4), b: skidBuffer(b) });
  connect(j, io.y);
});

/** serialize -> forwardSlice -> demux by parity -> deserialize, and a reduction tree beside it. */
export const widthChain = module('prov_width', {
  v: In(Stream(Vec(uint(6), 4))), sum: Out(Stream(uint(8))), odd: Out(Stream(uint(6))), pairs: Out(Stream(Vec(uint(6), 2))),
}, (io) => {
  const [toSer, toSum] = fork(io.v, 2) as [typeof io.v, typeof io.v];
  const narrow = forwardSlice(serialize(toSer));
  const [even, odd] = streamDemux(narrow, narrow.payload.slice(0, 0), 2, 'parity') as [typeof narrow, typeof narrow];
  connect(queue(odd, 2), io.odd);
  connect(deserialize(queue(even, 4), 2), io.pairs);
  connect(reduceStream(toSum, uint(8), 'add'), io.sum);
});

/** A loop nest's address stream, scaled in a pipeline. */
export const loopChain = module('prov_loop', { addr: Out(Stream(uint(10))) }, (io, m) => {
  const nest = loopNest(m, { loops: [{ name: 'i', count: 3 }, { name: 'j', count: 5 }] });
  const addrs = addressStream(nest.out, { coefficients: { i: 5, j: 1 }, width: 8 });
  const scaled = pipelineMap(addrs, uint(10), [(f) => f.addr.extend(10).add(7).trunc(10)]);
  connect(queue(scaled, 2), io.addr);
});

/** Merge two streams by a select stream. */
export const muxChain = module('prov_mux', { a: In(Stream(uint(8))), b: In(Stream(uint(8))), sel: In(Stream(uint(1))), out: Out(Stream(uint(8))) }, (io) => {
  const m = streamMux(io.sel, [queue(io.a, 2), skidBuffer(io.b)], 'merge');
  connect(pipelineMap(m, uint(8), [(x) => x.add(1).trunc(8)]), io.out);
});

/** A round-robin merge (its order depends on arrival times: the model takes it from the RTL). Not in the campaign. */
export const arbiterChain = module('prov_arb', { a: In(Stream(uint(8))), b: In(Stream(uint(8))), out: Out(Stream(uint(8))) }, (io) => {
  const { out } = roundRobinArbiter([queue(io.a, 2), io.b.map(uint(8), (x) => x.add(100).trunc(8))], 'arb');
  connect(forwardSlice(out), io.out);
});

/** Every design of the campaign, by name. */
export const PROVENANCE_DESIGNS: Record<string, ModuleDef<PortRecord>> = {
  prov_luma: lumaChain as unknown as ModuleDef<PortRecord>,
  prov_width: widthChain as unknown as ModuleDef<PortRecord>,
  prov_loop: loopChain as unknown as ModuleDef<PortRecord>,
  prov_mux: muxChain as unknown as ModuleDef<PortRecord>,
};
