/**
 * Where fuzz models go. A fuzz model runs a few dozen cycles once and is never reused (the driver
 * builds it with `compile: 'quick'`, g++ -O0, about five times faster to compile than -O3), so the
 * thousands of them a campaign builds are kept in a cache folder of their own under the system's
 * temporary folder instead of filling the repository's `.cache/`.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Point this process's Verilator model cache at the fuzzer's own folder. Idempotent. */
export function useFastFuzzBuilds(): void {
  const dir = join(tmpdir(), 'hwflow-fuzz-cache', 'models');
  mkdirSync(dir, { recursive: true });
  process.env.HWFLOW_CACHE = dir;
}
