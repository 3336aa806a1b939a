// The API reference (issue 16, item 1): TypeDoc builds it from dsl/index.ts and testbenches/index.ts
// with --treatWarningsAsErrors, so an export without a summary fails here; every parameter of an
// exported function has its @param line (checked in TypeDoc's JSON model). A deliberately
// undocumented export shows that the check can fail.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const typedoc = path.resolve('node_modules', '.bin', 'typedoc');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-api-docs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Reflection {
  name: string;
  kind: number;
  comment?: { summary?: { text: string }[] };
  children?: Reflection[];
  signatures?: (Reflection & { parameters?: Reflection[] })[];
}
const FUNCTION = 64;
const text = (r: Reflection): string => (r.comment?.summary ?? []).map((p) => p.text).join('').trim();

/** `module.function(param)` of every exported function parameter without a description. */
function undocumentedParams(project: Reflection): string[] {
  const missing: string[] = [];
  for (const mod of project.children ?? [])
    for (const fn of mod.children ?? []) {
      if (fn.kind !== FUNCTION) continue;
      for (const sig of fn.signatures ?? []) {
        if (!text(sig)) missing.push(`${mod.name}.${fn.name} (no summary)`);
        for (const p of sig.parameters ?? []) if (!text(p)) missing.push(`${mod.name}.${fn.name}(${p.name})`);
      }
    }
  return missing;
}

describe('API reference (TypeDoc)', () => {
  it('builds from the public barrels with no warning, and every exported function documents its parameters', () => {
    const json = path.join(tmp, 'api.json');
    const run = spawnSync(typedoc, ['--treatWarningsAsErrors', '--out', path.join(tmp, 'html'), '--json', json], { encoding: 'utf8' });
    expect(run.status, `typedoc failed:\n${run.stdout}\n${run.stderr}`).toBe(0);
    const project = JSON.parse(fs.readFileSync(json, 'utf8')) as Reflection;
    expect((project.children ?? []).map((c) => c.name).sort()).toEqual(['dsl', 'testbenches']);
    const functions = (project.children ?? []).flatMap((m) => (m.children ?? []).filter((c) => c.kind === FUNCTION));
    expect(functions.length, 'the barrels export functions').toBeGreaterThan(60);
    expect(undocumentedParams(project)).toEqual([]);
    // The pages a newcomer looked for in the source are there.
    for (const page of ['classes/dsl.StreamSource.html', 'functions/dsl.peGrid.html', 'functions/testbenches.renderAscii.html', 'interfaces/dsl.RegOptions.html'])
      expect(fs.existsSync(path.join(tmp, 'html', page)), page).toBe(true);
  }, 300_000);

  it('fails on an export without documentation (the same options on a one-file project)', () => {
    const dir = path.join(tmp, 'bad');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'index.ts'), '/** Documented. @param x the input */\nexport function ok(x: number): number { return x; }\nexport function undocumented(y: number): number { return y; }\n');
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true }, include: ['index.ts'] }));
    const options = JSON.parse(fs.readFileSync('typedoc.json', 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'typedoc.json'), JSON.stringify({ ...options, entryPoints: ['index.ts'], tsconfig: 'tsconfig.json', out: 'html' }));
    const run = spawnSync(typedoc, ['--treatWarningsAsErrors', '--options', 'typedoc.json'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/undocumented.*does not have any documentation/);
  }, 120_000);

  it('npm run docs is TypeDoc with the repository options, writing the ignored docs/api/', () => {
    const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.docs).toMatch(/^typedoc\b/);
    expect(JSON.parse(fs.readFileSync('typedoc.json', 'utf8')).out).toBe('docs/api');
    expect(execFileSync('git', ['check-ignore', 'docs/api/index.html'], { encoding: 'utf8' }).trim()).toBe('docs/api/index.html');
  });
});
