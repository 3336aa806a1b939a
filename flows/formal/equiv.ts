/**
 * Pass equivalence: the Verilog of a circuit with every IR pass, and without one of them
 * (`hwflow gen --no-pass <name>`), proven equivalent by yosys (`proveEquivalent`: equal reset
 * values, then equiv_make, equiv_simple, equiv_induct). A pass may change how the Verilog computes, never what.
 *
 * For campaigns over many programs (`equivCampaign`): a pass that leaves a program's Verilog
 * identical needs no proof (counted apart, never as proven); every other (program, pass) pair is
 * proven in its own yosys run under a CPU limit, several runs at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { OPS } from '../../dsl/ir/ops.ts';
import { PASSES } from '../../dsl/passes/pipeline.ts';
import { emitVerilog, type VerilogFile } from '../../dsl/verilog/emit.ts';
import { requireTool } from '../../toolchain/tools.ts';

/** The verdict on a circuit without one pass (`checkPassEquivalence`). */
export interface EquivResult extends Verdict {
  /** The pass left out of the second netlist. */
  pass: string;
}

export interface EquivOptions {
  passes?: readonly string[];
  /** Sequence length of equiv_simple and equiv_induct (default 4). */
  seq?: number;
  dir?: string;
  /** Seconds per yosys run before it counts as no verdict (default 60). */
  timeoutSeconds?: number;
  /**
   * CPU seconds per yosys run (a hard limit through `prlimit`) before it counts as no verdict: unlike
   * wall time, the same on a loaded machine as on an idle one.
   */
  cpuSeconds?: number;
}

/** Op temporaries are numbered per variant (a folded op shifts the numbers): they must not pair up by name. */
const TEMPORARIES = [...Object.keys(OPS), '*_word', '*_prev'].flatMap((op) => [`w:${op}_*`, `w:*.${op}_*`]).join(' ');

/** A netlist: its Verilog files. */
type Netlist = readonly Pick<VerilogFile, 'name' | 'text'>[];

/** One netlist folder per variant, read, flattened and stashed under `name`. */
function variant(dir: string, name: string, top: string, verilog: Netlist): string[] {
  const sub = path.join(dir, name);
  fs.mkdirSync(sub, { recursive: true });
  const files = verilog.map((f) => {
    fs.writeFileSync(path.join(sub, f.name), f.text);
    return path.join(name, f.name);
  });
  return [
    // Ports and the design's own signals (registers) keep their names and pair up; temporaries are hidden
    // (also inside flattened instances, where yosys prefixes them with the instance name).
    // Initial values as the Verilog gives them, before optimisation drops the flip-flops of constant bits.
    `read_verilog ${files.join(' ')}`, `hierarchy -top ${top}`, 'proc', 'flatten', `tee -q -o ${name}-inits.il dump w:* a:init %i`,
    `prep -flatten -top ${top}`, 'memory_map', 'opt_clean',
    `rename -hide ${TEMPORARIES}`,
    `rename ${top} ${name}`, `design -stash ${name}`,
  ];
}

/** The passes whose omission changes `c`'s Verilog (the others leave it identical: nothing to prove). */
export function changingPasses(c: Circuit, passes: readonly string[] = PASSES.map((p) => p.name)): string[] {
  const text = (skip: string[]): string => emitVerilog(c, { skipPasses: skip }).map((f) => `${f.name}\n${f.text}`).join('\n');
  const all = text([]);
  return passes.filter((p) => text([p]) !== all);
}

/** What one equivalence proof found. */
export interface Verdict {
  /**
   * true: proven; false: a counterexample (or a register that starts at another value);
   * undefined: neither, which proves nothing either way (see `undecided`).
   */
  equivalent: boolean | undefined;
  /** Why there is no verdict: out of time or CPU, or the induction did not close and no counterexample was found from reset. */
  undecided?: 'time' | 'unproven';
  detail?: string;
  seconds: number;
}

/** Cycles from reset searched for a counterexample when the induction does not close. */
export const SEARCH_CYCLES = 10;

/** Named registers' initial values from a `dump a:init` of one variant (RTLIL: attributes, then the wire). */
function initialValues(il: string): Map<string, string> {
  const out = new Map<string, string>();
  let init: string | undefined;
  for (const line of il.split('\n')) {
    const a = /^\s*attribute \\init (\S+)/.exec(line);
    if (a) init = a[1];
    const w = /^\s*wire .*\\(\S+)$/.exec(line);
    if (w && init !== undefined) {
      out.set(w[1]!, init);
      init = undefined;
    }
  }
  return out;
}

/** One yosys run in `dir` logging to `log`, under the CPU limit (`prlimit`) and the wall timeout. */
async function yosys(dir: string, log: string, script: string[], cpuSeconds: number | undefined, timeout: number): Promise<{ ok: boolean; outOfTime: boolean; log: string; output: string }> {
  const args = ['-q', '-l', log, '-p', script.join('; ')];
  const cmd = cpuSeconds ? ['prlimit', `--cpu=${cpuSeconds}:${cpuSeconds}`, requireTool('yosys'), ...args] : [requireTool('yosys'), ...args];
  fs.rmSync(path.join(dir, log), { force: true });
  const r = await execa(cmd[0]!, cmd.slice(1), { cwd: dir, reject: false, all: true, stdin: 'ignore', timeout: timeout * 1000 });
  const killed = r.signal === 'SIGKILL' || r.signal === 'SIGXCPU' || r.exitCode === 137 || r.exitCode === 152;
  const text = fs.existsSync(path.join(dir, log)) ? fs.readFileSync(path.join(dir, log), 'utf8') : '';
  return { ok: r.exitCode === 0, outOfTime: r.timedOut || (cpuSeconds !== undefined && killed), log: text, output: r.all ?? '' };
}

/**
 * Prove two netlists of module `top` equivalent. equiv_make pairs ports and same-named registers;
 * equiv_simple and equiv_induct prove each pair from the pairs in earlier cycles. That induction
 * assumes the pairs equal at the start, so its base case is checked apart: every paired register
 * must have the same initial value in both (read from yosys' `init` attributes).
 * `opt_merge` runs on the two copies side by side first: cells of the same kind with the same
 * inputs become one (the function is unchanged), so logic a pass did not touch, wide multipliers
 * above all, is not proven equal bit by bit by SAT (measured: a program with a 52 x 52 multiplier,
 * over 60 s of CPU without, 3.3 s with).
 */
export async function proveEquivalent(top: string, gold: Netlist, gate: Netlist, opts: Omit<EquivOptions, 'passes'> & { log?: string } = {}): Promise<Verdict> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-equiv-'));
  const seq = opts.seq ?? 4;
  const timeout = opts.timeoutSeconds ?? 60;
  const log = opts.log ?? 'equiv.log';
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  // A run stopped before its dump must not read the one an earlier run left in the same folder.
  for (const f of ['gold-inits.il', 'gate-inits.il']) fs.rmSync(path.join(dir, f), { force: true });
  const r = await yosys(dir, log, [
    ...variant(dir, 'gold', top, gold),
    ...variant(dir, 'gate', top, gate),
    'design -copy-from gold -as gold gold', 'design -copy-from gate -as gate gate',
    'equiv_make gold gate equiv', 'hierarchy -top equiv', 'async2sync', 'opt_merge',
    `equiv_simple -seq ${seq}`, `equiv_induct -seq ${seq}`, 'equiv_status -assert',
  ], opts.cpuSeconds, timeout);
  const read = (f: string): string => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : '');
  const [goldInits, gateInits] = [initialValues(read('gold-inits.il')), initialValues(read('gate-inits.il'))];
  const resets = [...goldInits].filter(([name, v]) => gateInits.has(name) && gateInits.get(name) !== v)
    .map(([name, v]) => `register ${name} starts at ${v} in the first netlist, ${gateInits.get(name)} in the second`);
  if (resets.length) return { equivalent: false, detail: resets.slice(0, 6).join('\n'), seconds: elapsed() };
  if (r.outOfTime) return { equivalent: undefined, undecided: 'time', detail: opts.cpuSeconds ? `no verdict within ${opts.cpuSeconds} s of CPU or ${timeout} s` : `no verdict within ${timeout} s`, seconds: elapsed() };
  if (r.ok) return { equivalent: true, seconds: elapsed() };
  const unproven = r.log.split('\n').filter((l) => /Unproven/.test(l));
  if (!unproven.length) return { equivalent: false, detail: r.log.split('\n').filter((l) => /ERROR/.test(l)).slice(0, 6).join('\n') || r.output.slice(-400), seconds: elapsed() };
  // Unproven pairs are not a difference: the induction may just be too weak. Look for a real one.
  const searchLog = log.replace(/\.log$/, '') + '-search.log';
  const found = await counterexample(dir, searchLog, top, gold, gate, opts.cpuSeconds, timeout);
  if (found === undefined) return { equivalent: undefined, undecided: 'time', detail: `${unproven.length} pairs unproven, and no verdict from the search from reset in the time allowed`, seconds: elapsed() };
  if (found) return { equivalent: false, detail: `the outputs differ within ${SEARCH_CYCLES} cycles of reset (yosys sat on a miter; see ${path.join(dir, searchLog)})`, seconds: elapsed() };
  return { equivalent: undefined, undecided: 'unproven', detail: `${unproven.length} pairs unproven by equiv_induct -seq ${seq} (e.g. ${unproven[0]!.trim()}), and no counterexample in ${SEARCH_CYCLES} cycles from reset`, seconds: elapsed() };
}

/**
 * Bounded search from reset for an input sequence on which the two netlists' outputs differ: a
 * miter, `sat -seq SEARCH_CYCLES` from the initial values (registers and memory words without one
 * start at zero in both). true: found; false: none that long; undefined: out of time or CPU.
 */
async function counterexample(dir: string, log: string, top: string, gold: Netlist, gate: Netlist, cpuSeconds: number | undefined, timeout: number): Promise<boolean | undefined> {
  const r = await yosys(dir, log, [
    ...variant(dir, 'gold', top, gold), ...variant(dir, 'gate', top, gate),
    'design -copy-from gold -as gold gold', 'design -copy-from gate -as gate gate',
    'miter -equiv -flatten -make_assert gold gate miter', 'hierarchy -top miter', 'async2sync', 'opt_merge',
    `sat -verify -prove-asserts -set-init-zero -seq ${SEARCH_CYCLES} -show-ports miter`,
  ], cpuSeconds, timeout);
  if (r.ok) return false;
  return !r.outOfTime && /proof did fail|model found: FAIL/.test(r.log) ? true : undefined;
}

/** Prove `c` with all passes equivalent to `c` without each pass in turn (every pass by default). */
export async function checkPassEquivalence(c: Circuit, opts: EquivOptions = {}): Promise<EquivResult[]> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-equiv-'));
  const gold = emitVerilog(c, { numberedTemps: true });
  const out: EquivResult[] = [];
  for (const pass of opts.passes ?? PASSES.map((p) => p.name)) {
    const gate = emitVerilog(c, { skipPasses: [pass], numberedTemps: true });
    const v = await proveEquivalent(c.top.name, gold, gate, { ...opts, dir, log: `equiv-${pass}.log` });
    out.push({ pass, ...v });
  }
  return out;
}

/** One program of a campaign: its index and how to build it. */
export interface CampaignItem<P> {
  index: number;
  program: P;
}

/** The verdict on one (program, pass) pair. */
export interface PairVerdict {
  index: number;
  pass: string;
  verdict: 'identical' | 'proven' | 'not proven' | 'no verdict' | 'not equivalent';
  detail?: string;
}

export interface CampaignOptions<P> extends Omit<EquivOptions, 'passes' | 'dir' | 'cpuSeconds'> {
  /** The circuit of one program. */
  build: (item: CampaignItem<P>) => Circuit;
  /** CPU seconds one (program, pass) proof may take before it counts as no verdict (default 12). */
  cpuSeconds?: number;
  /** yosys runs at once (default 1): the proofs are independent, so a campaign can use every core. */
  jobs?: number;
  /** Each verdict as it is reached (for a campaign's running record). */
  onVerdict?: (v: PairVerdict) => void;
  passes?: readonly string[];
  /** Work folder (one subfolder per yosys run); default a fresh temporary folder. */
  dir?: string;
}

/**
 * Every (program, pass) pair: identical Verilog (no proof needed), or proven / not equivalent / no
 * verdict by yosys, one program per yosys run. (Programs side by side in one module were tried and
 * measured: 16 at a time took 2.7x the CPU of one at a time on 20 programs, 4 at a time 1.9x —
 * yosys' front end and equiv_induct grow faster than the module — and a batch with one slow
 * program must be split to find it.)
 */
export async function equivCampaign<P>(items: readonly CampaignItem<P>[], opts: CampaignOptions<P>): Promise<{ verdicts: PairVerdict[]; runs: number }> {
  const passes = opts.passes ?? PASSES.map((p) => p.name);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-equiv-campaign-'));
  const verdicts: PairVerdict[] = [];
  const record = (v: PairVerdict): void => {
    verdicts.push(v);
    opts.onVerdict?.(v);
  };
  const work: { item: CampaignItem<P>; circuit: Circuit; pass: string }[] = [];
  for (const item of items) {
    const circuit = opts.build(item);
    const changed = new Set(changingPasses(circuit, passes));
    for (const pass of passes) if (changed.has(pass)) work.push({ item, circuit, pass });
      else record({ index: item.index, pass, verdict: 'identical' });
  }
  // A pool of `jobs` workers taking the proofs in order.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < work.length) {
      const run = next++;
      const { item, circuit, pass } = work[run]!;
      const sub = path.join(dir, `p${item.index}-${pass}-${run}`);
      const [r] = await checkPassEquivalence(circuit, { passes: [pass], seq: opts.seq, timeoutSeconds: opts.timeoutSeconds ?? 3600, cpuSeconds: opts.cpuSeconds ?? 12, dir: sub });
      const verdict = r!.equivalent === true ? 'proven' : r!.equivalent === false ? 'not equivalent' : r!.undecided === 'unproven' ? 'not proven' : 'no verdict';
      if (verdict === 'proven') fs.rmSync(sub, { recursive: true, force: true });
      record({ index: item.index, pass, verdict, ...(verdict === 'proven' ? {} : { detail: `${r!.detail ?? ''} (${sub})` }) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? 1) }, worker));
  return { verdicts, runs: work.length };
}
