/**
 * The token rings of one Verilator session: per stream, a file of slots that the simulator maps into
 * its memory and this side reads or writes with positioned I/O. Input tokens wait here (as views of
 * the caller's arrays, never copied) until a run writes them into free slots; output slots are copied
 * straight into the session's typed-array stores. The files live on tmpfs when the machine has one,
 * and lose their names as soon as both processes have them open, so nothing is ever left behind.
 */
import { accessSync, closeSync, constants, mkdtempSync, openSync, readSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DesignLayout } from './layout.ts';
import { outputStride } from './render.ts';
import type { TokenStore } from './store.ts';

/** A ring as the simulator made it: `slots` slots of `cap` tokens, `slotBytes` apart. */
export interface RingGeometry {
  slots: number;
  cap: number;
  slotBytes: number;
}

interface InRing extends RingGeometry {
  fd: number;
  tokenBytes: number;
  /** Slots this side may write (the simulator gives each back with FREE). */
  free: number[];
  /** Tokens written into each slot the simulator holds (FREE repeats the count: a check of step). */
  held: Map<number, number>;
  /** Sent batches (framing words) not yet written into the ring, and how far the first one is. */
  batches: Buffer[];
  at: number;
  unfed: number;
  sent: number;
}

interface OutRing extends RingGeometry {
  fd: number;
  tokenBytes: number;
}

/**
 * Room one stream's ring may come to use: 32 slots of 256 KiB of tokens, plus 2 bytes of cycle step
 * per output token (at most 64 KiB a slot), as `harness.cpp.hbs` sizes them. The files are sparse, so
 * a short session uses a few pages of this.
 */
export const RING_BYTES_PER_STREAM = 10 << 20;

/** Where the rings can go, best first, with the free bytes there (null: not usable). */
export interface RingPlace {
  dir: string;
  free: number | null;
}

/**
 * Picks the folder for a session's ring files: tmpfs when it has room (the rings are then plain
 * memory shared by the two processes), else the temporary folder (the page cache makes it nearly as
 * fast). Room matters: a write into a full tmpfs through a mapping kills the simulator with SIGBUS,
 * and Docker's default /dev/shm holds only 64 MiB. The margin leaves space for other sessions.
 */
export function pickRingDir(places: readonly RingPlace[], streams: number): string {
  const need = 2 * RING_BYTES_PER_STREAM * Math.max(1, streams) + (64 << 20);
  const ok = places.find((p) => p.free !== null && p.free >= need);
  if (ok) return ok.dir;
  const seen = places.map((p) => `${p.dir} (${p.free === null ? 'not writable' : `${Math.floor(p.free / 2 ** 20)} MiB free`})`).join(', ');
  throw new Error(`no room for the harness's token rings: ${Math.ceil(need / 2 ** 20)} MiB needed for ${streams} streams; ${seen}. Free space there, or set TMPDIR to a folder with room`);
}

function place(dir: string): RingPlace {
  try {
    accessSync(dir, constants.W_OK);
    const s = statfsSync(dir);
    return { dir, free: s.bavail * s.bsize };
  } catch {
    return { dir, free: null };
  }
}

function ringRoot(streams: number): string {
  return pickRingDir([place('/dev/shm'), place(tmpdir())], streams);
}

export class Rings {
  private closed = false;

  private constructor(private readonly ins: InRing[], private readonly outs: OutRing[]) {}

  /**
   * Makes a fresh folder, lets `setup` have the simulator create its ring files there (it answers with
   * their geometry, inputs first), opens them and removes the folder again.
   */
  static async create(layout: DesignLayout, setup: (dir: string) => Promise<RingGeometry[]>): Promise<Rings> {
    const dir = mkdtempSync(join(ringRoot(layout.inStreams.length + layout.outStreams.length), 'hwflow-sim-'));
    const fds: number[] = [];
    const open = (name: string, flags: string) => {
      const fd = openSync(join(dir, name), flags);
      fds.push(fd);
      return fd;
    };
    try {
      const geo = await setup(dir);
      const nIn = layout.inStreams.length;
      const ins = layout.inStreams.map((s, i): InRing => ({
        ...geo[i]!, fd: open(`in${i}.ring`, 'r+'), tokenBytes: 4 * s.words,
        free: Array.from({ length: geo[i]!.slots }, (_, k) => k), held: new Map(), batches: [], at: 0, unfed: 0, sent: 0,
      }));
      const outs = layout.outStreams.map((s, o): OutRing => ({ ...geo[nIn + o]!, fd: open(`out${o}.ring`, 'r'), tokenBytes: outputStride(s.words) }));
      return new Rings(ins, outs);
    } catch (e) {
      for (const fd of fds) closeSync(fd);
      throw e;
    } finally {
      // Both processes hold the files open now: they need no names, and a crash leaves nothing behind.
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Queues a batch of input tokens (framing words) for stream `i`; kept as the caller's memory. */
  enqueue(i: number, data: Buffer): void {
    const r = this.ins[i]!;
    if (data.length === 0) return;
    const n = data.length / r.tokenBytes;
    r.batches.push(data);
    r.unfed += n;
    r.sent += n;
  }

  /** Tokens of stream `i` not written into its ring yet. */
  unfed(i: number): number {
    return this.ins[i]!.unfed;
  }

  /** Tokens ever sent on stream `i`. */
  sent(i: number): number {
    return this.ins[i]!.sent;
  }

  /**
   * Writes the next queued tokens of stream `i` into one free slot; returns the slot and the token
   * count (for FEED), or null when there is no free slot or nothing left to write.
   */
  fillSlot(i: number): { slot: number; n: number } | null {
    const r = this.ins[i]!;
    if (r.free.length === 0 || r.unfed === 0) return null;
    const slot = r.free.shift()!;
    const base = slot * r.slotBytes;
    const room = r.cap * r.tokenBytes;
    let bytes = 0;
    while (bytes < room && r.batches.length > 0) {
      const b = r.batches[0]!;
      const k = Math.min(room - bytes, b.length - r.at);
      writeFully(r.fd, b, r.at, k, base + bytes);
      bytes += k;
      r.at += k;
      if (r.at === b.length) {
        r.batches.shift();
        r.at = 0;
      }
    }
    const n = bytes / r.tokenBytes;
    r.unfed -= n;
    r.held.set(slot, n);
    return { slot, n };
  }

  /** The simulator is done with `slot` of input stream `i`, having used the `n` tokens written there. */
  release(i: number, slot: number, n: number): void {
    const r = this.ins[i];
    const held = r?.held.get(slot);
    if (!r || held === undefined || held !== n)
      throw new Error(`harness framing out of step: FREE of slot ${slot} of input stream #${i} with ${n} tokens (${held === undefined ? 'a slot not fed' : `${held} were fed`})`);
    r.held.delete(slot);
    r.free.push(slot);
  }

  /**
   * Copies the `n` tokens in `slot` of output stream `o` into `store`, with their cycles (16-bit steps
   * from `base`, the cycle of the slot's first token).
   */
  drain(o: number, slot: number, n: number, base: number, store: TokenStore): void {
    const r = this.outs[o];
    if (!r || slot >= r.slots || n > r.cap) throw new Error(`harness framing out of step: CHUNK of ${n} tokens in slot ${slot} of output stream #${o}`);
    const dst = store.slot(n);
    const at = slot * r.slotBytes;
    readFully(r.fd, dst.tokens, n * r.tokenBytes, at);
    readFully(r.fd, dst.steps, 2 * n, at + r.cap * r.tokenBytes);
    store.commit(n, base);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of [...this.ins, ...this.outs]) closeSync(r.fd);
  }
}

function writeFully(fd: number, b: Buffer, at: number, n: number, pos: number): void {
  for (let done = 0; done < n;) done += writeSync(fd, b, at + done, n - done, pos + done);
}

function readFully(fd: number, dst: Uint8Array, n: number, pos: number): void {
  for (let done = 0; done < n;) {
    const k = readSync(fd, dst, done, n - done, pos + done);
    if (k === 0) throw new Error('harness ring file ended early');
    done += k;
  }
}
