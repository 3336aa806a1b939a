// k-induction closes for the library FIFOs (registers, depth 1 and 3; block RAM, depth 3), slices and skid buffer: the
// harness adds the invariants induction needs (flows/formal/invariants.ts), asserted like every
// other property, so `prove --induction` gives a proof for every depth. A broken FIFO must not be
// proven: BMC to depth 2 misses its overwrite, and induction does not close.
import { describe, expect, it } from 'vitest';
import { backwardSlice, connect, elaborate, forwardSlice, In, module, Out, queue, roundRobinArbiter, skidBuffer, Stream, type StreamSink, uint } from '../dsl/index.ts';
import { prove } from '../flows/formal/prove.ts';
import { overwritingFifo } from './formal-designs/broken.ts';
import { streamElement } from './lib-support.ts';

const T = uint(2);
const FIFOS = {
  'registers, depth 1': streamElement('ind_q1', T, T, (s) => queue(s, 1)),
  'registers, depth 3': streamElement('ind_q3', T, T, (s) => queue(s, 3)),
  'block RAM, depth 3': streamElement('ind_b3', T, T, (s) => queue(s, { depth: 3, style: 'bram' })),
};
const SLICES = {
  forwardSlice: [streamElement('ind_fwd', T, T, (s) => forwardSlice(s)), 'in_fwd'],
  backwardSlice: [streamElement('ind_bwd', T, T, (s) => backwardSlice(s)), 'in_bwd'],
  skidBuffer: [streamElement('ind_skid', T, T, (s) => skidBuffer(s)), 'in_skid'],
} as const;

describe('formal: k-induction of FIFOs', () => {
  it.each(Object.entries(FIFOS))('FIFO (%s): proven for every depth', async (name, def) => {
    const r = await prove(elaborate(def), { depth: 2, induction: true });
    expect(r.failed, `${name}: ${r.failed?.where} ${r.failed?.message}`).toBeUndefined();
    expect(r.harness.fifo).toBe('in_fifo');
    expect(r.harness.properties.filter((p) => p.includes('induction invariant')).length).toBeGreaterThanOrEqual(3);
    expect(r.status).toBe('proven');
    console.log(`formal induction ${name}: ${r.seconds.toFixed(2)} s`);
  }, 60_000);

  it.each(Object.entries(SLICES))('%s: proven for every depth', async (name, [def, buffer]) => {
    const r = await prove(elaborate(def), { depth: 2, induction: true });
    expect(r.failed, `${name}: ${r.failed?.where} ${r.failed?.message}`).toBeUndefined();
    expect(r.harness.fifo).toBe(buffer);
    expect(r.status).toBe('proven');
  }, 60_000);

  it('does not prove a FIFO that overwrites when full', async () => {
    const r = await prove(elaborate(overwritingFifo), { depth: 2, induction: true, queue: { input: 'in', output: 'out', capacity: 2 } });
    expect(r.status).not.toBe('proven');
    expect(r.harness.fifo).toBeUndefined();
  }, 60_000);

  it.each([2, 3])('round-robin arbiter of %i inputs: proven for every depth (lock invariants)', async (n) => {
    const ports = { out: Out(Stream(T)), ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`i${i}`, In(Stream(T))])) };
    const def = module(`ind_arb${n}`, ports, (io) => {
      const inputs = io as unknown as Record<string, Parameters<typeof roundRobinArbiter>[0][number]>;
      connect(roundRobinArbiter(Array.from({ length: n }, (_, i) => inputs[`i${i}`]!)).out, (io as unknown as { out: StreamSink<typeof T> }).out);
    });
    const r = await prove(elaborate(def), { depth: 2, induction: true });
    expect(r.failed, `${r.failed?.where} ${r.failed?.message}`).toBeUndefined();
    expect(r.harness.arbiter).toBe('arbiter');
    expect(r.status).toBe('proven');
  }, 60_000);
});
