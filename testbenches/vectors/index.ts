/**
 * The vector runner: per-cycle input values in, per-cycle output values out, on Verilator or Icarus,
 * with the semantics of `dsl/sim/simulator.ts`. For each cycle: set the inputs given (the others keep
 * their last value, initially 0; `rst` is an ordinary input), settle combinational logic, sample every
 * output as its raw unsigned bit pattern, then one rising clock edge when the design has `clk`.
 * Used by the differential fuzzer and by unit tests that want the real RTL without a stream harness.
 */
import type { ManifestPort } from '../../dsl/manifest.ts';
import { runOnIcarus } from './icarus.ts';
import { prepareStimulus } from './stimulus.ts';
import { runOnVerilator } from './verilator.ts';

/** Which simulator runs the vectors. */
export type Backend = 'verilator' | 'icarus';

/** Valid back ends, for error messages and CLI choices. */
export const BACKENDS: readonly Backend[] = ['verilator', 'icarus'];

/** A vector run: Verilog sources, top module, its manifest ports, and the inputs of each cycle. */
export interface VectorRun {
  backend: Backend;
  /** Verilog sources (children and top), absolute or relative to the working directory. */
  files: string[];
  top: string;
  /** The top's ports as in `manifest.json` (including `clk`/`rst` for clocked designs). */
  ports: ManifestPort[];
  /** Inputs to set in each cycle; values of the port's type (negative allowed when signed) or raw patterns. */
  cycles: Array<Record<string, bigint>>;
  /** Verilator only: `quick` compiles the model at -O0 (for runs of a few cycles); default `optimized`. */
  compile?: 'optimized' | 'quick';
}

/**
 * Runs `cycles` on the chosen back end and returns, for each cycle, every output port's raw unsigned
 * bit pattern sampled after the inputs settled and before the clock edge.
 */
export async function runVectors(opts: VectorRun): Promise<Array<Record<string, bigint>>> {
  if (!BACKENDS.includes(opts.backend)) throw new Error(`runVectors: unknown backend "${String(opts.backend)}"; valid: ${BACKENDS.join(', ')}`);
  if (opts.files.length === 0) throw new Error('runVectors: no Verilog files given');
  const stim = prepareStimulus(opts.top, opts.ports, opts.cycles);
  return opts.backend === 'verilator' ? runOnVerilator(opts.files, opts.top, stim, opts.compile) : runOnIcarus(opts.files, opts.top, stim);
}

export { prepareStimulus, type Stimulus } from './stimulus.ts';
export { buildVectorModel, runModel, VECTOR_FLAGS } from './verilator.ts';
