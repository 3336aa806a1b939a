/**
 * Content-addressed results of synthesis and place-and-route: the key hashes everything that can
 * change a result (the Verilog, the manifest, the target, the clock, the flow's own version and the
 * tools' versions), so an unchanged design is never rebuilt.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheRoot } from '../../toolchain/cache-root.ts';

/** Bump when the flow's commands or result format change, to invalidate old entries. */
export const FLOW_VERSION = 1;

/** A stable hash of a JSON-able value plus file contents (by name, sorted). */
export function contentHash(value: unknown, files: readonly string[]): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify({ FLOW_VERSION, value }));
  for (const f of [...files].sort()) {
    h.update(`\0${path.basename(f)}\0`);
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex').slice(0, 24);
}

/** `<cacheRoot>/fpga/<hash>`. */
export function cacheDir(hash: string): string {
  return path.join(cacheRoot(), 'fpga', hash);
}

/** The stored result of a finished run, or undefined. */
export function readCached<T>(hash: string): T | undefined {
  const f = path.join(cacheDir(hash), 'result.json');
  if (!fs.existsSync(f)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(f, 'utf8')) as T;
  } catch {
    return undefined; // a torn entry is rebuilt
  }
}

/**
 * Run `work` in a fresh scratch folder and move it to the cache entry when it succeeds (keeping a
 * failed run's folder for its logs). Two processes building the same key both finish; the first
 * rename wins and the second result is discarded.
 */
export async function buildCached<T>(hash: string, work: (dir: string) => Promise<T>): Promise<{ result: T; dir: string }> {
  const final = cacheDir(hash);
  fs.mkdirSync(path.dirname(final), { recursive: true });
  const scratch = `${final}.tmp-${process.pid}-${Date.now()}`;
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  const result = await work(scratch);
  fs.writeFileSync(path.join(scratch, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  try {
    fs.renameSync(scratch, final);
  } catch {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return { result, dir: final };
}
