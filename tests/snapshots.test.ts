// rtl-out/ is exactly what the generators emit today (regenerate with `npm run rtl-out` and review
// the diff): the Verilog of the CI-sized presets byte for byte, the larger presets by the SHA-256 of
// every file (scripts/rtl-snapshot.ts says why); and emission is byte-identical across runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emitVerilog } from '../dsl/index.ts';
import { writeDesign } from '../dsl/output.ts';
import { elaboratePreset } from '../generators/registry.ts';
import { GITIGNORE, HASH_LIST, RTL_OUT, committedHashLines, gitignoreText, hashLines, isCiSized, presetPoints } from '../scripts/rtl-snapshot.ts';

const points = presetPoints().map(({ generator, preset }) => [generator.name, preset, generator] as const);
const REGENERATE = 'run npm run rtl-out and commit rtl-out/';

/** The files the generator writes for a preset, in a temp folder that `check` may read. */
function withGenerated(d: ReturnType<typeof elaboratePreset>, check: (dir: string) => void): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-snap-'));
  try {
    check(writeDesign(d.circuit, path.join(tmp, d.circuit.top.name), d.info).dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

describe('rtl-out snapshots', () => {
  it.each(points)('%s preset %s matches rtl-out/', (_name, preset, g) => {
    const d = elaboratePreset(g, preset);
    const top = d.circuit.top.name;
    withGenerated(d, (dir) => {
      if (!isCiSized(preset)) {
        const committed = committedHashLines().filter((h) => h.top === top).map((h) => h.line);
        expect(committed, `${HASH_LIST}: the hashes of ${top} differ from the generator's output; ${REGENERATE}`).toEqual(hashLines(dir, top));
        return;
      }
      const committed = path.join(RTL_OUT, top);
      expect(fs.existsSync(committed), `${committed} is missing: ${REGENERATE}`).toBe(true);
      const names = fs.readdirSync(dir).sort();
      expect(fs.readdirSync(committed).sort()).toEqual(names);
      for (const f of names)
        expect(fs.readFileSync(path.join(dir, f), 'utf8'), `${committed}/${f} differs from the generator's output`).toBe(fs.readFileSync(path.join(committed, f), 'utf8'));
    });
  });

  it('the hash list and .gitignore name exactly the larger presets, and every folder in rtl-out/ is a preset', () => {
    const tops = points.map(([, preset, g]) => ({ top: elaboratePreset(g, preset).circuit.top.name, large: !isCiSized(preset) }));
    const largeTops = tops.filter((t) => t.large).map((t) => t.top);
    const listed = new Set(committedHashLines().map((h) => h.top));
    expect([...listed], `${HASH_LIST} names other presets than the large ones; ${REGENERATE}`).toEqual(largeTops);
    expect(fs.existsSync(GITIGNORE) && fs.readFileSync(GITIGNORE, 'utf8'), `${GITIGNORE} is stale; ${REGENERATE}`).toBe(gitignoreText(largeTops));
    const stale = fs.readdirSync(RTL_OUT).filter((d) => fs.statSync(path.join(RTL_OUT, d)).isDirectory() && !tops.some((t) => t.top === d));
    expect(stale, `stale folders in ${RTL_OUT}/ (delete them)`).toEqual([]);
  });

  // Twice in one process, with source comments: state left over from one elaboration must not leak
  // into the next. The CI-sized presets are enough for that; every preset is already compared with
  // files another process wrote (above), so determinism across runs is checked for the large ones too.
  it('emits byte-identical Verilog on every elaboration', () => {
    for (const [, preset, g] of points.filter(([, preset]) => isCiSized(preset))) {
      const a = emitVerilog(elaboratePreset(g, preset).circuit, { sourceLocs: true });
      const b = emitVerilog(elaboratePreset(g, preset).circuit, { sourceLocs: true });
      expect(b).toEqual(a);
    }
  });
});
