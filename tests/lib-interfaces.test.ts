// Interfaces as port types: streams, records and vectors declared once, used in the body, at
// instances, in `connect`, and on the host (codecs, the harness sending and receiving fields).
// examples/luma.ts, a user's design on interfaces, goes through `hwflow gen`, lint and Verilator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import {
  In, Out, Record, Stream, Vec, codec, connect, elaborate, emitVerilog, fieldsRecord, module, queue, s, sint, uint, type HwType, type PortSpec, type StreamType, type Value,
} from '../dsl/index.ts';
import { defineAccelerator } from '../dsl/generator.ts';
import { streamCodec } from '../dsl/manifest.ts';
import luma, { Config, Luma, Pixel } from '../examples/luma.ts';
import { openSim, ScoreboardError } from '../testbenches/index.ts';
import { makeRng, runStreams, simulate, verilatorLint } from './lib-support.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-iface-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The luma example's arithmetic in plain TypeScript (its golden model). */
function lumaGolden(px: { tag: number; rgb: number[] }, offset: number): { tag: number; y: number } {
  const [r, g, b] = px.rgb as [number, number, number];
  return { tag: px.tag, y: Math.floor((r + 2 * g + b) / 4) - offset };
}

describe('interface ports', () => {
  it('flatten to the Verilog ports of today: name_valid/_ready/_payload, name_field, name_i', () => {
    const def = module('flat_names', {
      a: In(Stream(Pixel)), cfg: In(Record({ k: uint(3), w: Vec(sint(4), 2) })), o: Out(Vec(Stream(uint(8)), 2)), y: Out(Stream(sint(9))),
    }, (io) => {
      connect(io.a.map(sint(9), (f) => f.rgb[0]!.extend(9).asSInt()), io.y);
      io.o.forEach((sink, i) => {
        sink.valid.set(io.cfg.k.eq(i));
        sink.payload.set(io.cfg.w[i]!.extend(8).asUInt());
      });
    });
    const top = elaborate(def).top;
    expect(top.ports.map((p) => `${p.kind === 'input' ? 'in' : 'out'} ${p.name}`)).toEqual([
      'in a_valid', 'out a_ready', 'in a_payload', 'in cfg_k', 'in cfg_w_0', 'in cfg_w_1',
      'out o_0_valid', 'in o_0_ready', 'out o_0_payload', 'out o_1_valid', 'in o_1_ready', 'out o_1_payload',
      'out y_valid', 'in y_ready', 'out y_payload',
    ]);
    expect(top.streams.map((x) => `${x.dir} ${x.name}`)).toEqual(['in a', 'out o_0', 'out o_1', 'out y']);
    expect(codec(Pixel).layout).toEqual(streamCodec(top.streams[0]!)!.layout);
  });

  it('instances give typed outputs, feed input streams, and hand out sinks for streams left open', () => {
    const stage = module('iface_stage', { x: In(Stream(sint(8))), k: In(Record({ add: sint(8) })), y: Out(Stream(sint(9))), seen: Out(uint(8)) }, (io, m) => {
      connect(io.x.map(sint(9), (v) => v.add(io.k.add)), io.y);
      const n = m.reg('n', uint(8), { reset: 0 });
      m.when(io.x.fire, () => n.set(n.add(1).trunc(8)));
      io.seen.set(n);
    });
    const def = module('iface_chain', { x: In(Stream(sint(8))), y: Out(Stream(sint(9))), seen: Out(uint(8)) }, (io, m) => {
      const first = m.instance('first', stage, { k: { add: s(8, 3) } }); // x left open: a sink
      connect(queue(io.x, 2), first.x);
      const second = m.instance('second', stage, { x: first.y.map(sint(8), (v) => v.trunc(8)), k: { add: s(8, -1) } });
      connect(second.y, io.y);
      io.seen.set(first.seen);
      expect(() => second.x).toThrow(/input stream 'x' of instance 'second' is already connected/);
    });
    const { sim } = simulate(def);
    const xs = Array.from({ length: 50 }, (_, i) => BigInt.asUintN(8, BigInt(i * 7 - 100)));
    const want = xs.map((t) => BigInt.asUintN(9, BigInt.asIntN(8, BigInt.asIntN(8, t) + 3n) - 1n));
    const r = runStreams(sim, { inputs: { x: xs }, expect: { y: xs.length }, inStall: 0.3, outStall: 0.3, seed: 7 });
    expect(r.outputs.y, 'seed 7').toEqual(want);
  });

  it('hands a sub-record on as one slice of the payload, not a slice and a join per field', () => {
    const Inner = fieldsRecord({ x: 5, y: 7 });
    const def = module('sub_record', { cfg: In(Stream(Record({ a: Inner, b: Vec(sint(3), 2) }))), out: Out(Stream(Inner)) }, (io) => {
      io.out.valid.set(io.cfg.valid);
      io.out.setFields(io.cfg.fields.a);
      io.cfg.ready.set(io.out.ready);
    });
    const v = emitVerilog(elaborate(def)).map((f) => f.text).join('\n');
    expect(v).not.toMatch(/\{/);
    expect(v).toMatch(/cfg_payload\[17:6\]/);
  });

  it('refuses mismatched interfaces at the user\'s line', () => {
    const child = module('iface_child', { x: In(Stream(uint(8))), k: In(Record({ a: uint(2) })), y: Out(Stream(uint(8))) }, (io) => {
      connect(io.x, io.y);
      void io.k;
    });
    type Body = Parameters<typeof module<{ x: PortSpec<'input', StreamType<HwType>> }>>[2];
    const bad = (name: string, body: Body) => () => module(name, { x: In(Stream(uint(4))) }, body).elaborate();
    const line = /lib-interfaces\.test\.ts:\d+: /;
    expect(bad('b1', (io, m) => m.instance('u', child, { x: io.x as never, k: { a: 1 } }))).toThrow(/lib-interfaces\.test\.ts:\d+: input 'x' of instance 'u': stream 'x' carries u4 but u8 is expected/);
    expect(bad('b2', (io, m) => m.instance('u', child, { k: { b: 1 } as never }))).toThrow(line);
    expect(bad('b3', (io, m) => m.instance('u', child, { k: 1 as never }))).toThrow(/input 'k' of instance 'u' is a record \{a\}; got number/);
    expect(bad('b4', (io, m) => m.instance('u', child, { q: 1 } as never))).toThrow(/module 'iface_child' has no port 'q'; its ports are x, k, y/);
    expect(bad('b5', (io, m) => m.instance('u', child, { k: {} as never }))).toThrow(/field 'a' is not connected/);
    expect(() => module('b6', { a: In(Vec(uint(4), 2)), y: Out(Vec(uint(4), 3)) }, (io) => connect(io.a, io.y)).elaborate())
      .toThrow(/lib-interfaces\.test\.ts:\d+: connect: a vector of 3 needs a vector of 3, got an array of 2/);
    expect(() => module('b7', { a: In(Record({ p: uint(4) })), y: Out(Record({ q: uint(4) })) }, (io) => connect(io.a, io.y as never)).elaborate())
      .toThrow(/record fields differ \(missing 'q', unknown 'p'\)/);
  });
});

describe('host codecs', () => {
  const T = Record({ a: sint(8), b: Vec(uint(4), 3), big: uint(60) });
  it('encode fields to the hardware layout and decode them back, signed fields signed', () => {
    const c = codec(T);
    const bits = c.encode({ a: -3, b: [1, 2, 3], big: 2n ** 59n });
    expect(bits).toBe((0xfdn << 72n) | (0x321n << 60n) | (2n ** 59n));
    expect(c.decodeBig(bits)).toEqual({ a: -3n, b: [1n, 2n, 3n], big: 2n ** 59n });
    expect(() => c.decode(bits)).toThrow(/wider than 53 bits; decode it with decodeBig/);
    const small = codec(Pixel);
    const many = small.encodeAll([{ tag: 1, rgb: [1, 2, 3] }, { tag: 15, rgb: [255, 0, 7] }]);
    expect(many).toBeInstanceOf(BigUint64Array);
    expect(small.decodeAll(many)).toEqual([{ tag: 1, rgb: [1, 2, 3] }, { tag: 15, rgb: [255, 0, 7] }]);
    expect(small.show(many[1]!)).toBe('{tag: 15, rgb: [255, 0, 7]}');
  });
  it('name the field that does not fit or is missing', () => {
    const c = codec(T);
    expect(() => c.encode({ a: -129, b: [1, 2, 3], big: 0 })).toThrow(/a = -129 does not fit sint\(8\) \(-128\.\.127\)/);
    expect(() => c.encode({ a: 0, b: [1, 16, 3], big: 0 })).toThrow(/b\[1\] = 16 does not fit uint\(4\)/);
    expect(() => c.encode({ a: 0, b: [1, 2], big: 0 })).toThrow(/b: expected 3 elements of uint\(4\), got 2 elements/);
    expect(() => c.encode({ a: 0, b: [1, 2, 3] } as never)).toThrow(/field 'big' is missing/);
    expect(() => c.encode({ a: 0.5, b: [1, 2, 3], big: 0 })).toThrow(/a: expected an integer of sint\(8\), got 0.5/);
    expect(() => c.encode({ a: 0, b: [1, 2, 3], big: 0, c: 1 } as never)).toThrow(/unknown field 'c'; the fields are a, b, big/);
  });
});

describe('defineAccelerator', () => {
  it('refuses tokens for a stream the design does not have, naming its streams', () => {
    const acc = defineAccelerator<{ w: number }>({
      name: 'iface_acc', description: 'test', params: { w: { kind: 'int', doc: 'width', min: 1, max: 8 } }, presets: { ci: { w: 4 } }, defaultPreset: 'ci',
      create: (p) => module('iface_acc', { x: In(Stream(uint(p.w))), y: Out(Stream(uint(p.w))) }, (io) => connect(io.x, io.y)),
      inputs: () => [], outputs: () => [], golden: () => ({ outputs: {}, counts: {}, idealCycles: 0 }), randomInputs: () => ({}),
      toTokens: () => ({ z: [1] }),
      fromTokens: () => ({}),
    });
    expect(() => acc.encode({ w: 4 }, {})).toThrow(/iface_acc: the design has no stream port 'z'; its streams are x, y/);
  });
});

describe('a user design on interfaces (examples/luma.ts)', () => {
  it('hwflow gen writes lint-clean Verilog and a manifest with each stream\'s type', async () => {
    const out = path.join(tmp, 'luma');
    const r = await execa('node', [path.resolve('bin/hwflow.mjs'), 'gen', 'examples/luma.ts', '--out', out], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.streams.map((x: { name: string; meta: { type: unknown } }) => [x.name, x.meta.type])).toEqual([['px', Pixel], ['y', Luma]]);
    expect(manifest.ports.map((p: { name: string }) => p.name)).toEqual(['clk', 'rst', 'px_valid', 'px_ready', 'px_payload', 'cfg_offset', 'y_valid', 'y_ready', 'y_payload']);
    expect(await verilatorLint(elaborate(luma))).toBe('');
  });

  it('runs in Verilator with fields sent and received, bit-exact with its golden model under stalls', async () => {
    const out = path.join(tmp, 'luma-sim');
    await execa('node', [path.resolve('bin/hwflow.mjs'), 'gen', 'examples/luma.ts', '--out', out]);
    const seed = 11;
    const rng = makeRng(seed);
    const pixels = Array.from({ length: 500 }, () => ({ tag: Math.floor(rng() * 16), rgb: [0, 1, 2].map(() => Math.floor(rng() * 256)) }));
    const offset = -37;
    const sim = await openSim(out, { seed, stall: { in: 0.3, out: 0.3 } });
    try {
      sim.poke('cfg_offset', codec(Config).encode({ offset }));
      sim.send('px', pixels);
      await sim.run({ until: { y: pixels.length } });
      const want = pixels.map((p) => lumaGolden(p, offset));
      expect(sim.receivedFields('y'), `seed ${seed}`).toEqual(want);
      await sim.scoreboard('y', want);
      // A wrong expectation is reported field by field, signed fields signed.
      const wrong = want.map((w, i) => (i === 3 ? { ...w, y: w.y - 1 } : w));
      const err = await sim.scoreboard('y', wrong).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScoreboardError);
      expect((err as Error).message).toContain(`expected:  0x`);
      expect((err as Error).message).toContain(`({tag: ${want[3]!.tag}, y: ${want[3]!.y - 1}})`);
      expect(() => sim.send('nope', [{ tag: 1 }])).toThrow(/luma_filter has no input stream 'nope' \(its input streams: 'px'\)/);
    } finally {
      await sim.close();
    }
  });
});

describe('a manifest written before streams recorded their type', () => {
  it('still runs on bit patterns, and field values get a clear error', async () => {
    const out = path.join(tmp, 'luma-old');
    await execa('node', [path.resolve('bin/hwflow.mjs'), 'gen', 'examples/luma.ts', '--out', out]);
    const file = path.join(out, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const st of manifest.streams) delete st.meta.type;
    fs.writeFileSync(file, JSON.stringify(manifest));
    const sim = await openSim(out, { seed: 1 });
    try {
      expect(() => sim.send('px', [{ tag: 1, rgb: [1, 2, 3] }])).toThrow(/stream 'px' of luma_filter has no payload type in its manifest .*regenerate the design, or use bit patterns/);
      sim.send('px', [codec(Pixel).encode({ tag: 1, rgb: [4, 8, 4] })]);
      await sim.run({ until: { y: 1 } });
      expect(codec(Luma).decode(sim.received('y')[0]!)).toEqual({ tag: 1, y: 6 });
    } finally {
      await sim.close();
    }
  });
});

export type { Value };
