/**
 * The Icarus back end: the generated `testbench.v.hbs` around the design, compiled by iverilog into a
 * private temporary folder and run by vvp, spoken to in text lines. About 300× slower than Verilator,
 * so it serves cross-checks of short runs; its stall pattern and cycle numbers match Verilator's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { requireTool } from '../../toolchain/tools.ts';
import type { Backend, RunReply, RunRequest, StreamState, WaveFormat } from './backend.ts';
import type { DesignLayout } from './layout.ts';
import type { TokenStore } from './store.ts';
import { SimProcess } from './process.ts';
import { icarusQueueDepth, renderIcarusTestbench } from './render.ts';
import { batchToBigints, TokenRangeError, type TokenBatch } from './words.ts';

const NONE = 'ffffffffffffffff';
const h = (n: number | bigint) => n.toString(16);

/** Parses a hex field printed by vvp; x or z bits are an error worth reporting, not a zero. */
function hexValue(s: string, what: string): bigint {
  if (/[xzXZ]/.test(s)) throw new Error(`${what} has undefined (x/z) bits: ${s}`);
  return BigInt(`0x${s}`);
}

export class IcarusBackend implements Backend {
  readonly kind = 'icarus' as const;
  private pending: string[] = [];
  private log: string[] = [];
  private readonly queued: number[];
  private accepted: number[];

  private constructor(
    readonly layout: DesignLayout,
    private readonly files: string[],
    private readonly proc: SimProcess,
    private readonly tmp: string,
    readonly buildSeconds: number,
  ) {
    this.queued = layout.inStreams.map(() => 0);
    this.accepted = layout.inStreams.map(() => 0);
  }

  readonly cached = false;

  get workDir(): string {
    return this.tmp;
  }

  /** Compiles the testbench and design with iverilog and starts vvp. */
  static async open(files: string[], layout: DesignLayout, _opts: { waves: WaveFormat | null; record: boolean }): Promise<IcarusBackend> {
    const t0 = performance.now();
    const iverilog = requireTool('iverilog');
    const vvp = requireTool('vvp');
    const tb = renderIcarusTestbench(layout);
    const tmp = mkdtempSync(join(tmpdir(), 'hwflow-icarus-'));
    try {
      const out = join(tmp, 'sim.vvp');
      const r = await execa(iverilog, ['-g2005', '-o', out, '-s', 'hwflow_tb', tb, ...files], { reject: false, all: true, stdin: 'ignore' });
      if (r.exitCode !== 0) throw new Error(`iverilog could not compile ${layout.top} with its testbench:\n${r.all ?? ''}`);
      const proc = new SimProcess(vvp, ['-n', out], { cwd: tmp });
      const be = new IcarusBackend(layout, files, proc, tmp, (performance.now() - t0) / 1000);
      const hello = await be.reply('@H');
      if (hello.join(' ') !== `${layout.ports.length} ${layout.inStreams.length} ${layout.outStreams.length}`)
        throw new Error(`the Icarus testbench for ${layout.top} greets with '${hello.join(' ')}'`);
      proc.context = 'after start';
      return be;
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Next line starting with `tag`, as its fields; other vvp output is kept for crash reports. */
  private async reply(tag: string): Promise<string[]> {
    for (;;) {
      const line = await this.proc.readLine();
      if (line.startsWith('@')) {
        const f = line.trim().split(/\s+/);
        if (f[0] !== tag) throw new Error(`Icarus testbench framing out of step: expected ${tag}, got '${line}'`);
        return f.slice(1);
      }
      this.proc.note(line);
    }
  }

  private queue(line: string): void {
    this.pending.push(line);
    this.log.push(line);
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    await this.proc.write(Buffer.from(text, 'latin1'));
  }

  setStalls(seed: number, ins: number[], outs: number[]): void {
    this.queue(['X', h(seed >>> 0), ...[...ins, ...outs].map(h)].join(' '));
  }

  send(stream: number, batch: TokenBatch): void {
    const s = this.layout.inStreams[stream]!;
    const tokens = batchToBigints(batch, s.words);
    const depth = icarusQueueDepth(s.width);
    if (this.queued[stream]! + tokens.length > depth)
      throw new RangeError(`the Icarus back end queues at most ${depth} tokens of ${s.width} bits on stream '${s.name}'; send fewer per run`);
    const max = (1n << BigInt(s.width)) - 1n;
    const lines = [`S ${stream} ${h(tokens.length)}`];
    tokens.forEach((t, i) => {
      if (t < 0n || t > max) throw new TokenRangeError(`stream '${s.name}': token #${i} = ${t} does not fit ${s.width} unsigned bits`);
      lines.push(h(t));
    });
    this.queued[stream]! += tokens.length;
    this.queue(lines.join('\n'));
  }

  async run(req: RunRequest, stores: TokenStore[]): Promise<RunReply> {
    const targets = this.layout.outStreams.map((_, i) => (req.targets[i] === undefined ? NONE : h(req.targets[i]!)));
    this.queue(['R', h(req.maxCycles), h(req.idleLimit), req.drain ? '1' : '0', ...targets].join(' '));
    this.proc.context = 'during run()';
    await this.flush();
    const outs: RunReply['outs'] = this.layout.outStreams.map(() => ({ state: { valid: false, ready: false } }));
    let head: string[];
    for (;;) {
      const line = await this.proc.readLine();
      if (!line.startsWith('@')) {
        this.proc.note(line);
        continue;
      }
      const f = line.trim().split(/\s+/);
      if (f[0] === '@R') {
        head = f.slice(1);
        break;
      }
      if (f[0] !== '@t') throw new Error(`Icarus testbench framing out of step: '${line}'`);
      const o = stores[Number(f[1])]!;
      o.push(hexValue(f[2]!, `a token of output stream '${this.layout.outStreams[Number(f[1])]!.name}'`), Number(hexValue(f[3]!, 'cycle')));
    }
    const state = (x: string): StreamState => ({ valid: (Number(x) & 1) !== 0, ready: (Number(x) & 2) !== 0 });
    const ins: RunReply['ins'] = [];
    for (let i = 0; i < this.layout.inStreams.length; i++) {
      const [acc, q, st] = await this.reply('@I');
      const accepted = Number(hexValue(acc!, 'count'));
      // Tokens accepted since the last run left the queue.
      this.queued[i]! -= accepted - this.accepted[i]!;
      this.accepted[i] = accepted;
      ins.push({ accepted, queued: Number(hexValue(q!, 'count')), state: state(st!) });
    }
    for (const o of outs) o.state = state((await this.reply('@O'))[0]!);
    this.proc.context = 'after run()';
    const status = (['done', 'hang', 'limit'] as const)[Number(head[0])] ?? 'done';
    return { status, cycle: Number(hexValue(head[1]!, 'cycle')), lastMove: Number(hexValue(head[2]!, 'cycle')), ins, outs };
  }

  poke(port: number, value: bigint): void {
    const p = this.layout.ports[port]!;
    this.queue(`P ${port} ${h(BigInt.asUintN(p.width, value))}`);
  }

  async peek(port: number): Promise<{ cycle: number; value: bigint }> {
    this.queue(`K ${port}`);
    this.proc.context = `during peek('${this.layout.ports[port]!.name}')`;
    await this.flush();
    const [c, v] = await this.reply('@K');
    return { cycle: Number(hexValue(c!, 'cycle')), value: hexValue(v!, `port '${this.layout.ports[port]!.name}'`) };
  }

  step(n: number): void {
    this.queue(`T ${h(n)}`);
  }
  reset(cycles: number): void {
    this.queue(`Z ${h(cycles)}`);
  }
  trace(from: number, to: number, path: string): void {
    if (/\s/.test(path)) throw new Error(`the Icarus back end cannot write a waveform to a path with spaces: ${path}`);
    this.queue(`W ${h(from)} ${h(to)} ${path}`);
  }
  abortAt(cycle: number): void {
    this.queue(`A ${h(cycle)}`);
  }

  async close(): Promise<void> {
    this.queue('Q');
    this.proc.context = 'while closing';
    try {
      await this.flush();
      const r = await this.proc.close();
      if (r.code !== 0) throw this.proc.crashError();
    } finally {
      rmSync(this.tmp, { recursive: true, force: true });
    }
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  async kill(): Promise<void> {
    try {
      await this.proc.kill();
    } finally {
      rmSync(this.tmp, { recursive: true, force: true });
    }
  }

  async replayWithWaves(path: string, format: WaveFormat, from: number, to: number): Promise<void> {
    if (format !== 'vcd') throw new Error('the Icarus back end writes VCD only');
    const again = await IcarusBackend.open(this.files, this.layout, { waves: format, record: false });
    again.trace(from, to, path);
    for (const line of this.log) if (!/^[AWQ]\b/.test(line)) again.queue(line);
    try {
      await again.close();
    } catch {
      await again.kill().catch(() => undefined);
    }
  }
}
