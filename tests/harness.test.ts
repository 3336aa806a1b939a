// The verification harness on a register FIFO written in the DSL: under random stalls on both sides
// nothing is lost, duplicated or reordered, on Verilator and on Icarus alike (with identical cycle
// numbers, since both use the same seeded stall generator), plus poke/peek/step and an ASCII waveform
// snapshot of the valid/ready handshake. Also the two designs of `npm run bench:harness` (a small MAC
// grid and the stream pipeline), built and checked against their golden models so they cannot rot.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { renderAscii, readVcd, findSignal, valueAt, scoreboard } from '../testbenches/index.ts';
import { availableBackends, describeDesign, goldenVsRtl, withSim } from '../testbenches/vitest.ts';
import { macGrid, macGridGolden, regFifo, streamPipe, streamPipeGolden } from './harness-designs.ts';
import { Rng, testSeed } from './support/rng.ts';

const backends = availableBackends();
const tokensFor = (rng: Rng, n: number, width: number) => Array.from({ length: n }, () => rng.bits(width + 4));

describeDesign('harness: register FIFO, 100-bit data + 4-bit tag (two payload ports)', regFifo({ depth: 4, width: 100 }), (design) => {
  it.each(backends)('loses, duplicates and reorders nothing under 30 percent stalls on %s', async (backend) => {
    const seed = testSeed();
    const rng = new Rng(seed);
    const n = backend === 'verilator' ? 3000 : 300;
    const first = tokensFor(rng, n, 100);
    const second = tokensFor(rng, n / 2, 100);
    await withSim(design(), { backend, seed, stall: { in: 0.3, out: 0.3 } }, async (sim) => {
      // Two batches through one session: state and cycle numbering carry over between runs.
      await goldenVsRtl(sim, { inputs: { in: first }, expected: { out: first } });
      await goldenVsRtl(sim, { inputs: { in: second }, expected: { out: second } });
      expect(sim.received('out')).toEqual([...first, ...second]);
      expect(sim.acceptedCount('in')).toBe(first.length + second.length);
      const cycles = sim.cycles('out');
      for (let i = 1; i < cycles.length; i++) expect(cycles[i]!, `seed ${seed}`).toBeGreaterThan(cycles[i - 1]!);
      // With 30% stalls on each side the FIFO cannot keep one token per cycle, nor be far from it.
      const span = cycles[cycles.length - 1]! - cycles[0]!;
      expect(span).toBeGreaterThan(cycles.length * 1.2);
      expect(span).toBeLessThan(cycles.length * 3);
    });
  });

  it('moves one token per cycle without stalls (the harness adds no bubbles)', async () => {
    const rng = new Rng(7);
    const toks = tokensFor(rng, 500, 100);
    await withSim(design(), { seed: 7 }, async (sim) => {
      const cycles = await goldenVsRtl(sim, { inputs: { in: toks }, expected: { out: toks } });
      // One cycle into the FIFO, then one token per cycle.
      expect(cycles).toBe(toks.length + 1);
    });
  });

  it.runIf(backends.includes('icarus'))('gives the same tokens at the same cycles on Verilator and Icarus', async () => {
    const seed = testSeed();
    const toks = tokensFor(new Rng(seed), 200, 100);
    const runOn = (backend: 'verilator' | 'icarus') =>
      withSim(design(), { backend, seed, stall: { in: 0.4, out: 0.5 } }, async (sim) => {
        sim.send('in', toks);
        await sim.run({ until: { out: toks.length } });
        return { tokens: sim.received('out'), cycles: sim.cycles('out') };
      });
    const v = await runOn('verilator');
    const i = await runOn('icarus');
    expect(scoreboard(v.tokens, i.tokens), `seed ${seed}`).toBeNull();
    expect(i.cycles, `seed ${seed}`).toEqual(v.cycles);
  });

  it('accepts BigUint64Array and Uint32Array batches (the fast path) like bigint arrays', async () => {
    const rng = new Rng(11);
    const toks = tokensFor(rng, 40, 100);
    const words = new Uint32Array(toks.length * 4);
    toks.forEach((t, i) => { for (let k = 0; k < 4; k++) words[4 * i + k] = Number((t >> BigInt(32 * k)) & 0xffffffffn); });
    await withSim(design(), { seed: 11, stall: { in: 0.2, out: 0.2 } }, async (sim) => {
      sim.send('in', words);
      await sim.run({ until: { out: toks.length } });
      await sim.scoreboard('out', toks);
      // Wider than 64 bits: the raw tokens are the words, as sent.
      const raw = sim.receivedRaw('out');
      expect(raw).toBeInstanceOf(Uint32Array);
      expect(Array.from(raw as Uint32Array)).toEqual(Array.from(words));
      expect(Array.from(sim.cyclesRaw('out'))).toEqual(sim.cycles('out'));
      expect(() => sim.send('in', [1n << 104n])).toThrow(/does not fit 104 unsigned bits/);
      expect(() => sim.send('in', new BigUint64Array([1n]))).toThrow(/at most 64-bit tokens/);
    });
  });
});

describeDesign('harness: register FIFO, 8-bit data', regFifo({ depth: 4, width: 8 }), (design) => {
  it.each(backends)('poke, step and peek drive and read ports directly on %s', async (backend) => {
    await withSim(design(), { backend, seed: 1 }, async (sim) => {
      expect(await sim.peek('out_valid')).toBe(0n);
      sim.poke('in_valid', 1);
      sim.poke('in_tag', 0xa);
      sim.poke('in_data', 0x5c);
      sim.poke('out_ready', 0);
      sim.step(1);
      sim.poke('in_valid', 0);
      expect(await sim.peek('out_valid')).toBe(1n);
      expect(await sim.peek('out_tag')).toBe(0xan);
      expect(await sim.peek('out_data')).toBe(0x5cn);
      sim.poke('in_valid', 1);
      sim.step(3); // three more pushes of the same token: full
      sim.poke('in_valid', 0);
      expect(await sim.peek('in_ready')).toBe(0n);
      expect(sim.cycle).toBe(2 + 4);
    });
  });

  it('draws the handshake as ASCII, and the picture agrees with the harness and with Icarus', async () => {
    const toks = [0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f].map((x) => BigInt(x) | (BigInt(x & 0xf) << 8n));
    const draw = async (backend: 'verilator' | 'icarus') =>
      withSim(design(), { backend, seed: 3, stall: { in: 0.4, out: 0.6 }, waves: 'vcd', waveDir: join(process.cwd(), '.cache', 'waves-test') }, async (sim) => {
        sim.send('in', toks);
        await sim.run({ until: { out: toks.length } });
        const outCycles = [...sim.cycles('out')];
        await sim.close();
        const vcd = readVcd(sim.wavePath!);
        rmSync(sim.wavePath!, { force: true });
        return { vcd, outCycles, end: sim.cycle };
      });
    const v = await draw('verilator');
    const picture = renderAscii(v.vcd, ['rst', 'in_valid', 'in_ready', 'in_data', 'count', 'out_valid', 'out_ready', 'out_data'], { from: 0, to: v.end - 1 });
    await expect(picture).toMatchFileSnapshot('./__snapshots__/harness-handshake.txt');
    // Columns where out_valid and out_ready are both high are exactly the harness's token cycles.
    const [ov, or] = [findSignal(v.vcd, 'out_valid'), findSignal(v.vcd, 'out_ready')];
    const fired = [];
    for (let c = 0; c < v.end; c++) if (valueAt(ov, 10 * c) === '1' && valueAt(or, 10 * c) === '1') fired.push(c);
    expect(fired).toEqual(v.outCycles);
    if (backends.includes('icarus')) {
      const i = await draw('icarus');
      // Handshake ports from cycle 1. out_data is left out: the FIFO's entries have no reset, so an
      // empty FIFO shows Verilator's 0 but Icarus's x there (the tokens themselves are compared above).
      const ports = ['in_valid', 'in_ready', 'in_data', 'out_valid', 'out_ready'];
      expect(renderAscii(i.vcd, ports, { from: 1, to: i.end - 1 })).toBe(renderAscii(v.vcd, ports, { from: 1, to: v.end - 1 }));
    }
  });

  it('rejects unknown streams and ports with the names there are', async () => {
    await withSim(design(), { seed: 1 }, async (sim) => {
      expect(() => sim.send('inp', [1n])).toThrow(/no input stream 'inp' \(its input streams: 'in'\)/);
      expect(() => sim.received('in')).toThrow(/no output stream 'in'/);
      expect(() => sim.poke('out_data', 1)).toThrow(/not a drivable input/);
      await expect(sim.peek('nope')).rejects.toThrow(/has no port 'nope'/);
    });
  });

  it('reports exact cycles across gaps of more than 65535 cycles between tokens', async () => {
    // The C++ loop sends cycles as 16-bit steps and starts a new output chunk on a longer gap: one long
    // run must report the same cycles as many short runs (each of which starts its own chunks).
    const toks = Array.from({ length: 12 }, (_, i) => BigInt(i * 37 + 5));
    const opts = { seed: 9, stall: { in: 0.99999 } };
    const long = await withSim(design(), opts, async (sim) => {
      sim.send('in', toks);
      await sim.run({ cycles: 900_000 });
      return { tokens: [...sim.received('out')], cycles: [...sim.cycles('out')] };
    });
    const short = await withSim(design(), opts, async (sim) => {
      sim.send('in', toks);
      for (let k = 0; k < 90; k++) await sim.run({ cycles: 10_000 });
      return { tokens: [...sim.received('out')], cycles: [...sim.cycles('out')] };
    });
    expect(long.tokens.length).toBeGreaterThan(4);
    expect(long.tokens).toEqual(toks.slice(0, long.tokens.length));
    expect(long).toEqual(short);
    const gaps = long.cycles.slice(1).map((c, i) => c - long.cycles[i]!);
    expect(Math.max(...gaps)).toBeGreaterThan(65535);
  });
});

describeDesign('harness bench design: stream pipeline (pipelineMap stages and a queue, 64-bit tokens)', streamPipe(), (design) => {
  it.each(backends)('matches its golden model under 30 percent stalls on %s', async (backend) => {
    const seed = testSeed();
    const rng = new Rng(seed);
    const toks = Array.from({ length: backend === 'verilator' ? 600 : 200 }, () => rng.bits(64));
    await withSim(design(), { backend, seed, stall: { in: 0.3, out: 0.3 } }, async (sim) => {
      await goldenVsRtl(sim, { inputs: { in: toks }, expected: { out: streamPipeGolden(toks) } });
      // A second batch as a BigUint64Array (the benchmark's fast path) through the same session.
      const more = BigUint64Array.from({ length: 300 }, () => rng.bits(64));
      await goldenVsRtl(sim, { inputs: { in: more }, expected: { out: streamPipeGolden(more) } });
    });
  });

  it('keeps long runs as typed arrays (receivedRaw, cyclesRaw) across runs and output chunks', async () => {
    const rng = new Rng(21);
    const n = 100_000;
    const toks = BigUint64Array.from({ length: n }, () => rng.bits(64));
    const golden = streamPipeGolden(toks);
    await withSim(design(), { seed: 21, stall: { in: 0.2, out: 0.1 } }, async (sim) => {
      sim.send('in', toks);
      // The first run stops inside an output chunk (the C++ loop sends 32768 tokens per chunk).
      await sim.run({ until: { out: 40_001 } });
      expect(sim.receivedCount('out')).toBe(40_001);
      expect(sim.received('out')).toEqual(golden.slice(0, 40_001));
      await sim.run({ until: { out: n } });
      const raw = sim.receivedRaw('out');
      expect(raw).toBeInstanceOf(BigUint64Array);
      expect(raw.length).toBe(n);
      expect(Array.from(raw as BigUint64Array)).toEqual(golden);
      expect(sim.received('out')).toEqual(golden);
      const cyc = sim.cyclesRaw('out');
      expect(cyc.length).toBe(n);
      expect(Array.from(cyc)).toEqual(sim.cycles('out'));
      for (let i = 1; i < n; i++) if (!(cyc[i]! > cyc[i - 1]!)) throw new Error(`cycles not increasing at token ${i}`);
      expect(cyc[n - 1]).toBeLessThan(sim.cycle);
    });
  });

  it('moves one token per cycle without stalls, after its latency of 5 cycles', async () => {
    const toks = Array.from({ length: 400 }, (_, i) => BigInt.asUintN(64, BigInt(i) * 0x9e3779b97f4a7c15n));
    await withSim(design(), { seed: 5 }, async (sim) => {
      const cycles = await goldenVsRtl(sim, { inputs: { in: toks }, expected: { out: streamPipeGolden(toks) } });
      expect(cycles).toBe(toks.length + 5);
    });
  });
});

describeDesign('harness bench design: MAC grid, 4×4, an output every 4 tokens', macGrid(4, 4), (design) => {
  it('matches its golden model under 30 percent stalls', async () => {
    const seed = testSeed();
    const rng = new Rng(seed);
    const act = Array.from({ length: 400 }, () => rng.bits(16));
    const wgt = Array.from({ length: 400 }, () => rng.bits(16));
    await withSim(design(), { seed, stall: { in: 0.3, out: 0.3 } }, async (sim) => {
      await goldenVsRtl(sim, { inputs: { act, wgt }, expected: { out: macGridGolden(4, 4, act, wgt) } });
    });
  });
});
