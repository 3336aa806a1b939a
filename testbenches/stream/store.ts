/**
 * The tokens an output stream has received, kept as the simulator sent them: growable typed arrays
 * filled by block copies straight from the simulator's output rings, with no object per token. Tokens of
 * streams up to 64 bits sit in one 64-bit word each (a `BigUint64Array` view), wider ones as
 * `ceil(width / 32)` little-endian 32-bit words; cycles as doubles. `bigint[]` and `number[]` copies
 * are built only when asked for, and only for the tokens not converted before.
 */

export class TokenStore {
  /** Tokens received so far. */
  count = 0;
  /** 32-bit words per stored token: 2 up to 64 bits (so a `BigUint64Array` can view them), else `words`. */
  readonly stride: number;
  private tok: Uint32Array;
  private tok8: Uint8Array;
  private cyc: Float64Array;
  private readonly bigints: bigint[] = [];
  private readonly numbers: number[] = [];

  constructor(readonly words: number) {
    this.stride = words <= 2 ? 2 : words;
    this.tok = new Uint32Array(256 * this.stride);
    this.tok8 = new Uint8Array(this.tok.buffer);
    this.cyc = new Float64Array(256);
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
    if (need <= this.cyc.length) return;
    const cap = Math.max(need, this.cyc.length * 2);
    const tok = new Uint32Array(cap * this.stride);
    tok.set(this.tok.subarray(0, this.count * this.stride));
    const cyc = new Float64Array(cap);
    cyc.set(this.cyc.subarray(0, this.count));
    this.tok = tok;
    this.tok8 = new Uint8Array(tok.buffer);
    this.cyc = cyc;
  }

  /**
   * Room for the next `n` tokens, to be filled straight from an output ring and then {@link commit}ted:
   * `tokens` takes `tokenBytes` raw bytes per token (little-endian), `cycles` one number per token.
   */
  slot(n: number): { tokens: Uint8Array; cycles: Float64Array } {
    this.reserve(n);
    const t = this.count * this.tokenBytes;
    return { tokens: this.tok8.subarray(t, t + n * this.tokenBytes), cycles: this.cyc.subarray(this.count, this.count + n) };
  }

  /** Counts the `n` tokens written into the last {@link slot}. */
  commit(n: number): void {
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
    this.cyc[this.count] = cycle;
    this.count++;
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
    return this.cyc.subarray(0, this.count);
  }

  /** Cycle of token `i`. */
  cycleAt(i: number): number | undefined {
    return i >= 0 && i < this.count ? this.cyc[i] : undefined;
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
    for (let i = out.length; i < this.count; i++) out.push(this.cyc[i]!);
    return out;
  }
}
