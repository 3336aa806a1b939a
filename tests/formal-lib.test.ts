// Every stream element of dsl/lib inside the formal harness, proven by BMC to depth 20: handshakes
// held until ready, and for buffers (FIFOs, slices) occupancy in range and a tracked token that is
// neither lost, duplicated nor reordered. Broken elements written for the test must give counterexamples.
import { describe, expect, it } from 'vitest';
import { elaborate, Simulator } from '../dsl/index.ts';
import { prove } from '../flows/formal/prove.ts';
import { dropsValid, overwritingFifo } from './formal-designs/broken.ts';
import { FORMAL_ELEMENTS } from './formal-elements.ts';

// The register FIFO of depth 3 takes ~10 s of CPU by BMC to depth 20; k-induction proves it for every depth in
// about a second (tests/formal-induction.test.ts), so it is left out here.
const SLOW = new Set(['queue depth 3 (registers)']);
const BUFFERS = new Set(['queue depth 1', 'queue depth 3 (block RAM)', 'forwardSlice', 'backwardSlice', 'skidBuffer']);

describe('formal: dsl/lib elements', () => {
  it.each(Object.entries(FORMAL_ELEMENTS).filter(([n]) => !SLOW.has(n)))('%s keeps the stream rules for 20 cycles', async (name, def) => {
    const r = await prove(elaborate(def), { depth: 20 });
    expect(r.failed, `${name}: ${r.failed?.where} ${r.failed?.message}`).toBeUndefined();
    expect(r.status).toBe('bounded');
    // Buffers are recognised as queues and get the token properties on top of the handshakes.
    expect(r.harness.queue !== undefined, name).toBe(BUFFERS.has(name));
    console.log(`formal ${name}: depth 20 in ${r.seconds.toFixed(2)} s`);
  }, 120_000);

  it('catches an element that drops valid while not ready', async () => {
    const r = await prove(elaborate(dropsValid), { depth: 20 });
    expect(r.status).toBe('counterexample');
    expect(r.failed!.message).toMatch(/output stream 'out' .*formal-designs\/broken\.ts:\d+.*valid dropped before ready/);
    expect(r.failed!.cycle).toBeGreaterThan(0);
  }, 60_000);

  it('catches a FIFO that overwrites when full (token tracking)', async () => {
    const r = await prove(elaborate(overwritingFifo), { depth: 20, queue: { input: 'in', output: 'out', capacity: 2 } });
    expect(r.status).toBe('counterexample');
    expect(r.failed!.message).toMatch(/queue 'in' -> 'out'.*(lost, duplicated or reordered|more tokens inside than its capacity)/);
  }, 60_000);

  it('the IR simulator checks m.assert too, naming the TS line', async () => {
    const { default: counter } = await import('./formal-designs/user-assert.ts');
    const sim = new Simulator(elaborate(counter));
    sim.reset();
    expect(() => sim.step(10)).toThrow(/formal-designs\/user-assert\.ts:8: assertion failed in module 'formal_counter' at cycle \d+: the counter stays below 5/);
  });
});
