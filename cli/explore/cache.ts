/**
 * Content-addressed results of sweep points: a point's key hashes its Verilog and manifest, its
 * inputs (the --input file's bytes, or the random seed), the flags that change a result (--synth,
 * --build and its clock), the
 * unit-energy table and the versions of the tools that produce it, so a re-run computes only new or changed points and an
 * interrupted sweep resumes where it stopped. Only successful points are stored: a failure (a tool
 * crash, a full disk) is tried again next time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { contentHash } from '../../flows/fpga/cache.ts';
import { SHIFTADD_45NM } from '../../flows/fpga/report/energy.ts';
import { toolVersion } from '../../toolchain/tools.ts';
import { cacheRoot } from '../../toolchain/cache-root.ts';
import type { RunMode } from './job.ts';
import type { PointResult } from './result.ts';

/** Bump when what a point computes or records changes, to invalidate old entries. */
export const EXPLORE_VERSION = 1;

/** The versions of the tools a point uses (Verilator when it is simulated, yosys when synthesised, nextpnr and icepack when built). */
export async function toolVersions(run: RunMode, synth: readonly string[], build?: string): Promise<Record<string, string>> {
  const v: Record<string, string> = {};
  if (run !== 'none') v.verilator = await toolVersion('verilator');
  if (synth.length || build) v.yosys = await toolVersion('yosys');
  if (build) {
    v.nextpnr = await toolVersion('nextpnr-ice40');
    v.icepack = await toolVersion('icepack');
  }
  return v;
}

/** The key of a point whose design folder holds `designFiles` (Verilog and manifest). */
export function pointKey(designFiles: readonly string[], flags: { run: RunMode; seed: number; inputFile?: string; synth: readonly string[]; build?: string; clockMhz?: number; tools: Record<string, string> }): string {
  const { inputFile, ...rest } = flags;
  // The input file is hashed by content (contentHash reads it), not by its path.
  const files = inputFile ? [...designFiles, inputFile] : [...designFiles];
  // The unit-energy table prices every point, so a change of its numbers is a change of every result.
  return contentHash({ explore: EXPLORE_VERSION, ...rest, seed: flags.run === 'random' ? flags.seed : undefined, energy: SHIFTADD_45NM }, files);
}

const entry = (key: string): string => path.join(cacheRoot(), 'explore', `${key}.json`);

/** The stored result of `key`, or undefined. */
export function readPointCache(key: string): PointResult | undefined {
  try {
    return JSON.parse(fs.readFileSync(entry(key), 'utf8')) as PointResult;
  } catch {
    return undefined; // missing or torn: computed again
  }
}

/** Store a successful result under its key (atomically: a concurrent reader sees all or nothing). */
export function writePointCache(r: PointResult): void {
  if (r.status !== 'ok' || !r.key) return;
  const f = entry(r.key);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  const tmp = `${f}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(r) + '\n');
  fs.renameSync(tmp, f);
}
