/**
 * The session API: a design's simulation, typed from its manifest, driven by whole batches of tokens.
 * `send` queues tokens for an input stream, `run` lets the back end do every handshake natively until
 * a goal (tokens received, inputs drained, or a cycle count), `received` gives the output tokens, and
 * `scoreboard` compares them (tokens are bit patterns, or field values packed and unpacked by the
 * codec of the payload type each stream's port declared, read from the manifest), and with a golden sequence and, on a mismatch, replays the session in a
 * tracing build to write a waveform window around the first bad token.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Codec, Host, TokenFields, TokenValue } from '../../dsl/builder/codec.ts';
import type { PayloadType } from '../../dsl/builder/payload.ts';
import { streamCodec, type Manifest } from '../../dsl/manifest.ts';
import { cacheRoot } from '../../toolchain/cache-root.ts';
import { scoreboard, ScoreboardError } from '../scoreboard.ts';
import type { Backend, BackendKind, RunReply, WaveFormat } from './backend.ts';
import { stallThreshold } from './backend.ts';
import { HangError, RunLimitError, type StalledStream } from './errors.ts';
import { HarnessSetupError, layoutOf, portOf, streamOf, tapsOf, type DesignLayout, type StreamLayout } from './layout.ts';
import { absorbTapsFile, emptyTapRecords, type TapRecord } from './taps.ts';
import { TokenStore } from './store.ts';
import { VerilatorBackend } from './verilator.ts';
import { decodeTokens, hex, type TokenBatch } from './words.ts';

/** Random stalls: probability per cycle that an input withholds valid / an output withholds ready. */
export interface StallOptions {
  in?: number;
  out?: number;
  /** Per-stream rates by stream name; they override `in`/`out`. */
  streams?: Record<string, number>;
}

export interface SimOptions {
  /** 'verilator' (default, native speed) or 'icarus' (slow; for cross-checks of short runs). */
  backend?: BackendKind;
  /** Seed of the stall pattern; default `HWFLOW_SEED` or a random one (printed in every failure). */
  seed?: number;
  stall?: StallOptions;
  /** Record a waveform of the whole session (`'vcd'`/`'fst'`, or with an explicit path). */
  waves?: WaveFormat | { format?: WaveFormat; path?: string } | false;
  /** Write a waveform window automatically when a scoreboard check or a run fails (default true). */
  failureWaves?: boolean;
  /** Folder for waveforms (default `<cacheRoot>/waves`). */
  waveDir?: string;
  /** Cycles without any token moving before a run counts as hung (default 10 000). */
  hangCycles?: number;
  /** Reset cycles at start (default 2). */
  resetCycles?: number;
  /** Keep the commands for failure replays (default true; benchmarks turn it off). */
  record?: boolean;
  /**
   * Record every token crossing the design's internal streams (the manifest's `taps`), read with
   * `sim.taps()`. Verilator only; builds a model of its own (internal wires public, a recording loop).
   */
  trace?: boolean;
  /**
   * Start every register and memory word without a reset or initial value from a random pattern drawn
   * from this seed (a positive integer; Verilator only), instead of Verilator's zeros: a register that
   * misses its reset then shows up in a test rather than on the board. Same seed, same values.
   */
  randomInit?: number;
  /** Verilator only: `quick` builds the model at g++ -O0 (about five times faster to build; for short runs such as fuzz batches). */
  compile?: 'optimized' | 'quick';
}

/** A design on disk: its folder (with manifest.json) or the manifest file, or both already read. */
export type DesignRef = string | { dir: string; manifest: Manifest };

/** What a run may wait for; with none of `until`/`drain`, it runs exactly `cycles`. */
export interface RunOptions {
  /** Stop when each named output stream has received this many tokens in total. */
  until?: Record<string, number>;
  /** Stop when every queued input token has been accepted (the default when nothing else is given). */
  drain?: boolean;
  /** Run exactly this many cycles (no goal), or the budget for a goal (default 10 000 000). */
  cycles?: number;
}

export interface RunResult {
  /** Cycles this run took. */
  cycles: number;
  /** Absolute cycle after the run. */
  cycle: number;
  /** Wall time of the run in seconds. */
  seconds: number;
}

function loadDesign(ref: DesignRef): { dir: string; manifest: Manifest } {
  if (typeof ref !== 'string') return { dir: resolve(ref.dir), manifest: ref.manifest };
  const file = basename(ref) === 'manifest.json' ? ref : join(ref, 'manifest.json');
  return { dir: resolve(dirname(file)), manifest: JSON.parse(readFileSync(file, 'utf8')) as Manifest };
}

/** The seed from `HWFLOW_SEED` or a fresh one. */
export function defaultSeed(): number {
  const env = process.env.HWFLOW_SEED;
  return env ? Number(env) >>> 0 : (Math.random() * 2 ** 31) >>> 0;
}

/** Bit patterns (bigints or a typed array) rather than field values; an empty list is either. */
function isBitPatterns(tokens: TokenBatch | readonly TokenValue[]): tokens is TokenBatch {
  return !Array.isArray(tokens) || tokens.length === 0 || typeof tokens[0] === 'bigint';
}

export class Sim {
  private readonly out = new Map<string, TokenStore>();
  private readonly stores: TokenStore[];
  private readonly accepted = new Map<string, number>();
  private now = 0;
  private closed = false;
  /** Path of the whole-session waveform when `waves` was requested. */
  readonly wavePath: string | undefined;

  constructor(
    readonly manifest: Manifest,
    readonly layout: DesignLayout,
    readonly seed: number,
    private readonly backend: Backend,
    private readonly opts: SimOptions,
    wavePath: string | undefined,
  ) {
    this.wavePath = wavePath;
    this.stores = layout.outStreams.map((s) => new TokenStore(s.words));
    layout.outStreams.forEach((s, i) => this.out.set(s.name, this.stores[i]!));
    for (const s of layout.inStreams) this.accepted.set(s.name, 0);
  }

  /** The simulator this session runs on. */
  get backendKind(): BackendKind {
    return this.backend.kind;
  }
  /** Seconds spent building or finding the model, and whether it came from the cache. */
  get build(): { seconds: number; cached: boolean } {
    return { seconds: this.backend.buildSeconds, cached: this.backend.cached };
  }
  /**
   * The session's private temporary folder (the Icarus back end compiles and runs there; removed by
   * `close` and `kill`), or undefined when the back end keeps none (Verilator uses the model cache).
   */
  get workDir(): string | undefined {
    return this.backend.workDir;
  }
  /** Process id of the simulator (to attach a profiler or debugger). */
  get pid(): number | undefined {
    return this.backend.pid;
  }
  /** Absolute cycle count after the last run or peek. */
  get cycle(): number {
    return this.now;
  }

  /**
   * Queue tokens. Bigints and typed arrays are bit patterns (multi-port payloads concatenated, first
   * payload port most significant); a `BigUint64Array` (streams up to 64 bits) or `Uint32Array`
   * (words per token) skips the per-token bigint conversion: the fast path for long runs. Numbers,
   * objects and arrays are field values shaped like the stream's payload
   * (`sim.send('in', [{ a: -3, b: [1, 2, 3] }])`), packed by the stream's codec.
   */
  send(stream: string, tokens: TokenBatch | readonly TokenValue[]): void {
    const s = streamOf(this.layout, stream, 'in');
    const batch = isBitPatterns(tokens) ? tokens : this.codec(stream).encodeAll(tokens);
    this.backend.send(s.index, batch);
    if (this.opts.trace) {
      const list = this.inputLog.sent.get(stream) ?? [];
      const bits = batch instanceof Uint32Array ? decodeTokens(Buffer.from(batch.buffer, batch.byteOffset, batch.byteLength), batch.length / s.words, s.words) : batch;
      for (const t of bits) list.push(BigInt(t));
      this.inputLog.sent.set(stream, list);
    }
  }
  /** With `trace: true`: every token sent per input stream, and the last value poked per port (what a model replays). */
  readonly inputLog = { sent: new Map<string, bigint[]>(), poked: new Map<string, bigint>() };

  /** The host codec of a stream's payload type (from the manifest). */
  codec(stream: string): Codec<PayloadType> {
    const c = this.codecOrNone(stream);
    if (!c) throw new HarnessSetupError(`stream '${stream}' of ${this.manifest.top} has no payload type in its manifest (written by an older hwflow?); regenerate the design, or use bit patterns`);
    return c;
  }
  /** Token text from its payload ports when the manifest has no payload type: signed ports as signed. */
  private portShow(s: StreamLayout): (bits: bigint) => string {
    const parts = s.fields.map((f) => ({ f, signed: this.layout.ports[f.portIndex]!.signed }));
    return (bits) => {
      const vals = parts.map(({ f, signed }) => {
        const raw = BigInt.asUintN(f.width, bits >> BigInt(f.lo));
        return `${f.port}: ${signed ? BigInt.asIntN(f.width, raw) : raw}`;
      });
      return vals.length === 1 ? vals[0]!.slice(vals[0]!.indexOf(': ') + 2) : `{${vals.reverse().join(', ')}}`;
    };
  }
  private codecOrNone(stream: string): Codec<PayloadType> | undefined {
    const s = this.manifest.streams.find((x) => x.name === stream);
    if (!s) throw new HarnessSetupError(`${this.manifest.top} has no stream '${stream}' (its streams: ${this.manifest.streams.map((x) => `'${x.name}'`).join(', ') || 'none'})`);
    return streamCodec(s);
  }

  /** Runs until the goal; throws {@link HangError} or {@link RunLimitError} when it is not reached. */
  async run(o: RunOptions = {}): Promise<RunResult> {
    const t0 = performance.now();
    const goal = o.until !== undefined || o.drain === true || o.cycles === undefined;
    const targets = this.layout.outStreams.map((s) => o.until?.[s.name]);
    for (const name of Object.keys(o.until ?? {})) streamOf(this.layout, name, 'out');
    const drain = o.drain ?? (o.until === undefined && o.cycles === undefined);
    const maxCycles = o.cycles ?? 10_000_000;
    const start = this.now;
    // Room for the awaited tokens in one piece, so the store does not regrow (and copy) during the run;
    // made when the first token arrives (see TokenStore.expect); capped at 64 MiB of tokens against
    // targets far above what will arrive.
    this.stores.forEach((st, i) => {
      const t = targets[i];
      if (t !== undefined && t > st.count) st.expect(Math.min(t - st.count, Math.floor(2 ** 26 / st.tokenBytes)));
    });
    const r = await this.backend.run({ maxCycles, idleLimit: goal ? this.opts.hangCycles ?? 10_000 : 0, targets, drain }, this.stores);
    this.absorb(r);
    if (r.status !== 'done') await this.stopped(r, targets, maxCycles);
    return { cycles: r.cycle - start, cycle: r.cycle, seconds: (performance.now() - t0) / 1000 };
  }

  private absorb(r: RunReply): void {
    this.now = r.cycle;
    this.layout.inStreams.forEach((s, i) => this.accepted.set(s.name, r.ins[i]!.accepted));
  }

  private async stopped(r: RunReply, targets: (number | undefined)[], maxCycles: number): Promise<never> {
    const stalled: StalledStream[] = [];
    this.layout.inStreams.forEach((s, i) => {
      const x = r.ins[i]!;
      if (x.queued > 0) stalled.push({ stream: s.name, dir: 'in', ...x.state, waiting: x.queued, moved: x.accepted });
    });
    this.layout.outStreams.forEach((s, i) => {
      const t = targets[i];
      const got = this.out.get(s.name)!.count;
      if (t !== undefined && got < t) stalled.push({ stream: s.name, dir: 'out', ...r.outs[i]!.state, waiting: t - got, moved: got });
    });
    const from = Math.max(0, r.lastMove - 32);
    const wave = await this.failureWave(`${r.status}-c${r.lastMove}`, from, Math.min(r.cycle, r.lastMove + 96)).catch(() => undefined);
    const info = { design: this.manifest.top, seed: this.seed, backend: this.backend.kind, cycle: r.cycle, lastMove: r.lastMove, stalled, wave };
    if (r.status === 'hang') throw new HangError({ ...info, idleCycles: r.cycle - r.lastMove - 1 });
    throw new RunLimitError({ ...info, maxCycles });
  }

  private store(stream: string): TokenStore {
    streamOf(this.layout, stream, 'out');
    return this.out.get(stream)!;
  }

  /**
   * All tokens received so far on an output stream, in order. Built on demand from the raw store (one
   * bigint per token, converted once: later calls only convert the tokens that arrived since); for
   * long runs {@link receivedRaw} avoids the conversion.
   */
  received(stream: string): bigint[] {
    return this.store(stream).tokens();
  }
  /** Tokens received so far as field values (signed fields negative): `[{ a: -3, b: [1, 2, 3] }]`. */
  receivedFields(stream: string): Host<PayloadType>[];
  /** The same with bigint leaves, for fields wider than 53 bits. */
  receivedFields(stream: string, opts: { bigint: true }): TokenFields[];
  receivedFields(stream: string, opts: { bigint?: boolean } = {}): Host<PayloadType>[] | TokenFields[] {
    const c = this.codec(stream);
    const bits = this.received(stream);
    return opts.bigint ? bits.map((b) => c.decodeBig(b) as TokenFields) : c.decodeAll(bits);
  }
  /** The cycle of each received token (built on demand like {@link received}; see {@link cyclesRaw}). */
  cycles(stream: string): number[] {
    return this.store(stream).cycles();
  }
  /** Number of tokens received so far on an output stream (no conversion). */
  receivedCount(stream: string): number {
    return this.store(stream).count;
  }
  /**
   * The received tokens without any per-token conversion: a `BigUint64Array` (one token per element)
   * for streams up to 64 bits, else a `Uint32Array` with `ceil(width / 32)` little-endian words per
   * token. A view of the session's buffer: valid until the next `run`, copy it to keep it longer.
   */
  receivedRaw(stream: string): BigUint64Array | Uint32Array {
    return this.store(stream).raw();
  }
  /** The cycle of each received token as a `Float64Array` view (valid until the next `run`). */
  cyclesRaw(stream: string): Float64Array {
    return this.store(stream).cyclesRaw();
  }
  /** Tokens accepted so far on an input stream. */
  acceptedCount(stream: string): number {
    streamOf(this.layout, stream, 'in');
    return this.accepted.get(stream)!;
  }

  /**
   * In-order check of everything received on `stream` against `expected` (bit patterns, or field
   * values). On a mismatch, writes a waveform window around the first bad token (unless
   * `failureWaves: false`) and throws a {@link ScoreboardError} with the full report, which shows
   * both tokens as fields (signed fields signed) when the stream's payload type is known.
   */
  async scoreboard(stream: string, expected: readonly bigint[] | readonly TokenValue[]): Promise<void> {
    const s = streamOf(this.layout, stream, 'out');
    const rec = this.out.get(stream)!;
    const c = this.codecOrNone(stream);
    const want = isBitPatterns(expected) ? (expected as readonly bigint[]) : Array.from(this.codec(stream).encodeAll(expected));
    const m = scoreboard(want, rec.tokens());
    if (!m) return;
    const cycle = rec.cycleAt(m.index);
    const lastCycle = rec.cycleAt(rec.count - 1);
    const at = cycle ?? this.now;
    let wave: string | undefined;
    let waveError: string | undefined;
    try {
      wave = await this.failureWave(`${stream}-t${m.index}`, Math.max(0, at - 40), at + 24);
    } catch (e) {
      waveError = (e as Error).message.split('\n')[0];
    }
    throw new ScoreboardError(m, { design: this.manifest.top, stream, width: s.width, seed: this.seed, backend: this.backend.kind, cycle, lastCycle, wave, waveError, show: c?.show ?? this.portShow(s) });
  }

  /**
   * Writes a waveform of cycles [from, to] by replaying this session in a tracing build; returns its
   * path. Used automatically on failures; callable directly to look at any window.
   */
  async waveform(from: number, to: number, name = `c${from}-${to}`): Promise<string> {
    const format = this.waveFormat();
    const dir = this.opts.waveDir ?? join(cacheRoot(), 'waves');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${this.manifest.top}-${this.backend.kind}-seed${this.seed}-${name}.${format}`);
    await this.backend.flush();
    await this.backend.replayWithWaves(path, format, from, to);
    return path;
  }

  private waveFormat(): WaveFormat {
    const w = this.opts.waves;
    return typeof w === 'string' ? w : typeof w === 'object' && w.format ? w.format : 'vcd';
  }

  private async failureWave(name: string, from: number, to: number): Promise<string | undefined> {
    if (this.opts.failureWaves === false || this.opts.record === false) return undefined;
    return this.waveform(from, to, name);
  }

  /**
   * Every token that crossed each internal stream so far (a session opened with `trace: true`), by
   * tap name, with its cycle, and valid/ready now.
   */
  async taps(): Promise<Map<string, TapRecord>> {
    const taps = this.layout.taps;
    if (!taps || !(this.backend instanceof VerilatorBackend))
      throw new HarnessSetupError(`taps(): open the session with { trace: true } (Verilator back end) to record ${this.manifest.top}'s internal streams`);
    this.tapRecords ??= emptyTapRecords(taps);
    if (taps.length === 0) return new Map(); // nothing to trace: the harness was built without taps
    const dir = mkdtempSync(join(tmpdir(), 'hwflow-taps-'));
    try {
      await this.backend.writeTaps(join(dir, 'taps.bin'));
      absorbTapsFile(join(dir, 'taps.bin'), taps, this.tapRecords);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return new Map(this.tapRecords.map((r) => [r.name, r]));
  }
  private tapRecords: TapRecord[] | undefined;

  /** Drive an input port directly (queued; sent with the next run, step-and-peek or close). */
  poke(port: string, value: bigint | number): void {
    const p = portOf(this.layout, port);
    if (p.dir !== 'in' || p.name === this.layout.clock) throw new RangeError(`poke: '${port}' is not a drivable input of ${this.layout.top}`);
    this.backend.poke(p.index, BigInt(value));
    if (this.opts.trace) this.inputLog.poked.set(port, BigInt.asUintN(p.width, BigInt(value)));
  }
  /** Clock `n` cycles without the stream drivers (ports keep their poked values). */
  step(n = 1): void {
    this.backend.step(n);
    this.now += n;
  }
  /** A port's current value, signed ports read as signed. Sends the queued pokes and steps first. */
  async peek(port: string): Promise<bigint> {
    const p = portOf(this.layout, port);
    const r = await this.backend.peek(p.index);
    this.now = r.cycle;
    return p.signed ? BigInt.asIntN(p.width, r.value) : r.value;
  }
  /**
   * Peek a port and assert its value: a mismatch throws an error naming the design, the port, the
   * cycle, both values (signed ports as signed, and in hex) and the seed.
   * @param port the port to read
   * @param value the value it must have (negative for a signed port is fine)
   * @param what optional words saying what is being checked, added to the message
   */
  async expect(port: string, value: bigint | number, what?: string): Promise<void> {
    const p = portOf(this.layout, port);
    const actual = await this.peek(port);
    const want = p.signed ? BigInt.asIntN(p.width, BigInt(value)) : BigInt.asUintN(p.width, BigInt(value));
    if (actual === want && BigInt(value) === want) return;
    const show = (v: bigint): string => `${v} (${hex(BigInt.asUintN(p.width, v), p.width)})`;
    throw new Error(`expect failed on port '${port}' of ${this.manifest.top} at cycle ${this.now}${what ? ` (${what})` : ''}: ` +
      `expected ${BigInt(value) === want ? show(want) : `${value}, which does not fit ${p.signed ? 'sint' : 'uint'}(${p.width})`}, got ${show(actual)}` +
      `; seed ${this.seed} (reproduce with HWFLOW_SEED=${this.seed})`);
  }
  /** Hold reset for `cycles` cycles. */
  reset(cycles = 2): void {
    this.backend.reset(cycles);
    this.now += cycles;
  }
  /** Fault injection for tests of the harness itself: the simulator aborts at this cycle. */
  injectCrashAt(cycle: number): void {
    this.backend.abortAt(cycle);
  }

  /** Ends the simulator. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.backend.close();
  }
  /** Ends the simulator at once (after a failure). */
  async kill(): Promise<void> {
    this.closed = true;
    await this.backend.kill();
  }
}

/**
 * Opens a simulation of a design written by `writeDesign` (or any folder with a manifest.json).
 * @param ref the design folder (or `{ dir, manifest }`) written by `writeDesign`
 * @param opts back end, seed, random stalls, waveforms, random initial values
 */
export async function openSim(ref: DesignRef, opts: SimOptions = {}): Promise<Sim> {
  const { dir, manifest } = loadDesign(ref);
  const layout = layoutOf(manifest);
  if (opts.trace) {
    if (opts.backend === 'icarus') throw new HarnessSetupError(`trace: true needs the Verilator back end (the Icarus testbench records no taps); drop backend: 'icarus'`);
    layout.taps = tapsOf(manifest);
  }
  const files = manifest.files.map((f) => join(dir, f));
  const seed = opts.seed ?? defaultSeed();
  const w = opts.waves;
  const format: WaveFormat | null = !w ? null : typeof w === 'string' ? w : w.format ?? 'vcd';
  const record = opts.record ?? true;
  const kind = opts.backend ?? 'verilator';
  const randomInit = opts.randomInit;
  if (randomInit !== undefined) {
    if (!Number.isInteger(randomInit) || randomInit < 1 || randomInit > 0x7fffffff)
      throw new RangeError(`randomInit must be a seed from 1 to 2147483647, got ${randomInit}`);
    if (kind === 'icarus') throw new Error("randomInit needs the Verilator back end: Icarus starts every register at x, which already shows a missing reset as x on the outputs");
  }
  const backend: Backend = kind === 'icarus'
    ? await (await import('./icarus.ts')).IcarusBackend.open(files, layout, { waves: format, record })
    : await VerilatorBackend.open(files, layout, { waves: format, record, randomInit, compile: opts.compile });
  let wavePath: string | undefined;
  if (format) {
    const dir = opts.waveDir ?? join(cacheRoot(), 'waves');
    mkdirSync(dir, { recursive: true });
    wavePath = typeof w === 'object' && w.path ? resolve(w.path) : join(dir, `${manifest.top}-${kind}-seed${seed}.${format}`);
    backend.trace(0, Number.MAX_SAFE_INTEGER, wavePath);
  }
  const rates = (list: DesignLayout['inStreams'], dflt: number | undefined) =>
    list.map((s) => stallThreshold(opts.stall?.streams?.[s.name] ?? dflt ?? 0, `stream '${s.name}'`));
  for (const name of Object.keys(opts.stall?.streams ?? {}))
    if (![...layout.inStreams, ...layout.outStreams].some((s) => s.name === name)) streamOf(layout, name, 'in');
  backend.setStalls(seed, rates(layout.inStreams, opts.stall?.in), rates(layout.outStreams, opts.stall?.out));
  const sim = new Sim(manifest, layout, seed, backend, opts, wavePath);
  if (layout.reset) sim.reset(opts.resetCycles ?? 2);
  return sim;
}
