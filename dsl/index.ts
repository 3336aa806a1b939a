/** The public API of hwflow's DSL. Internal files import from their neighbours, not through here. */
export { HdlError, WidthError, DriverError, LoopError, NameError, ParamError, formatLoc, registerLibraryDir, type SourceLoc } from './errors.ts';
export type { HwType } from './ir/types.ts';
export { bitsFor, clog2, showType, typeEq, MAX_WIDTH } from './ir/types.ts';
export type { Circuit, ModuleIR, StreamInterface } from './ir/nodes.ts';
export { printModule as printIR } from './ir/print.ts';
export { In, Out, uint, sint, bool, type PortRecord, type PortSpec, type PortDir, type SignalPorts } from './builder/ports.ts';
export { Value, lit, u, s, uconst, mux, select, cat, sumTree, type Operand } from './builder/value.ts';
export { module, ModuleDef, ModuleBuilder, Signal, Memory, type RegOptions, type MemOptions } from './builder/module.ts';
export {
  Record, Vec, fieldsRecord, payloadWidth, payloadLayout, payloadTag, portType, pack, unpack, isRecord, isVector, isBits, isStream,
  type PayloadType, type RecordType, type VectorType, type StreamType, type PortType, type Fields, type Plain, type Leaves, type FieldLayout,
} from './builder/payload.ts';
export { Fixed, sfix, ufix, fixed, toFixed, fixedConst, fixedRaw, fixedReal, isFixedType, showFixed, type FixedType } from './builder/fixed.ts';
export { codec, type Codec, type Host, type HostInput, type TokenValue, type TokenFields } from './builder/codec.ts';
export { Stream, StreamSource, StreamSink, StreamWire, streamWire, mapStream, type StreamTiming } from './builder/stream.ts';
export { connect, flattenPort, type IO, type InstanceIO, type InstanceInputs, type PortView, type InstancePort } from './builder/interface.ts';
export { elaborate } from './passes/elaborate.ts';
export { emitVerilog, type VerilogFile } from './verilog/emit.ts';
export type { EmitOptions } from './verilog/lower.ts';
export { Simulator } from './sim/simulator.ts';

// ---- dataflow library (dsl/lib/) ----------------------------------------------------------------
export { haltWhen, throwWhen } from './lib/stream.ts';
export { noteElement, warnDesign, collectWarnings, collectElements, type ElementNote, type DesignWarning } from './lib/notes.ts';
export { queue, fifo, type FifoOptions, type FifoStatus } from './lib/fifo.ts';
export { forwardSlice, backwardSlice, skidBuffer } from './lib/slices.ts';
export { loopNest, loopTupleType, affineAddress, addressStream, type LoopSpec, type LoopNestOptions, type LoopNest, type LoopTuple, type AffineSpec } from './lib/loop-nest.ts';
export { singlePortRam, simpleDualPortRam, bankedMemory, BankedMemory, readStream, type RamOptions } from './lib/memory.ts';
export { fork, join, joinVector, checkJoinTiming } from './lib/fork-join.ts';
export { streamMux, streamDemux, roundRobinArbiter, type Arbitrated } from './lib/route.ts';
export { serialize, deserialize } from './lib/width.ts';
export { window } from './lib/window.ts';
export { mulConst, csdDigits, type ConstMulOptions, type CsdDigit } from './lib/const-mul.ts';
export { pipelineMap, registerBundle, reductionTree, reduceLevel, reduceStream, treeDepth, type Bundle, type ReduceOp } from './lib/pipeline.ts';
export { pingPongBuffer, PingPongBuffer } from './lib/ping-pong.ts';
export { peGrid, skew, deskew, type PeCell, type PeOutputs, type PeGridOptions, type PeGrid } from './lib/pe-grid.ts';
