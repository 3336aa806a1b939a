// The Verilator harness moves tokens through rings of 32 slots in shared files (FEED/FREE for inputs,
// CHUNK/ACK for outputs). These tests drive the rings past their edges: runs longer than a whole ring in
// both directions (so slots are reused and the loop waits for the TypeScript side), many small batches
// packed into one slot, runs that end while fed tokens are still in the ring, calls made while a run
// is in progress, and the ring files themselves (unnamed once opened, so nothing is left behind).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pickRingDir, RING_BYTES_PER_STREAM } from '../testbenches/stream/rings.ts';
import { describeDesign, withSim } from '../testbenches/vitest.ts';
import { regFifo, streamPipe, streamPipeGolden } from './harness-designs.ts';
import { Rng, testSeed } from './support/rng.ts';

/** Tokens per slot of a 64-bit stream (256 KiB of tokens) and slots per ring, as harness.cpp.hbs makes them. */
const SLOT_TOKENS = 32768;
const SLOTS = 32;

describeDesign('harness rings: the stream pipeline over more than a whole ring', streamPipe(), (design) => {
  it('runs 1.2 ring laps under stalls, across runs that stop mid-slot, bit-exact with the golden model', async () => {
    const seed = testSeed();
    const rng = new Rng(seed);
    const n = Math.round(SLOT_TOKENS * SLOTS * 1.2);
    const toks = BigUint64Array.from({ length: n }, () => rng.bits(64));
    const golden = BigUint64Array.from(streamPipeGolden(toks));
    await withSim(design(), { seed, stall: { in: 0.1, out: 0.2 } }, async (sim) => {
      sim.send('in', toks);
      // Stop inside a slot, after the first lap of the ring, and go on from there.
      const first = SLOT_TOKENS * SLOTS + 12345;
      await sim.run({ until: { out: first } });
      expect(sim.receivedCount('out')).toBe(first);
      await sim.run({ until: { out: n } });
      const got = sim.receivedRaw('out') as BigUint64Array;
      expect(got.length).toBe(n);
      const bad = got.findIndex((v, i) => v !== golden[i]);
      expect(bad, `first mismatch at token ${bad} (seed ${seed})`).toBe(-1);
      expect(sim.acceptedCount('in')).toBe(n);
      const cyc = sim.cyclesRaw('out');
      for (let i = 1; i < n; i++) if (!(cyc[i]! > cyc[i - 1]!)) throw new Error(`cycles not increasing at token ${i} (seed ${seed})`);
    });
  });

  it('packs many small batches into slots and keeps their order', async () => {
    const rng = new Rng(31);
    const batches = Array.from({ length: 300 }, (_, k) => Array.from({ length: 1 + (k % 7) }, () => rng.bits(64)));
    const all = batches.flat();
    await withSim(design(), { seed: 31, stall: { in: 0.3, out: 0.3 } }, async (sim) => {
      for (const b of batches) sim.send('in', b);
      await sim.run({ until: { out: all.length } });
      expect(sim.received('out')).toEqual(streamPipeGolden(all));
    });
  });

  it('keeps fed tokens in the ring when a run ends early, and counts them as queued', async () => {
    const rng = new Rng(32);
    const n = 3 * SLOT_TOKENS + 5;
    const toks = BigUint64Array.from({ length: n }, () => rng.bits(64));
    await withSim(design(), { seed: 32, stall: { in: 0.5 } }, async (sim) => {
      sim.send('in', toks);
      // Short runs: each ends long before the tokens are used up, with slots fed and not consumed.
      let accepted = 0;
      for (let k = 0; k < 5; k++) {
        const r = await sim.run({ cycles: 1000 });
        expect(r.cycles).toBe(1000);
        expect(sim.acceptedCount('in')).toBeGreaterThan(accepted);
        accepted = sim.acceptedCount('in');
      }
      expect(accepted).toBeLessThan(n);
      await sim.run({ until: { out: n } });
      expect(sim.received('out')).toEqual(streamPipeGolden(toks));
      expect(sim.acceptedCount('in')).toBe(n);
    });
  });

  it('refuses other calls while a run is in progress, and goes on correctly after it', async () => {
    const rng = new Rng(33);
    const toks = BigUint64Array.from({ length: 50_000 }, () => rng.bits(64));
    await withSim(design(), { seed: 33 }, async (sim) => {
      sim.send('in', toks);
      const running = sim.run({ until: { out: toks.length } });
      expect(() => sim.send('in', [1n])).toThrow(/inside run\(\); await the run first/);
      expect(() => sim.step(1)).toThrow(/inside run\(\)/);
      await expect(sim.peek('out_valid')).rejects.toThrow(/inside run\(\)/);
      await expect(sim.run({ cycles: 1 })).rejects.toThrow(/inside run\(\)/);
      await running;
      expect(sim.received('out')).toEqual(streamPipeGolden(toks));
      // The refused calls left nothing behind: the session goes on as if they had never been made.
      sim.send('in', [5n, 6n]);
      await sim.run({ until: { out: toks.length + 2 } });
      expect(sim.received('out').slice(-2)).toEqual(streamPipeGolden([5n, 6n]));
    });
  });
});

describeDesign('harness rings: files', regFifo({ depth: 4, width: 8 }), (design) => {
  it.runIf(existsSync('/proc/self/maps'))('maps ring files that have no name any more (nothing to clean up after a crash)', async () => {
    await withSim(design(), { seed: 4 }, async (sim) => {
      sim.send('in', [1n, 2n, 3n]);
      await sim.run({ until: { out: 3 } });
      const rings = readFileSync(`/proc/${sim.pid}/maps`, 'utf8').split('\n').filter((l) => l.includes('hwflow-sim-'));
      // One input and one output ring, each mapped once.
      expect(rings.length).toBe(2);
      for (const l of rings) {
        expect(l).toMatch(/\.ring \(deleted\)$/);
        // No larger than the room the folder was chosen for (the C++ sizes the rings, TypeScript plans for them).
        const [lo, hi] = l.split(' ')[0]!.split('-').map((x) => parseInt(x, 16));
        expect(hi! - lo!).toBeLessThanOrEqual(RING_BYTES_PER_STREAM);
        expect(hi! - lo!).toBeGreaterThan(RING_BYTES_PER_STREAM / 2);
      }
    });
  });
});

describe('harness rings: where the ring files go', () => {
  const MiB = 2 ** 20;
  it('prefers tmpfs, falls back to the temporary folder when tmpfs lacks room, and names both when neither has it', () => {
    const shm = (free: number | null) => ({ dir: '/dev/shm', free });
    const tmp = (free: number | null) => ({ dir: '/tmp', free });
    expect(pickRingDir([shm(24_000 * MiB), tmp(80_000 * MiB)], 4)).toBe('/dev/shm');
    // Docker's default /dev/shm (64 MiB) cannot hold the rings of a session with margin: use /tmp.
    expect(pickRingDir([shm(64 * MiB), tmp(80_000 * MiB)], 4)).toBe('/tmp');
    expect(pickRingDir([shm(null), tmp(80_000 * MiB)], 1)).toBe('/tmp');
    const need = 2 * RING_BYTES_PER_STREAM * 4 + 64 * MiB;
    expect(pickRingDir([shm(need), tmp(0)], 4)).toBe('/dev/shm');
    expect(() => pickRingDir([shm(need - 1), tmp(null)], 4)).toThrow(
      /no room for the harness's token rings: 144 MiB needed for 4 streams; \/dev\/shm \(143 MiB free\), \/tmp \(not writable\)\. .*TMPDIR/);
  });
});
