/**
 * The accelerators' half of `npm run mutate`: seeded faults in the hand-written logic of an
 * accelerator's modules (its children first: GCoD's engines, ViTCoD's lines), one job of random
 * tensors through the mutated RTL under random stalls, the outputs checked against the golden kernel
 * (the test fails or not), then a waveform of the whole run replayed instance by instance against
 * the unchanged IR (testbenches/model/lockstep.ts): does the report name an instance of the mutated
 * module, and a signal whose assignment holds the changed expression?
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { writeDesign } from '../dsl/output.ts';
import type { Accelerator, ParamValue, Tensor } from '../dsl/generator.ts';
import type { Circuit } from '../dsl/ir/nodes.ts';
import { openSim } from '../testbenches/stream/session.ts';
import { readVcd } from '../testbenches/vcd.ts';
import { lockstep, type LockstepDivergence } from '../testbenches/model/lockstep.ts';
import { applyHandMutant, enumerateHandMutants, type HandMutant } from '../testbenches/model/hand-mutants.ts';
import { registry, presetParams } from '../generators/registry.ts';
import { mulberry32 } from '../generators/random.ts';

/** The accelerators of the campaign, with the preset each runs. */
export const HAND_DESIGNS: { name: string; preset: string }[] = [
  { name: 'gcod', preset: 'ci' },
  { name: 'shiftadd', preset: 'ci' },
  { name: 'vitcod', preset: 'ci' },
];

export interface HandResult {
  design: string;
  module: string;
  /** The module is a child (instantiated), not the top. */
  child: boolean;
  op: string;
  what: string;
  loc: string;
  killed: string | undefined;
  report: LockstepDivergence | undefined;
  /** The report names an instance of the mutated module. */
  instanceNamed: boolean;
  /** ... and a signal that holds the changed expression. */
  signalNamed: boolean;
}

type AnyAcc = Accelerator<Record<string, ParamValue>>;

const same = (a: Tensor | undefined, b: Tensor | undefined) => !!a && !!b && a.data.length === b.data.length && a.data.every((x, i) => BigInt(x) === BigInt(b.data[i]!));

/** One mutant: run, check the outputs against golden, replay the waveform in lockstep with the unchanged IR. */
export async function runHandMutant(design: string, preset: string, circuit: Circuit, mutant: HandMutant, seed: number): Promise<HandResult> {
  const acc = registry[design] as unknown as AnyAcc;
  const p = presetParams(acc, preset).params;
  const dir = mkdtempSync(join(tmpdir(), 'hwflow-hand-mutant-'));
  try {
    const w = writeDesign(applyHandMutant(circuit, mutant), join(dir, 'rtl'), { generator: design, params: p });
    const sim = await openSim(w.dir, { seed, stall: { in: 0.3, out: 0.3 }, failureWaves: false, hangCycles: 3000, compile: 'quick', waveDir: join(dir, 'waves') });
    let killed: string | undefined;
    let report: LockstepDivergence | undefined;
    try {
      const inputs = acc.randomInputs(p, seed);
      const want = acc.golden(p, inputs).outputs;
      const counts = acc.outputTokens!(p, inputs);
      for (const [s, list] of Object.entries(acc.encode(p, inputs))) sim.send(s, list);
      try {
        await sim.run({ until: counts, cycles: 50_000 });
        const got = acc.decode(p, Object.fromEntries(Object.keys(counts).map((s) => [s, sim.received(s)])), inputs);
        const bad = Object.keys(want).find((k) => !same(got[k], want[k]));
        if (bad) killed = `${bad} differs from golden`;
      } catch (e) {
        killed = `no result: ${(e as Error).message.split('\n')[0]!.slice(0, 80)}`;
      }
      if (killed) {
        const vcd = readVcd(await sim.waveform(0, sim.cycle, 'lockstep'));
        report = lockstep(circuit, vcd);
      }
    } finally {
      await sim.kill();
    }
    const instanceNamed = report?.module === mutant.module;
    return {
      design, module: mutant.module, child: mutant.module !== circuit.top.name, op: mutant.op, what: mutant.what, loc: mutant.loc, killed, report,
      instanceNamed, signalNamed: instanceNamed && [report!.signal, ...report!.otherRoots, ...report!.hidden].some((s) => mutant.owners.includes(s)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `perDesign` mutants of each accelerator, children's modules first (half at least when it has children), seeded. */
export function handCampaign(seed: number, perDesign: number): { design: string; preset: string; circuit: Circuit; mutant: HandMutant }[] {
  const out = [];
  for (const { name, preset } of HAND_DESIGNS) {
    const acc = registry[name] as unknown as AnyAcc;
    const circuit = elaborate(acc.create(presetParams(acc, preset).params));
    const rng = mulberry32(seed);
    const shuffle = <T>(xs: T[]): T[] => {
      for (let i = xs.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [xs[i], xs[j]] = [xs[j]!, xs[i]!];
      }
      return xs;
    };
    // One mutant per source line and operator: an unrolled loop makes the same fault in many copies.
    const distinct = (xs: HandMutant[]) => [...new Map(xs.map((x) => [`${x.module} ${x.loc} ${x.what}`, x])).values()];
    const children = shuffle(distinct(enumerateHandMutants(circuit, (m) => m !== circuit.top)));
    const top = shuffle(distinct(enumerateHandMutants(circuit, (m) => m === circuit.top)));
    const nChild = Math.min(children.length, top.length ? Math.ceil(perDesign / 2) : perDesign);
    for (const mutant of [...children.slice(0, nChild), ...top.slice(0, perDesign - nChild)]) out.push({ design: name, preset, circuit, mutant });
  }
  return out;
}
