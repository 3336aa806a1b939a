/**
 * The sweep's progress: in a terminal, one cli-progress bar with points done of total, how many came
 * from the cache, how many failed, and the time left; otherwise (CI, pipes, tests) one plain line per
 * finished point on stderr, so logs say what happened without control characters.
 */
import cliProgress from 'cli-progress';
import { progressEnabled } from '../../flows/fpga/tools.ts';
import type { PointResult } from './result.ts';

export interface SweepProgress {
  /** A point finished (computed, cached or failed). */
  done(r: PointResult): void;
  stop(): void;
}

/** A progress display for `total` points. */
export function sweepProgress(total: number, enabled = progressEnabled()): SweepProgress {
  let cached = 0;
  let failed = 0;
  let finished = 0;
  const describe = (r: PointResult): string =>
    r.status === 'failed' ? `FAILED: ${r.error?.split('\n')[0]}`
      : [r.cached ? 'cached' : `${r.seconds}s`, r.cycles !== undefined ? `${r.cycles} cycles` : '', r.luts !== undefined ? `${r.luts} LUTs` : '', r.energyPj !== undefined ? `${r.energyPj} pJ` : ''].filter(Boolean).join(', ');
  if (!enabled) {
    return {
      done(r) {
        finished++;
        process.stderr.write(`[${finished}/${total}] ${r.label}: ${describe(r)}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({
    format: 'explore |{bar}| {value}/{total} points | {cached} cached | {failed} failed | {eta_formatted} left | {last}',
    hideCursor: true,
    etaBuffer: 8,
    stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { cached, failed, last: '' });
  return {
    done(r) {
      if (r.cached) cached++;
      if (r.status === 'failed') failed++;
      bar.increment(1, { cached, failed, last: `${r.label}: ${describe(r)}`.slice(0, 60) });
    },
    stop() {
      bar.stop();
    },
  };
}
