// The harness's failure reports: a deliberately broken FIFO is caught with seed, stream, token index,
// cycle, both values and a small waveform; a FIFO that stops moving ends in a HangError naming the
// stalled stream; a crashing simulator reports its status; a missing tool says which and how to fix it.
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { HangError, MissingToolError, ScoreboardError, SimulatorCrashError, openSim, readVcd, scoreboard } from '../testbenches/index.ts';
import { availableBackends, describeDesign, withSim } from '../testbenches/vitest.ts';
import { regFifo } from './harness-designs.ts';
import { Rng } from './support/rng.ts';

const backends = availableBackends();

describeDesign('harness faults: FIFO that flips a data bit', regFifo({ depth: 4, width: 8, bug: 'corrupt' }), (design) => {
  it.each(backends)('is caught with the full report and a bounded waveform on %s', async (backend) => {
    const seed = 424242;
    const rng = new Rng(seed);
    const toks = Array.from({ length: 400 }, () => rng.bits(12));
    const sim = await openSim(design(), { backend, seed, stall: { in: 0.3, out: 0.3 } });
    try {
      sim.send('in', toks);
      await sim.run({ until: { out: toks.length } });
      const err = await sim.scoreboard('out', toks).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ScoreboardError);
      const e = err as ScoreboardError;
      const m = scoreboard(toks, sim.received('out'))!;
      const cycle = sim.cycles('out')[m.index]!;
      expect(e.message).toContain(`stream 'out'`);
      expect(e.message).toContain(`seed:      ${seed}`);
      expect(e.message).toContain(`token:     #${m.index} at cycle ${cycle}`);
      expect(e.message).toContain(`expected:  0x${m.expected!.toString(16).padStart(3, '0')}`);
      expect(e.message).toContain(`actual:    0x${m.actual!.toString(16).padStart(3, '0')}`);
      expect(m.actual! ^ m.expected!).toBe(1n);
      const wave = e.context.wave!;
      expect(wave).toMatch(/\.vcd$/);
      expect(e.message).toContain(wave);
      // The window covers the bad token and stays small.
      const vcd = readVcd(wave);
      expect(vcd.endTime).toBeGreaterThanOrEqual(cycle * 10);
      expect(vcd.endTime).toBeLessThanOrEqual((cycle + 25) * 10 + 5);
      expect(statSync(wave).size).toBeLessThan(64 * 1024);
    } finally {
      await sim.kill();
    }
  });
});

describeDesign('harness faults: FIFO that only empties when full', regFifo({ depth: 4, width: 8, bug: 'stuck' }), (design) => {
  it.each(backends)('ends in a HangError naming the stalled stream and the cycle on %s', async (backend) => {
    const toks = [1n, 2n, 3n, 4n, 5n, 6n];
    const err = await withSim(design(), { backend, seed: 5, hangCycles: 200, failureWaves: false }, async (sim) => {
      sim.send('in', toks);
      await sim.run({ until: { out: toks.length } });
    }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(HangError);
    const e = err as HangError;
    expect(e.info.stalled.map((s) => s.stream)).toEqual(['out']);
    expect(e.info.stalled[0]!.moved).toBeGreaterThan(0);
    expect(e.info.cycle - e.info.lastMove).toBe(201);
    expect(e.message).toMatch(/hung: no token moved for 200 cycles \(last movement at cycle \d+, stopped at cycle \d+\); stalled streams: 'out'/);
    expect(e.message).toContain('the design never raises valid');
    expect(e.message).toContain('HWFLOW_SEED=5');
  });
});

describeDesign('harness faults: simulator crash and missing tools', regFifo({ depth: 4, width: 8 }), (design) => {
  it('a simulator that aborts mid-run reports its signal and where it was', async () => {
    const sim = await openSim(design(), { seed: 2 });
    sim.injectCrashAt(50);
    sim.send('in', Array.from({ length: 100 }, (_, i) => BigInt(i)));
    const err = await sim.run({ until: { out: 100 } }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SimulatorCrashError);
    const e = err as SimulatorCrashError;
    expect(e.signal).toBe('SIGABRT');
    expect(e.message).toMatch(/was killed by SIGABRT during run\(\)/);
  });

  it.runIf(backends.includes('icarus'))('Icarus: the crash report carries the simulator output, and temporary files are removed', async () => {
    // Only this session's own folder: Icarus sessions of test files running in parallel make others.
    const sim = await openSim(design(), { seed: 2, backend: 'icarus' });
    const dir = sim.workDir!;
    expect(dir).toBeDefined();
    expect(dirname(dir)).toBe(resolve(tmpdir()));
    expect(basename(dir)).toMatch(/^hwflow-icarus-/);
    expect(existsSync(dir)).toBe(true);
    sim.injectCrashAt(20);
    sim.send('in', [1n, 2n, 3n]);
    const err = await sim.run({ cycles: 100 }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SimulatorCrashError);
    expect((err as Error).message).toContain('abort requested at cycle 20');
    await sim.kill();
    expect(existsSync(dir)).toBe(false);
  });

  it.each(backends)('a missing %s names the tool and `npm run setup`', async (backend) => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent-hwflow-path';
    try {
      const err = await openSim(design(), { backend }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(MissingToolError);
      expect((err as Error).message).toContain(backend === 'verilator' ? 'verilator was not found' : 'iverilog was not found');
      expect((err as Error).message).toContain('npm run setup');
    } finally {
      process.env.PATH = saved;
    }
  });
});
