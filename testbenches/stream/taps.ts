/**
 * Trace taps on the TypeScript side: the tracing harness (`openSim(dir, { trace: true })`) records
 * every token crossing an internal stream of the manifest's tap list; `TAPS` makes it write what it
 * recorded since the last call into a file, which is parsed here and appended to per-tap records.
 */
import { readFileSync } from 'node:fs';
import type { TapLayout } from './layout.ts';

/** Every token seen on one internal stream so far, with the cycle it moved in. */
export interface TapRecord {
  name: string;
  width: number;
  /** Bit patterns of the payloads, in order. */
  tokens: bigint[];
  cycles: number[];
  /** valid and ready at the last read (a hang shows which element holds tokens back). */
  valid: boolean;
  ready: boolean;
}

/** Appends a taps file written by the harness's `write_taps` to `records` (one per tap, layout order). */
export function absorbTapsFile(path: string, taps: readonly TapLayout[], records: TapRecord[]): void {
  const b = readFileSync(path);
  let at = 0;
  taps.forEach((t, i) => {
    const rec = records[i]!;
    const n = Number(b.readBigUInt64LE(at));
    at += 8;
    for (let k = 0; k < n; k++) rec.cycles.push(Number(b.readBigUInt64LE(at + 8 * k)));
    at += 8 * n;
    for (let k = 0; k < n; k++) {
      let v = 0n;
      for (let w = t.words - 1; w >= 0; w--) v = (v << 32n) | BigInt(b.readUInt32LE(at + 4 * (k * t.words + w)));
      rec.tokens.push(v);
    }
    at += 4 * n * t.words;
    const state = b.readUInt32LE(at);
    at += 4;
    rec.valid = (state & 1) !== 0;
    rec.ready = (state & 2) !== 0;
  });
}

/** Empty records for a tap list. */
export function emptyTapRecords(taps: readonly TapLayout[]): TapRecord[] {
  return taps.map((t) => ({ name: t.name, width: t.width, tokens: [], cycles: [], valid: false, ready: false }));
}
