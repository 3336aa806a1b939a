/**
 * Run the GCoD design (either variant), or I-GCN (the same combination engine, port, merge and stats), in Verilator through the streaming harness: write the design,
 * send every input stream's tokens, run until all output rows and the stats token are out, decode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readCites } from '../../generators/gcod/graph.ts';
import { Rng } from './rng.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Accelerator, ParamValue, Tensor } from '../../dsl/generator.ts';
import { writeDesign } from '../../dsl/output.ts';
import { elaborate } from '../../dsl/passes/elaborate.ts';
import { decodeStats, gcod } from '../../generators/gcod/index.ts';
import type { GcodParams } from '../../generators/gcod/params.ts';
import { openSim, type StallOptions } from '../../testbenches/stream/session.ts';

export interface GcodRun {
  y: Tensor;
  /** Off-chip reads the hardware counted. */
  reads: number;
  /** Cycle of the last output (the stats token). */
  cycles: number;
  /** Aggregation cycles counted in hardware (combination done until every engine done). */
  aggCycles: number;
  /** Wall time of the simulation run. */
  seconds: number;
  /** Wall time of building (or finding) the Verilator model. */
  buildSeconds: number;
}

export async function runGcod(p: GcodParams, inputs: Record<string, Tensor>, opts: { seed: number; stall?: StallOptions }): Promise<GcodRun> {
  return runAggregation(gcod, p, inputs, opts);
}

/** Any design with gcod's streams x, w, y and stats (gcod, igcn): the same run, decode and counters. */
export async function runAggregation<P extends Record<string, ParamValue>>(acc: Accelerator<P>, p: P, inputs: Record<string, Tensor>, opts: { seed: number; stall?: StallOptions }): Promise<GcodRun> {
  const dir = mkdtempSync(join(tmpdir(), `${acc.name}-rtl-`));
  try {
    const design = writeDesign(elaborate(acc.create(p)), join(dir, 'design'), { generator: acc.name, params: p });
    const sim = await openSim({ dir: design.dir, manifest: design.manifest }, { seed: opts.seed, stall: opts.stall, failureWaves: false, record: false, hangCycles: 200_000 });
    try {
      const tokens = acc.encode(p, inputs);
      for (const [stream, list] of Object.entries(tokens)) sim.send(stream, list);
      const n = inputs.x!.shape[0]!;
      const t0 = performance.now();
      await sim.run({ until: { y: n, stats: 1 }, cycles: 50_000_000 });
      const seconds = (performance.now() - t0) / 1000;
      const y = acc.decode(p, { y: sim.received('y') }, inputs).y!;
      const stats = decodeStats(sim.received('stats'));
      return { y, reads: stats.reads, aggCycles: stats.aggCycles, cycles: sim.cycles('stats')[0]!, seconds, buildSeconds: sim.build.seconds };
    } finally {
      await sim.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A citation graph (`.cites` under `dataDir`) as the layer's tensors: seeded sparse binary features
 * (`features` wide, 1.3% ones, the GCN papers' density) and int8 weights of hidden width 16.
 */
export function citationWorkload(dataDir: string, file: string, features: number, seed: number): Record<string, Tensor> {
  const g = readCites(join(dataDir, file));
  const rng = new Rng(seed);
  return {
    edges: { shape: [g.edges.length, 2], data: g.edges.flat().map(BigInt) },
    x: { shape: [g.n, features], data: Array.from({ length: g.n * features }, () => (rng.next() < 0.013 ? 1n : 0n)) },
    w: { shape: [features, 16], data: Array.from({ length: features * 16 }, () => BigInt(rng.int(-128, 127))) },
  };
}
