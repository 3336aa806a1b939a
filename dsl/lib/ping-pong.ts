/**
 * A ping-pong (double) buffer: two halves of one memory, so a producer fills one half while a
 * consumer reads the other (HLS's PIPO channel). The halves swap on handshakes:
 *  - the producer writes into its half while `writeReady`, and drives `commit` for one cycle when
 *    the half is complete; the half becomes the consumer's, and the producer moves to the other;
 *  - the consumer reads its half while `readReady`, and drives `release` when done with it.
 * A commit only counts while `writeReady` and a release only while `readReady`, so neither side
 * can overrun the other. Both halves live in one memory (the half is the top address bit) with a
 * synchronous read, so yosys maps it to one block RAM.
 */
import { LazyLoc, ParamError } from '../errors.ts';
import type { ModuleBuilder, Signal } from '../builder/module.ts';
import { bool, uint } from '../builder/ports.ts';
import { cat, mux, type Value } from '../builder/value.ts';
import { clog2, type HwType } from '../ir/types.ts';
import { noteElement } from './notes.ts';

/** Two memory halves: the producer fills one while the consumer reads the other; `commit`/`release` swap them. */
export class PingPongBuffer {
  /** Drive high for one cycle when the producer's half is complete (counts only while writeReady). */
  readonly commit: Signal;
  /** Drive high when the consumer is done with its half (counts only while readReady). */
  readonly release: Signal;
  /** The producer's half is free to be written. */
  readonly writeReady: Value;
  /** The consumer's half holds committed data. */
  readonly readReady: Value;
  /** Which half the producer writes and the consumer reads (0 or 1). */
  readonly writeHalf: Value;
  readonly readHalf: Value;
  /** Address width within one half. */
  readonly addrWidth: number;
  private readonly mem;

  constructor(
    readonly m: ModuleBuilder,
    readonly name: string,
    readonly type: HwType,
    readonly depth: number,
  ) {
    if (!Number.isInteger(depth) || depth < 2 || (depth & (depth - 1)) !== 0)
      throw new ParamError(`ping-pong buffer '${name}' depth (words per half) must be a power of two >= 2, got ${depth}`, new LazyLoc().get(), { field: 'depth', value: depth });
    this.addrWidth = clog2(depth);
    this.mem = m.mem(`${name}_mem`, { type, depth: 2 * depth });
    const full = [m.reg(`${name}_full0_q`, bool(), { reset: 0 }), m.reg(`${name}_full1_q`, bool(), { reset: 0 })] as const;
    const wsel = m.reg(`${name}_wsel_q`, uint(1), { reset: 0 });
    const rsel = m.reg(`${name}_rsel_q`, uint(1), { reset: 0 });
    this.commit = m.wire(`${name}_commit`, bool());
    this.release = m.wire(`${name}_release`, bool());
    this.writeHalf = wsel;
    this.readHalf = rsel;
    this.writeReady = mux(wsel, full[1], full[0]).not().named(`${name}_write_ready`);
    this.readReady = mux(rsel, full[1], full[0]).named(`${name}_read_ready`);
    const commitFire = this.commit.and(this.writeReady);
    const releaseFire = this.release.and(this.readReady);
    // A commit fills the producer's half and a release empties the consumer's: never the same half.
    full.forEach((f, i) => {
      m.when(commitFire.and(wsel.eq(i)), () => f.set(1)).elsewhen(releaseFire.and(rsel.eq(i)), () => f.set(0));
    });
    m.when(commitFire, () => wsel.set(wsel.not()));
    m.when(releaseFire, () => rsel.set(rsel.not()));
    noteElement(m, { element: 'ping_pong_buffer', name, latency: 1, ii: 1, capacity: 2 * depth });
  }
  /** Write into the producer's half (only while writeReady). */
  write(addr: Value, data: Value, enable: Value): void {
    this.mem.write(cat(this.writeHalf, addr), data, enable.and(this.writeReady));
  }
  /** Synchronous read from the consumer's half: the word appears one cycle later. */
  read(addr: Value, enable: Value): Value {
    return this.mem.read(cat(this.readHalf, addr), enable);
  }
}

/**
 * A ping-pong buffer of two halves of `depth` words each.
 * @param m the module to build in
 * @param name name prefix of its memories and registers
 * @param opts word type and words per half
 */
export function pingPongBuffer(m: ModuleBuilder, name: string, opts: { type: HwType; depth: number }): PingPongBuffer {
  return new PingPongBuffer(m, name, opts.type, opts.depth);
}
