/**
 * Progress for long steps (synthesis, place and route): a one-line spinner with the step name and
 * elapsed seconds on stderr in an interactive terminal; silent when `CI` is set or stdout is not a
 * TTY, so logs and JSON output stay clean.
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
  let i = 0;
  const draw = (): void => {
    process.stderr.write(`\r${FRAMES[i++ % FRAMES.length]} ${label} ${((Date.now() - t0) / 1000).toFixed(1)}s\x1b[K`);
  };
  draw();
  const timer = setInterval(draw, 100);
  try {
    const r = await work();
    process.stderr.write(`\r✓ ${label} ${((Date.now() - t0) / 1000).toFixed(1)}s\x1b[K\n`);
    return r;
  } catch (e) {
    process.stderr.write('\r\x1b[K');
    throw e;
  } finally {
    clearInterval(timer);
  }
}
