/**
 * `npm run mutate`: a seeded mutation campaign for the provenance report. Each mutant changes one
 * element of a design's RTL (swapped operands, a wrong operator, a wrong constant / off-by-one bound, a dropped ready,
 * a stage removed; see testbenches/model/mutants.ts); the design runs traced under random stalls and
 * the diff against the token model of the unchanged design must name that element. Mutants the
 * outputs do not expose (the test would pass) are counted apart. Records the figure and every miss
 * in docs/benchmarks.md (block `mutate`). `--quick`: a handful of mutants, records nothing.
 *
 * Three parts, each recorded in its own block: `elements` (library elements of the top modules,
 * block `mutate`), `children` (library elements inside child instances, named by instance path, block
 * `mutate-children`) and `accelerators` (hand-written logic of the accelerators' modules, children
 * first, located by the lockstep replay of scripts/mutate-hand.ts, block `mutate-accelerators`).
 *
 * Options: --seed N (default 1), --per-design N (mutants per design, default 14; 8 for the
 * accelerators), --part elements|children|accelerators|all (default all).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { writeDesign } from '../dsl/output.ts';
import { buildManifest } from '../dsl/manifest.ts';
import type { ModuleDef } from '../dsl/builder/module.ts';
import type { PortRecord } from '../dsl/builder/ports.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { ProvenanceError, rtlRunOf } from '../testbenches/model/index.ts';
import { firstDivergence, outputFailure, runModel } from '../testbenches/model/run.ts';
import { applyMutant, enumerateMutants, sampleMutants, type Mutant } from '../testbenches/model/mutants.ts';
import { driveProvenanceDesign } from '../testbenches/model/drive.ts';
import { PROVENANCE_DESIGNS } from '../tests/provenance-designs.ts';
import { HIER_DESIGNS } from '../tests/provenance-hier-designs.ts';
import { handCampaign, runHandMutant, HAND_DESIGNS, type HandResult } from './mutate-hand.ts';
import { instanceTree } from '../testbenches/model/lockstep.ts';
import { lumaStage } from '../examples/luma.ts';
import { machineLine, quick, recordBlock } from '../bench/record.ts';
import { mulberry32 } from '../generators/random.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

/** The designs of the campaign: the provenance designs and the README's luma stage. */
export const CAMPAIGN_DESIGNS: Record<string, ModuleDef<PortRecord>> = {
  ...PROVENANCE_DESIGNS,
  luma_stage: lumaStage as unknown as ModuleDef<PortRecord>,
};

export interface MutantResult {
  design: string;
  element: string;
  kind: string;
  op: string;
  what: string;
  /** The outputs went wrong (the test fails). */
  killed: string | undefined;
  /** The element the report named, if any. */
  named: string | undefined;
  located: boolean;
}

/** Runs one mutant of `def`; seed for stalls and data. */
export async function runMutant(design: string, def: ModuleDef<PortRecord>, mutant: Mutant, seed: number): Promise<MutantResult> {
  const circuit = elaborate(def);
  const dir = mkdtempSync(join(tmpdir(), 'hwflow-mutant-'));
  try {
    writeDesign(applyMutant(circuit, mutant), dir, { generator: 'mutate' });
    const sim = await openSim(dir, { seed, stall: { in: 0.3, out: 0.3 }, trace: true, failureWaves: false, hangCycles: 2000 });
    try {
      await driveProvenanceDesign(sim, mulberry32(seed));
      const rtl = await rtlRunOf(sim);
      const model = runModel(sim.manifest, circuit, rtl);
      const killed = outputFailure(model, rtl);
      const d = firstDivergence(model, rtl);
      const named = d?.element ? `${d.element.element} '${d.element.name}'` : undefined;
      // A fault in a child module is in every instance of it: the same element of another instance is it too.
      const moduleOf = (scope: string) => sim.manifest.instances?.find((i) => i.path === scope)?.module;
      const local = (name: string, scope: string) => (scope ? name.slice(scope.length + 1) : name);
      const sameInAnotherInstance = !!mutant.scope && !!d?.element?.scope && moduleOf(d.element.scope) === moduleOf(mutant.scope)
        && local(d.element.name, d.element.scope) === local(mutant.element.name, mutant.scope);
      return { design, element: mutant.element.name, kind: mutant.element.element, op: mutant.op, what: mutant.what, killed, named, located: d?.element?.name === mutant.element.name || sameInAnotherInstance };
    } finally {
      await sim.kill();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The mutants of every campaign design, `perDesign` each, seeded. */
export function campaign(seed: number, perDesign: number): { design: string; def: ModuleDef<PortRecord>; mutant: Mutant }[] {
  const out = [];
  for (const [design, def] of Object.entries(CAMPAIGN_DESIGNS)) {
    const c = elaborate(def);
    const all = enumerateMutants(buildManifest(c, { generator: 'mutate' }), c);
    for (const mutant of sampleMutants(all, perDesign, mulberry32(seed))) out.push({ design, def, mutant });
  }
  return out;
}

/** Mutants of the library elements inside child instances (one instance per module: every instance carries the fault), `perDesign` each. */
export function childCampaign(seed: number, perDesign: number): { design: string; def: ModuleDef<PortRecord>; mutant: Mutant }[] {
  const out = [];
  for (const [design, def] of Object.entries(HIER_DESIGNS)) {
    const c = elaborate(def);
    const manifest = buildManifest(c, { generator: 'mutate' });
    const firstOfModule = new Map<string, string>();
    for (const node of instanceTree(c)) if (node.path && !firstOfModule.has(node.module.name)) firstOfModule.set(node.module.name, node.path);
    const all = [...firstOfModule.values()].flatMap((scope) => enumerateMutants(manifest, c, scope));
    for (const mutant of sampleMutants(all, perDesign, mulberry32(seed))) out.push({ design, def, mutant });
  }
  return out;
}

async function main(): Promise<void> {
  const seed = arg('seed', 1);
  const part = (() => {
    const i = process.argv.indexOf('--part');
    return i >= 0 ? process.argv[i + 1]! : 'all';
  })();
  if (!['elements', 'children', 'accelerators', 'all'].includes(part)) throw new Error(`--part ${part}: use elements, children, accelerators or all`);
  if (part === 'elements' || part === 'all') await elementPart(seed, quick ? 2 : arg('per-design', 14), 'mutate', campaign, 'Mutation campaign: does the failure report name the broken element?');
  if (part === 'children' || part === 'all') await elementPart(seed, quick ? 2 : arg('per-design', 14), 'mutate-children', childCampaign, 'Mutation campaign inside child instances: is the element named by its instance path?');
  if (part === 'accelerators' || part === 'all') await acceleratorPart(seed, quick ? 1 : arg('per-design', 8));
}

/** The element campaigns (top-level elements, or elements inside child instances). */
async function elementPart(seed: number, perDesign: number, block: string, make: typeof campaign, title: string): Promise<void> {
  const list = make(seed, perDesign);
  const results: MutantResult[] = [];
  const t0 = performance.now();
  for (const [i, x] of list.entries()) {
    const r = await runMutant(x.design, x.def, x.mutant, seed + i);
    results.push(r);
    process.stdout.write(`${i + 1}/${list.length} ${r.design} ${r.kind} '${r.element}' ${r.what}: ${r.killed ? `killed (${r.killed}); report names ${r.named ?? 'nothing'}${r.located ? '' : '  <-- MISS'}` : 'survived (outputs right)'}\n`);
  }
  const designs = [...new Set(list.map((x) => x.design))];
  const killed = results.filter((r) => r.killed);
  const located = killed.filter((r) => r.located);
  const pct = killed.length ? (100 * located.length) / killed.length : 0;
  const byOp = ['swap', 'operator', 'const', 'ready', 'stage'].map((op) => {
    const k = killed.filter((r) => r.op === op);
    return `${op} ${k.filter((r) => r.located).length}/${k.length}`;
  });
  const lines = [
    machineLine(),
    '',
    `Command: \`npm run mutate -- --part ${block === 'mutate' ? 'elements' : 'children'} --seed ${seed} --per-design ${perDesign}\`: ${results.length} mutants over ${designs.length} designs (${designs.join(', ')}), Verilator with trace taps, 30% random stalls on every port, ${((performance.now() - t0) / 1000).toFixed(0)} s.`,
    '',
    `| mutants | test fails (outputs wrong) | report names the mutated element | by operator (named/failing) |`,
    `|---|---|---|---|`,
    `| ${results.length} | ${killed.length} | ${located.length} (${pct.toFixed(1)}%) | ${byOp.join(', ')} |`,
    '',
    'Misses (the test fails, the report names another element):',
    '',
    ...(killed.filter((r) => !r.located).map((r) => `- ${r.design}: ${r.kind} '${r.element}', ${r.what} (${r.killed}); report names ${r.named ?? 'nothing'}`)),
    ...(killed.every((r) => r.located) ? ['- none'] : []),
    '',
    `Survivors (outputs right, so no test fails): ${results.filter((r) => !r.killed).map((r) => `${r.design} ${r.kind} '${r.element}' ${r.what}`).join('; ') || 'none'}.`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  recordBlock(block, title, lines.join('\n'));
}

/** The accelerators' campaign: hand-written logic, located by the lockstep replay. */
async function acceleratorPart(seed: number, perDesign: number): Promise<void> {
  const list = handCampaign(seed, perDesign);
  const results: HandResult[] = [];
  const t0 = performance.now();
  for (const [i, x] of list.entries()) {
    const r = await runHandMutant(x.design, x.preset, x.circuit, x.mutant, seed + i);
    results.push(r);
    const named = r.report ? `${r.report.instance || '(top)'} ${r.report.signal} at ${r.report.loc}` : 'nothing';
    process.stdout.write(`${i + 1}/${list.length} ${r.design} ${r.child ? 'child' : 'top'} ${r.module} ${r.what} at ${r.loc}: ${r.killed ? `killed (${r.killed}); report names ${named}${r.instanceNamed ? (r.signalNamed ? '' : '  <-- signal missed') : '  <-- MISS'}` : 'survived (outputs right)'}\n`);
  }
  const killed = results.filter((r) => r.killed);
  const pct = (n: number) => (killed.length ? `${((100 * n) / killed.length).toFixed(1)}%` : '-');
  const inst = killed.filter((r) => r.instanceNamed).length;
  const sig = killed.filter((r) => r.signalNamed).length;
  const kids = killed.filter((r) => r.child);
  const lines = [
    machineLine(),
    '',
    `Command: \`npm run mutate -- --part accelerators --seed ${seed} --per-design ${perDesign}\`: ${results.length} mutants over ${HAND_DESIGNS.map((d) => `${d.name} (${d.preset})`).join(', ')}, children's modules first; one job of random tensors each, 30% random stalls, outputs checked against golden; Verilator (-O0) and a waveform of the whole run for the lockstep replay; ${((performance.now() - t0) / 1000).toFixed(0)} s.`,
    '',
    '| mutants | in child modules | test fails (outputs wrong) | report names an instance of the mutated module | ... and a signal holding the fault | in children: instance / signal named |',
    '|---|---|---|---|---|---|',
    `| ${results.length} | ${results.filter((r) => r.child).length} | ${killed.length} | ${inst} (${pct(inst)}) | ${sig} (${pct(sig)}) | ${kids.filter((r) => r.instanceNamed).length}/${kids.length} / ${kids.filter((r) => r.signalNamed).length}/${kids.length} |`,
    '',
    'Failing mutants and what the report named:',
    '',
    ...killed.map((r) => `- ${r.design} ${r.child ? 'child' : 'top'} module ${r.module}, ${r.what} at ${r.loc} (${r.killed}): ${r.report ? `instance '${r.report.instance || '(top)'}', ${r.report.signalKind} '${r.report.signal}' at ${r.report.loc}, cycle ${r.report.cycle}` : 'nothing'}${r.instanceNamed ? (r.signalNamed ? '' : ' (signal missed)') : ' (MISS)'}`),
    '',
    `Survivors (outputs right): ${results.filter((r) => !r.killed).map((r) => `${r.design} ${r.module} ${r.what} at ${r.loc}`).join('; ') || 'none'}.`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  recordBlock('mutate-accelerators', 'Mutation campaign in the accelerators: is a fault in hand-written logic located?', lines.join('\n'));
}

if (process.argv[1]?.endsWith('mutate.ts')) main().catch((e) => {
  process.stderr.write(`${e instanceof ProvenanceError ? e.message : (e as Error).stack}\n`);
  process.exit(1);
});
