/**
 * The public API of hwflow's verification harness. Internal files import from their neighbours.
 */
export { openSim, Sim, defaultSeed, type SimOptions, type StallOptions, type RunOptions, type RunResult, type DesignRef } from './stream/session.ts';
export type { BackendKind, WaveFormat } from './stream/backend.ts';
export { HangError, RunLimitError, type StalledStream } from './stream/errors.ts';
export { SimulatorCrashError } from './stream/process.ts';
export { HarnessSetupError, layoutOf, MAX_TOKEN_BITS, type DesignLayout, type StreamLayout } from './stream/layout.ts';
export { TokenRangeError, toSigned, hex, type TokenBatch } from './stream/words.ts';
export { scoreboard, ScoreboardError, formatMismatch, type Mismatch } from './scoreboard.ts';
export { parseVcd, readVcd, findSignal, valueAt, renderAscii, type Vcd, type VcdSignal, type AsciiOptions } from './vcd.ts';
export { MissingToolError } from '../toolchain/tools.ts';
export { checkAgainstModel, ProvenanceError, type CheckOptions } from './model/index.ts';
export type { TapRecord } from './stream/taps.ts';
