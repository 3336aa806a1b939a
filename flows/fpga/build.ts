/**
 * `hwflow build`: the open iCE40 flow end to end — export the project, then yosys, nextpnr-ice40
 * and icepack — returning the bitstream, utilisation and Fmax as one JSON-able record. Results are
 * cached by content hash; a cache hit returns the stored record without running any tool.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildCached, cacheDir, contentHash, readCached } from './cache.ts';
import { readDesignFolder } from './export.ts';
import { FpgaUsageError } from './errors.ts';
import { exportProject, type ExportResult, type ShellMode } from './export.ts';
import { classifyCells, ice40Summary, readNextpnrReport, readYosysStat, type PnrReport, type Resources } from './parse.ts';
import { BUILD_TARGETS, getTarget, ice40Flow, parseClockMhz } from './targets.ts';
import { runTool, withProgress } from './tools.ts';
import { toolVersion } from '../../toolchain/tools.ts';

export interface BuildOptions {
  target: string;
  clockMhz?: number | string;
  shell?: ShellMode;
  /** Draw progress (defaults to: interactive terminal and not CI). */
  progress?: boolean;
}

export interface BuildResult {
  design: string;
  target: string;
  part: string;
  /** The module placed and routed: the design's top or its serial shell. */
  top: string;
  shell: ExportResult['shell'];
  clockMhz: number;
  /** Absolute path of the iCE40 bitstream. */
  bitstream: string;
  /** Logic cells, block RAMs, DSPs and I/O pins used, as nextpnr counts them. */
  utilisation: { lcs: number; rams: number; dsps: number; ios: number };
  /** Used and available of every BEL type nextpnr reports. */
  utilisationDetail: PnrReport['utilisation'];
  /** Slowest clock's achieved Fmax after routing (MHz), null without a clock. */
  fmaxMhz: number | null;
  clocks: PnrReport['clocks'];
  meetsTiming: boolean;
  /** Cells after yosys synthesis, by kind and by type. */
  resources: Resources;
  cells: Record<string, number>;
  seconds: { synth: number; pnr: number; pack: number };
  tools: { yosys: string; nextpnr: string };
  /** The project folder with the Makefile, sources and logs. */
  project: string;
  cached: boolean;
}

/** Build the design folder `designDir` for an iCE40 target. */
export async function buildIce40(designDir: string, opts: BuildOptions): Promise<BuildResult> {
  if (!(BUILD_TARGETS as string[]).includes(opts.target))
    throw new FpgaUsageError(`'hwflow build' runs the open iCE40 flow; unknown build target '${opts.target}'; valid: ${BUILD_TARGETS.join(', ')} (use 'hwflow export' for xilinx-7, intel and fusesoc)`);
  const target = getTarget(opts.target);
  const clockMhz = parseClockMhz(opts.clockMhz, target.defaultClockMhz);
  const design = readDesignFolder(designDir);
  const tools = { yosys: await toolVersion('yosys'), nextpnr: await toolVersion('nextpnr-ice40') };
  const hash = contentHash({ kind: 'build', target: target.name, clockMhz, shell: opts.shell ?? 'auto', tools }, [...design.files, path.join(design.dir, 'manifest.json')]);
  const hit = readCached<BuildResult>(hash);
  if (hit && fs.existsSync(hit.bitstream)) return { ...hit, cached: true };

  const label = `${design.manifest.top} on ${target.name}`;
  const { result } = await buildCached<BuildResult>(hash, async (scratch) => {
    const projectDir = path.join(scratch, 'project');
    const exp = exportProject(design.dir, { target: target.name, out: projectDir, clockMhz, shell: opts.shell });
    const flow = ice40Flow(target, exp.top, exp.sources, `${exp.top}.pcf`, clockMhz);
    const timed = async (what: string, run: () => Promise<void>): Promise<number> => {
      const t0 = performance.now();
      await withProgress(`${what} ${label}`, run, opts.progress);
      return Math.round(performance.now() - t0) / 1000;
    };
    const synth = await timed('yosys', () => runTool('yosys', ['-q', '-l', 'yosys.log', '-p', flow.yosysScript], projectDir, 'yosys.log'));
    const pnr = await timed('nextpnr', () => runTool('nextpnr-ice40', flow.nextpnrArgs, projectDir, 'nextpnr.log'));
    const pack = await timed('icepack', () => runTool('icepack', flow.icepackArgs, projectDir, 'icepack.log'));
    const report = readNextpnrReport(path.join(projectDir, 'report.json'));
    const cells = readYosysStat(path.join(projectDir, 'stat.json'));
    // Paths point at the final cache entry, where this scratch folder is about to move.
    const finalProject = path.join(cacheDir(hash), 'project');
    return {
      design: design.manifest.top, target: target.name, part: target.part, top: exp.top, shell: exp.shell, clockMhz,
      bitstream: path.join(finalProject, `${exp.top}.bin`),
      utilisation: ice40Summary(report.utilisation), utilisationDetail: report.utilisation,
      fmaxMhz: report.fmaxMhz, clocks: report.clocks, meetsTiming: report.clocks.every((c) => c.fmaxMhz >= c.targetMhz),
      resources: classifyCells(cells), cells, seconds: { synth, pnr, pack }, tools, project: finalProject, cached: false,
    };
  });
  return result;
}
