// `hwflow init <dir>` (issue 16, item 2): the new project installs (npm, from the cache when it can),
// its own `npm test` passes (the design in Verilator under random stalls), `npx hwflow gen` writes its
// Verilog, and its test catches a wrong design.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin', 'hwflow.mjs');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-init-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The nested npm test is a vitest run of its own: it must not see this run's vitest variables.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'HWFLOW_SEED' && k !== 'NODE_OPTIONS'));
const run = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: 'utf8', env });

describe('hwflow init', () => {
  it('refuses a folder that is not empty, naming it', () => {
    const full = path.join(tmp, 'full');
    fs.mkdirSync(full);
    fs.writeFileSync(path.join(full, 'x'), '');
    const r = run('node', [bin, 'init', full], tmp);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/already exists and is not an empty folder/);
  });

  it('makes a project whose npm install && npm test pass and whose design npx hwflow gen turns into Verilog', () => {
    const dir = path.join(tmp, 'My Project');
    const made = run('node', [bin, 'init', dir], tmp);
    expect(made.status, made.stderr).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'my-project', type: 'module', dependencies: { hwflow: `file:${process.cwd()}` } });
    expect(Object.keys(pkg.devDependencies)).toContain('vitest');
    for (const f of ['tsconfig.json', 'src/scale.ts', 'test/scale.test.ts', 'README.md', '.gitignore']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8').match(/^(npm|npx) /gm)).toHaveLength(4);

    const install = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir);
    expect(install.status, install.stderr).toBe(0);
    const test = run('npm', ['test'], dir);
    expect(test.status, `${test.stdout}\n${test.stderr}`).toBe(0);
    expect(test.stdout).toMatch(/1 passed/);
    const gen = run('npx', ['hwflow', 'gen', 'src/scale.ts'], dir);
    expect(gen.status, gen.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'rtl-out', 'scale3', 'scale3.v'), 'utf8')).toMatch(/module scale3/);

    // The project's test is a real check: a wrong coefficient fails it, with the seed to replay.
    const design = path.join(dir, 'src', 'scale.ts');
    fs.writeFileSync(design, fs.readFileSync(design, 'utf8').replace('s(3, 3)', 's(3, 2)'));
    const bad = run('npm', ['test'], dir);
    expect(bad.status).not.toBe(0);
    expect(`${bad.stdout}${bad.stderr}`).toMatch(/HWFLOW_SEED=\d+/);
  }, 600_000);
});
