/**
 * Input vectors for a batch of programs. Each input's value stream is derived from the program's
 * stimulus seed and the input's stable tag, so a shrunk program (renumbered nodes, a narrowed input)
 * still sees the same values it saw when it failed; a narrowed input sees them truncated.
 */
import { batchPrefix, inputName } from './build.ts';
import type { Program, Stimulus } from './program.ts';
import { Rng, mixSeed } from './rng.ts';

/** A reset sequence: usually held in cycle 0 (sometimes not, to test power-up values), then rare pulses. */
export function randomStimulus(rng: Rng, cycles: number): Stimulus {
  const rst = Array.from({ length: cycles }, (_, c) => (c === 0 ? (rng.chance(0.7) ? 1 : 0) : rng.chance(0.06) ? 1 : 0));
  return { seed: rng.u32(), cycles, rst };
}

/**
 * One input's values, cycle by cycle (raw bit patterns). The stream is drawn at the widest width
 * and truncated, so narrowing an input keeps its low bits. Values often hold for a few cycles, so
 * registers and memories see repeated addresses and conditions.
 */
export function inputStream(seed: number, tag: number, width: number, cycles: number): bigint[] {
  const rng = new Rng(mixSeed(seed, tag));
  const out: bigint[] = [];
  let last = 0n;
  const w = BigInt(width);
  for (let c = 0; c < cycles; c++) {
    // The same draws every cycle whatever the width, so the stream does not shift when narrowed.
    const kind = rng.int(0, 9);
    const bits = rng.bits(128);
    const small = rng.int(0, 1000);
    const hold = c > 0 && rng.chance(0.25);
    if (hold) {
      out.push(last);
      continue;
    }
    const edge: Record<number, bigint> = {
      0: 0n,
      1: (1n << w) - 1n,
      2: 1n << (w - 1n), // most negative signed
      3: ((1n << w) - 1n) >> 1n, // most positive signed
      4: BigInt(small % (width + 3)), // shift amounts around the width
      5: -BigInt((small % 4) + 1), // small negatives
    };
    last = BigInt.asUintN(width, edge[kind] ?? bits);
    out.push(last);
  }
  return out;
}

/** The batch's per-cycle input records: `rst` and every program's inputs under their batch names. */
export function batchVectors(programs: readonly Program[], stims: readonly Stimulus[], rst: readonly number[]): Record<string, bigint>[] {
  const cycles = rst.length;
  const rows: Record<string, bigint>[] = Array.from({ length: cycles }, (_, c) => ({ rst: BigInt(rst[c]!) }));
  programs.forEach((p, k) => {
    const stim = stims[k]!;
    p.nodes.forEach((n, i) => {
      if (n.k !== 'input') return;
      const values = inputStream(stim.seed, n.tag, n.t.w, cycles);
      for (let c = 0; c < cycles; c++) rows[c]![batchPrefix(k) + inputName(i)] = values[c]!;
    });
  });
  return rows;
}
