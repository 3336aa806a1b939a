/**
 * Errors of the FPGA flow. Both extend HdlError so the CLI prints them as one clean line (plus the
 * tool's own error lines), not as a stack trace.
 */
import { HdlError } from '../../dsl/errors.ts';

/** A bad option: unknown target, malformed clock, missing design folder. */
export class FpgaUsageError extends HdlError {
  override readonly name = 'FpgaUsageError';
}

/** An external tool (yosys, nextpnr, icepack) failed; carries its error lines and log (a missing tool is toolchain's MissingToolError). */
export class ToolError extends HdlError {
  override readonly name = 'ToolError';
  constructor(
    readonly tool: string,
    summary: string,
    readonly errorLines: readonly string[],
    readonly logPath: string | undefined,
  ) {
    super(
      [
        `${tool} ${summary}`,
        ...errorLines.map((l) => `  ${l}`),
        ...(logPath ? [`  full log: ${logPath}`] : []),
      ].join('\n'),
      undefined,
      { tool, errorLines, logPath },
    );
  }
}
