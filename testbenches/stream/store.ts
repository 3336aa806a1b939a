/**
 * The tokens an output stream has received, kept as the simulator sent them: growable typed arrays
 * filled by block copies straight from the simulator's output rings, with no object per token. Tokens of
 * streams up to 64 bits sit in one 64-bit word each (a `BigUint64Array` view), wider ones as
 * `ceil(width / 32)` little-endian 32-bit words. Cycles arrive as 16-bit steps, each from the token
 * before (a chunk of steps starts from a base cycle), and stay that way until someone asks for them:
 * then they are summed into doubles once. Keeping 2 bytes a token instead of 8 during a run matters
 * because this side runs next to the simulator: every fresh page it touches is CPU the simulator's
 * core shares. `bigint[]` and `number[]` copies are built only when asked for, and only for the
 * tokens not converted before.
 */

export class TokenStore {
  /** Tokens received so far. */
  count = 0;
  /** 32-bit words per stored token: 2 up to 64 bits (so a `BigUint64Array` can view them), else `words`. */
  readonly stride: number;
  private tok: Uint32Array;
  private tok8: Uint8Array;
  /** Capacity in tokens of `tok` and `steps`. */
  private cap = 256;
  /** Cycle step of each token from the one before, or from its chunk's base. */
  private steps: Uint16Array;
  /** Chunks of steps: first token index and base cycle, in order. */
  private readonly chunkAt: number[] = [];
  private readonly chunkBase: number[] = [];
  /** Cycles summed from the steps so far (the first `decoded` are valid). */
  private cyc = new Float64Array(0);
  private decoded = 0;
  private readonly bigints: bigint[] = [];
  private readonly numbers: number[] = [];

  constructor(readonly words: number) {
    this.stride = words <= 2 ? 2 : words;
    this.tok = new Uint32Array(256 * this.stride);
    this.tok8 = new Uint8Array(this.tok.buffer);
    this.steps = new Uint16Array(256);
  }

  /** Bytes per token in {@link appendRaw}'s token block. */
  get tokenBytes(): number {
    return this.stride * 4;
  }

  /** Tokens the current run is expected to bring in total ({@link expect}); room is made for them at once. */
  private expected = 0;

  /**
   * The current run should bring the store to `more` tokens beyond those received (its target). Room is
   * made when the first of them arrives, not now: allocating tens of MiB can start a garbage collection,
   * and while the loop is already running (its rings absorb the pause) that costs nothing, whereas
   * before the run it would delay the first input token.
   */
  expect(more: number): void {
    this.expected = this.count + more;
  }

  /** Makes room for `more` tokens beyond those received (and for what {@link expect} announced). */
  reserve(more: number): void {
    const need = Math.max(this.count + more, this.expected);
    if (need <= this.cap) return;
    const cap = Math.max(need, this.cap * 2);
    const tok = new Uint32Array(cap * this.stride);
    tok.set(this.tok.subarray(0, this.count * this.stride));
    const steps = new Uint16Array(cap);
    steps.set(this.steps.subarray(0, this.count));
    this.tok = tok;
    this.tok8 = new Uint8Array(tok.buffer);
    this.steps = steps;
    this.cap = cap;
  }

  /**
   * Room for the next `n` tokens, to be filled straight from an output ring and then {@link commit}ted:
   * `tokens` takes `tokenBytes` raw bytes per token (little-endian), `steps` each token's cycle minus
   * the previous token's (the first one's: minus the chunk's base, given to {@link commit}).
   */
  slot(n: number): { tokens: Uint8Array; steps: Uint8Array } {
    this.reserve(n);
    const t = this.count * this.tokenBytes;
    return { tokens: this.tok8.subarray(t, t + n * this.tokenBytes), steps: new Uint8Array(this.steps.buffer, 2 * this.count, 2 * n) };
  }

  /** Counts the `n` tokens written into the last {@link slot}, whose steps start from cycle `base`. */
  commit(n: number, base: number): void {
    if (n === 0) return;
    this.chunkAt.push(this.count);
    this.chunkBase.push(base);
    this.count += n;
  }

  /** Appends one token (the Icarus back end, whose framing is text). */
  push(token: bigint, cycle: number): void {
    this.reserve(1);
    let t = token;
    const base = this.count * this.stride;
    for (let k = 0; k < this.stride; k++) {
      this.tok[base + k] = Number(t & 0xffffffffn);
      t >>= 32n;
    }
    const last = this.count > 0 ? this.cycleAt(this.count - 1)! : 0;
    if (this.count > 0 && cycle >= last && cycle - last <= 0xffff) {
      this.steps[this.count] = cycle - last;
      this.count++;
    } else {
      this.steps[this.count] = 0;
      this.commit(1, cycle);
    }
  }

  /**
   * The tokens as stored: a `BigUint64Array` (one token per element) for streams up to 64 bits, else a
   * `Uint32Array` with `words` words per token. A view, valid until more tokens arrive.
   */
  raw(): BigUint64Array | Uint32Array {
    return this.stride === 2 ? new BigUint64Array(this.tok.buffer, 0, this.count) : this.tok.subarray(0, this.count * this.stride);
  }

  /** The cycle of each token (a view, valid until more tokens arrive). */
  cyclesRaw(): Float64Array {
    this.decode();
    return this.cyc.subarray(0, this.count);
  }

  /** Cycle of token `i`. */
  cycleAt(i: number): number | undefined {
    if (i < 0 || i >= this.count) return undefined;
    this.decode();
    return this.cyc[i];
  }

  /** Sums the steps of the tokens not decoded yet into `cyc`. */
  private decode(): void {
    if (this.decoded === this.count) return;
    if (this.cyc.length < this.count) {
      const cyc = new Float64Array(Math.max(this.count, 2 * this.cyc.length));
      cyc.set(this.cyc.subarray(0, this.decoded));
      this.cyc = cyc;
    }
    const { steps, cyc, chunkAt, chunkBase } = this;
    // The chunk holding the first undecoded token (chunks are few: one per ring slot).
    let k = chunkAt.length - 1;
    while (chunkAt[k]! > this.decoded) k--;
    let c = this.decoded === chunkAt[k] ? chunkBase[k]! : cyc[this.decoded - 1]!;
    for (let i = this.decoded; i < this.count; i++) {
      if (k + 1 < chunkAt.length && chunkAt[k + 1] === i) c = chunkBase[++k]!;
      cyc[i] = c += steps[i]!;
    }
    this.decoded = this.count;
  }

  /** The tokens as bigints; one array, extended in place with the tokens that arrived since the last call. */
  tokens(): bigint[] {
    const out = this.bigints;
    const from = out.length;
    if (from === this.count) return out;
    if (this.stride === 2) {
      const v = new BigUint64Array(this.tok.buffer, 0, this.count);
      for (let i = from; i < this.count; i++) out.push(v[i]!);
    } else {
      const w = this.stride;
      for (let i = from; i < this.count; i++) {
        let v = 0n;
        for (let k = w - 1; k >= 0; k--) v = (v << 32n) | BigInt(this.tok[i * w + k]!);
        out.push(v);
      }
    }
    return out;
  }

  /** The cycles as numbers; one array, extended in place like {@link tokens}. */
  cycles(): number[] {
    const out = this.numbers;
    this.decode();
    for (let i = out.length; i < this.count; i++) out.push(this.cyc[i]!);
    return out;
  }
}
