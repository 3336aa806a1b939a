/**
 * The Verilator model cache: build once, run many (cocotb's `Runner.build`, SpinalHDL's model cache).
 *
 * A model lives in `<cacheRoot()>/verilator/<key>/` where the key is a sha256 over the contents of every
 * Verilog and C++ source, the top, the extra flags, this file's build recipe and `verilator --version`;
 * so an unchanged design never recompiles and a new Verilator never reuses an old model. Paths do not
 * enter the key: the same design emitted into two temp folders shares one model.
 *
 * Concurrency (vitest runs tests in several worker processes): a build happens in a private temp folder
 * and is renamed into place after a marker file is written last, so a reader sees a whole model or none.
 * A per-key lock stops two processes building the same key; two machine-wide slot locks stop more than
 * two g++ builds at once on a 2-core machine. Locks are `mkdir` directories with an owner file, broken
 * when their owner process is dead. With ccache installed, `OBJCACHE=ccache` makes a rebuild of a known
 * design (e.g. after the cache folder was wiped) take a fraction of a second.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { cacheRoot } from '../toolchain/cache-root.ts';
import { findTool, requireTool, toolVersion } from '../toolchain/tools.ts';

/** What to build: Verilog sources, the top module, a C++ harness with `main()`, extra flags. */
export interface ModelBuild {
  /** Absolute (or cwd-relative) paths of the Verilog sources. */
  files: string[];
  /** Top module name. */
  top: string;
  /** Paths of the C++ harness sources (one of them defines `main()`). */
  cppFiles: string[];
  /** Files the C++ sources `#include` by a quoted name: copied next to them and part of the key. */
  headers?: string[];
  /** Extra verilator flags, e.g. `['--trace']` or `['--trace-fst']`; they are part of the key. */
  flags?: string[];
  /**
   * `optimized` (default): g++ -O3, for models that run many cycles. `quick`: g++ -O0, for models
   * that run a few dozen cycles once (the fuzzer): about five times faster to build, slower to run.
   */
  compile?: 'optimized' | 'quick';
}

/** A finished model: the executable, its folder, and whether it came from the cache. */
export interface BuiltModel {
  /** Absolute path of the model executable. */
  exe: string;
  /** The model's cache folder (`<root>/verilator/<key>`). */
  dir: string;
  /** True when no compilation happened in this call. */
  cached: boolean;
  /** Wall time of this call in seconds (lookup only when cached). */
  seconds: number;
  /** The cache key (sha256 hex). */
  key: string;
}

/** A Verilator or C++ compile failure; `message` carries the tools' own error lines. */
export class VerilatorBuildError extends Error {
  readonly top: string;
  /** Full combined output of the failed build. */
  readonly log: string;
  constructor(top: string, lines: string[], log: string) {
    super(`Verilator build of ${top} failed:\n${lines.join('\n')}`);
    this.name = 'VerilatorBuildError';
    this.top = top;
    this.log = log;
  }
}

/**
 * Changes whenever the fixed part of the command line below changes, so old models are not reused
 * with a new recipe. Bump it with every edit of {@link baseFlags}.
 */
const RECIPE = 'hwflow-verilator-recipe-2';
const MARKER = '.hwflow-built';
const SLOTS = 2;

/** Fixed verilator flags: C++ model with our main(), built by make; lint is tested elsewhere. */
function baseFlags(top: string, compile: 'optimized' | 'quick'): string[] {
  return [
    '--cc', '--exe', '--build', '-j', '2', '-O3',
    // Speed of the model's hot code; verilated.mk defaults to -Os (TOOLCHAIN.md: 2.1 vs 2.5 M cycles/s).
    ...(compile === 'optimized' ? ['-MAKEFLAGS', 'OPT_FAST=-O3'] : ['-MAKEFLAGS', 'OPT_FAST=-O0', '-MAKEFLAGS', 'OPT_SLOW=-O0', '-MAKEFLAGS', 'OPT_GLOBAL=-O0']),
    '-Wno-lint', '-Wno-style', '-Wno-fatal',
    '--top-module', top,
  ];
}

/** The cache key of a build (see the file comment for what enters it). */
export async function modelKey(b: ModelBuild): Promise<string> {
  const h = createHash('sha256');
  const field = (s: string | Buffer) => {
    // Length-prefixed so that no two different inputs hash the same concatenation.
    h.update(`${Buffer.byteLength(s)}:`);
    h.update(s);
  };
  field(RECIPE);
  field(await toolVersion('verilator'));
  field(b.top);
  field(JSON.stringify(b.flags ?? []));
  // Only quick builds add a field, so the keys of existing optimized models stay valid.
  if (b.compile === 'quick') field('compile:quick');
  // Headers add their field only when there are some, so the keys of existing models stay valid.
  const lists = [['v', b.files], ['cpp', b.cppFiles], ...(b.headers?.length ? [['h', b.headers] as const] : [])] as const;
  for (const [kind, list] of lists) {
    field(`${kind}:${list.length}`);
    for (const f of list) {
      field(basename(f));
      field(readSource(f));
    }
  }
  return h.digest('hex');
}

function readSource(f: string): Buffer {
  try {
    return readFileSync(f);
  } catch (e) {
    throw new Error(`cannot read source ${f} for the Verilator build: ${(e as Error).message}`);
  }
}

function isBuilt(dir: string): boolean {
  return existsSync(join(dir, MARKER));
}

/** In-process de-duplication: the file locks exclude other processes, this excludes our own calls. */
const inFlight = new Map<string, Promise<BuiltModel>>();

/**
 * Returns a Verilator model for `b`, compiling it only if no finished model with the same key exists.
 * Throws {@link MissingToolError} when verilator is not installed and {@link VerilatorBuildError} with
 * verilator's or g++'s error lines when the build fails.
 */
export async function buildVerilatorModel(b: ModelBuild): Promise<BuiltModel> {
  const t0 = performance.now();
  requireTool('verilator');
  if (b.files.length === 0) throw new Error('buildVerilatorModel: no Verilog files given (files is empty)');
  if (b.cppFiles.length === 0) throw new Error('buildVerilatorModel: no C++ harness given (cppFiles must hold a file with main())');
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(b.top)) throw new Error(`buildVerilatorModel: top "${b.top}" is not a Verilog module name`);
  const key = await modelKey(b);
  const root = join(cacheRoot(), 'verilator');
  const dir = join(root, key);
  const exe = join(dir, `V${b.top}`);
  const done = (cached: boolean): BuiltModel => ({ exe, dir, cached, seconds: (performance.now() - t0) / 1000, key });
  if (isBuilt(dir)) return done(true);

  const running = inFlight.get(key);
  if (running) {
    await running;
    return done(true);
  }
  const p = (async () => {
    mkdirSync(join(root, 'locks'), { recursive: true });
    const keyLock = await acquire(join(root, 'locks', `${key}.lock`), { what: `the build lock of ${b.top}` });
    try {
      // Another process may have finished this key while we waited for its lock.
      if (isBuilt(dir)) return done(true);
      // Temp folders of this key can only be left by a build that was killed: we hold the key's lock.
      for (const name of readdirSync(root)) if (name.startsWith(`tmp-${key.slice(0, 16)}-`)) rmSync(join(root, name), { recursive: true, force: true });
      const slotDirs = Array.from({ length: SLOTS }, (_, i) => join(root, 'locks', `slot${i}.lock`));
      const slot = await acquireAny(slotDirs, { what: 'a Verilator build slot' });
      try {
        await compile(b, key, root, dir);
      } finally {
        slot.release();
      }
      return done(false);
    } finally {
      keyLock.release();
    }
  })();
  inFlight.set(key, p);
  try {
    return await p;
  } finally {
    inFlight.delete(key);
  }
}

async function compile(b: ModelBuild, key: string, root: string, dir: string): Promise<void> {
  const tmp = join(root, `tmp-${key.slice(0, 16)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp, { recursive: true });
  // Verilator writes source paths into the C++ it generates (in VL_FATAL_MT calls). Copying the
  // sources into the build folder and naming them relative to it makes that C++ independent of where
  // the design was emitted and of the temp folder's name, so ccache hits after a cache wipe or for
  // the same design emitted into another folder. The copies also document what the model was built from.
  const sources = [...b.files, ...b.cppFiles];
  const { copies, fromCopy } = copySources(tmp, [...sources, ...(b.headers ?? [])]);
  // Headers sit next to the C++ copies (found by their quoted #include) but are not compiled on their own.
  const args = [...baseFlags(b.top, b.compile ?? 'optimized'), ...(b.flags ?? []), '--Mdir', tmp, ...copies.slice(0, sources.length)];
  const env: Record<string, string> = {};
  if (findTool('ccache')) {
    env.OBJCACHE = 'ccache';
    // Keep the compiler cache next to the models unless the user configured one.
    if (!process.env.CCACHE_DIR) env.CCACHE_DIR = join(cacheRoot(), 'ccache');
  }
  const started = performance.now();
  const r = await execa('verilator', args, { cwd: tmp, env, all: true, reject: false, stdin: 'ignore' });
  if (r.exitCode !== 0 || !existsSync(join(tmp, `V${b.top}`))) {
    const log = r.all ?? '';
    rmSync(tmp, { recursive: true, force: true });
    throw new VerilatorBuildError(b.top, errorLines(fromCopy(log), r.exitCode, r.signal), fromCopy(log));
  }
  const info = {
    key, top: b.top, flags: b.flags ?? [], files: b.files.map((f) => resolve(f)), cppFiles: b.cppFiles.map((f) => resolve(f)),
    headers: (b.headers ?? []).map((f) => resolve(f)),
    verilator: await toolVersion('verilator'), ccache: env.OBJCACHE === 'ccache',
    seconds: (performance.now() - started) / 1000, host: hostname(), date: new Date().toISOString(),
  };
  writeFileSync(join(tmp, 'build.log'), r.all ?? '');
  // Written last: its presence is what makes the folder a finished model.
  writeFileSync(join(tmp, MARKER), JSON.stringify(info, null, 2) + '\n');
  // A folder without marker can only be left by an older recipe or a hand edit; replace it.
  if (existsSync(dir) && !isBuilt(dir)) rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/**
 * Copies sources to `<tmp>/src/` (`src/<i>/` for a repeated file name) and returns their paths
 * relative to `tmp`, plus a function that turns those paths in tool output back into the originals.
 */
function copySources(tmp: string, files: readonly string[]): { copies: string[]; fromCopy: (text: string) => string } {
  const seen = new Set<string>();
  const pairs: Array<[string, string]> = [];
  files.forEach((f, i) => {
    const name = basename(f);
    const rel = seen.has(name) ? join('src', String(i), name) : join('src', name);
    seen.add(name);
    mkdirSync(join(tmp, dirname(rel)), { recursive: true });
    copyFileSync(resolve(f), join(tmp, rel));
    pairs.push([rel, resolve(f)]);
  });
  // One pass with the longest names first, so no replacement is rewritten by a later one.
  const byRel = new Map(pairs);
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp([...byRel.keys()].sort((x, y) => y.length - x.length).map(escape).join('|'), 'g');
  const fromCopy = (text: string): string => text.replace(pattern, (rel) => byRel.get(rel) ?? rel);
  return { copies: pairs.map(([rel]) => rel), fromCopy };
}

/** The lines of a failed build worth showing: verilator's %Error lines and g++'s error lines. */
function errorLines(log: string, exitCode: number | undefined, signal: string | undefined): string[] {
  const lines = log.split('\n');
  const picked = lines.filter((l) => /%Error|error:|Error \d+|undefined reference|fatal/i.test(l) && !/^\s*make(\[\d+\])?: \*\*\*.*Error 1$/.test(l));
  const shown = (picked.length > 0 ? picked : lines.slice(-30)).slice(0, 40);
  if (picked.length > 40) shown.push(`... (${picked.length - 40} more error lines)`);
  shown.push(`(verilator exited with ${signal ?? `status ${exitCode}`})`);
  return shown;
}

/** Age and size of a cached model, for tooling that prunes the cache. */
export function modelInfo(dir: string): { built: boolean; mtimeMs: number } {
  return { built: isBuilt(dir), mtimeMs: existsSync(dir) ? statSync(dir).mtimeMs : 0 };
}

// ---- Locks ---------------------------------------------------------------------------------------
// mkdir-based locks: atomic on local file systems, no native module, and recoverable when a vitest
// worker is killed mid-build. A lock is stale when its owner process (same host) is gone, or when it
// is older than STALE_FOREIGN_MS and was taken on another host (a shared cache where the pid cannot
// be probed).

const STALE_FOREIGN_MS = 60 * 60 * 1000;
/** A lock dir whose owner file is missing this long was abandoned between mkdir and write. */
const STALE_EMPTY_MS = 10_000;

/** A held lock; call `release()` exactly once (it is idempotent). */
interface HeldLock {
  readonly path: string;
  release(): void;
}

interface Owner {
  pid: number;
  host: string;
  time: number;
  token: string;
}

function readOwner(dir: string): Owner | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'owner'), 'utf8')) as Owner;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(dir: string): boolean {
  const owner = readOwner(dir);
  if (!owner) {
    try {
      return Date.now() - statSync(dir).mtimeMs > STALE_EMPTY_MS;
    } catch {
      return false; // vanished: not stale, simply retry
    }
  }
  if (owner.host === hostname()) return !pidAlive(owner.pid);
  return Date.now() - owner.time > STALE_FOREIGN_MS;
}

/**
 * Removes a stale lock without stealing a fresh one: rename it aside first (atomic), then check that
 * what we moved is still the stale owner; if another process re-took the lock in between, put it back.
 */
function breakStale(dir: string): void {
  const before = readOwner(dir);
  const aside = `${dir}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(dir, aside);
  } catch {
    return;
  }
  const moved = readOwner(aside);
  if (before && moved && moved.token !== before.token) {
    try {
      renameSync(aside, dir);
      return;
    } catch {
      /* the path was taken again meanwhile; the moved lock's owner will fail to release, harmlessly */
    }
  }
  rmSync(aside, { recursive: true, force: true });
}

/** Tries once to take the lock at `dir`; returns null when someone else holds it. */
function tryLock(dir: string): HeldLock | null {
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    if (isStale(dir)) breakStale(dir);
    return null;
  }
  const token = randomBytes(8).toString('hex');
  const owner: Owner = { pid: process.pid, host: hostname(), time: Date.now(), token };
  writeFileSync(join(dir, 'owner'), JSON.stringify(owner));
  let held = true;
  return {
    path: dir,
    release() {
      if (!held) return;
      held = false;
      // Only remove the lock if it is still ours (it may have been broken as stale and re-taken).
      if (readOwner(dir)?.token === token) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Waits until one of `dirs` can be locked and returns it. Polls with a growing interval (25 ms to
 * 250 ms): builds take seconds, so polling costs nothing measurable and needs no watcher.
 */
async function acquireAny(dirs: readonly string[], opts: { timeoutMs?: number; what?: string } = {}): Promise<HeldLock> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30 * 60 * 1000);
  let wait = 25;
  for (;;) {
    for (const d of dirs) {
      const l = tryLock(d);
      if (l) return l;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${opts.what ?? 'a lock'} (${dirs.join(', ')}); remove the directory if no build is running`);
    }
    await sleep(wait);
    wait = Math.min(250, wait * 2);
  }
}

/** Waits for the single lock `dir`. */
function acquire(dir: string, opts: { timeoutMs?: number; what?: string } = {}): Promise<HeldLock> {
  return acquireAny([dir], opts);
}
