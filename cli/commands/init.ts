/**
 * `hwflow init <dir>`: a new project of the user's own, outside this checkout. It gets a package.json
 * (ES modules, hwflow as a `file:` dependency on this checkout, vitest), a tsconfig, one stream
 * design, one harness test of it under random stalls, and a README of the four commands. The files
 * come from cli/init-template/ (type-checked with the repository, importing 'hwflow' by name).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UsageError, runCommand } from '../errors.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEMPLATE = path.join(ROOT, 'cli', 'init-template');

export function register(program: Command): void {
  program
    .command('init')
    .description('create a project folder with a design, a harness test of it and hwflow as a dependency')
    .argument('<dir>', 'folder to create (must not exist, or be empty)')
    .action((dir: string) => runCommand(async () => {
      const files = initProject(dir);
      const rel = path.relative(process.cwd(), path.resolve(dir)) || '.';
      process.stdout.write(`${rel}: ${files.join(', ')}\nnext: cd ${rel} && npm install && npm test\n`);
    }));
}

/** Write the project into `dir`; returns the files written, relative to it. */
export function initProject(dir: string): string[] {
  const target = path.resolve(dir);
  if (fs.existsSync(target) && (!fs.statSync(target).isDirectory() || fs.readdirSync(target).length > 0))
    throw new UsageError(`'${dir}' already exists and is not an empty folder; choose a new folder name`);
  const name = projectName(path.basename(target));
  const hwflow = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const written: string[] = [];
  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(target, rel)), { recursive: true });
    fs.writeFileSync(path.join(target, rel), text);
    written.push(rel);
  };
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { test: 'vitest run', gen: 'hwflow gen src/scale.ts' },
    dependencies: { hwflow: `file:${ROOT}` },
    devDependencies: { vitest: hwflow.devDependencies.vitest, '@types/node': hwflow.devDependencies['@types/node'] },
  };
  write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  for (const rel of templateFiles(TEMPLATE)) {
    const text = fs.readFileSync(path.join(TEMPLATE, rel), 'utf8').replaceAll('{{name}}', name).replaceAll('{{hwflow}}', ROOT);
    // npm drops files named .gitignore from packages, so the template keeps it without the dot.
    write(rel === 'gitignore' ? '.gitignore' : rel, text);
  }
  return written;
}

/** An npm package name from a folder name: lower case, safe characters only. */
function projectName(base: string): string {
  const n = base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return n || 'hwflow-project';
}

function templateFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name)).flatMap((e) =>
    e.isDirectory() ? templateFiles(path.join(dir, e.name), path.join(prefix, e.name)) : [path.join(prefix, e.name)]);
}
