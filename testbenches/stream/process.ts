/**
 * A simulator child process spoken to over its stdin and stdout: writes are queued in order, reads
 * wait for an exact number of bytes (or a line), and a process that dies while we wait turns into a
 * {@link SimulatorCrashError} carrying its exit status and the tail of its stderr.
 */
import { execa, type ResultPromise } from 'execa';

/** The simulator process ended while the harness still expected an answer. */
export class SimulatorCrashError extends Error {
  override readonly name = 'SimulatorCrashError';
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly signal: string | undefined,
    readonly stderr: string,
    readonly context: string,
  ) {
    const status = signal ? `was killed by ${signal}` : `exited with status ${exitCode}`;
    const tail = stderr.trim() ? `\nstderr:\n${stderr.trim().split('\n').slice(-20).map((l) => `  ${l}`).join('\n')}` : '\n(stderr was empty)';
    super(`simulator ${command} ${status} ${context}${tail}`);
  }
}

interface Waiter {
  kind: 'bytes' | 'line';
  n: number;
  resolve(b: Buffer): void;
  reject(e: Error): void;
}

/** Owns one child process; `close()` ends it and waits, `kill()` is for error paths. */
export class SimProcess {
  private readonly child: ResultPromise;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiters: Waiter[] = [];
  private stderrText = '';
  private exited: { code: number | undefined; signal: string | undefined } | null = null;
  private readonly done: Promise<void>;
  /** Settles once the process has ended (however it ended). */
  readonly ended: Promise<void>;
  /** What the process is doing, for crash messages ("during run() at cycle 1200"). */
  context = 'while starting';

  /**
   * `replyFd` 3 puts the replies on a pipe of their own, so whatever the model prints on stdout
   * ($display, Verilator's warnings) cannot corrupt the framing; it is kept with stderr instead.
   */
  constructor(readonly exe: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; replyFd?: 1 | 3 } = {}) {
    const fd = opts.replyFd ?? 1;
    this.child = execa(exe, args, {
      stdio: fd === 3 ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
      buffer: false, reject: false, cwd: opts.cwd, env: opts.env, encoding: 'buffer',
    });
    const replies = this.child.stdio[fd] as NodeJS.ReadableStream;
    replies.on('data', (b: Buffer) => {
      this.chunks.push(b);
      this.buffered += b.length;
      this.pump();
    });
    if (fd === 3) this.child.stdout!.on('data', (b: Buffer) => this.note(b.toString('utf8').trimEnd()));
    this.child.stderr!.on('data', (b: Buffer) => {
      // Bounded: a chatty simulator must not grow memory without limit.
      this.stderrText = (this.stderrText + b.toString('utf8')).slice(-20_000);
    });
    // A write to a dead process fails asynchronously; the crash is reported by the pending read.
    this.child.stdin!.on('error', () => undefined);
    this.done = this.child.then((r) => {
      this.exited = { code: r.exitCode, signal: r.signal };
    }, (e: unknown) => {
      this.exited = { code: undefined, signal: undefined };
      this.stderrText += `\n${(e as Error).message}`;
    }).then(() => {
      // Let the last stdout chunks arrive before failing the readers.
      setImmediate(() => this.failWaiters());
    });
    this.ended = this.done;
  }

  /** Adds diagnostic text to what a crash report shows (Icarus prints its errors on stdout). */
  note(text: string): void {
    this.stderrText = (this.stderrText + text + '\n').slice(-20_000);
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Queue bytes for the process (ordered); resolves once they are handed to the pipe. */
  write(b: Buffer): Promise<void> {
    const stdin = this.child.stdin!;
    if (this.exited || stdin.destroyed) return Promise.resolve();
    if (stdin.write(b)) return Promise.resolve();
    return new Promise((r) => {
      const go = () => { stdin.off('drain', go); stdin.off('close', go); r(); };
      stdin.on('drain', go);
      stdin.on('close', go);
    });
  }

  /** Exactly `n` bytes from stdout. */
  read(n: number): Promise<Buffer> {
    // Nothing to wait for (a design without streams has no ring geometry to read).
    if (n === 0) return Promise.resolve(Buffer.alloc(0));
    return new Promise((resolve, reject) => {
      this.waiters.push({ kind: 'bytes', n, resolve, reject });
      this.pump();
    });
  }

  /** One text line from stdout (without the newline). */
  async readLine(): Promise<string> {
    const b = await new Promise<Buffer>((resolve, reject) => {
      this.waiters.push({ kind: 'line', n: 0, resolve, reject });
      this.pump();
    });
    return b.toString('latin1');
  }

  /** Moves up to `n` bytes from the head of the buffered chunks into `dst` at `at`; returns how many. */
  private drainInto(dst: Uint8Array, at: number, n: number): number {
    let done = 0;
    while (done < n && this.chunks.length) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - done);
      dst.set(k === c.length ? c : c.subarray(0, k), at + done);
      done += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= done;
    return done;
  }

  /** The first `n` buffered bytes (there are at least `n`): a view when one chunk holds them. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    this.drainInto(out, 0, n);
    return out;
  }

  private pump(): void {
    while (this.waiters.length) {
      const w = this.waiters[0]!;
      if (w.kind === 'bytes') {
        if (this.buffered < w.n) return;
        this.waiters.shift();
        w.resolve(this.take(w.n));
      } else {
        if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
        const nl = this.chunks[0]?.indexOf(10) ?? -1;
        if (nl < 0) return;
        this.waiters.shift();
        const line = this.take(nl + 1);
        w.resolve(line.subarray(0, nl));
      }
    }
  }

  private failWaiters(): void {
    this.pump();
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.reject(this.crashError());
  }

  /** The error describing how the process ended. */
  crashError(): SimulatorCrashError {
    return new SimulatorCrashError(this.exe, this.exited?.code, this.exited?.signal ?? undefined, this.stderrText, this.context);
  }

  /** Close stdin and wait for the process to exit on its own. */
  async close(): Promise<{ code: number | undefined; signal: string | undefined }> {
    this.child.stdin!.end();
    await this.done;
    return this.exited!;
  }

  /** End the process now (error paths and tests of crash handling). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.child.kill(signal);
    await this.done;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}
