/**
 * Run the hardware island locator (generators/igcn/locator-hw.ts) in Verilator on graphs given as
 * neighbour lists: one model, the graphs sent back to back (the module takes the next graph after
 * END), the output split per graph into hubs and islands in the host locator's shape.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDesign } from '../../dsl/output.ts';
import { elaborate } from '../../dsl/passes/elaborate.ts';
import { createLocator, csrTokens, LOC_END, LOC_HUB, LOC_LAST, type LocatorHwParams } from '../../generators/igcn/locator-hw.ts';
import { openSim, type StallOptions } from '../../testbenches/stream/session.ts';

export interface LocatorRun {
  hubs: number[];
  islands: number[][];
  /** Cycle of the END token. */
  endCycle: number;
}

export async function runLocator(p: LocatorHwParams, graphs: readonly (readonly (readonly number[])[])[], opts: { seed: number; stall?: StallOptions }): Promise<LocatorRun[]> {
  const dir = mkdtempSync(join(tmpdir(), 'igcn-locator-'));
  try {
    const design = writeDesign(elaborate(createLocator(p)), join(dir, 'design'), { generator: 'igcn-locator', params: { ...p } });
    const sim = await openSim({ dir: design.dir, manifest: design.manifest }, { seed: opts.seed, stall: opts.stall, failureWaves: false, record: false, hangCycles: 200_000 });
    try {
      for (const adj of graphs) sim.send('csr', csrTokens(p, adj));
      await sim.run({ until: { islands: graphs.reduce((k, adj) => k + adj.length + 1, 0) }, cycles: 100_000_000 });
      const toks = sim.receivedFields('islands') as { kind: number; id: number }[];
      const cycles = sim.cycles('islands');
      const runs: LocatorRun[] = [];
      let cur: LocatorRun = { hubs: [], islands: [], endCycle: 0 };
      let island: number[] = [];
      toks.forEach((t, i) => {
        const kind = Number(t.kind);
        const id = Number(t.id);
        if (kind === LOC_END) {
          cur.endCycle = cycles[i]!;
          runs.push(cur);
          cur = { hubs: [], islands: [], endCycle: 0 };
        } else if (kind === LOC_HUB) cur.hubs.push(id);
        else {
          island.push(id);
          if (kind === LOC_LAST) {
            cur.islands.push(island);
            island = [];
          }
        }
      });
      return runs;
    } finally {
      await sim.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
