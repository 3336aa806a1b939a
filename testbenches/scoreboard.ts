/**
 * In-order scoreboard: the first place where what a design produced differs from what the golden
 * kernel says, and a report a hardware engineer can act on (seed to reproduce, stream, token index,
 * cycle, both values, and the waveform around it). The comparison is pure; the session adds the
 * cycle numbers and the waveform.
 */
import { hex } from './stream/words.ts';

/** The first difference between an expected and an actual token sequence. */
export interface Mismatch {
  /** Index of the first differing token (equal to the shorter length when one is a prefix). */
  index: number;
  expected: bigint | undefined;
  actual: bigint | undefined;
  expectedCount: number;
  actualCount: number;
}

/**
 * Compares in order; null when both sequences are equal.
 * @param expected the golden tokens
 * @param actual the tokens the design produced
 */
export function scoreboard(expected: readonly bigint[], actual: readonly bigint[]): Mismatch | null {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== actual[i]) return { index: i, expected: expected[i], actual: actual[i], expectedCount: expected.length, actualCount: actual.length };
  }
  if (expected.length === actual.length) return null;
  return { index: n, expected: expected[n], actual: actual[n], expectedCount: expected.length, actualCount: actual.length };
}

/** Where a mismatch happened, as far as the session knows it. */
export interface MismatchContext {
  design: string;
  stream: string;
  width: number;
  seed: number;
  backend: string;
  /** Cycle of the first differing actual token (undefined when it is missing). */
  cycle: number | undefined;
  /** Cycle of the last token received (for a missing token). */
  lastCycle: number | undefined;
  wave: string | undefined;
  /** Why no waveform could be written, when none was. */
  waveError?: string;
  /** A token's fields as text (from the stream's payload type), when known. */
  show?: (bits: bigint) => string;
}

/** An RTL output that differs from the golden kernel. `message` is the full report. */
export class ScoreboardError extends Error {
  override readonly name = 'ScoreboardError';
  constructor(readonly mismatch: Mismatch, readonly context: MismatchContext) {
    super(formatMismatch(mismatch, context));
  }
}

/**
 * The multi-line failure report.
 * @param m the mismatch
 * @param c where it happened (stream, cycle, seed, waves)
 */
export function formatMismatch(m: Mismatch, c: MismatchContext): string {
  const v = (x: bigint | undefined) => (x === undefined ? '(no token)' : `${hex(x, c.width)} (${c.show ? c.show(x) : x})`);
  const where = c.cycle !== undefined ? `at cycle ${c.cycle}` : c.lastCycle !== undefined ? `missing (last token at cycle ${c.lastCycle})` : 'missing (no token received)';
  const lines = [
    `scoreboard mismatch on stream '${c.stream}' of ${c.design}`,
    `  seed:      ${c.seed} (reproduce with HWFLOW_SEED=${c.seed}; back end ${c.backend})`,
    `  token:     #${m.index} ${where}`,
    `  expected:  ${v(m.expected)}`,
    `  actual:    ${v(m.actual)}`,
    `  counts:    ${m.expectedCount} expected, ${m.actualCount} received`,
    `  waveform:  ${c.wave ?? `(none: ${c.waveError ?? 'not requested'})`}`,
  ];
  return lines.join('\n');
}
