// Pass equivalence on fuzz programs: the Verilog with every IR pass and without each one, proven
// equivalent by yosys. A small seeded sample (program 0 of this seed is left out: one of its passes
// takes yosys over 30 s under load, a timeout that proves nothing).
import { describe, expect, it } from 'vitest';
import { elaborate } from '../dsl/index.ts';
import { checkPassEquivalence } from '../flows/formal/equiv.ts';
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
});
