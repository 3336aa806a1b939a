/**
 * External tools hwflow runs (simulators, synthesis, place and route, compiler cache): where they are,
 * which version they report, and one error for "not installed" that tells the user how to fix it.
 *
 * Lookups walk `PATH` ourselves instead of spawning `which`, so a missing tool is reported before any
 * child process starts and a test can simulate a missing tool by narrowing `PATH`. Results are cached
 * per `PATH` value (not globally) for the same reason.
 *
 * Shared by testbenches/ (simulators) and flows/ (synthesis, place and route), which may not import
 * each other; toolchain/ imports nothing from the repo, so every layer can use it.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';

/** The tools hwflow knows how to find. */
export type ToolName = 'verilator' | 'iverilog' | 'vvp' | 'yosys' | 'nextpnr-ice40' | 'icepack' | 'ccache';

/** Every tool hwflow may use, in the order `npm run setup` installs them. */
export const TOOL_NAMES: readonly ToolName[] = ['verilator', 'iverilog', 'vvp', 'yosys', 'nextpnr-ice40', 'icepack', 'ccache'];

/** Debian package that provides each tool (for the error message). */
const PACKAGE: Record<ToolName, string> = {
  verilator: 'verilator',
  iverilog: 'iverilog',
  vvp: 'iverilog',
  yosys: 'yosys',
  'nextpnr-ice40': 'nextpnr-ice40',
  icepack: 'fpga-icestorm',
  ccache: 'ccache',
};

/** Arguments that make each tool print its version and exit (icepack has none: it prints usage). */
const VERSION_ARGS: Record<ToolName, string[]> = {
  verilator: ['--version'],
  iverilog: ['-V'],
  vvp: ['-V'],
  yosys: ['-V'],
  'nextpnr-ice40': ['--version'],
  icepack: ['-h'],
  ccache: ['--version'],
};

/** A required external tool is not on `PATH`. */
export class MissingToolError extends Error {
  readonly tool: string;
  constructor(tool: string, why?: string) {
    const pkg = (PACKAGE as Record<string, string | undefined>)[tool];
    super(
      `${tool} was not found on PATH${why ? ` (${why})` : ''}. ` +
        `Run \`npm run setup\` to install the simulation and FPGA tools` +
        (pkg ? ` (Debian package ${pkg}).` : '.'),
    );
    this.name = 'MissingToolError';
    this.tool = tool;
  }
}

const pathCache = new Map<string, string | null>();
const versionCache = new Map<string, Promise<string>>();

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of `tool` on the current `PATH`, or null when it is not installed. */
export function findTool(tool: ToolName | string): string | null {
  const path = process.env.PATH ?? '';
  const key = `${tool}\0${path}`;
  const hit = pathCache.get(key);
  if (hit !== undefined) return hit;
  let found: string | null = null;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    if (isExecutable(candidate)) {
      found = candidate;
      break;
    }
  }
  pathCache.set(key, found);
  return found;
}

/** Like {@link findTool}, but throws {@link MissingToolError} when the tool is missing. */
export function requireTool(tool: ToolName | string): string {
  const found = findTool(tool);
  if (!found) throw new MissingToolError(tool);
  return found;
}

/** True when `tool` is on `PATH`. */
export function hasTool(tool: ToolName | string): boolean {
  return findTool(tool) !== null;
}

/**
 * The first non-empty line the tool prints for its version flag, e.g. `Verilator 5.006 2023-01-22 rev
 * (Debian 5.006-3)`. Cached per executable path: the Verilator model cache key includes this string,
 * and spawning verilator for every key would cost ~50 ms each.
 */
export function toolVersion(tool: ToolName): Promise<string> {
  const exe = requireTool(tool);
  let p = versionCache.get(exe);
  if (!p) {
    p = execa(exe, VERSION_ARGS[tool], { reject: false, all: true }).then((r) => {
      const line = (r.all ?? '').split('\n').map((l) => l.trim()).find((l) => l.length > 0);
      if (line === undefined) throw new Error(`${tool} (${exe}) printed no version for ${VERSION_ARGS[tool].join(' ')}`);
      return line;
    });
    versionCache.set(exe, p);
    // A failed probe must not poison the cache for later calls.
    p.catch(() => versionCache.delete(exe));
  }
  return p;
}

/** Path and version of every known tool (missing ones as null), for `hwflow doctor`-style reports. */
export async function toolReport(): Promise<Record<ToolName, { path: string | null; version: string | null }>> {
  const out = {} as Record<ToolName, { path: string | null; version: string | null }>;
  for (const t of TOOL_NAMES) {
    const path = findTool(t);
    out[t] = { path, version: path ? await toolVersion(t).catch(() => null) : null };
  }
  return out;
}
