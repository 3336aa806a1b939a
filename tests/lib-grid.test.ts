// PE grids (weight-stationary and output-stationary systolic arrays against a matrix product) and
// the ping-pong buffer (a producer filling one half while a consumer reads the other).
import { describe, expect, it } from 'vitest';
import {
  In, Out, Vec, bool, connect, deskew, module, peGrid, pingPongBuffer, readStream, s, sint, skew, streamWire, uint, type Value, Stream, type SignalPorts,
} from '../dsl/index.ts';
import { makeRng, randomBits, runStreams, simulate } from './lib-support.ts';

const rand = (rng: () => number, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

describe('PE grid', () => {
  it('weight-stationary: activations flow east, partial sums flow south, y = Wᵀx every cycle', () => {
    const K = 3;
    const M = 4;
    const rng = makeRng(101);
    const W = Array.from({ length: K }, () => Array.from({ length: M }, () => rand(rng, -8, 7)));
    const ports: SignalPorts = {};
    for (let k = 0; k < K; k++) ports[`x${k}`] = In(sint(8));
    for (let j = 0; j < M; j++) ports[`y${j}`] = Out(sint(16));
    const def = module('ws_array_k3_m4', ports, (io, m) => {
      const x = skew(m, 'x_skew', Array.from({ length: K }, (_, k) => io[`x${k}`]!));
      const grid = peGrid<Value, Value>(m, {
        rows: K, cols: M, west: x, north: Array.from({ length: M }, () => s(16, 0)),
        pe: ({ row, col, west, north }) => ({ east: west, south: north.add(west.mul(s(4, W[row]![col]!)).extend(16)).trunc(16) }),
      });
      deskew(m, 'y_deskew', grid.south).forEach((y, j) => io[`y${j}`]!.set(y));
    });
    const { sim } = simulate(def);
    sim.reset();
    const L = K + M - 1;
    const xs: number[][] = [];
    for (let t = 0; t < 60; t++) {
      const x = Array.from({ length: K }, () => rand(rng, -128, 127));
      xs.push(x);
      x.forEach((v, k) => sim.poke(`x${k}`, v));
      if (t >= L) {
        const src = xs[t - L]!;
        for (let j = 0; j < M; j++) expect(sim.peek(`y${j}`), `t ${t}, column ${j} (seed 101)`).toBe(BigInt(src.reduce((a, v, k) => a + v * W[k]![j]!, 0)));
      }
      sim.step();
    }
  });

  it('flags in skewed and PE-linked bundles reset to 0; data registers have none', () => {
    const def = module('skew_flags', { v: In(bool()), d: In(uint(8)), vo: Out(Vec(bool(), 3)), so: Out(bool()) }, (io, m) => {
      const lanes = skew(m, 'sk', [io.v, io.v, io.v]);
      io.vo.forEach((o, i) => o.set(lanes[i]!));
      const g = peGrid<{ valid: Value; x: Value }, Value>(m, {
        rows: 1, cols: 2, west: [{ valid: io.v, x: io.d }], north: [io.v, io.v],
        pe: ({ west, north }) => ({ east: west, south: north.and(west.valid) }),
      });
      io.so.set(g.east[0]!.valid);
    });
    const { sim, circuit } = simulate(def);
    const regs = circuit.top.signals.filter((x) => x.kind === 'reg');
    expect(regs.filter((r) => r.type.width === 1).every((r) => r.reset === 0n), 'every 1-bit register resets').toBe(true);
    expect(regs.filter((r) => r.type.width > 1).every((r) => r.reset === undefined), 'data registers have no reset').toBe(true);
    // Valid flags in flight are dropped by a reset: nothing comes out that was sent before it.
    sim.reset();
    sim.poke('v', 1);
    sim.poke('d', 7);
    sim.step(3);
    sim.poke('v', 0);
    sim.reset();
    for (let t = 0; t < 4; t++) {
      for (let i = 0; i < 3; i++) expect(sim.peek(`vo_${i}`), `lane ${i}, cycle ${t} after reset`).toBe(0n);
      expect(sim.peek('so'), `PE link, cycle ${t} after reset`).toBe(0n);
      sim.step();
    }
  });

  it('output-stationary: operands flow east and south, each PE accumulates C[i][j] = Σ A[i][k]·B[k][j]', () => {
    const R = 3;
    const C = 3;
    const K = 5;
    const ports: SignalPorts = {};
    for (let i = 0; i < R; i++) ports[`a${i}`] = In(sint(8));
    for (let j = 0; j < C; j++) ports[`b${j}`] = In(sint(8));
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) ports[`c${i}${j}`] = Out(sint(20));
    const def = module('os_array_r3_c3', ports, (io, m) => {
      const a = skew(m, 'a_skew', Array.from({ length: R }, (_, i) => io[`a${i}`]!));
      const b = skew(m, 'b_skew', Array.from({ length: C }, (_, j) => io[`b${j}`]!));
      const grid = peGrid<Value, Value, Value>(m, {
        rows: R, cols: C, west: a, north: b,
        pe: ({ row, col, west, north }) => {
          const acc = m.reg(`acc_r${row}c${col}_q`, sint(20), { reset: 0 });
          acc.set(acc.add(west.mul(north).extend(20)).trunc(20));
          return { east: west, south: north, out: acc };
        },
      });
      grid.outs.forEach((row, i) => row.forEach((acc, j) => io[`c${i}${j}`]!.set(acc!)));
    });
    const rng = makeRng(102);
    const A = Array.from({ length: R }, () => Array.from({ length: K }, () => rand(rng, -128, 127)));
    const B = Array.from({ length: K }, () => Array.from({ length: C }, () => rand(rng, -128, 127)));
    const { sim } = simulate(def);
    sim.reset();
    for (let t = 0; t < K + R + C; t++) {
      for (let i = 0; i < R; i++) sim.poke(`a${i}`, t < K ? A[i]![t]! : 0);
      for (let j = 0; j < C; j++) sim.poke(`b${j}`, t < K ? B[t]![j]! : 0);
      sim.step();
    }
    for (let i = 0; i < R; i++)
      for (let j = 0; j < C; j++) expect(sim.peek(`c${i}${j}`), `C[${i}][${j}] (seed 102)`).toBe(BigInt(A[i]!.reduce((acc, v, k) => acc + v * B[k]![j]!, 0)));
  });

  it('rejects edge inputs that do not match the grid with a ParamError naming the field', () => {
    const def = module('grid_bad', { y: Out(bool()) }, (io, m) => {
      peGrid<Value, Value>(m, { rows: 2, cols: 2, west: [io.y], north: [io.y, io.y], pe: (c) => ({ east: c.west, south: c.north }) });
    });
    expect(() => simulate(def)).toThrow(/peGrid west has 1 inputs but there are 2 rows/);
  });
});

describe('ping-pong buffer', () => {
  // The producer writes blocks of D tokens in order; the consumer reads each block backwards.
  const D = 8;
  const def = module('pingpong_reverse_d8', { in: In(Stream(uint(8))), out: Out(Stream(uint(8))) }, (io, m) => {
    const input = io.in;
    const pp = pingPongBuffer(m, 'blocks', { type: uint(8), depth: D });
    const waddr = m.reg('waddr_q', uint(pp.addrWidth), { reset: 0 });
    input.ready.set(pp.writeReady);
    pp.write(waddr, input.payload, input.valid);
    m.when(input.fire, () => waddr.set(waddr.add(1).trunc(pp.addrWidth)));
    pp.commit.set(input.fire.and(waddr.eq(D - 1)));
    const raddr = m.reg('raddr_q', uint(pp.addrWidth), { reset: 0 });
    const addrs = streamWire(m, 'rd_addr', uint(pp.addrWidth));
    addrs.valid.set(pp.readReady);
    addrs.payload.set(raddr.not());
    m.when(addrs.fire, () => raddr.set(raddr.add(1).trunc(pp.addrWidth)));
    pp.release.set(addrs.fire.and(raddr.eq(D - 1)));
    connect(readStream(addrs, uint(8), (a, en) => pp.read(a, en)), io.out);
  });
  const rng = makeRng(103);
  const data = Array.from({ length: 10 * D }, () => randomBits(rng, 8));
  const want = Array.from({ length: 10 }, (_, b) => data.slice(b * D, b * D + D).reverse()).flat();

  it('swaps halves on the commit and release handshakes, under random stalls', () => {
    const { sim } = simulate(def);
    for (const [seed, inStall, outStall] of [[1, 0.3, 0.3], [2, 0.7, 0.1], [3, 0.1, 0.7]] as const) {
      const r = runStreams(sim, { inputs: { in: data }, expect: { out: want.length }, inStall, outStall, seed });
      expect(r.outputs.out, `seed ${seed}`).toEqual(want);
    }
  });

  it('overlaps filling and draining: one token per cycle after the first block', () => {
    const { sim } = simulate(def);
    const r = runStreams(sim, { inputs: { in: data }, expect: { out: want.length } });
    const at = r.outCycles.out!;
    expect(at[0]).toBeLessThanOrEqual(D + 3);
    expect(at[at.length - 1]! - at[0]!).toBe(want.length - 1);
  });
});
