/**
 * What a simulator back end offers the session: the same ten commands on Verilator (binary framing to
 * a generated C++ loop) and on Icarus (text lines to a generated Verilog testbench). Commands that
 * need no answer are only queued; `run` and `peek` wait for their reply.
 */
import type { DesignLayout } from './layout.ts';
import type { TokenStore } from './store.ts';
import type { TokenBatch } from './words.ts';

/** The simulator a `Sim` runs on. */
export type BackendKind = 'verilator' | 'icarus';
/** Waveform file format. */
export type WaveFormat = 'vcd' | 'fst';

/** What one `run` asks for. Targets are cumulative token counts per output stream (absent: none). */
export interface RunRequest {
  maxCycles: number;
  /** Stop with status 'hang' after this many cycles without any token moving (0: never). */
  idleLimit: number;
  /** Per output stream (layout order): stop once this many tokens were received in total. */
  targets: (number | undefined)[];
  /** Also wait until every input queue is empty. */
  drain: boolean;
}

export interface StreamState {
  valid: boolean;
  ready: boolean;
}

/** The raw answer to a run, before the session turns it into errors (tokens go to the stores). */
export interface RunReply {
  status: 'done' | 'hang' | 'limit';
  /** Absolute cycle after the run. */
  cycle: number;
  /** Last cycle in which any token moved. */
  lastMove: number;
  ins: { accepted: number; queued: number; state: StreamState }[];
  outs: { state: StreamState }[];
}

export interface Backend {
  readonly kind: BackendKind;
  readonly layout: DesignLayout;
  /** Seconds spent building (or finding) the model. */
  readonly buildSeconds: number;
  readonly cached: boolean;
  /** Process id of the simulator (for profilers and debuggers). */
  readonly pid: number | undefined;
  /** The back end's private temporary folder, removed by close/kill (Icarus); none for Verilator. */
  readonly workDir?: string;
  setStalls(seed: number, inThresholds: number[], outThresholds: number[]): void;
  send(stream: number, tokens: TokenBatch): void;
  /** Runs; the tokens received are appended to `stores` (one per output stream, layout order). */
  run(req: RunRequest, stores: TokenStore[]): Promise<RunReply>;
  poke(port: number, value: bigint): void;
  peek(port: number): Promise<{ cycle: number; value: bigint }>;
  step(n: number): void;
  reset(cycles: number): void;
  /** Dump a waveform of cycles [from, to] into `path` (empty path: stop dumping). */
  trace(from: number, to: number, path: string): void;
  /** Fault injection for the harness's own tests: crash the simulator at this cycle. */
  abortAt(cycle: number): void;
  /** Flush queued commands to the process. */
  flush(): Promise<void>;
  close(): Promise<void>;
  kill(): Promise<void>;
  /**
   * Re-runs everything this back end was sent so far in a fresh, tracing simulator that dumps cycles
   * [from, to] to `path`. Seeded stalls make the replay cycle-exact.
   */
  replayWithWaves(path: string, format: WaveFormat, from: number, to: number): Promise<void>;
}

/** Stall probability (0..1) to the 16-bit threshold both back ends compare their random draw with. */
export function stallThreshold(rate: number, what: string): number {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`${what} stall rate must be in [0, 1), got ${rate}`);
  return Math.round(rate * 65536);
}
