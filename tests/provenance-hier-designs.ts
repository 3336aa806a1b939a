/**
 * Designs with library elements inside child instances, for the hierarchical provenance tests:
 * a fault inside a child must be named by its instance path (`u1.bump`), not as one opaque box.
 */
import { In, Out, Stream, connect, forwardSlice, module, pipelineMap, queue, uint, type ModuleDef, type PortRecord } from '../dsl/index.ts';

/** queue -> map -> pipelineMap, one stream in and one out. */
export const hierStage = module('prov_hier_stage', { x: In(Stream(uint(8))), y: Out(Stream(uint(8))) }, (io) => {
  const bumped = queue(io.x, 2).map(uint(8), (v) => v.add(3).trunc(8));
  connect(pipelineMap(bumped, uint(8), [(v) => v.shl(1).trunc(8), (v) => v.sub(5).trunc(8)], 'twice'), io.y);
});

/** Two instances of the stage in a chain, between a queue and a slice of the parent. */
export const hierChain = module('prov_hier', { a: In(Stream(uint(8))), out: Out(Stream(uint(8))) }, (io, m) => {
  const u0 = m.instance('u0', hierStage, { x: queue(io.a, 2) });
  const u1 = m.instance('u1', hierStage, { x: u0.y });
  connect(forwardSlice(u1.y), io.out);
});

export const HIER_DESIGNS: Record<string, ModuleDef<PortRecord>> = { prov_hier: hierChain as unknown as ModuleDef<PortRecord> };
