/**
 * Build settings for fuzz models. A fuzz model runs a few dozen cycles once and is never reused,
 * so g++'s optimiser is pure cost: at the vector runner's -O3 a batch compiles about five times
 * slower than at -O0 (measured on a 50-program batch: 1.9 s vs about 10 s of g++ for the main file).
 * The runner has no flag for that, so we reach g++ through ccache's CCACHE_PREFIX, which appends
 * -O0 to every compile, and keep the fuzzer's ccache and model cache in folders of their own, so
 * these -O0 objects never reach anyone else's build.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Point this process's Verilator builds at the fuzzer's own caches, compiled at -O0. Idempotent. */
export function useFastFuzzBuilds(): void {
  if (process.env.HWFLOW_FUZZ_FAST === '1') return;
  const root = join(tmpdir(), 'hwflow-fuzz-cache');
  mkdirSync(root, { recursive: true });
  const wrapper = join(root, 'o0.sh');
  writeFileSync(wrapper, '#!/bin/sh\nexec "$@" -O0\n');
  chmodSync(wrapper, 0o755);
  process.env.HWFLOW_CACHE = join(root, 'models');
  process.env.CCACHE_DIR = join(root, 'ccache');
  process.env.CCACHE_PREFIX = wrapper;
  process.env.HWFLOW_FUZZ_FAST = '1';
}
