// Memories: RAM modules and banked memories against a TypeScript model (read-first, enables), and
// yosys mapping the deep FIFO and the RAMs to block RAM on iCE40 and Xilinx 7-series.
import { describe, expect, it } from 'vitest';
import { bankedMemory, bool, In, module, Out, queue, sint, simpleDualPortRam, singlePortRam, uint } from '../dsl/index.ts';
import { makeRng, randomBits, simulate, streamElement, yosysCells } from './lib-support.ts';

describe('RAM modules', () => {
  it('single-port RAM reads the old word on a write (read-first) and holds rdata without enable', () => {
    const { sim } = simulate(singlePortRam({ type: uint(16), depth: 100 }));
    const rng = makeRng(41);
    const model = new Array<bigint>(100).fill(0n);
    let rdata: bigint | undefined;
    sim.reset();
    for (let c = 0; c < 3000; c++) {
      const addr = Math.floor(rng() * 100);
      const en = rng() < 0.8;
      const we = rng() < 0.5;
      const wdata = randomBits(rng, 16);
      sim.poke('addr', addr);
      sim.poke('en', en ? 1 : 0);
      sim.poke('we', we ? 1 : 0);
      sim.poke('wdata', wdata);
      sim.step();
      if (en) {
        rdata = model[addr]!;
        if (we) model[addr] = wdata;
      }
      if (rdata !== undefined) expect(sim.peek('rdata'), `cycle ${c} (seed 41)`).toBe(rdata);
    }
  });

  it('simple dual-port RAM writes and reads independent addresses', () => {
    const { sim } = simulate(simpleDualPortRam({ type: sint(8), depth: 48 }));
    const rng = makeRng(42);
    const model = new Array<bigint>(48).fill(0n);
    let rdata: bigint | undefined;
    sim.reset();
    for (let c = 0; c < 3000; c++) {
      const waddr = Math.floor(rng() * 48);
      const raddr = Math.floor(rng() * 48);
      const we = rng() < 0.6;
      const re = rng() < 0.7;
      const wdata = BigInt(Math.floor(rng() * 256) - 128);
      for (const [k, v] of Object.entries({ waddr, raddr, we: we ? 1 : 0, re: re ? 1 : 0, wdata })) sim.poke(k, v);
      sim.step();
      if (re) rdata = model[raddr]!;
      if (we) model[waddr] = wdata;
      if (rdata !== undefined) expect(sim.peek('rdata'), `cycle ${c} (seed 42)`).toBe(rdata);
    }
  });

  it('banked memory writes words interleaved and reads a whole row or one word', () => {
    const def = module('banked_demo', {
      waddr: In(uint(6)), we: In(bool()), wdata: In(uint(8)), row: In(uint(4)), addr: In(uint(6)), re: In(bool()),
      row0: Out(uint(8)), row1: Out(uint(8)), row2: Out(uint(8)), row3: Out(uint(8)), word: Out(uint(8)),
    }, (io, m) => {
      const mem = bankedMemory(m, 'act', { type: uint(8), depth: 64, banks: 4 });
      mem.write(io.waddr, io.wdata, io.we);
      const row = mem.readRow(io.row, io.re);
      [io.row0, io.row1, io.row2, io.row3].forEach((p, i) => p.set(row[i]!));
      io.word.set(mem.read(io.addr, io.re));
    });
    const { sim } = simulate(def);
    const rng = makeRng(43);
    const model = new Array<bigint>(64).fill(0n);
    sim.reset();
    let want: { row: bigint[]; word: bigint } | undefined;
    for (let c = 0; c < 2000; c++) {
      const waddr = Math.floor(rng() * 64);
      const row = Math.floor(rng() * 16);
      const addr = Math.floor(rng() * 64);
      const we = rng() < 0.5;
      const re = rng() < 0.7;
      const wdata = randomBits(rng, 8);
      for (const [k, v] of Object.entries({ waddr, row, addr, we: we ? 1 : 0, re: re ? 1 : 0, wdata })) sim.poke(k, v);
      sim.step();
      if (re) want = { row: [0, 1, 2, 3].map((b) => model[row * 4 + b]!), word: model[addr]! };
      if (we) model[waddr] = wdata;
      if (want) {
        expect([sim.peek('row0'), sim.peek('row1'), sim.peek('row2'), sim.peek('row3')], `cycle ${c}`).toEqual(want.row);
        expect(sim.peek('word'), `cycle ${c}`).toBe(want.word);
      }
    }
  });

  it('rejects a bad bank count and depth with ParamErrors naming the field', () => {
    const bad = (banks: number, depth: number) =>
      module(`banked_bad_${banks}_${depth}`, { y: Out(uint(1)) }, (io, m) => {
        bankedMemory(m, 'x', { type: uint(8), depth, banks });
        io.y.set(0);
      }).elaborate();
    expect(bad).toBeDefined();
    expect(() => bad(3, 12)).toThrow(/power-of-two bank count, got 3/);
    expect(() => bad(4, 10)).toThrow(/depth must be a multiple of the 4 banks and at least 8, got 10/);
    expect(() => singlePortRam({ type: uint(8), depth: 1 })).toThrow(/RAM depth must be an integer from 2/);
  });
});

describe('yosys maps memories to block RAM', () => {
  const designs = {
    'deep FIFO (1024 x 16)': () => streamElement('fifo_bram_u16_d1024', uint(16), uint(16), (s) => queue(s, 1024)),
    'single-port RAM (512 x 16)': () => singlePortRam({ type: uint(16), depth: 512 }),
    'simple dual-port RAM (1024 x 8)': () => simpleDualPortRam({ type: uint(8), depth: 1024 }),
  };
  it.each(Object.entries(designs))('%s on iCE40 (SB_RAM40_4K) and Xilinx (RAMB18E1/RAMB36E1)', async (_name, make) => {
    const { circuit } = simulate(make());
    const ice = await yosysCells(circuit, 'ice40');
    expect(ice['SB_RAM40_4K'] ?? 0, JSON.stringify(ice)).toBeGreaterThan(0);
    const xil = await yosysCells(circuit, 'xilinx');
    expect((xil['RAMB18E1'] ?? 0) + (xil['RAMB36E1'] ?? 0), JSON.stringify(xil)).toBeGreaterThan(0);
  });
});
