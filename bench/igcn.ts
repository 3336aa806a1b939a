/**
 * `npm run bench:igcn`: the row-wise baseline, GCoD and I-GCN on the real Cora and CiteSeer graphs at
 * full feature width (the workload of bench:gcod: seeded sparse binary features, 1.3% ones, hidden
 * 16), one table. All three are simulated in Verilator without stalls on the same 16 aggregation MACs,
 * the same 400 on-chip Z rows, the same off-chip port model and merge; outputs are checked against the
 * golden layer; cycles and reads are the hardware's counters. The locator figures (islands, cycles)
 * come from its exact algorithm and cycle model (generators/igcn/locator.ts); the locator in hardware
 * (generators/igcn/locator-hw.ts) runs on the same graphs in Verilator with one BFS engine and one hub
 * lane and with the overlap preset's, its islands checked equal to the host's, its cycles next to the model's.
 * `--quick`: two random graphs on the CI presets (no data files), measures nothing.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Tensor } from '../dsl/generator.ts';
import { gcod } from '../generators/gcod/index.ts';
import { gcodPresets, totalMacs, type GcodParams } from '../generators/gcod/params.ts';
import { igcn, igcnPlan } from '../generators/igcn/index.ts';
import { igcnPresets, type IgcnParams } from '../generators/igcn/params.ts';
import { locateIslands, locatorTiming } from '../generators/igcn/locator.ts';
import { dispatchModel } from '../generators/igcn/dispatch-model.ts';
import { runLocator } from '../tests/support/locator-run.ts';
import { citationWorkload, runAggregation, runGcod, type GcodRun } from '../tests/support/gcod-run.ts';
import { machineLine, quick, recordBlock } from './record.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DATA = process.env.HWFLOW_DATA ?? resolve(ROOT, '../shared/data');
const SEED = 7;
/** The third-party locator run quoted in issue 18 (TH0 = 10, C_max = 200, Cora). */
const THIRD_PARTY: Record<string, string> = { cora: '580 islands, 2,469 of 2,708 nodes' };

interface Case {
  name: string;
  g: GcodParams;
  /** GCoD lifted (variant 'resident'). */
  r: GcodParams;
  i: IgcnParams;
  /** I-GCN with the RTL locator feeding the RTL dispatcher (locate 'overlap'; 'serial' is the same with dispatching after END). */
  o: IgcnParams;
  inputs: () => Record<string, Tensor>;
}

function cases(): Case[] {
  if (quick)
    return [1, 2].map((seed) => ({ name: `random ${seed}`, g: gcodPresets.ci!, r: gcodPresets['ci-resident']!, i: { ...igcnPresets.ci!, hidden: gcodPresets.ci!.hidden }, o: { ...igcnPresets['ci-overlap']!, hidden: gcodPresets.ci!.hidden }, inputs: () => gcod.randomInputs(gcodPresets.ci!, seed) }));
  return ([['cora', 'cora/cora.cites', 1433], ['citeseer', 'citeseer/citeseer.cites', 3703]] as const).map(([name, file, f]) => ({
    name, g: gcodPresets[name]!, r: gcodPresets[`${name}-resident`]!, i: igcnPresets[name]!, o: igcnPresets[`${name}-overlap`]!, inputs: () => citationWorkload(DATA, file, f, SEED),
  }));
}

/**
 * How much of the locator the consumers could wait on: island k is needed when its consumer reaches
 * it; at the ideal rate (hidden/macs cycles a step, from the end of combination) that is the earliest
 * it can be, so max(ready - needed) bounds the exposed locator cycles from above. The locator runs
 * from the start, concurrently with combination (it needs the graph only).
 */
function exposedLocator(p: IgcnParams, inputs: Record<string, Tensor>, combinationCycles: number): number {
  const plan = igcnPlan(p, inputs);
  const perStep = p.hidden / p.macs;
  let worst = 0;
  for (const list of plan.schedule.islandsOf) {
    let at = combinationCycles;
    for (const k of list) {
      worst = Math.max(worst, plan.islands.ready[k]! - at);
      at += plan.schedule.stepsOfIsland[k]! * perStep;
    }
  }
  return worst;
}

async function main(): Promise<void> {
  if (!quick && !existsSync(join(DATA, 'cora/cora.cites'))) {
    console.error(`bench:igcn needs ${DATA}/cora and citeseer; not found`);
    process.exit(1);
  }
  const lines: string[] = [];
  const say = (s: string): void => {
    console.log(s);
    lines.push(s);
  };
  const rows: string[] = [];
  const loc: string[] = [];
  const stallChecks: string[] = [];
  const hw: string[] = [];
  const ov: string[] = [];
  for (const c of cases()) {
    const inputs = c.inputs();
    const wantG = gcod.golden(c.g, inputs);
    const wantI = igcn.golden(c.i, inputs);
    const res: Record<string, GcodRun> = {};
    const runs: [string, () => Promise<GcodRun>][] = [
      ['baseline', () => runGcod({ ...c.g, variant: 'baseline' }, inputs, { seed: SEED })],
      ['gcod', () => runGcod(c.g, inputs, { seed: SEED })],
      ['resident', () => runGcod(c.r, inputs, { seed: SEED })],
      ['igcn', () => runAggregation(igcn, c.i, inputs, { seed: SEED })],
    ];
    for (const [label, run] of runs) {
      const r = await run();
      if (!r.y.data.every((v, k) => v === wantG.outputs.y!.data[k])) throw new Error(`${c.name} ${label}: Y differs from the golden layer (seed ${SEED})`);
      res[label] = r;
      console.log(`${c.name} ${label}: total ${r.cycles} cycles, aggregation ${r.aggCycles}, reads ${r.reads}, build ${r.buildSeconds.toFixed(0)} s, run ${r.seconds.toFixed(1)} s`);
    }
    // The same I-GCN run under random stalls on every stream (the RTL test of a real graph: too long for the test suite).
    const stalled = await runAggregation(igcn, c.i, inputs, { seed: SEED, stall: { in: 0.2, out: 0.2 } });
    if (!stalled.y.data.every((v, k) => v === wantG.outputs.y!.data[k]) || stalled.reads !== res.igcn!.reads)
      throw new Error(`${c.name} igcn under random stalls: Y or reads differ (seed ${SEED})`);
    stallChecks.push(`${c.name}: ${stalled.cycles} cycles, golden Y, ${stalled.reads} reads`);
    const nnz = wantG.counts.adjacencyNonZeros!;
    const ideal = Math.ceil((nnz * c.g.hidden) / totalMacs(c.g));
    const ops = wantI.counts.aggregationOps!;
    const row = (label: string, r: GcodRun, o: number): string =>
      `| ${c.name} | ${label} | ${o} | ${(100 * (1 - o / nnz)).toFixed(1)}% | ${r.aggCycles} | ${(r.aggCycles / ideal).toFixed(2)} | ${r.reads} | ${(res.baseline!.reads / r.reads).toFixed(2)}× | ${r.cycles} |`;
    rows.push(row('row-wise baseline', res.baseline!, nnz), row('GCoD', res.gcod!, nnz), row('GCoD lifted (resident)', res.resident!, nnz), row('I-GCN', res.igcn!, ops));
    const ic = wantI.counts;
    {
      // The locator in hardware on this graph (no stalls), with one BFS engine and one hub lane and with
      // the overlap preset's: the same hubs and islands as locator.ts, its cycles next to the cycle model's.
      const adj = igcnPlan(c.i, inputs).adj;
      const nnzAdj = adj.reduce((k, l) => k + l.length, 0);
      const load = adj.length + 1 + nnzAdj;
      const comb = wantI.counts.featureNonZeros!;
      let host = locateIslands(adj, c.o);
      let presetEnd = 0;
      for (const [bfsEngines, hubLanes] of [[1, 1], [c.o.bfsEngines, c.o.hubLanes]] as const) {
        const lp = { maxNodes: c.o.maxNodes, maxEdges: quick ? Math.max(2, nnzAdj) : c.o.maxEdges, th0: c.o.th0, cMax: c.o.cMax, bfsEngines, hubLanes };
        const t0 = performance.now();
        const [r] = await runLocator(lp, [adj], { seed: SEED });
        const seconds = (performance.now() - t0) / 1000;
        host = locateIslands(adj, { ...c.o, bfsEngines, hubLanes });
        if (JSON.stringify(r!.hubs) !== JSON.stringify(host.hubs) || JSON.stringify(r!.islands) !== JSON.stringify(host.islands))
          throw new Error(`${c.name}: the hardware locator's islands differ from locator.ts (P2 ${bfsEngines}, ${hubLanes} lanes)`);
        const timing = locatorTiming(adj, { ...c.o, bfsEngines, hubLanes });
        const locate = r!.endCycle - load;
        presetEnd = r!.endCycle;
        hw.push(`| ${c.name} | ${bfsEngines}, ${hubLanes} | ${host.islands.length} (equal) | ${r!.endCycle} | ${load} | ${locate} | ${timing.cycles}${timing.cycles === locate ? ' (equal)' : ' (DIFFERS)'} | ${timing.scanCycles} | ${timing.runs} / ${timing.dropped} / ${timing.aborted} | ${comb} | ${locate <= comb ? 'yes' : `no (${locate - comb} more)`} |`);
        console.log(`${c.name} locator hw P2 ${bfsEngines}, ${hubLanes} lanes: ${r!.endCycle} cycles (${seconds.toFixed(1)} s with build)`);
      }
      // The overlap preset's C_max (= slots) gives the same islands as the I-GCN preset's on these graphs.
      const paper = locateIslands(adj, c.i);
      const sameAsPaper = JSON.stringify(paper.islands) === JSON.stringify(host.islands) && JSON.stringify(paper.hubs) === JSON.stringify(host.hubs);
      if (!quick && !sameAsPaper) throw new Error(`${c.name}: C_max ${c.o.cMax} gives other islands than C_max ${c.i.cMax}`);
      // The locator feeding the dispatcher in one top: overlapped, and back to back (dispatch after END).
      const model = dispatchModel(igcnPlan(c.o, inputs).a, host, c.o.engines, c.o.slots);
      const ideal = wantI.idealCycles!;
      const runsO: [string, GcodRun][] = [];
      // --quick: the overlapped top only (the one the tests build), no second Verilator build.
      for (const locate of quick ? ['overlap'] : ['serial', 'overlap']) {
        const o = await runAggregation(igcn, { ...c.o, locate }, inputs, { seed: SEED });
        if (!o.y.data.every((v, k) => v === wantG.outputs.y!.data[k]) || o.reads !== model.loads) throw new Error(`${c.name} igcn ${locate}: Y or reads differ (seed ${SEED})`);
        console.log(`${c.name} igcn ${locate}: total ${o.cycles} cycles, aggregation ${o.aggCycles}, reads ${o.reads}, build ${o.buildSeconds.toFixed(0)} s, run ${o.seconds.toFixed(1)} s`);
        runsO.push([locate, o]);
      }
      const hostRun = res.igcn!;
      ov.push(`| ${c.name} | I-GCN, host-compiled commands (locating not in the run) | ${hostRun.cycles} | ${(hostRun.cycles / ideal).toFixed(2)} | ${hostRun.aggCycles} | ${hostRun.reads} | ${wantI.counts.aggregationOps} |`);
      for (const [locate, o] of runsO)
        ov.push(`| ${c.name} | RTL locator → RTL dispatcher, ${locate === 'serial' ? 'back to back (dispatch after END)' : 'overlapped'} | ${o.cycles} | ${(o.cycles / ideal).toFixed(2)} | ${o.aggCycles} | ${o.reads} | ${model.ops} |`);
      ov.push(`| ${c.name} | for reference: locator END (alone, CSR load included); combination; ideal | ${presetEnd}; ${comb}; ${ideal} | — | — | — | — |`);
    }
    const exposed = exposedLocator(c.i, inputs, wantI.counts.featureNonZeros!);
    loc.push(
      `| ${c.name} | ${ic.islands} | ${ic.islandNodes} of ${ic.islandNodes! + ic.hubs!} | ${ic.hubs} | ${ic.interHubNonZeros} | ${ic.locatorRounds} | ${ic.locatorCycles} | ${wantI.counts.featureNonZeros} | ${exposed <= 0 ? 'yes (0 exposed)' : `no: ≤ ${exposed} exposed`} | ${THIRD_PARTY[c.name] ?? '—'} |`,
    );
  }
  const p = cases()[0]!;
  say(machineLine());
  say('');
  say(`Verilator, no stalls, seed ${SEED}; every design's Y checked against the golden layer. Same units and memory: ${totalMacs(p.g)} aggregation MACs (baseline: one row-wise engine; GCoD: ${p.g.engines} × ${p.g.macs} + sparser ${p.g.sparseMacs}; GCoD lifted: the same engines, ${p.r.engines + 1} block buffers of ${p.r.blockRows} rows, a ${p.r.requestQueue}-deep request FIFO each; I-GCN: ${p.i.engines} island consumers × ${p.i.macs}), ${p.g.engines * p.g.blockRows + p.g.sparseSlots} Z rows on chip (I-GCN: ${p.i.engines} × ${p.i.slots}, request FIFO ${p.i.requestQueue}), off-chip latency ${p.g.latency}, ${p.g.wordsPerCycle} words/cycle. I-GCN: TH0 = ${p.i.th0}, C_max = ${p.i.cMax}, P2 = ${p.i.bfsEngines} BFS engines, ${p.i.hubLanes} hub lanes.`);
  say('');
  say(`| graph | design | aggregation ops (vector MACs) | pruned vs nnz | agg. cycles | / ideal (nnz·${p.g.hidden}/${totalMacs(p.g)}) | off-chip Z reads | read cut vs baseline | total cycles |`);
  say('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) say(r);
  say('');
  say(`I-GCN again under random stalls (20% on every input and output stream, seed ${SEED}): ${stallChecks.join('; ')}.`);
  say('');
  say('I-GCN island locator (exact algorithm and cycle model; runs from the start, concurrently with combination, which needs one cycle per feature non-zero):');
  say('');
  say('| graph | islands | nodes in islands | hubs | inter-hub non-zeros | rounds | locator cycles | combination cycles | hidden behind combination + consumers | third-party run |');
  say('|---|---|---|---|---|---|---|---|---|---|');
  for (const l of loc) say(l);
  say('');
  say(`I-GCN island locator in hardware (generators/igcn/locator-hw.ts, C_max = ${p.o.cMax}, TH0 = ${p.o.th0}; Verilator, no stalls; the graph streamed in as CSR, 1 token a cycle, then located; islands and hubs checked equal to locator.ts, in order; model = locatorTiming, the cycle model; BFS runs: started / dropped at commit (seed already claimed) / aborted):`);
  say('');
  say('| graph | P2, hub lanes | islands | END at cycle | CSR load (tokens) | locate cycles | model | of which hub detection | BFS runs | combination cycles | locate ≤ combination |');
  say('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const l of hw) say(l);
  say('');
  say(`I-GCN with the locator feeding the consumers in RTL (create-overlap.ts: RTL locator, ${p.o.hubLanes} hub lanes, ${p.o.bfsEngines} BFS engines → island FIFO → RTL dispatcher → the same ${p.o.engines} consumers × ${p.o.macs} MACs, ${p.o.slots} Z rows each; C_max = ${p.o.cMax}, TH0 = ${p.o.th0}; no shared-neighbour reuse in the RTL dispatcher). Verilator, no stalls, Y golden, reads = one per node; total cycles from the first input token to the stats token; ideal = combination (feature non-zeros) + nnz·${p.o.hidden}/${p.o.engines * p.o.macs}:`);
  say('');
  say('| graph | design | total cycles | / ideal | aggregation cycles (stats) | Z reads | vector MACs |');
  say('|---|---|---|---|---|---|---|');
  for (const l of ov) say(l);
  recordBlock('bench:igcn', 'I-GCN', lines.join('\n'));
}

await main();
