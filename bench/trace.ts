/**
 * `npm run bench:trace`: what trace taps cost. The same session (prov_luma of
 * tests/provenance-designs.ts: a FIFO, a map, a fork, a 2-stage pipeline, a skid buffer and a join,
 * 8 internal streams) runs with `trace: false` and `trace: true` on the same tokens, without stalls;
 * reports the wall time of each run (their ratio: both in the same process, so load hits both),
 * the cycles (which must be equal: the taps only watch), the tokens recorded, and the time of the
 * model diff. Recorded in the `bench:trace` block of docs/benchmarks.md. `--quick`: 20 k tokens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { writeDesign } from '../dsl/output.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { checkAgainstModel } from '../testbenches/model/index.ts';
import { lumaChain } from '../tests/provenance-designs.ts';
import { mulberry32 } from '../generators/random.ts';
import { machineLine, quick, recordBlock } from './record.ts';

async function main(): Promise<void> {
  const n = quick ? 20_000 : 200_000;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-trace-'));
  try {
    const circuit = elaborate(lumaChain);
    const dir = writeDesign(circuit, path.join(tmp, 'd'), { generator: 'bench' }).dir;
    const rng = mulberry32(1);
    const tokens = new BigUint64Array(n);
    for (let i = 0; i < n; i++) tokens[i] = BigInt(Math.floor(rng() * 2 ** 28));
    const session = async (trace: boolean) => {
      const sim = await openSim(dir, { seed: 1, record: false, trace });
      try {
        sim.poke('offset', 5);
        sim.send('px', tokens);
        const t0 = performance.now();
        const r = await sim.run({ until: { y: n } });
        const run = (performance.now() - t0) / 1000;
        let recorded = 0;
        let diff = 0;
        if (trace) {
          const t1 = performance.now();
          for (const rec of (await sim.taps()).values()) recorded += rec.tokens.length;
          const model = await checkAgainstModel(sim, circuit, { waves: false });
          diff = (performance.now() - t1) / 1000;
          if (model.unmodelled.length) throw new Error('bench:trace: an element went unmodelled');
        }
        return { run, cycles: r.cycles, recorded, diff, taps: sim.manifest.taps?.length ?? 0 };
      } finally {
        await sim.close();
      }
    };
    await session(false); // builds, so that the timed runs below find their models cached
    await session(true);
    const off = await session(false);
    const on = await session(true);
    if (off.cycles !== on.cycles) throw new Error(`bench:trace: tracing changed the cycles (${off.cycles} vs ${on.cycles})`);
    const lines = [
      machineLine(),
      '',
      `Command: \`npm run bench:trace${quick ? ' -- --quick' : ''}\`: prov_luma (${on.taps} internal streams), ${n} tokens, no stalls, Verilator; models cached.`,
      '',
      '| trace | cycles | run (s) | tokens recorded | taps read + model diff (s) |',
      '|---|---|---|---|---|',
      `| off | ${off.cycles} | ${off.run.toFixed(2)} | - | - |`,
      `| on | ${on.cycles} | ${on.run.toFixed(2)} | ${on.recorded} | ${on.diff.toFixed(2)} |`,
      '',
      `Run time with taps / without: ${(on.run / off.run).toFixed(2)}×; cycles identical (the taps only watch).`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    recordBlock('bench:trace', 'Trace taps', lines.join('\n'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
