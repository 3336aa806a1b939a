/**
 * Run-time failures of a simulation session that a test may want to branch on: a design that stops
 * moving tokens, and a run that reaches its cycle limit before its goal. (A crashed simulator is a
 * {@link SimulatorCrashError} from `process.ts`; a wrong output is a `ScoreboardError`.)
 */

/** One stream's situation when a run stopped. */
export interface StalledStream {
  stream: string;
  dir: 'in' | 'out';
  valid: boolean;
  ready: boolean;
  /** Input: tokens still queued. Output: tokens still awaited. */
  waiting: number;
  /** Tokens moved on this stream so far. */
  moved: number;
}

interface StopInfo {
  design: string;
  seed: number;
  backend: string;
  cycle: number;
  lastMove: number;
  stalled: StalledStream[];
  wave?: string | undefined;
}

function describe(s: StalledStream): string {
  const what = s.dir === 'in' ? `${s.waiting} token(s) queued, ${s.moved} accepted` : `${s.waiting} more token(s) awaited, ${s.moved} received`;
  const why = s.dir === 'in'
    ? (s.valid && !s.ready ? 'the design holds ready low' : !s.valid ? 'valid low (random stall or nothing presented)' : 'moving')
    : (s.ready && !s.valid ? 'the design never raises valid' : !s.ready ? 'ready low (random stall)' : 'moving');
  return `${s.dir}put '${s.stream}': ${what}; valid=${+s.valid} ready=${+s.ready} (${why})`;
}

function body(i: StopInfo): string {
  return [
    ...i.stalled.map((s) => `  ${describe(s)}`),
    `  seed:     ${i.seed} (reproduce with HWFLOW_SEED=${i.seed}; back end ${i.backend})`,
    `  waveform: ${i.wave ?? '(none)'}`,
  ].join('\n');
}

/** No token moved on any stream for `idleCycles` cycles while the run still waited for some. */
export class HangError extends Error {
  override readonly name = 'HangError';
  constructor(readonly info: StopInfo & { idleCycles: number }) {
    const names = info.stalled.map((s) => `'${s.stream}'`).join(', ') || '(none)';
    super(`${info.design} hung: no token moved for ${info.idleCycles} cycles (last movement at cycle ${info.lastMove}, stopped at cycle ${info.cycle}); stalled streams: ${names}\n${body(info)}`);
  }
}

/** The run's goal was not reached within its cycle budget, although tokens kept moving. */
export class RunLimitError extends Error {
  override readonly name = 'RunLimitError';
  constructor(readonly info: StopInfo & { maxCycles: number }) {
    super(`${info.design} did not reach the run's goal within ${info.maxCycles} cycles (stopped at cycle ${info.cycle})\n${body(info)}`);
  }
}
