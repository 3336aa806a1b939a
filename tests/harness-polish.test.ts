// Harness polish (issue 16, item 8): renderAscii draws a late window (not all x), keeps cycle numbers
// apart and hex values whole; sim.expect peeks and asserts with the port, cycle and seed in its
// message; the scoreboard shows a signed stream's values as signed even without a payload type.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { In, Out, Stream, connect, module, sint, uint } from '../dsl/index.ts';
import type { Manifest } from '../dsl/manifest.ts';
import { openSim, parseVcd, renderAscii } from '../testbenches/index.ts';
import { withSim, writeTempDesign } from '../testbenches/vitest.ts';

// A failure window as the harness writes it: values from cycle 98 on, a 32-bit bus.
const LATE_WINDOW = [
  '$timescale 1ps $end', '$scope module TOP $end',
  '$var wire 1 ! valid $end', '$var wire 32 " data $end',
  '$upscope $end', '$enddefinitions $end',
  '#980', '1!', 'b11011110101011011011111011101111 "',
  '#990', '0!', 'b1 "',
  '#1000', '1!', 'b11111111111111111111111111111111 "',
  '#1030', '0!',
  '#1050',
].join('\n');

describe('renderAscii', () => {
  it('starts at the first cycle the file has, keeps cycle numbers apart and hex values whole', () => {
    const picture = renderAscii(parseVcd(LATE_WINDOW), ['valid', 'data']);
    const hi = '‾'.repeat(8);
    const lo = '_'.repeat(8);
    expect(picture).toBe([
      'cycle 98       99       100      101      102      103      104      105',
      `valid ‾${hi}\\${lo}/${hi}‾${hi}‾${hi}\\${lo}_${lo}_${lo}`,
      'data  |deadbeef|1       |ffffffff',
      '',
    ].join('\n'));
    expect(picture).not.toMatch(/x/);
  });
});

const counter = module('polish_counter', { en: In(uint(1)), up: Out(uint(8)), down: Out(sint(8)) }, (io, m) => {
  const r = m.reg('r_q', uint(8), { reset: 0 });
  m.when(io.en, () => r.set(r.add(1).trunc(8)));
  io.up.set(r);
  io.down.set(r.toSigned().neg().trunc(8));
});
const negate = module('polish_negate', { x: In(Stream(sint(8))), y: Out(Stream(sint(8))) }, (io) => {
  connect(io.x.map(sint(8), (v) => v.neg().trunc(8)), io.y);
});

describe('sim.expect and signed scoreboard values', () => {
  const c = writeTempDesign(counter);
  const n = writeTempDesign(negate);
  afterAll(() => [c, n].forEach((d) => rmSync(join(d.dir, '..'), { recursive: true, force: true })));

  it('sim.expect passes on the value and fails naming port, cycle, both values and the seed', async () => {
    await withSim(c, { seed: 5 }, async (sim) => {
      sim.poke('en', 1);
      sim.step(3);
      await sim.expect('up', 3);
      await sim.expect('down', -3);
      sim.step(2);
      const err = await sim.expect('down', -4, 'after five enabled cycles').then(() => undefined, (e: Error) => e);
      expect(err?.message).toMatch(/expect failed on port 'down' of polish_counter at cycle 7 \(after five enabled cycles\): expected -4 \(0xfc\), got -5 \(0xfb\); seed 5/);
    });
  }, 300_000);

  it('shows a signed stream value as signed when the manifest has no payload type', async () => {
    const manifest = JSON.parse(readFileSync(join(n.dir, 'manifest.json'), 'utf8')) as Manifest;
    for (const st of manifest.streams) delete (st.meta as Record<string, unknown>).type;
    const sim = await openSim({ dir: n.dir, manifest }, { seed: 2, failureWaves: false });
    try {
      sim.send('x', [3n, 0x80n]);
      await sim.run({ until: { y: 2 } });
      const err = await sim.scoreboard('y', [0xfdn, 0x7fn]).then(() => undefined, (e: Error) => e);
      expect(err?.message).toMatch(/expected: {2}0x7f \(127\)\n {2}actual: {4}0x80 \(-128\)/);
    } finally {
      await sim.close();
    }
  }, 300_000);
});
