/** How the CLI reports failures: a usage or design error is one line and exit 2; anything else is a bug. */
import pc from 'picocolors';
import { HdlError } from '../dsl/errors.ts';

export async function runCommand(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof HdlError || (e instanceof Error && e.name === 'MissingToolError')) {
      process.stderr.write(`${pc.red('error')}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
