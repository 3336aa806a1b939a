/**
 * Pass equivalence: the Verilog of a circuit with every IR pass, and without one of them
 * (`hwflow gen --no-pass <name>`), proven equivalent by yosys (equiv_make, equiv_simple,
 * equiv_induct, equiv_status -assert). A pass may change how the Verilog computes, never what.
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
}

/** One netlist folder per variant, read, flattened and stashed under `name`. */
function variant(dir: string, name: string, c: Circuit, skip: string[]): string[] {
  const sub = path.join(dir, name);
  fs.mkdirSync(sub, { recursive: true });
  const files = emitVerilog(c, { skipPasses: skip, numberedTemps: true }).map((f) => {
    fs.writeFileSync(path.join(sub, f.name), f.text);
    return path.join(name, f.name);
  });
  return [
    // Op temporaries are numbered per variant (a folded op shifts the numbers), so they must not pair
    // up by name; ports and the design's own signals (registers) keep theirs.
    `read_verilog ${files.join(' ')}`, `prep -flatten -top ${c.top.name}`, 'memory_map', 'opt_clean',
    `rename -hide ${[...Object.keys(OPS), '*_word', '*_prev'].map((op) => `w:${op}_*`).join(' ')}`,
    `rename ${c.top.name} ${name}`, `design -stash ${name}`,
  ];
}

/** Prove `c` with all passes equivalent to `c` without each pass in turn (every pass by default). */
export async function checkPassEquivalence(c: Circuit, opts: { passes?: readonly string[]; seq?: number; dir?: string; timeoutSeconds?: number } = {}): Promise<EquivResult[]> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-equiv-'));
  const seq = opts.seq ?? 4;
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
    const r = await execa(requireTool('yosys'), ['-q', '-l', log, '-p', script], { cwd: dir, reject: false, all: true, stdin: 'ignore', timeout: (opts.timeoutSeconds ?? 60) * 1000 });
    if (r.timedOut) {
      out.push({ pass, equivalent: undefined, detail: `no verdict within ${opts.timeoutSeconds ?? 60} s` });
      continue;
    }
    const text = fs.readFileSync(path.join(dir, log), 'utf8');
    if (r.exitCode === 0) out.push({ pass, equivalent: true });
    else out.push({ pass, equivalent: false, detail: text.split('\n').filter((l) => /Unproven|ERROR/.test(l)).slice(0, 6).join('\n') || (r.all ?? '').slice(-400) });
  }
  return out;
}
