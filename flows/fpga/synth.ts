/**
 * `hwflow synth`: yosys alone, for resource figures on a family without placing and routing —
 * iCE40 with or without DSPs, Xilinx 7-series, or yosys's generic gate library. Cached like builds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildCached, cacheDir, contentHash, readCached } from './cache.ts';
import { readDesignFolder } from './export.ts';
import { FpgaUsageError } from './errors.ts';
import { classifyCells, readYosysStat, type Resources } from './parse.ts';
import { runTool, withProgress } from './tools.ts';
import { toolVersion } from '../../toolchain/tools.ts';

/** Synthesis targets and the yosys command for each (flattened, so the counts are design-wide). */
const SYNTH_COMMANDS = {
  ice40: (top: string) => `synth_ice40 -top ${top}`,
  'ice40-dsp': (top: string) => `synth_ice40 -dsp -top ${top}`,
  'xilinx-7': (top: string) => `synth_xilinx -family xc7 -top ${top}`,
  generic: (top: string) => `synth -flatten -top ${top}`,
} as const;

export type SynthTarget = keyof typeof SYNTH_COMMANDS;
export const SYNTH_TARGETS = Object.keys(SYNTH_COMMANDS) as SynthTarget[];

export interface SynthResult {
  design: string;
  target: SynthTarget;
  /** LUTs, flip-flops, carries, DSPs, block RAMs. */
  resources: Resources;
  /** Every cell type yosys reports, with its count. */
  cells: Record<string, number>;
  seconds: number;
  yosys: string;
  /** yosys's log of the run. */
  log: string;
  cached: boolean;
}

/** Synthesise the design folder `designDir` for `target` with yosys. */
export async function runSynth(designDir: string, opts: { target: string; progress?: boolean }): Promise<SynthResult> {
  const command = (SYNTH_COMMANDS as Record<string, ((top: string) => string) | undefined>)[opts.target];
  if (!command) throw new FpgaUsageError(`unknown synthesis target '${opts.target}'; valid: ${SYNTH_TARGETS.join(', ')}`);
  const target = opts.target as SynthTarget;
  const design = readDesignFolder(designDir);
  const yosys = await toolVersion('yosys');
  const hash = contentHash({ kind: 'synth', target, yosys }, [...design.files, path.join(design.dir, 'manifest.json')]);
  const hit = readCached<SynthResult>(hash);
  if (hit) return { ...hit, cached: true };
  const { result } = await buildCached<SynthResult>(hash, async (dir) => {
    for (const f of design.files) fs.copyFileSync(f, path.join(dir, path.basename(f)));
    const script = [`read_verilog ${design.manifest.files.join(' ')}`, command(design.manifest.top), 'tee -q -o stat.json stat -json'].join('; ');
    const t0 = performance.now();
    await withProgress(`yosys ${target} ${design.manifest.top}`, () => runTool('yosys', ['-q', '-l', 'yosys.log', '-p', script], dir, 'yosys.log'), opts.progress);
    const cells = readYosysStat(path.join(dir, 'stat.json'));
    return {
      design: design.manifest.top, target, resources: classifyCells(cells), cells,
      seconds: Math.round(performance.now() - t0) / 1000, yosys, log: path.join(cacheDir(hash), 'yosys.log'), cached: false,
    };
  });
  return result;
}
