/**
 * hwflow HLS: compile a plain TS kernel function into a pipelined circuit.
 *
 *   import { hls } from '../hls/index.ts';
 *   export default hls(new URL('./dot.ts', import.meta.url), 'dot', { x: Vec(sint(8), 8), w: Vec(sint(8), 8) }).def;
 *
 * The result is a DSL module with an `args` input stream (a Record of the parameters) and a
 * `result` output stream, accepting one argument set per cycle (see docs/hls.md).
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { ModuleDef, PayloadType, PortRecord } from '../dsl/index.ts';
import { buildModule, resultLeaves, resultType } from './backend.ts';
import { compileFunction, type Kernel } from './frontend.ts';
import { balanceKernel } from './balance.ts';
import { schedule, type Schedule } from './schedule.ts';
import { HlsError } from './errors.ts';

export { HlsError } from './errors.ts';
export { parseTypes } from './types.ts';

export interface HlsOptions {
  /** Target clock in MHz for the schedule (default 48, the iCE40 boards' usual clock). */
  clockMHz?: number;
  /** Initiation interval: one argument set every `ii` cycles, multipliers shared over them (default 1). */
  ii?: number;
  /** Constant tables of at least this many entries are read from block RAM (default 1024). */
  bramMinEntries?: number;
  /** Module name (default `hls_<function>`). */
  name?: string;
}

export interface HlsResult {
  def: ModuleDef<PortRecord>;
  kernel: Kernel;
  schedule: Schedule;
  argsType: Record<string, PayloadType>;
  resultType: PayloadType;
}

/**
 * Compile function `fnName` of a TS file (a path or file URL) — or a function object whose own
 * source is the whole kernel — for arguments of the given types.
 */
export function hls(source: string | URL | ((...a: never[]) => unknown), fnName: string, types: Record<string, PayloadType>, opts: HlsOptions = {}): HlsResult {
  const clockMHz = opts.clockMHz ?? 48;
  if (!(clockMHz > 0 && clockMHz <= 1000)) throw new HlsError(`--clock must be a frequency in MHz from 1 to 1000, got ${clockMHz}`);
  const ii = opts.ii ?? 1;
  if (!(Number.isInteger(ii) && ii >= 1 && ii <= 64)) throw new HlsError(`--ii must be an integer from 1 to 64, got ${ii}`);
  const src = typeof source === 'function'
    ? { file: `${fnName}.fn.ts`, text: `export ${source.toString()}` }
    : { file: source instanceof URL ? fileURLToPath(source) : path.resolve(source) };
  // Chains of associative ops become balanced trees before scheduling (hls/balance.ts).
  const kernel = balanceKernel(compileFunction(src, fnName, types));
  const sched = schedule(resultLeaves(kernel.result), clockMHz, ii, opts.bramMinEntries ?? 1024);
  const def = buildModule(opts.name ?? `hls_${fnName}`, kernel, types, sched);
  return { def, kernel, schedule: sched, argsType: types, resultType: resultType(kernel.result) };
}
