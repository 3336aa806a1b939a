/**
 * Per-job stream steering for chunks that run several layers: a job token says which way one
 * layer's tokens go (an input source, or an output destination) and how many tokens the layer has,
 * as the engines walk them — ⌈len / step⌉ tiles of `n` pixels, counted without a divider (a tile
 * offset steps by `step` until it passes `len`). `jobSelect` turns it into one select token per
 * data token, for `streamMux` (a stream of indices) or a `join` in front of a `streamDemux`.
 */
import { Record, mux, streamWire, uint, type ModuleBuilder, type Stream } from '../../dsl/index.ts';

/** The job token `jobSelect` takes: the way (0/1), the layer's length in lanes and its pixels. */
export const jobSelectType = (lenBits: number, nBits: number) => Record({ way: uint(1), len: uint(lenBits), n: uint(nBits) });

/**
 * One select token (the job's way) per data token of each job: ⌈len / step⌉ · n tokens a job.
 * A job token is taken while the previous job's last select token leaves, so jobs follow back to back.
 * @param m the module
 * @param name prefix of the registers and the output stream
 * @param jobs the job tokens {way, len, n} (len, n ≥ 1)
 * @param step lanes of a data token (the tile width the engine steps K or M by)
 */
export function jobSelect(m: ModuleBuilder, name: string, jobs: Stream<ReturnType<typeof jobSelectType>>, step: number): Stream {
  const f = jobs.fields;
  const lenBits = f.len.width + 1;
  const nBits = f.n.width;
  const busy = m.reg(`${name}_busy`, uint(1), { reset: 0 });
  const way = m.reg(`${name}_way`, uint(1));
  const len = m.reg(`${name}_len`, uint(lenBits));
  const n = m.reg(`${name}_n`, uint(nBits));
  const pix = m.reg(`${name}_pix`, uint(nBits));
  const off = m.reg(`${name}_off`, uint(lenBits));
  const out = streamWire(m, name, uint(1));
  out.valid.set(busy);
  out.payload.set(way);
  const fire = busy.and(out.ready).named(`${name}_fire`);
  const lastPix = pix.add(1).trunc(nBits).eq(n).named(`${name}_last_pix`);
  const nextOff = off.add(step).trunc(lenBits);
  const lastTile = nextOff.ge(len).named(`${name}_last_tile`);
  const done = fire.and(lastPix).and(lastTile).named(`${name}_done`);
  const take = jobs.valid.and(busy.not().or(done)).named(`${name}_take`);
  jobs.ready.set(busy.not().or(done));
  busy.set(mux(take, 1, mux(done, 0, busy)));
  m.when(take, () => {
    way.set(f.way);
    len.set(f.len.extend(lenBits));
    n.set(f.n);
    pix.set(0);
    off.set(0);
  });
  m.when(fire.and(take.not()), () => {
    pix.set(mux(lastPix, 0, pix.add(1).trunc(nBits)));
    m.when(lastPix, () => off.set(nextOff));
  });
  return out;
}
