// The stream handshakes of accelerator top levels (CI presets) by BMC: every output stream keeps
// valid and payload until ready, given inputs that do the same. Written memories are read as free
// values (a sound over-approximation: see prove's `cutMemories`), which keeps each run to a few
// seconds; a small depth covers only the first cycles after power-up. vitcod and the rest are in
// `npm run bench:formal` (docs/benchmarks.md, "Formal").
import { describe, expect, it } from 'vitest';
import { prove } from '../flows/formal/prove.ts';
import { elaboratePreset, registry } from '../generators/registry.ts';

const DEPTH = 3;

describe('formal: accelerator top levels', () => {
  it.each(['shiftadd', 'castling', 'smartexchange', 'gcod'])(`%s (ci preset): stream handshakes hold for ${DEPTH} cycles`, async (name) => {
    const { circuit } = elaboratePreset(registry[name]!);
    const r = await prove(circuit, { depth: DEPTH, cutMemories: true });
    expect(r.failed, `${name}: ${r.failed?.where} ${r.failed?.message}`).toBeUndefined();
    expect(r.status).toBe('bounded');
    expect(r.memoriesCut).toBe(true);
    // Every stream of the top level is checked: one handshake property pair per stream at least.
    expect(r.harness.properties.length).toBeGreaterThanOrEqual(circuit.top.streams.length);
    console.log(`formal ${name}: ${r.harness.properties.length} properties, depth ${DEPTH} in ${r.seconds.toFixed(1)} s`);
  }, 120_000);
});
