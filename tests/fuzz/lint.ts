/**
 * Verilator -Wall on a fuzz batch: which programs' Verilog draws lint warnings, and which. The
 * designs of the repository must lint clean (tests/rtl-quality.test.ts); random programs can still
 * trip Verilator's own constant propagation (a 1-bit `x << x` is always 0), so campaigns count these
 * instead of failing on them (`npm run fuzz -- --lint`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Circuit } from '../../dsl/ir/nodes.ts';
import { emitVerilog } from '../../dsl/verilog/emit.ts';

export interface LintResult {
  /** Warnings per Verilator code (CMPCONST, UNSIGNED, ...). */
  codes: Record<string, number>;
  /** Indices (within the batch) of the programs whose module drew a warning. */
  programs: number[];
  /** The first few warning lines, for a look. */
  samples: string[];
}

/** Lint every module of a batch circuit in one Verilator run; program k's module is `<top>_<k>`. */
export async function lintBatch(circuit: Circuit): Promise<LintResult> {
  const dir = mkdtempSync(join(tmpdir(), 'hwflow-fuzz-lint-'));
  try {
    const files = emitVerilog(circuit).map((f) => {
      writeFileSync(join(dir, f.name), f.text);
      return join(dir, f.name);
    });
    const r = await execa('verilator', ['--lint-only', '-Wall', '--top-module', circuit.top.name, ...files], { all: true, reject: false });
    const codes: Record<string, number> = {};
    const programs = new Set<number>();
    const samples: string[] = [];
    const owner = new RegExp(`${circuit.top.name}_(\\d+)\\.v:`);
    for (const line of (r.all ?? '').split('\n')) {
      const m = /^%Warning-(\w+): (.*)$/.exec(line);
      if (!m) continue;
      codes[m[1]!] = (codes[m[1]!] ?? 0) + 1;
      const k = owner.exec(m[2]!);
      if (k) programs.add(Number(k[1]));
      if (samples.length < 3) samples.push(line);
    }
    if (r.exitCode !== 0 && Object.keys(codes).length === 0) throw new Error(`verilator --lint-only failed:\n${(r.all ?? '').slice(0, 2000)}`);
    return { codes, programs: [...programs].sort((a, b) => a - b), samples };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
