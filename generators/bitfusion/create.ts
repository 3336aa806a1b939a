/**
 * The Bit Fusion array (FracTrain / LDP, ACCELERATORS.md §9): `units` fused units of 16 two-bit
 * bricks (unit.ts), output-stationary, computing Y = X·Wᵀ (Y[m, n] = Σ_k X[m, k]·W[n, k]) at the
 * precision of the job: 2-, 4- or 8-bit operands, 16, 4 or 1 products per unit per cycle.
 *
 * Architecture. Unit u owns column n = g·units + u of a group g of columns and keeps its running sum
 * in an int32 register. Each cycle one `x` token (a chunk of row m: E = 16, 4 or 1 elements as 16
 * digits) is broadcast to every unit and one `w` token brings each unit its own chunk of W[n, ·];
 * each unit adds the sum of its E products. After the last chunk of row m the units' sums go to the
 * output register as one `y` token (a new job's or row's first chunk may go in the same cycle the
 * previous token leaves). Order of the work: groups of columns, then rows, then chunks of K. A job
 * of G = ceil(N / units) groups takes G·M·ceil(K / E) input tokens, one a cycle without stalls.
 * With `fused` = 0 each unit is one fixed int8 multiplier instead (the baseline of the same peak
 * 8-bit throughput), and the host sends every job in the 8-bit layout.
 *
 * Streams (payload types in `bitFusionPorts`):
 *   cfg  one token per job {mode: 0/1/2 = 2/4/8-bit, chunksM1: ceil(K / E) − 1, outsM1: G·M − 1}
 *   x    G·M·ceil(K / E) tokens: 16 digits (modes.ts) of X[m, c·E .. c·E + E − 1]
 *   w    as many: element u = the digits of W[g·units + u, c·E ..] (zero past N or K)
 *   y    G·M tokens: element u = Y[m, g·units + u]
 */
import { In, Out, Record, Stream, Vec, module, sint, uint, mux } from '../../dsl/index.ts';
import { DIGITS } from './modes.ts';
import { bitFusionModuleName, bitFusionSizes, type BitFusionParams } from './params.ts';
import { fusedUnit, macUnit } from './unit.ts';

const digitWord = Vec(uint(2), DIGITS);

export function bitFusionPorts(p: BitFusionParams) {
  const z = bitFusionSizes(p);
  return {
    cfg: In(Stream(Record({ mode: uint(2), chunksM1: uint(z.chunkBits), outsM1: uint(z.outBits) }))),
    x: In(Stream(digitWord)),
    w: In(Stream(Vec(digitWord, p.units))),
    y: Out(Stream(Vec(sint(32), p.units))),
  };
}

export function createBitFusion(p: BitFusionParams) {
  const z = bitFusionSizes(p);
  return module(bitFusionModuleName(p), bitFusionPorts(p), (io, m) => {
    const running = m.reg('running_q', uint(1), { reset: 0 });
    const mode = m.reg('mode_q', uint(2));
    const chunksM1 = m.reg('chunks_m1_q', uint(z.chunkBits));
    const outsM1 = m.reg('outs_m1_q', uint(z.outBits));
    const chunk = m.reg('chunk_q', uint(z.chunkBits));
    const outs = m.reg('outs_q', uint(z.outBits));
    const outValid = m.reg('out_valid_q', uint(1), { reset: 0 });

    io.cfg.ready.set(running.not());
    m.when(io.cfg.fire, () => {
      mode.set(io.cfg.fields.mode);
      chunksM1.set(io.cfg.fields.chunksM1);
      outsM1.set(io.cfg.fields.outsM1);
      chunk.set(0);
      outs.set(0);
      running.set(1);
    });

    // x and w are joined: both go in the same cycle, when the output register is free (or leaving).
    const canGo = running.and(outValid.not().or(io.y.ready)).named('can_go');
    io.x.ready.set(canGo.and(io.w.valid));
    io.w.ready.set(canGo.and(io.x.valid));
    const fire = canGo.and(io.x.valid).and(io.w.valid).named('fire');
    const first = chunk.eq(0);
    const last = chunk.eq(chunksM1).named('last_chunk');

    const sums = io.w.fields.map((wd, u) => {
      const s = p.fused ? fusedUnit(io.x.fields, wd, mode) : macUnit(io.x.fields, wd);
      return s.named(`unit${u}_sum`);
    });
    const results = sums.map((s, u) => {
      const acc = m.reg(`acc${u}_q`, sint(32));
      const next = mux(first, s.extend(32), acc.add(s).trunc(32));
      const result = m.reg(`result${u}_q`, sint(32));
      m.when(fire, () => m.when(last, () => result.set(next)).otherwise(() => acc.set(next)));
      return result;
    });
    m.when(fire.and(last), () => outValid.set(1)).elsewhen(io.y.ready, () => outValid.set(0));
    io.y.valid.set(outValid);
    io.y.setFields(results);

    m.when(fire, () => {
      chunk.set(mux(last, 0, chunk.add(1).trunc(z.chunkBits)));
      m.when(last, () => {
        outs.set(outs.add(1).trunc(z.outBits));
        m.when(outs.eq(outsM1), () => running.set(0));
      });
    });
  });
}
