/**
 * Running the external tools of the FPGA flow: each run's output goes to a log file in the project
 * folder; a failure raises ToolError with the tool's own error lines and that log's path; a missing
 * tool raises the MissingToolError every layer uses (toolchain/tools.ts), which says how to install it.
 */
import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { execa } from 'execa';
import { requireTool } from '../../toolchain/tools.ts';
import { ToolError } from './errors.ts';

/** The lines of a tool's output that say what went wrong: its ERROR lines, else the last few lines. */
export function errorLines(output: string, max = 8): string[] {
  const lines = output.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const errs = lines.filter((l) => /\berror\b/i.test(l) && !/\b0 errors?\b/i.test(l));
  const picked = errs.length ? errs : lines.slice(-max);
  return [...new Set(picked)].slice(0, max);
}

/**
 * Run `tool args` in `cwd`; its combined output goes to `logFile` unless the tool wrote that log
 * itself. Resolves on exit status 0; otherwise throws ToolError.
 */
export async function runTool(tool: string, args: readonly string[], cwd: string, logFile: string): Promise<void> {
  const r = await execa(requireTool(tool), args, { cwd, reject: false, all: true, stdin: 'ignore' });
  const output = r.all ?? '';
  const logPath = path.join(cwd, logFile);
  // yosys (-l) and nextpnr (--log) write their own log; keep the captured output for the tools that do not.
  if (output && !fs.existsSync(logPath)) fs.writeFileSync(logPath, output + '\n');
  if (r.exitCode !== 0 || r.failed) {
    const logText = fs.existsSync(logPath) ? fs.readFileSync(logPath, 'utf8') : output;
    throw new ToolError(tool, `failed (exit ${r.exitCode ?? r.signal ?? '?'})`, errorLines(logText || output), logPath);
  }
}

// ---- progress ---------------------------------------------------------------------------------

/*
 * Progress for long steps (synthesis, place and route): a one-line spinner with the step name and
 * elapsed seconds on stderr in an interactive terminal, drawn by cli-progress (the library the
 * explore sweep's bar uses too); silent when `CI` is set or stdout is not a TTY, so logs and JSON
 * output stay clean.
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** True when progress should be drawn. */
export function progressEnabled(): boolean {
  return !process.env.CI && Boolean(process.stdout.isTTY) && Boolean(process.stderr.isTTY);
}

/** Run `work` while showing `label`; the line is replaced by `label done in Ns` (or cleared on error). */
export async function withProgress<T>(label: string, work: () => Promise<T>, enabled = progressEnabled()): Promise<T> {
  if (!enabled) return work();
  const t0 = Date.now();
  const secs = (): string => ((Date.now() - t0) / 1000).toFixed(1);
  const line = new cliProgress.SingleBar({ format: '{frame} {label} {secs}s', stream: process.stderr, hideCursor: true, clearOnComplete: true, fps: 10 });
  let i = 0;
  line.start(1, 0, { frame: FRAMES[0], label, secs: secs() });
  const timer = setInterval(() => line.update({ frame: FRAMES[++i % FRAMES.length], secs: secs() }), 100);
  try {
    const r = await work();
    clearInterval(timer);
    line.stop();
    process.stderr.write(`✓ ${label} ${secs()}s\n`);
    return r;
  } finally {
    clearInterval(timer);
    line.stop();
  }
}
