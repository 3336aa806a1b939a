// The hwflow CLI as a user runs it: gen from a script and from the registry, list, and clear errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/hwflow.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const hwflow = (...args: string[]) => execa('node', [bin, ...args], { reject: false });

describe('hwflow CLI', () => {
  it('gen turns the README example script into Verilog and a manifest', async () => {
    const out = path.join(tmp, 'mac');
    const r = await hwflow('gen', 'examples/mac.ts', '--out', out);
    expect(r.exitCode, r.stderr).toBe(0);
    const v = fs.readFileSync(path.join(out, 'mac_s8.v'), 'utf8');
    expect(v).toMatch(/^module mac_s8 \(/m);
    expect(v).toContain('input  wire signed [7:0]  a,');
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ top: 'mac_s8', clock: 'clk', reset: 'rst', files: ['mac_s8.v'] });
    expect(manifest.ports).toContainEqual({ name: 'acc', dir: 'out', width: 24, signed: true });
  });

  it('gen of a registered design with a parameter override encodes it in the module name', async () => {
    const out = path.join(tmp, 'counter');
    const r = await hwflow('gen', 'counter', '--param', 'width=6', '--param', 'limit=40', '--out', out);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'counter_w6_l40.v'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).params).toEqual({ width: 6, limit: 40 });
  });

  it('list names every registered design with its presets', async () => {
    const r = await hwflow('list');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^counter\s+up-counter/m);
    expect(r.stdout).toMatch(/presets: ci \(default\), wide/);
  });

  it.each([
    [['gen', 'nosuch'], /unknown design 'nosuch'; registered designs: .*counter.*mac/],
    [['gen', 'mac', '--preset', 'huge'], /design 'mac' has no preset 'huge'; presets: ci, wide/],
    [['gen', 'mac', '--param', 'depth=3'], /design 'mac' has no parameter 'depth'; its parameters: width, accWidth/],
    [['gen', 'mac', '--param', 'width=eight'], /parameter 'width' of 'mac' is an integer; got 'eight'/],
    [['gen', 'mac', '--param', 'width=99'], /parameter 'width' of 'mac' = 99 is out of range 2\.\.32/],
    [['gen', 'mac', '--param', 'width'], /parameter 'width' is not of the form key=value/],
    [['gen', 'counter', '--param', 'limit=99'], /parameter 'limit' = 99 does not fit a 4-bit count/],
    [['gen', 'examples/none.ts'], /no design script at 'examples\/none.ts'/],
  ])('rejects %j with a one-line error and exit code 2', async (args, message) => {
    const r = await hwflow(...args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a design error names the user line and leaves the previous output untouched', async () => {
    const script = path.join(tmp, 'broken.ts');
    fs.writeFileSync(path.join(tmp, 'package.json'), '{ "type": "module" }\n');
    fs.writeFileSync(script, [
      `import { In, Out, module, uint } from '${path.resolve('dsl/index.ts')}';`,
      `export default module('broken', { a: In(uint(8)), y: Out(uint(4)) }, (io) => {`,
      `  io.y.set(io.a);`,
      `});`,
    ].join('\n'));
    const out = path.join(tmp, 'keep');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'old.v'), 'previous');
    const r = await hwflow('gen', script, '--out', out);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`broken.ts:3: cannot assign uint(8) to 'y' of type uint(4)`);
    expect(fs.readdirSync(out)).toEqual(['old.v']);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('gen prints elaboration warnings with the user line and records them in the manifest', async () => {
    const script = path.join(tmp, 'skewed.ts');
    fs.writeFileSync(path.join(tmp, 'package.json'), '{ "type": "module" }\n');
    fs.writeFileSync(script, [
      `import { In, Out, Record, Stream, connect, fork, join, module, pipelineMap, sint } from '${path.resolve('dsl/index.ts')}';`,
      `const S8 = sint(8);`,
      `export default module('skewed', { in: In(Stream(S8)), out: Out(Stream(Record({ slow: S8, fast: S8 }))) }, (io) => {`,
      `  const [a, b] = fork(io.in, 2);`,
      `  const slow = pipelineMap(a, S8, [(x) => x, (x) => x]);`,
      `  connect(join({ slow, fast: b }), io.out);`,
      `});`,
    ].join('\n'));
    const out = path.join(tmp, 'skewed-out');
    const r = await hwflow('gen', script, '--out', out);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*skewed\.ts:6: join joins 'fast' .* queue\(fast, 3\)/);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.warnings).toHaveLength(1);
    expect(manifest.warnings[0].locations.map((l: string) => path.basename(l))).toEqual(['skewed.ts:6', 'skewed.ts:4', 'skewed.ts:5']);
    // A design without warnings has no warnings field (and prints none).
    const clean = await hwflow('gen', 'examples/mac.ts', '--out', path.join(tmp, 'mac2'));
    expect(clean.stderr).toBe('');
    expect(JSON.parse(fs.readFileSync(path.join(tmp, 'mac2', 'manifest.json'), 'utf8')).warnings).toBeUndefined();
  });

  it('a .ts script outside an ES-module package gets a clear error', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-cjs-'));
    const script = path.join(dir, 'design.ts');
    fs.writeFileSync(script, `import { In, Out, module, uint } from '${path.resolve('dsl/index.ts')}';\nexport default module('d', { a: In(uint(1)), y: Out(uint(1)) }, (io) => io.y.set(io.a));\n`);
    const r = await hwflow('gen', script, '--out', path.join(dir, 'out'));
    expect(r.exitCode).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.stderr).toMatch(/design scripts are ES modules: put it in a package whose package.json says "type": "module", or rename it to .mts/);
  });
});
