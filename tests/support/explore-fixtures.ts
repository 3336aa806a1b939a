// Shared by the explore tests: running the CLI with a private cache, and a design script whose
// worker crashes (exits without writing a result) for one parameter value.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

const bin = path.resolve('bin/hwflow.mjs');

/** `hwflow args...` with its own cache folder (and any extra environment). */
export const hwflowIn = (cache: string, env: Record<string, string> = {}) => (...args: string[]) =>
  execa('node', [bin, ...args], { reject: false, env: { HWFLOW_CACHE: cache, CI: '1', ...env } });

/**
 * Write a generator script: an incrementer of `width` bits that, for width 5, makes the worker that
 * evaluates it exit at once (the coordinator, which elaborates it too, is spared), as a crashing tool would.
 */
export function writeCrashingDesign(dir: string): string {
  const repo = path.resolve('.');
  const file = path.join(dir, 'crashy.mts');
  fs.writeFileSync(file, `
import { defineGenerator } from '${repo}/dsl/generator.ts';
import { In, Out, module, uint } from '${repo}/dsl/index.ts';
export default defineGenerator<{ width: number }>({
  name: 'crashy', description: 'incrementer whose worker crashes at width 5',
  params: { width: { kind: 'int', doc: 'bits', min: 1, max: 32 } },
  presets: { ci: { width: 4 } }, defaultPreset: 'ci',
  create: (p) => {
    if (p.width === 5 && process.argv.includes('explore-point')) process.exit(3);
    return module(\`inc_w\${p.width}\`, { a: In(uint(p.width)), y: Out(uint(p.width)) }, (io) => { io.y.set(io.a.add(1).trunc(p.width)); });
  },
});
`);
  return file;
}
