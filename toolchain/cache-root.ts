/**
 * Where hwflow keeps what it can rebuild (Verilator models, FPGA runs, harness sources, waveforms):
 * one root for every layer, so `rm -rf .cache` or one `HWFLOW_CACHE=...` covers them all.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Root of all hwflow caches: `$HWFLOW_CACHE`, else `<repo>/.cache`. */
export function cacheRoot(): string {
  const env = process.env.HWFLOW_CACHE;
  return env && env.length > 0 ? resolve(env) : join(REPO_ROOT, '.cache');
}
