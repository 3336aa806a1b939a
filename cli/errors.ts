/** How the CLI reports failures: a usage or design error is one line and exit 2; anything else is a bug. */
import { createColors } from 'picocolors';
import { HdlError } from '../dsl/errors.ts';
import { MissingToolError } from '../toolchain/tools.ts';

/** Colour only a terminal: piped or captured stderr (CI logs, scripts, tests) stays plain text. */
const pc = createColors(
  'FORCE_COLOR' in process.env || (!('NO_COLOR' in process.env) && process.stderr.isTTY === true),
);

/** A bad command line: unknown design, preset or parameter, unreadable input; printed as its message alone. */
export class UsageError extends HdlError {
  override readonly name = 'UsageError';
}

export async function runCommand(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof HdlError || e instanceof MissingToolError) {
      process.stderr.write(`${pc.red('error')}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}

/** Elaboration warnings go to stderr, one line each, after the output they concern. */
export function printWarnings(warnings: readonly { message: string }[] | undefined): void {
  for (const w of warnings ?? []) process.stderr.write(`${pc.yellow('warning')}: ${w.message}\n`);
}
