/**
 * The Verilator back end: builds (or finds in the cache) the design's model linked with the generated
 * C++ harness, and speaks the binary framing of `harness.cpp.hbs` to it. Every command is also kept
 * (as the bytes sent) so that a failing session can be replayed in a tracing build for a waveform.
 */
import { buildVerilatorModel } from '../cache.ts';
import type { Backend, RunReply, RunRequest, WaveFormat } from './backend.ts';
import type { DesignLayout } from './layout.ts';
import { SimProcess } from './process.ts';
import { renderVerilatorHarness } from './render.ts';
import type { TokenStore } from './store.ts';
import { batchLength, decodeTokens, encodeBatch, encodeTokens, type TokenBatch } from './words.ts';

const CMD = { send: 1, run: 2, poke: 3, peek: 4, step: 5, reset: 6, trace: 7, quit: 8, stall: 9, abortAt: 10 } as const;
const MAGIC = { hello: 0x31465748, run: 0x214e5552, peek: 0x4b454550, chunk: 0x4b4e4843 } as const;
const NONE64 = 0xffffffffffffffffn;

function header(cmd: number, bytes: number): Buffer {
  const b = Buffer.allocUnsafe(4 + bytes);
  b.writeUInt32LE(cmd, 0);
  return b;
}

/** Builds the model for `files`/`layout` with the given wave format compiled in (or none). */
async function build(files: string[], layout: DesignLayout, waves: WaveFormat | null) {
  const cpp = renderVerilatorHarness(layout);
  const flags = waves === 'vcd' ? ['--trace'] : waves === 'fst' ? ['--trace-fst'] : [];
  return buildVerilatorModel({ files, top: layout.top, cppFiles: [cpp], flags });
}

export class VerilatorBackend implements Backend {
  readonly kind = 'verilator' as const;
  private pending: Buffer[] = [];
  /** Scratch for the cycle steps of a CHUNK message. */
  private steps = new Uint16Array(0);
  /** Everything sent, for replays; null when recording is off (benchmarks). */
  private log: { cmd: number; bytes: Buffer }[] | null;

  private constructor(
    readonly layout: DesignLayout,
    private readonly files: string[],
    private readonly proc: SimProcess,
    readonly buildSeconds: number,
    readonly cached: boolean,
    record: boolean,
  ) {
    this.log = record ? [] : null;
  }

  /** Builds or finds the model, starts it and checks its greeting against the layout. */
  static async open(files: string[], layout: DesignLayout, opts: { waves: WaveFormat | null; record: boolean }): Promise<VerilatorBackend> {
    const model = await build(files, layout, opts.waves);
    const proc = new SimProcess(model.exe, [], { replyFd: 3 });
    const hello = await proc.read(16);
    if (hello.readUInt32LE(0) !== MAGIC.hello || hello.readUInt32LE(4) !== layout.ports.length
      || hello.readUInt32LE(8) !== layout.inStreams.length || hello.readUInt32LE(12) !== layout.outStreams.length) {
      await proc.kill();
      throw new Error(`the model ${model.exe} does not answer like a harness for ${layout.top} (stale cache entry?)`);
    }
    proc.context = 'after start';
    return new VerilatorBackend(layout, files, proc, model.seconds, model.cached, opts.record);
  }

  private queue(b: Buffer, cmd = b.readUInt32LE(0)): void {
    this.pending.push(b);
    this.log?.push({ cmd, bytes: b });
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const list = this.pending;
    this.pending = [];
    // Small commands are joined into one write; large token batches go to the pipe as they are (a
    // view of the caller's array, never copied).
    let small: Buffer[] = [];
    let last: Promise<void> = Promise.resolve();
    const joinSmall = () => {
      if (small.length) last = this.proc.write(small.length === 1 ? small[0]! : Buffer.concat(small));
      small = [];
    };
    for (const b of list) {
      if (b.length < 1 << 16) {
        small.push(b);
      } else {
        joinSmall();
        last = this.proc.write(b);
      }
    }
    joinSmall();
    await last;
  }

  setStalls(seed: number, ins: number[], outs: number[]): void {
    const b = header(CMD.stall, 4 * (1 + ins.length + outs.length));
    b.writeUInt32LE(seed >>> 0, 4);
    [...ins, ...outs].forEach((t, i) => b.writeUInt32LE(t, 8 + 4 * i));
    this.queue(b);
  }

  send(stream: number, tokens: TokenBatch): void {
    const s = this.layout.inStreams[stream]!;
    const data = encodeBatch(tokens, s.width, s.words, `stream '${s.name}'`);
    const h = header(CMD.send, 8);
    h.writeUInt32LE(stream, 4);
    h.writeUInt32LE(batchLength(tokens, s.words), 8);
    this.queue(h);
    this.queue(data, CMD.send);
  }

  async run(req: RunRequest, stores: TokenStore[]): Promise<RunReply> {
    const outs = this.layout.outStreams;
    const b = header(CMD.run, 16 + 8 * outs.length);
    b.writeBigUInt64LE(BigInt(req.maxCycles), 4);
    b.writeUInt32LE(req.idleLimit, 12);
    b.writeUInt32LE(req.drain ? 1 : 0, 16);
    outs.forEach((_, i) => {
      const t = req.targets[i];
      b.writeBigUInt64LE(t === undefined ? NONE64 : BigInt(t), 20 + 8 * i);
    });
    this.queue(b);
    this.proc.context = 'during run()';
    await this.flush();
    // CHUNK messages (output tokens, sent while the loop goes on) until the RUN reply.
    for (;;) {
      const magic = (await this.proc.read(4)).readUInt32LE(0);
      if (magic === MAGIC.run) break;
      if (magic !== MAGIC.chunk) throw new Error(`harness framing out of step (no RUN reply): ${magic.toString(16)}`);
      const h = await this.proc.read(16);
      const store = stores[h.readUInt32LE(0)];
      if (!store) throw new Error(`harness framing out of step: CHUNK for output stream #${h.readUInt32LE(0)}`);
      const n = h.readUInt32LE(4);
      const slot = store.slot(n);
      await this.proc.readInto(slot.tokens);
      // Cycles come as 16-bit steps from the chunk's first cycle.
      if (this.steps.length < n) this.steps = new Uint16Array(Math.max(n, 2 * this.steps.length));
      const steps = this.steps;
      await this.proc.readInto(new Uint8Array(steps.buffer, 0, 2 * n));
      const cyc = slot.cycles;
      let c = Number(h.readBigUInt64LE(8));
      for (let i = 0; i < n; i++) cyc[i] = c += steps[i]!;
      store.commit(n);
    }
    const head = Buffer.concat([Buffer.alloc(4), await this.proc.read(20 + 20 * this.layout.inStreams.length + 4 * outs.length)]);
    const status = (['done', 'hang', 'limit'] as const)[head.readUInt32LE(4)] ?? 'done';
    const state = (f: number) => ({ valid: (f & 1) !== 0, ready: (f & 2) !== 0 });
    const ins = this.layout.inStreams.map((_, i) => {
      const o = 24 + 20 * i;
      return { accepted: Number(head.readBigUInt64LE(o)), queued: Number(head.readBigUInt64LE(o + 8)), state: state(head.readUInt32LE(o + 16)) };
    });
    const at = 24 + 20 * this.layout.inStreams.length;
    const outReplies: RunReply['outs'] = outs.map((_, o) => ({ state: state(head.readUInt32LE(at + 4 * o)) }));
    this.proc.context = 'after run()';
    return { status, cycle: Number(head.readBigUInt64LE(8)), lastMove: Number(head.readBigUInt64LE(16)), ins, outs: outReplies };
  }

  poke(port: number, value: bigint): void {
    const p = this.layout.ports[port]!;
    const h = header(CMD.poke, 4);
    h.writeUInt32LE(port, 4);
    this.queue(h);
    this.queue(encodeTokens([BigInt.asUintN(p.width, value)], p.width, p.words, `port '${p.name}'`), CMD.poke);
  }

  async peek(port: number): Promise<{ cycle: number; value: bigint }> {
    const p = this.layout.ports[port]!;
    const h = header(CMD.peek, 4);
    h.writeUInt32LE(port, 4);
    this.queue(h);
    this.proc.context = `during peek('${p.name}')`;
    await this.flush();
    const r = await this.proc.read(12 + 4 * p.words);
    if (r.readUInt32LE(0) !== MAGIC.peek) throw new Error('harness framing out of step (no PEEK reply)');
    return { cycle: Number(r.readBigUInt64LE(4)), value: decodeTokens(r.subarray(12), 1, p.words)[0]! };
  }

  step(n: number): void {
    const h = header(CMD.step, 8);
    h.writeBigUInt64LE(BigInt(n), 4);
    this.queue(h);
  }

  reset(cycles: number): void {
    const h = header(CMD.reset, 4);
    h.writeUInt32LE(cycles, 4);
    this.queue(h);
  }

  trace(from: number, to: number, path: string): void {
    const p = Buffer.from(path, 'utf8');
    const h = header(CMD.trace, 20 + p.length);
    h.writeBigUInt64LE(BigInt(from), 4);
    h.writeBigUInt64LE(BigInt(to), 12);
    h.writeUInt32LE(p.length, 20);
    p.copy(h, 24);
    this.queue(h);
  }

  abortAt(cycle: number): void {
    const h = header(CMD.abortAt, 8);
    h.writeBigUInt64LE(BigInt(cycle), 4);
    this.queue(h);
  }

  async close(): Promise<void> {
    this.queue(header(CMD.quit, 0));
    this.proc.context = 'while closing';
    await this.flush();
    const r = await this.proc.close();
    if (r.code !== 0) throw this.proc.crashError();
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  async kill(): Promise<void> {
    await this.proc.kill();
  }

  async replayWithWaves(path: string, format: WaveFormat, from: number, to: number): Promise<void> {
    if (!this.log) throw new Error('this session was opened with record: false; it cannot be replayed for a waveform');
    const traced = await VerilatorBackend.open(this.files, this.layout, { waves: format, record: false });
    // The replay must not crash where the original did before the window is written: drop aborts.
    traced.trace(from, to, path);
    await traced.flush();
    for (const e of this.log) if (e.cmd !== CMD.abortAt && e.cmd !== CMD.trace && e.cmd !== CMD.quit) await traced.proc.write(e.bytes);
    try {
      await traced.close();
    } catch {
      await traced.kill().catch(() => undefined);
    }
  }
}
