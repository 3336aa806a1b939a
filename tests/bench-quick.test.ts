// Every `npm run bench:*` script in its `--quick` mode (tiny sizes, seconds once the models are
// cached), so that no benchmark can stop running unseen. Each run records into a temporary copy of
// docs/benchmarks.md: its generated blocks must be replaced, the hand-written text around them kept,
// and docs/benchmarks.md itself left alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { blockMarkers } from '../bench/record.ts';

const DOC = 'docs/benchmarks.md';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-bench-quick-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The blocks each bench writes. */
const BENCHES: Record<string, string[]> = {
  'bench:elab': ['bench:elab'],
  'bench:harness': ['bench:harness'],
  'bench:shiftadd': ['bench:shiftadd', 'bench:shiftadd-conv'],
  'bench:shiftaddllm': ['bench:shiftaddllm'],
  'bench:gcod': ['bench:gcod'],
  'bench:igcn': ['bench:igcn'],
  'bench:vitcod': ['bench:vitcod'],
  'bench:linear-attention': ['bench:linear-attention'],
  'bench:smartexchange': ['bench:smartexchange'],
  'bench:bitfusion': ['bench:bitfusion'],
  'bench:vsa': ['bench:vsa'],
  'bench:trace': ['bench:trace'],
  'bench:explore': ['bench:explore'],
  'bench:hls': ['bench:hls'],
  'bench:nasa': ['bench:nasa'],
  'bench:formal': ['bench:formal', 'bench:formal-equiv'],
};

/** The text of block `id` (between its markers), or undefined. */
function block(text: string, id: string): string | undefined {
  const [begin, end] = blockMarkers(id);
  const i = text.indexOf(begin);
  return i < 0 ? undefined : text.slice(i + begin.length, text.indexOf(end, i));
}
/** The text outside every generated block. */
const outside = (text: string): string => text.replace(/(<!-- (bench:[^:]+): generated[^\n]*-->)[\s\S]*?(<!-- \2: end -->)/g, '$1$3');

describe('benchmarks, --quick', () => {
  const scripts = JSON.parse(fs.readFileSync('package.json', 'utf8')).scripts as Record<string, string>;

  it('covers every bench:* script of package.json', () => {
    expect(Object.keys(scripts).filter((s) => s.startsWith('bench:')).sort()).toEqual(Object.keys(BENCHES).sort());
  });

  it.each(Object.entries(BENCHES))('%s --quick runs and replaces only its blocks in a copy of docs/benchmarks.md', async (name, ids) => {
    const script = scripts[name]!.match(/^tsx (bench\/\S+\.ts)$/)?.[1];
    expect(script, `package.json's ${name} runs one bench file with tsx`).toBeDefined();
    const doc = fs.readFileSync(DOC, 'utf8');
    const copy = path.join(tmp, `${name.replace(':', '-')}.md`);
    fs.writeFileSync(copy, doc);
    const r = await execa('node', ['--import', 'tsx', script!, '--quick'], { reject: false, all: true, env: { HWFLOW_BENCH_FILE: copy } });
    expect(r.exitCode, r.all).toBe(0);
    const after = fs.readFileSync(copy, 'utf8');
    for (const id of ids) {
      expect(block(doc, id), `docs/benchmarks.md has the block ${id}`).toBeDefined();
      expect(block(after, id)).toMatch(/--quick run \(tiny sizes: these figures are no measurement\)/);
    }
    expect(outside(after)).toBe(outside(doc));
    expect(fs.readFileSync(DOC, 'utf8')).toBe(doc);
  });
});
