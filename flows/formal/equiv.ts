/**
 * Pass equivalence: the Verilog of a circuit with every IR pass, and without one of them
 * (`hwflow gen --no-pass <name>`), proven equivalent by yosys (equiv_make, equiv_simple,
 * equiv_induct, equiv_status -assert). A pass may change how the Verilog computes, never what.
 *
 * For campaigns over many programs (`equivCampaign`): a pass that leaves a program's Verilog
 * identical needs no proof (counted apart, never as proven), and the programs a pass does change
 * are proven many at once, side by side in one module (independent programs: the batch is
 * equivalent exactly when each program is). A batch that fails or gets no verdict is split in
 * halves until the programs responsible are found alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { OPS } from '../../dsl/ir/ops.ts';
import { PASSES } from '../../dsl/passes/pipeline.ts';
import { emitVerilog } from '../../dsl/verilog/emit.ts';
import { requireTool } from '../../toolchain/tools.ts';

export interface EquivResult {
  /** The pass left out of the second netlist. */
  pass: string;
  /** undefined: yosys ran out of time (`timeout`), which proves nothing either way. */
  equivalent: boolean | undefined;
  /** yosys' unproven-equivalence lines when not equivalent (or its error). */
  detail?: string;
  /** Seconds yosys took. */
  seconds?: number;
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

/** One netlist folder per variant, read, flattened and stashed under `name`. */
function variant(dir: string, name: string, c: Circuit, skip: string[]): string[] {
  const sub = path.join(dir, name);
  fs.mkdirSync(sub, { recursive: true });
  const files = emitVerilog(c, { skipPasses: skip, numberedTemps: true }).map((f) => {
    fs.writeFileSync(path.join(sub, f.name), f.text);
    return path.join(name, f.name);
  });
  return [
    // Ports and the design's own signals (registers) keep their names and pair up; temporaries are hidden
    // (also inside flattened instances, where yosys prefixes them with the instance name).
    `read_verilog ${files.join(' ')}`, `prep -flatten -top ${c.top.name}`, 'memory_map', 'opt_clean',
    `rename -hide ${TEMPORARIES}`,
    `rename ${c.top.name} ${name}`, `design -stash ${name}`,
  ];
}

/** The passes whose omission changes `c`'s Verilog (the others leave it identical: nothing to prove). */
export function changingPasses(c: Circuit, passes: readonly string[] = PASSES.map((p) => p.name)): string[] {
  const text = (skip: string[]): string => emitVerilog(c, { skipPasses: skip }).map((f) => `${f.name}\n${f.text}`).join('\n');
  const all = text([]);
  return passes.filter((p) => text([p]) !== all);
}

/** Prove `c` with all passes equivalent to `c` without each pass in turn (every pass by default). */
export async function checkPassEquivalence(c: Circuit, opts: EquivOptions = {}): Promise<EquivResult[]> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-equiv-'));
  const seq = opts.seq ?? 4;
  const timeout = opts.timeoutSeconds ?? 60;
  const out: EquivResult[] = [];
  for (const pass of opts.passes ?? PASSES.map((p) => p.name)) {
    const script = [
      ...variant(dir, 'gold', c, []),
      ...variant(dir, 'gate', c, [pass]),
      'design -copy-from gold -as gold gold', 'design -copy-from gate -as gate gate',
      'equiv_make gold gate equiv', 'hierarchy -top equiv', 'async2sync',
      `equiv_simple -seq ${seq}`, `equiv_induct -seq ${seq}`, 'equiv_status -assert',
    ].join('; ');
    const log = `equiv-${pass}.log`;
    const started = performance.now();
    const yosys = ['-q', '-l', log, '-p', script];
    const cmd = opts.cpuSeconds ? ['prlimit', `--cpu=${opts.cpuSeconds}:${opts.cpuSeconds}`, requireTool('yosys'), ...yosys] : [requireTool('yosys'), ...yosys];
    const r = await execa(cmd[0]!, cmd.slice(1), { cwd: dir, reject: false, all: true, stdin: 'ignore', timeout: timeout * 1000 });
    const seconds = (performance.now() - started) / 1000;
    if (r.timedOut || (opts.cpuSeconds && (r.signal === 'SIGKILL' || r.signal === 'SIGXCPU' || r.exitCode === 137 || r.exitCode === 152))) {
      out.push({ pass, equivalent: undefined, detail: r.timedOut ? `no verdict within ${timeout} s` : `no verdict within ${opts.cpuSeconds} s of CPU`, seconds });
      continue;
    }
    const text = fs.existsSync(path.join(dir, log)) ? fs.readFileSync(path.join(dir, log), 'utf8') : '';
    if (r.exitCode === 0) out.push({ pass, equivalent: true, seconds });
    else out.push({ pass, equivalent: false, detail: text.split('\n').filter((l) => /Unproven|ERROR/.test(l)).slice(0, 6).join('\n') || (r.all ?? '').slice(-400), seconds });
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
  verdict: 'identical' | 'proven' | 'no verdict' | 'not equivalent';
  detail?: string;
}

export interface CampaignOptions<P> extends Omit<EquivOptions, 'passes' | 'dir'> {
  /** A circuit of several programs side by side (independent, so equivalent exactly when each is). */
  batch: (items: readonly CampaignItem<P>[], name: string) => Circuit;
  /** One program alone (to find which passes change it). */
  single: (item: CampaignItem<P>) => Circuit;
  /** Programs per yosys run (default 16). */
  batchSize?: number;
  /**
   * CPU seconds one program may take alone (default 8); a batch of n gets that plus one second per
   * further program, so a batch with one slow program is split early rather than waited for.
   */
  cpuPerProgram?: number;
  /** Each verdict as it is reached (for a campaign's running record). */
  onVerdict?: (v: PairVerdict) => void;
  passes?: readonly string[];
  /** Work folder (one subfolder per yosys run); default a fresh temporary folder. */
  dir?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/**
 * Every (program, pass) pair: identical Verilog (no proof needed), or proven / not equivalent / no
 * verdict by yosys, batching the programs each pass changes and bisecting batches that do not pass.
 */
export async function equivCampaign<P>(items: readonly CampaignItem<P>[], opts: CampaignOptions<P>): Promise<{ verdicts: PairVerdict[]; runs: number }> {
  const passes = opts.passes ?? PASSES.map((p) => p.name);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-equiv-campaign-'));
  const size = opts.batchSize ?? 16;
  const verdicts: PairVerdict[] = [];
  const record = (v: PairVerdict): void => {
    verdicts.push(v);
    opts.onVerdict?.(v);
  };
  const changedBy = new Map<string, CampaignItem<P>[]>(passes.map((p) => [p, []]));
  for (const item of items) {
    const changed = new Set(changingPasses(opts.single(item), passes));
    for (const p of passes) if (changed.has(p)) changedBy.get(p)!.push(item);
      else record({ index: item.index, pass: p, verdict: 'identical' });
  }
  let runs = 0;
  const prove = async (group: readonly CampaignItem<P>[], pass: string): Promise<void> => {
    const name = `eqb${runs}`;
    const sub = path.join(dir, `${pass}-${runs++}`);
    const cpuSeconds = Math.ceil((opts.cpuPerProgram ?? 8) + (group.length - 1));
    const [r] = await checkPassEquivalence(opts.batch(group, name), { passes: [pass], seq: opts.seq, timeoutSeconds: opts.timeoutSeconds ?? 3600, cpuSeconds, dir: sub });
    if (r!.equivalent === true) {
      for (const it of group) record({ index: it.index, pass, verdict: 'proven' });
      fs.rmSync(sub, { recursive: true, force: true });
    } else if (group.length === 1) {
      record({ index: group[0]!.index, pass, verdict: r!.equivalent === false ? 'not equivalent' : 'no verdict', detail: `${r!.detail ?? ''} (${sub})` });
    } else {
      // Split until the programs that fail or time out stand alone; the rest are proven in the halves.
      fs.rmSync(sub, { recursive: true, force: true });
      const half = Math.ceil(group.length / 2);
      await prove(group.slice(0, half), pass);
      await prove(group.slice(half), pass);
    }
  };
  for (const pass of passes) {
    const todo = changedBy.get(pass)!;
    for (let i = 0; i < todo.length; i += size) {
      await prove(todo.slice(i, i + size), pass);
      opts.log?.(`${pass}: ${Math.min(i + size, todo.length)}/${todo.length} changed programs checked (${runs} yosys runs)`);
    }
  }
  return { verdicts, runs };
}
