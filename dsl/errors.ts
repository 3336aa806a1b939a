/**
 * One error family for the whole DSL. Every error that a design can cause carries the
 * source location of the user's call that created the offending hardware, so a message
 * points at the user's line, not at the library's.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** A place in the user's source: file (relative to the working directory when inside it), line, column. */
export interface SourceLoc {
  file: string;
  line: number;
  column: number;
}

/**
 * `file:line` of a source location, or `<unknown>`.
 * @param loc the location (may be undefined)
 */
export function formatLoc(loc: SourceLoc | undefined): string {
  return loc ? `${loc.file}:${loc.line}` : '<unknown location>';
}

/** An error in a hardware design or in the use of the DSL. */
export class HdlError extends Error {
  override readonly name: string = 'HdlError';
  constructor(
    message: string,
    readonly loc?: SourceLoc,
    readonly details: Record<string, unknown> = {},
  ) {
    super(loc ? `${formatLoc(loc)}: ${message}` : message);
  }
  /** The message without the location prefix. */
  get bare(): string {
    return this.loc ? this.message.slice(formatLoc(this.loc).length + 2) : this.message;
  }
}
/** Operand widths or signedness do not fit the operation. */
export class WidthError extends HdlError {
  override readonly name = 'WidthError';
}
/** A signal is driven twice, or not at all. */
export class DriverError extends HdlError {
  override readonly name = 'DriverError';
}
/** A combinational cycle. */
export class LoopError extends HdlError {
  override readonly name = 'LoopError';
}
/** A name that Verilog reserves, that is malformed, or that collides with another. */
export class NameError extends HdlError {
  override readonly name = 'NameError';
}
/** A bad parameter: zero or negative width, absurd size, value out of range. */
export class ParamError extends HdlError {
  override readonly name = 'ParamError';
}
/** An input tensor that the design does not take: its message names the tensor, what it takes and what it got. */
export class TensorError extends HdlError {
  override readonly name = 'TensorError';
}

// Frames inside these folders are library code; the location we record is the first frame outside.
const here = path.dirname(fileURLToPath(import.meta.url));
const libraryDirs = [here + path.sep];

/**
 * Mark another folder as library code (e.g. a reusable component package), so locations skip it.
 * @param dir absolute or working-directory-relative folder
 */
export function registerLibraryDir(dir: string): void {
  libraryDirs.push(path.resolve(dir) + path.sep);
}

/** A lazily-resolved location: the V8 call sites are captured now, formatted only when asked. */
export class LazyLoc {
  private resolved: UserFrame | null = null;
  private readonly holder: { stack?: string };
  constructor() {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 40;
    this.holder = {};
    Error.captureStackTrace(this.holder, LazyLoc);
    Error.stackTraceLimit = limit;
  }
  private frame(): UserFrame {
    if (this.resolved === null) this.resolved = parseUserFrame(this.holder.stack ?? '');
    return this.resolved;
  }
  get(): SourceLoc | undefined {
    return this.frame().loc;
  }
  /**
   * True when the user's line called the builder itself (`a.add(b)`, `m.mux(...)`), not a library
   * element that made the node on its behalf: only then does the user's line describe this node.
   */
  direct(): boolean {
    return this.frame().direct;
  }
}

interface UserFrame {
  loc: SourceLoc | undefined;
  direct: boolean;
}

const frameRe = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?\s*$/;
// Library frames that are the builder's own API (values, modules, streams), not library elements.
const builderDirs = ['builder', 'ir'].map((d) => path.join(here, d) + path.sep);

function parseUserFrame(stack: string): UserFrame {
  let direct = true;
  for (const rawLine of stack.split('\n').slice(1)) {
    const m = frameRe.exec(rawLine.trim());
    if (!m) continue;
    let file = m[1]!;
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (file.startsWith('node:') || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (!path.isAbsolute(file)) continue;
    if (libraryDirs.some((d) => file.startsWith(d))) {
      if (!builderDirs.some((d) => file.startsWith(d))) direct = false;
      continue;
    }
    const rel = path.relative(process.cwd(), file);
    return { loc: { file: rel.startsWith('..') ? file : rel, line: Number(m[2]), column: Number(m[3]) }, direct };
  }
  return { loc: undefined, direct: false };
}

/** Capture the user's location now (eagerly). */
export function userLoc(): SourceLoc | undefined {
  return new LazyLoc().get();
}
