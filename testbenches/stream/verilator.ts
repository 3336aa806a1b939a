/**
 * The Verilator back end: builds (or finds in the cache) the design's model linked with the generated
 * C++ harness, and speaks the framing of `harness.cpp.hbs` to it. Commands and short replies travel
 * over the process's pipes; tokens travel through per-stream rings of slots in files both processes
 * map or read (see {@link Rings}), so that the two sides work at the same time and no token crosses a
 * socket. Every call is also recorded so that a failing session can be replayed in a tracing build for
 * a waveform.
 */
import { buildVerilatorModel } from '../cache.ts';
import type { Backend, RunReply, RunRequest, WaveFormat } from './backend.ts';
import type { DesignLayout } from './layout.ts';
import { SimProcess } from './process.ts';
import { renderVerilatorHarness } from './render.ts';
import { Rings, type RingGeometry } from './rings.ts';
import type { TokenStore } from './store.ts';
import { decodeTokens, encodeBatch, encodeTokens, type TokenBatch } from './words.ts';

const CMD = { run: 2, poke: 3, peek: 4, step: 5, reset: 6, trace: 7, quit: 8, stall: 9, abortAt: 10, io: 11, feed: 12, ack: 13, taps: 14 } as const;
const MAGIC = { hello: 0x32465748, run: 0x214e5552, peek: 0x4b454550, chunk: 0x4b4e4843, free: 0x45455246, ring: 0x474e4952, taps: 0x53504154 } as const;
const NONE64 = 0xffffffffffffffffn;

function command(cmd: number, bytes: number): Buffer {
  const b = Buffer.allocUnsafe(4 + bytes);
  b.writeUInt32LE(cmd, 0);
  return b;
}

/**
 * Builds the model for `files`/`layout` with the given wave format compiled in (or none). With random
 * initial values, every variable without an initial value starts from its own random pattern
 * (`--x-initial unique`, drawn at run time by `randomInitArgs`); `quick` compiles at -O0.
 */
async function build(files: string[], layout: DesignLayout, waves: WaveFormat | null, randomInit: boolean, compile?: 'optimized' | 'quick') {
  const cpp = renderVerilatorHarness(layout);
  const flags = [...(waves === 'vcd' ? ['--trace'] : waves === 'fst' ? ['--trace-fst'] : []), ...(randomInit ? ['--x-initial', 'unique'] : [])];
  // Trace taps read internal wires, which Verilator otherwise may inline or rename.
  if (layout.taps?.length) flags.push('--public-flat-rw');
  // Taps inside child instances: every module inlined, so each wire has one flat name under the top.
  if (layout.taps?.some((t) => t.valid.includes('__DOT__'))) flags.push('--flatten');
  return buildVerilatorModel({ files, top: layout.top, cppFiles: [cpp], flags, compile });
}

/** The model's command line for random initial values from `seed` (Verilator's reset mode 2: random). */
function randomInitArgs(seed: number | undefined): string[] {
  return seed === undefined ? [] : [`+verilator+seed+${seed}`, '+verilator+rand+reset+2'];
}

/** One recorded call, re-made on a tracing back end by {@link VerilatorBackend.replayWithWaves}. */
type Replay = (b: VerilatorBackend) => unknown;

export class VerilatorBackend implements Backend {
  readonly kind = 'verilator' as const;
  private pending: Buffer[] = [];
  /** Every call so far, for replays; null when recording is off (benchmarks). */
  private log: Replay[] | null;
  /** Set while a run's reply is outstanding: no other command may be sent then. */
  private running = false;
  /** How the model was compiled; a waveform replay builds the same way. */
  private compile: 'optimized' | 'quick' | undefined;

  private constructor(
    readonly layout: DesignLayout,
    private readonly files: string[],
    private readonly proc: SimProcess,
    private readonly rings: Rings,
    readonly buildSeconds: number,
    readonly cached: boolean,
    record: boolean,
    /** Seed of the random initial values, or undefined for Verilator's zeros. */
    private readonly randomInit?: number,
  ) {
    this.log = record ? [] : null;
    void proc.ended.then(() => rings.close());
  }

  /** Builds or finds the model, starts it, checks its greeting against the layout and sets up the rings. */
  static async open(files: string[], layout: DesignLayout, opts: { waves: WaveFormat | null; record: boolean; randomInit?: number; compile?: 'optimized' | 'quick' }): Promise<VerilatorBackend> {
    const model = await build(files, layout, opts.waves, opts.randomInit !== undefined, opts.compile);
    const proc = new SimProcess(model.exe, randomInitArgs(opts.randomInit), { replyFd: 3 });
    try {
      const hello = await proc.read(16);
      if (hello.readUInt32LE(0) !== MAGIC.hello || hello.readUInt32LE(4) !== layout.ports.length
        || hello.readUInt32LE(8) !== layout.inStreams.length || hello.readUInt32LE(12) !== layout.outStreams.length)
        throw new Error(`the model ${model.exe} does not answer like a harness for ${layout.top} (stale cache entry?)`);
      const rings = await Rings.create(layout, async (dir) => {
        const path = Buffer.from(dir, 'utf8');
        const io = command(CMD.io, 4 + path.length);
        io.writeUInt32LE(path.length, 4);
        path.copy(io, 8);
        proc.context = 'while setting up its token rings';
        await proc.write(io);
        const head = await proc.read(8);
        if (head.readUInt32LE(0) !== MAGIC.ring) throw new Error('harness framing out of step (no RING reply)');
        const slots = head.readUInt32LE(4);
        const n = layout.inStreams.length + layout.outStreams.length;
        const body = await proc.read(12 * n);
        return Array.from({ length: n }, (_, k): RingGeometry => ({ slots, cap: body.readUInt32LE(12 * k), slotBytes: Number(body.readBigUInt64LE(12 * k + 4)) }));
      });
      proc.context = 'after start';
      const backend = new VerilatorBackend(layout, files, proc, rings, model.seconds, model.cached, opts.record, opts.randomInit);
      backend.compile = opts.compile;
      return backend;
    } catch (e) {
      await proc.kill();
      throw e;
    }
  }

  /**
   * While a run's reply is outstanding the loop reads only FEED and ACK, and tokens sent now could
   * reach it or not depending on timing: every other call must wait for the run.
   */
  private idle(what: string): void {
    if (this.running) throw new Error(`${what}: the simulator is inside run(); await the run first`);
  }

  private queue(b: Buffer): void {
    this.idle('command');
    this.pending.push(b);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const b = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    await this.proc.write(b);
  }

  setStalls(seed: number, ins: number[], outs: number[]): void {
    const b = command(CMD.stall, 4 * (1 + ins.length + outs.length));
    b.writeUInt32LE(seed >>> 0, 4);
    [...ins, ...outs].forEach((t, i) => b.writeUInt32LE(t, 8 + 4 * i));
    this.queue(b);
    this.log?.push((b) => b.setStalls(seed, ins, outs));
  }

  /** Queues the tokens on the TypeScript side; the next run writes them into the stream's ring. */
  send(stream: number, tokens: TokenBatch): void {
    const s = this.layout.inStreams[stream]!;
    this.idle(`send('${s.name}')`);
    this.rings.enqueue(stream, encodeBatch(tokens, s.width, s.words, `stream '${s.name}'`));
    this.log?.push((b) => b.send(stream, tokens));
  }

  async run(req: RunRequest, stores: TokenStore[]): Promise<RunReply> {
    return this.runInto(req, stores);
  }

  /** A run whose output tokens go to `stores`, or nowhere (`null`: replays only want the waveform). */
  private async runInto(req: RunRequest, stores: TokenStore[] | null): Promise<RunReply> {
    this.idle('run()');
    this.log?.push((b) => b.runInto(req, null));
    const { inStreams: ins, outStreams: outs } = this.layout;
    const b = command(CMD.run, 16 + 8 * (outs.length + ins.length));
    b.writeBigUInt64LE(BigInt(req.maxCycles), 4);
    b.writeUInt32LE(req.idleLimit, 12);
    b.writeUInt32LE(req.drain ? 1 : 0, 16);
    outs.forEach((_, i) => {
      const t = req.targets[i];
      b.writeBigUInt64LE(t === undefined ? NONE64 : BigInt(t), 20 + 8 * i);
    });
    // The tokens this run may ask for beyond those already in the rings: the loop waits for them.
    ins.forEach((_, i) => b.writeBigUInt64LE(BigInt(this.rings.unfed(i)), 20 + 8 * outs.length + 8 * i));
    this.queue(b);
    this.proc.context = 'during run()';
    this.running = true;
    try {
      await this.flush();
      ins.forEach((_, i) => this.feed(i));
      // CHUNK and FREE messages, while the loop goes on, until the RUN reply.
      for (;;) {
        const h = await this.proc.read(16);
        const magic = h.readUInt32LE(0);
        if (magic === MAGIC.run) {
          const rest = await this.proc.read(8 + 12 * ins.length + 4 * outs.length);
          return this.runReply(Buffer.concat([h, rest]));
        }
        if (magic === MAGIC.chunk) {
          const o = h.readUInt32LE(4);
          const base = Number((await this.proc.read(8)).readBigUInt64LE(0));
          const store = stores?.[o];
          if (store) this.rings.drain(o, h.readUInt32LE(8), h.readUInt32LE(12), base, store);
          const ack = command(CMD.ack, 4);
          ack.writeUInt32LE(o, 4);
          void this.proc.write(ack);
        } else if (magic === MAGIC.free) {
          this.rings.release(h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12));
          this.feed(h.readUInt32LE(4));
        } else {
          throw new Error(`harness framing out of step (no RUN reply): ${magic.toString(16)}`);
        }
      }
    } finally {
      this.running = false;
      this.proc.context = 'after run()';
    }
  }

  /**
   * Writes queued tokens of input stream `i` into its free slots, announcing each slot (FEED) as soon
   * as it is written so the loop can start on it.
   */
  private feed(i: number): void {
    for (let f = this.rings.fillSlot(i); f; f = this.rings.fillSlot(i)) {
      const msg = command(CMD.feed, 12);
      msg.writeUInt32LE(i, 4);
      msg.writeUInt32LE(f.slot, 8);
      msg.writeUInt32LE(f.n, 12);
      void this.proc.write(msg);
    }
  }

  private runReply(r: Buffer): RunReply {
    const status = (['done', 'hang', 'limit'] as const)[r.readUInt32LE(4)] ?? 'done';
    const state = (f: number) => ({ valid: (f & 1) !== 0, ready: (f & 2) !== 0 });
    const ins = this.layout.inStreams.map((_, i) => {
      const o = 24 + 12 * i;
      const accepted = Number(r.readBigUInt64LE(o));
      return { accepted, queued: this.rings.sent(i) - accepted, state: state(r.readUInt32LE(o + 8)) };
    });
    const at = 24 + 12 * ins.length;
    const outs: RunReply['outs'] = this.layout.outStreams.map((_, o) => ({ state: state(r.readUInt32LE(at + 4 * o)) }));
    return { status, cycle: Number(r.readBigUInt64LE(8)), lastMove: Number(r.readBigUInt64LE(16)), ins, outs };
  }

  poke(port: number, value: bigint): void {
    const p = this.layout.ports[port]!;
    const h = command(CMD.poke, 4);
    h.writeUInt32LE(port, 4);
    const data = encodeTokens([BigInt.asUintN(p.width, value)], p.width, p.words, `port '${p.name}'`);
    this.queue(Buffer.concat([h, data]));
    this.log?.push((b) => b.poke(port, value));
  }

  async peek(port: number): Promise<{ cycle: number; value: bigint }> {
    const p = this.layout.ports[port]!;
    const h = command(CMD.peek, 4);
    h.writeUInt32LE(port, 4);
    this.queue(h);
    this.log?.push((b) => b.peek(port));
    this.proc.context = `during peek('${p.name}')`;
    await this.flush();
    const r = await this.proc.read(12 + 4 * p.words);
    if (r.readUInt32LE(0) !== MAGIC.peek) throw new Error('harness framing out of step (no PEEK reply)');
    return { cycle: Number(r.readBigUInt64LE(4)), value: decodeTokens(r.subarray(12), 1, p.words)[0]! };
  }

  step(n: number): void {
    const h = command(CMD.step, 8);
    h.writeBigUInt64LE(BigInt(n), 4);
    this.queue(h);
    this.log?.push((b) => b.step(n));
  }

  reset(cycles: number): void {
    const h = command(CMD.reset, 4);
    h.writeUInt32LE(cycles, 4);
    this.queue(h);
    this.log?.push((b) => b.reset(cycles));
  }

  trace(from: number, to: number, path: string): void {
    const p = Buffer.from(path, 'utf8');
    const h = command(CMD.trace, 20 + p.length);
    h.writeBigUInt64LE(BigInt(from), 4);
    h.writeBigUInt64LE(BigInt(to), 12);
    h.writeUInt32LE(p.length, 20);
    p.copy(h, 24);
    this.queue(h);
  }

  abortAt(cycle: number): void {
    const h = command(CMD.abortAt, 8);
    h.writeBigUInt64LE(BigInt(cycle), 4);
    this.queue(h);
  }

  async close(): Promise<void> {
    this.queue(command(CMD.quit, 0));
    this.proc.context = 'while closing';
    await this.flush();
    const r = await this.proc.close();
    this.rings.close();
    if (r.code !== 0) throw this.proc.crashError();
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  async kill(): Promise<void> {
    await this.proc.kill();
    this.rings.close();
  }

  /** Asks the harness to write the tap tokens recorded since the last call into `path`, and waits for it. */
  async writeTaps(path: string): Promise<void> {
    const p = Buffer.from(path, 'utf8');
    const h = command(CMD.taps, 4 + p.length);
    h.writeUInt32LE(p.length, 4);
    p.copy(h, 8);
    this.queue(h);
    this.proc.context = 'while writing trace taps';
    await this.flush();
    if ((await this.proc.read(4)).readUInt32LE(0) !== MAGIC.taps) throw new Error('harness framing out of step (no TAPS reply)');
  }

  async replayWithWaves(path: string, format: WaveFormat, from: number, to: number): Promise<void> {
    if (!this.log) throw new Error('this session was opened with record: false; it cannot be replayed for a waveform');
    // The waveform build needs no taps (the VCD has every signal), so it is the one other sessions share.
    const traced = await VerilatorBackend.open(this.files, { ...this.layout, taps: undefined }, { waves: format, record: false, randomInit: this.randomInit, compile: this.compile });
    // Aborts are not recorded: the replay must not crash where the original did before the window is written.
    traced.trace(from, to, path);
    try {
      for (const call of this.log) await call(traced);
      await traced.close();
    } catch {
      await traced.kill().catch(() => undefined);
    }
  }
}
