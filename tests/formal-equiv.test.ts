// Pass equivalence on fuzz programs: the Verilog with every IR pass and without each one, proven
// equivalent by yosys. A small seeded sample (program 0 of this seed is left out: one of its passes
// takes yosys over 30 s under load, a timeout that proves nothing).
import { describe, expect, it } from 'vitest';
import { elaborate, In, module, Out, uint } from '../dsl/index.ts';
import { emitVerilog } from '../dsl/verilog/emit.ts';
import { checkPassEquivalence, proveEquivalent } from '../flows/formal/equiv.ts';
import { programModule } from './fuzz/build.ts';
import { generateProgram } from './fuzz/generate.ts';
import { Rng } from './fuzz/rng.ts';

const SEED = Number(process.env['HWFLOW_SEED'] ?? 20261203);

describe('formal: pass equivalence on fuzz programs', () => {
  it.each([1, 2])(`program %i of seed ${SEED}: every pass keeps the Verilog equivalent`, async (k) => {
    const rng = new Rng(SEED + k);
    const circuit = elaborate(programModule(generateProgram(rng, { maxOps: 10 }), `equiv_p${k}`));
    const results = await checkPassEquivalence(circuit, { timeoutSeconds: 30 });
    // A timeout proves nothing either way; a non-equivalence is a pass bug.
    for (const r of results) expect(r.equivalent, `seed ${SEED + k}, without ${r.pass}: ${r.detail}`).not.toBe(false);
    expect(results.filter((r) => r.equivalent === true).length, 'proven passes').toBeGreaterThan(0);
  }, 200_000);

  // The bad inputs of the check itself: two netlists that differ must not be proven equivalent.
  const acc = module('equiv_acc', { x: In(uint(8)), y: Out(uint(8)) }, (io, m) => {
    const a = m.reg('a', uint(8), { reset: 3 });
    a.set(a.add(io.x).trunc(8));
    io.y.set(a);
  });
  const [gold] = emitVerilog(elaborate(acc), { numberedTemps: true });
  const gate = (from: string, to: string) => {
    expect(gold!.text).toContain(from);
    return [{ name: gold!.name, text: gold!.text.replaceAll(from, to) }];
  };
  it.each([
    ['the same netlist is proven equivalent', gold!.text, gold!.text, true, undefined],
    ['another reset value (declaration and reset branch) is found', "8'd3", "8'd4", false, /register a starts at 8'00000011 .*, 8'00000100/],
    ['another initial value only in the declaration is found', "reg [7:0] a = 8'd3", "reg [7:0] a = 8'd5", false, /register a starts at/],
    ['a subtraction for the addition is found', '} + {', '} - {', false, /the outputs differ within 10 cycles of reset/],
  ] as const)('%s', async (_, from, to, equivalent, detail) => {
    const v = await proveEquivalent('equiv_acc', [gold!], gate(from, to), { seq: 2 });
    expect(v.equivalent, v.detail).toBe(equivalent);
    if (detail) expect(v.detail).toMatch(detail);
  }, 60_000);
});
