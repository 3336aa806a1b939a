/**
 * Bounded model checking and k-induction of a design inside its formal harness, with yosys and
 * yosys-smtbmc (SymbiYosys is not packaged in Debian 12, so we drive its two halves directly):
 * the harness's Verilog -> `read_verilog -formal` -> SMT-LIB 2 -> `yosys-smtbmc -t depth` (BMC),
 * then `-i` (induction) when asked. A failing check is mapped back to the TS line its Verilog
 * comment names; the counterexample is left as a VCD in the work folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { HdlError, formatLoc } from '../../dsl/errors.ts';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { Simulator } from '../../dsl/sim/simulator.ts';
import { emitVerilog } from '../../dsl/verilog/emit.ts';
import { requireTool } from '../../toolchain/tools.ts';
import { buildHarness, type Harness, type HarnessOptions } from './harness.ts';

/**
 * The engines: 'sat' is yosys's own `sat` command (MiniSAT inside yosys, nothing to install);
 * 'z3' and 'boolector' go through yosys-smtbmc. The Debian 12 versions of both external solvers
 * fall short (see docs/formal.md): z3 4.8.12 stalls on yosys' SMT-LIB model once a harness has
 * more than a handful of checks, and boolector 1.5.118 rejects the commands yosys-smtbmc sends.
 * Both are kept behind a timeout and a clear error, so a newer solver on PATH just works.
 */
export const SOLVERS = ['sat', 'z3', 'boolector'] as const;
export type Solver = (typeof SOLVERS)[number];
export const MAX_DEPTH = 1000;
/** Seconds an external solver may take per query before `prove` gives up on it. */
const SOLVER_TIMEOUT = 120;

/** Bad arguments or a tool that failed: not a verdict about the design (`hwflow prove` exits 2). */
export class ProveError extends Error {
  override readonly name = 'ProveError';
}

export interface ProveOptions extends HarnessOptions {
  /** Cycles of bounded model checking (and the induction length), >= 1; default 20. */
  depth?: number;
  solver?: Solver;
  /** Also try k-induction, which proves the properties for every depth when it closes. */
  induction?: boolean;
  /** Work folder (Verilog, model, logs, counterexample); default a fresh temporary folder. */
  dir?: string;
  /**
   * Read every written memory (RAM, not ROM) as a free value each cycle instead of modelling its
   * words: a sound over-approximation (every real trace is still a trace), far smaller for designs
   * with big buffers. A counterexample found this way may be spurious, so it is checked again with
   * the memories modelled, and only a real one is reported.
   */
  cutMemories?: boolean;
}

/** A check that failed, as the user wrote it (or the harness generated it). */
export interface FailedCheck {
  kind: string;
  /** The TS line of the `m.assert` (for harness properties: the harness line; the message names the stream). */
  where: string;
  message: string;
  /** The cycle (from 0) at which it failed, when known. */
  cycle?: number;
}

export interface ProveResult {
  /** 'proven': BMC passed and induction closed; 'bounded': BMC passed to `depth`; 'counterexample'. */
  status: 'proven' | 'bounded' | 'counterexample';
  depth: number;
  solver: Solver;
  /** Whether induction was tried and closed (undefined when not tried). */
  inductionClosed?: boolean;
  /** For a counterexample: the failing check, the VCD (the harness's ports, 10 time units a cycle). */
  failed?: FailedCheck;
  vcd?: string;
  /** Harness port names in the VCD, in port order (for a waveform rendering). */
  signals?: string[];
  harness: Harness;
  dir: string;
  /** Wall-clock seconds of the solver runs (BMC + induction). */
  seconds: number;
  /** Written memories were read as free values (`cutMemories`) for this verdict. */
  memoriesCut?: boolean;
}

/** Check `--depth` and `--solver` values; each error names what is wrong and what is valid. */
export function checkProveOptions(o: { depth?: unknown; solver?: unknown }): { depth: number; solver: Solver } {
  const rawDepth = o.depth ?? 20;
  const depth = typeof rawDepth === 'string' && /^\d+$/.test(rawDepth) ? Number(rawDepth) : rawDepth;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH)
    throw new ProveError(`--depth must be an integer from 1 to ${MAX_DEPTH} (cycles to check), got '${String(rawDepth)}'`);
  const solver = o.solver ?? 'sat';
  if (!SOLVERS.includes(solver as Solver)) throw new ProveError(`--solver must be one of ${SOLVERS.join(', ')}, got '${String(solver)}'`);
  return { depth, solver: solver as Solver };
}

/** Prove the harness properties (and the design's own checks) of an elaborated design. */
export async function prove(design: Circuit, opts: ProveOptions = {}): Promise<ProveResult> {
  const { depth, solver } = checkProveOptions(opts);
  const harness = buildHarness(design, opts);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-prove-'));
  fs.mkdirSync(dir, { recursive: true });
  const files = emitVerilog(harness.circuit).map((f) => {
    fs.writeFileSync(path.join(dir, f.name), f.text);
    return f.name;
  });
  const top = harness.circuit.top.name;
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const base = { depth, solver, harness, dir };
  const run = async (cut: boolean): Promise<ProveResult> => {
    const done = { ...base, ...(cut ? { memoriesCut: true } : {}) };
    const prep = PREP(files, top, cut);
    const log = (name: string): string => (cut ? `${name}-cut.log` : `${name}.log`);
    if (solver === 'sat') {
      // The base case of temporal induction alone is BMC one length at a time (1, 2, ... depth): it stops
      // at the first length with a failing check, so a counterexample is a shortest one.
      const bmc = await yosysSat(dir, prep, [`-tempinduct-baseonly -maxsteps ${depth}`, '-dump_vcd raw.vcd', '-show-inputs'], log('bmc'));
      if (!bmc) return { ...done, status: 'counterexample', ...counterexample(harness, dir, readSteps(path.join(dir, 'raw.vcd'))), seconds: seconds() };
      const inductionClosed = opts.induction ? await yosysSat(dir, prep, [`-tempinduct -maxsteps ${depth}`], log('induction'), SOLVER_TIMEOUT) : undefined;
      return { ...done, status: inductionClosed ? 'proven' : 'bounded', inductionClosed, seconds: seconds() };
    }
    await writeModel(dir, prep);
    const bmc = await smtbmc(dir, solver, ['-t', String(depth), '--dump-vcd', 'raw.vcd'], log('bmc'));
    if (!bmc.passed) return { ...done, status: 'counterexample', ...counterexample(harness, dir, readSteps(path.join(dir, 'raw.vcd'), 'clk')), seconds: seconds() };
    const inductionClosed = opts.induction ? (await smtbmc(dir, solver, ['-i', '-t', String(depth)], log('induction'), true)).passed : undefined;
    return { ...done, status: inductionClosed ? 'proven' : 'bounded', inductionClosed, seconds: seconds() };
  };
  if (!opts.cutMemories) return run(false);
  const cut = await run(true);
  // A counterexample with free memory words may not be one of the design: decide it with the memories modelled.
  return cut.status === 'counterexample' ? run(false) : cut;
}

/**
 * Read the harness, flatten it and lower what the solvers cannot take: memories to registers (the
 * SMT array theory is slow here), or with `cut` written memories to free values (yosys `cutpoint`:
 * a `$anyseq` per read each cycle; ROMs are still mapped, their contents matter).
 */
const PREP = (files: string[], top: string, cut: boolean): string[] => [
  `read_verilog -formal ${files.join(' ')}`, `prep -flatten -top ${top}`,
  ...(cut ? ['memory -nomap', 'cutpoint t:$mem_v2 r:WR_PORTS>0'] : []),
  'memory_map', 'opt -fast', 'async2sync', 'dffunmap',
];

/** yosys `sat` proving every assert under every assume; true when it holds. Registers start at their init values. */
async function yosysSat(dir: string, prep: string[], args: string[], log: string, timeoutSeconds?: number): Promise<boolean> {
  const script = [...prep, `sat -prove-asserts -set-assumes ${args.join(' ')}`].join('; ');
  const r = await execa(requireTool('yosys'), ['-q', '-l', log, '-p', script],
    { cwd: dir, reject: false, all: true, stdin: 'ignore', ...(timeoutSeconds ? { timeout: timeoutSeconds * 1000 } : {}) });
  // Induction that has not closed within its time: not proven, which BMC's verdict already covers.
  if (r.timedOut) return false;
  const text = fs.existsSync(path.join(dir, log)) ? fs.readFileSync(path.join(dir, log), 'utf8') : r.all ?? '';
  if (/SUCCESS!/.test(text)) return true;
  if (/FAIL!/.test(text) || /failed/.test(text.split('\n').filter((l) => /induction|proof/i.test(l)).join('\n'))) return false;
  throw new ProveError(`yosys sat stopped without a verdict (exit ${r.exitCode}): ${lastLines(r.all ?? text)}; see ${path.join(dir, log)}`);
}

/** The SMT-LIB model of the harness (see PREP). */
async function writeModel(dir: string, prep: string[]): Promise<void> {
  const script = [...prep, 'write_smt2 -wires model.smt2'].join('; ');
  const r = await execa(requireTool('yosys'), ['-q', '-l', 'yosys.log', '-p', script], { cwd: dir, reject: false, all: true, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new ProveError(`yosys could not build the formal model (exit ${r.exitCode}): ${lastLines(r.all ?? '')}; see ${path.join(dir, 'yosys.log')}`);
}

interface SmtbmcRun {
  passed: boolean;
  output: string;
  /** Steps checked (the last step number + 1). */
  steps: number;
}

async function smtbmc(dir: string, solver: Solver, args: string[], log: string, induction = false): Promise<SmtbmcRun> {
  requireTool(solver === 'z3' ? 'z3' : 'boolector');
  if (solver === 'boolector') await checkBoolectorSpeaksSmtbmc();
  const r = await execa(requireTool('yosys-smtbmc'), ['-s', solver, '--noprogress', ...args, 'model.smt2'],
    { cwd: dir, reject: false, all: true, stdin: 'ignore', timeout: SOLVER_TIMEOUT * 1000 });
  if (r.timedOut)
    throw new ProveError(`${solver} gave no verdict within ${SOLVER_TIMEOUT} s (z3 4.8.12 stalls on yosys' SMT-LIB model of larger harnesses); use --solver sat`);
  const output = (r.all ?? '').replace(/ \(\d+ seconds?(?: -- [\d:]+)?\) [-\\|/]+/g, ''); // drop the solver-wait spinner
  fs.writeFileSync(path.join(dir, log), output + '\n');
  const steps = Math.max(0, ...[...output.matchAll(/step (\d+)/g)].map((m) => Number(m[1]) + 1));
  if (/Status: PASSED/.test(output)) return { passed: true, output, steps };
  if (/Status: FAILED/.test(output)) return { passed: false, output, steps };
  // (A boolector that rejects smtbmc's commands was turned away before: checkBoolectorSpeaksSmtbmc.)
  throw new ProveError(`yosys-smtbmc ${induction ? '(induction) ' : ''}stopped without a verdict (exit ${r.exitCode}): ${lastLines(output)}; see ${path.join(dir, log)}`);
}

/**
 * Debian's boolector 1.5 rejects the `set-option` yosys-smtbmc opens every session with. Inside
 * smtbmc that shows up as one of several Python errors depending on which side of the pipe notices
 * first, so ask boolector directly, once, the way smtbmc starts it.
 */
let boolectorChecked: Promise<void> | undefined;
function checkBoolectorSpeaksSmtbmc(): Promise<void> {
  boolectorChecked ??= (async () => {
    const r = await execa(requireTool('boolector'), ['--smt2', '-i'],
      { input: '(set-option :produce-models true)\n(exit)\n', reject: false, all: true, timeout: 10_000 });
    const said = (r.all ?? '').trim();
    if (/unsupported command/.test(said))
      throw new ProveError(`boolector ${await version('boolector')} does not accept the SMT-LIB commands yosys-smtbmc sends (${said.split('\n')[0]}); use --solver z3`);
  })();
  return boolectorChecked;
}

async function version(tool: string): Promise<string> {
  const r = await execa(tool, ['--version'], { reject: false });
  return (r.stdout || '').trim().split('\n')[0] ?? '?';
}

function lastLines(text: string, n = 3): string {
  const lines = text.split('\n').map((l) => l.replace(/^##\s+[\d:]+\s+/, '').trim()).filter((l) => l && !l.startsWith('File ') && !l.startsWith('^'));
  return lines.slice(-n).join(' | ');
}

/** One value per signal (bit string) per cycle. */
type Steps = Record<string, string>[];

/**
 * The cycles of a solver's VCD, one map of top-level signal values per cycle. yosys `sat` writes
 * each step's values before the next `#t`; yosys-smtbmc toggles `clk`, so there a cycle is a
 * rising edge (`clock`).
 */
export function readSteps(file: string, clock?: string): Steps {
  if (!fs.existsSync(file)) throw new ProveError(`the solver reported a counterexample but wrote no trace at ${file}`);
  const text = fs.readFileSync(file, 'utf8');
  const names = new Map<string, string>();
  let scope: string[] = [];
  const cur: Record<string, string> = {};
  const steps: Steps = [];
  let started = false;
  for (const line of text.split('\n')) {
    const t = line.trim();
    let m: RegExpExecArray | null;
    if ((m = /^\$scope \w+ (\S+)/.exec(t))) scope.push(m[1]!);
    else if (t.startsWith('$upscope')) scope = scope.slice(0, -1);
    else if ((m = /^\$var \w+ \d+ (\S+) (\S+)/.exec(t))) {
      // Only the top scope's own signals: the harness ports.
      if (scope.length === 1 && !m[2]!.includes('.')) names.set(m[1]!, m[2]!.replace(/^\\/, ''));
    } else if ((m = /^#(\d+)/.exec(t))) {
      if (clock === undefined && started) steps.push({ ...cur });
      started = true;
    } else if ((m = /^b([01xz]+) (\S+)/.exec(t)) || (m = /^([01xz])(\S+)$/.exec(t))) {
      const name = names.get(m[2]!);
      if (!name) continue;
      if (clock !== undefined && name === clock && m[1] === '1' && cur[clock] !== '1') steps.push({ ...cur });
      cur[name] = m[1]!;
    }
  }
  if (clock !== undefined) steps.push({ ...cur });
  return steps.filter((st) => Object.keys(st).length > 0);
}

/**
 * Replay a counterexample's inputs on the IR simulator of the harness: its asserts are the same
 * checks, so the first that fails names the user's TS line and the cycle. The trace is rewritten
 * as a plain VCD of the harness's ports (10 time units a cycle) for waveform viewers and the CLI.
 */
function counterexample(h: Harness, dir: string, steps: Steps): { failed: FailedCheck; vcd: string; signals: string[] } {
  const top = h.circuit.top;
  const sim = new Simulator(h.circuit);
  const inputs = top.ports.filter((p) => p.kind === 'input');
  const rows: Record<string, bigint>[] = [];
  let failed: FailedCheck | undefined;
  for (let cycle = 0; cycle < steps.length && !failed; cycle++) {
    const st = steps[cycle]!;
    const bits = (name: string): bigint => (/^[01]+$/.test(st[name] ?? '') ? BigInt(`0b${st[name]}`) : 0n);
    sim.poke('rst', bits('rst'));
    for (const p of inputs) sim.poke(p.name, BigInt.asUintN(p.type.width, bits(p.name)));
    const row: Record<string, bigint> = { rst: bits('rst') };
    for (const p of top.ports) row[p.name] = sim.peekBits(p.name);
    rows.push(row);
    try {
      sim.step();
    } catch (e) {
      if (!(e instanceof HdlError)) throw e;
      const msg = (e.details['message'] as string | undefined) ?? e.bare;
      failed = { kind: 'assert', where: formatLoc(e.loc), message: msg, cycle };
    }
  }
  failed ??= { kind: 'assert', where: '<unknown>', message: `the solver's trace (${steps.length} cycles) does not fail when replayed with uninitialised registers at 0; see ${path.join(dir, 'raw.vcd')}` };
  const signals = ['rst', ...top.ports.map((p) => p.name)];
  const vcd = path.join(dir, 'cex.vcd');
  fs.writeFileSync(vcd, writeVcd(top.name, signals.map((n) => ({ name: n, width: n === 'rst' ? 1 : top.ports.find((p) => p.name === n)!.type.width })), rows));
  return { failed, vcd, signals };
}

function writeVcd(scope: string, sigs: { name: string; width: number }[], rows: Record<string, bigint>[]): string {
  const ids = sigs.map((_, i) => `s${i}`);
  const out = ['$timescale 1ns $end', `$scope module ${scope} $end`];
  sigs.forEach((s, i) => out.push(`$var wire ${s.width} ${ids[i]} ${s.name} $end`));
  out.push('$upscope $end', '$enddefinitions $end');
  rows.forEach((row, c) => {
    out.push(`#${c * 10}`);
    sigs.forEach((s, i) => {
      const v = row[s.name] ?? 0n;
      out.push(s.width === 1 ? `${v}${ids[i]}` : `b${v.toString(2)} ${ids[i]}`);
    });
  });
  out.push(`#${rows.length * 10}`);
  return out.join('\n') + '\n';
}
