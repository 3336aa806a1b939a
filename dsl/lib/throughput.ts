/**
 * Throughput warnings (issue 16, point 7). A stream carries its source's initiation interval in its
 * timing (`StreamTiming.ii`, set by `loopNest` with `ii > 1` and carried by every element). Such a
 * source starts counting the gap to its next token only when a token leaves. An element that holds
 * each input token for `hold` cycles without buffering (`serialize` emits n pieces before it takes
 * the token) therefore delays that start: with no buffer between them the path runs at
 * ii + hold - 1 cycles per token, where producer and consumer alone could do max(ii, hold). One
 * token of buffering (`queue(s, 1)`, a slice) lets the gap overlap the hold. The element warns at its line.
 */
import { formatLoc, type SourceLoc } from '../errors.ts';
import type { Stream } from '../builder/stream.ts';
import { warnDesign } from './notes.ts';

/** Cycles per token of a path whose source has initiation interval `ii`, into an element holding tokens `hold` cycles. */
export function pathCyclesPerToken(ii: number, hold: number, buffered: boolean): number {
  return buffered ? Math.max(ii, hold) : ii + hold - 1;
}

/**
 * Check an element that holds each token of `s` for `hold` cycles; warn when the path from an
 * II-limited source has no buffering in between and loses throughput. Returns the path's cycles
 * per token (recorded in the element's note), or undefined when the source has II 1.
 * @param s the input stream of the holding element
 * @param element the element's name for the message
 * @param hold cycles it keeps each input token (when its output does not stall)
 * @param loc the user's line that made the element
 */
export function checkHoldingElement(s: Stream, element: string, hold: number, loc: SourceLoc | undefined): number | undefined {
  const src = s.timing.ii;
  if (!src || src.cycles <= 1) return undefined;
  const buffered = s.timing.capacity > src.capacity;
  const got = pathCyclesPerToken(src.cycles, hold, buffered);
  const could = Math.max(src.cycles, hold);
  if (got > could)
    warnDesign(
      s.m,
      `${element} holds each token of '${s.name}' ${hold} cycles with no buffer in front, and its producer (${src.element} with ii ${src.cycles}, at ${formatLoc(src.loc)}) ` +
        `starts its next gap only when a token leaves: the path runs at ${got} cycles per token where both could do ${could}; put a buffer in front (queue(s, 1), forwardSlice or skidBuffer)`,
      [loc, src.loc],
    );
  return got;
}
