// The dependency rules of docs/architecture.md, checked on the source with ts-morph: dsl/ and
// toolchain/ depend on nothing else in the repo; generators/, testbenches/ and flows/ build on dsl/
// (the last two also on toolchain/) but never on each other; verify/ sits on generators/ and
// testbenches/, cli/ on everything; a golden kernel reaches nothing in dsl/, even transitively, and
// a generator's hardware reaches no golden kernel.
import path from 'node:path';
import { Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';

const root = process.cwd();
const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
const LAYERS = ['dsl', 'toolchain', 'generators', 'testbenches', 'flows', 'verify', 'cli'];
project.addSourceFilesAtPaths(LAYERS.map((l) => `${l}/**/*.ts`));

/** Repo-relative paths of the repo files a source file imports (type-only imports included). */
function localImports(file: string): string[] {
  const sf = project.getSourceFileOrThrow(path.join(root, file));
  const specs = [
    ...sf.getImportDeclarations().map((d) => d.getModuleSpecifierValue()),
    ...sf.getExportDeclarations().flatMap((d) => d.getModuleSpecifierValue() ?? []),
  ];
  return specs.filter((s) => s.startsWith('.')).map((s) => path.relative(root, path.resolve(path.dirname(path.join(root, file)), s)));
}

const files = project.getSourceFiles().map((f) => path.relative(root, f.getFilePath()));
const top = (f: string): string => f.split(path.sep)[0]!;

/** `start reaches X (via F)` for every file X matching `isBad` that `start` imports, directly or through other files. */
function reaches(start: string, isBad: (f: string) => boolean): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const i of localImports(f)) {
      if (isBad(i)) found.push(`${start} reaches ${i} (via ${f})`);
      else if (files.includes(i)) stack.push(i);
    }
  }
  return found;
}

describe('architecture', () => {
  it.each([
    ['dsl', ['dsl']],
    ['toolchain', ['toolchain']],
    ['generators', ['dsl', 'generators']],
    ['testbenches', ['dsl', 'toolchain', 'testbenches']],
    ['flows', ['dsl', 'toolchain', 'flows']],
    ['verify', ['dsl', 'toolchain', 'generators', 'testbenches', 'verify']],
    ['cli', ['dsl', 'toolchain', 'generators', 'testbenches', 'flows', 'verify', 'cli']],
  ] as const)('%s/ imports only from %j', (layer, allowed) => {
    const inLayer = files.filter((f) => top(f) === layer);
    expect(inLayer.length).toBeGreaterThan(0);
    const bad = inLayer
      .flatMap((f) => localImports(f).filter((i) => !(allowed as readonly string[]).includes(top(i))).map((i) => `${f} -> ${i}`));
    expect(bad).toEqual([]);
  });

  it('golden kernels reach nothing in dsl/, even through other files', () => {
    const goldens = files.filter((f) => path.basename(f) === 'golden.ts');
    expect(goldens.length).toBeGreaterThan(0);
    expect(goldens.flatMap((g) => reaches(g, (i) => top(i) === 'dsl'))).toEqual([]);
  });

  // A width or helper shared through golden.ts would let one bug hide in both the hardware and its
  // reference; shared definitions live in a file both import (e.g. generators/shiftadd/widths.ts).
  it("a generator's hardware (everything its create.ts reaches) imports no golden kernel", () => {
    const hardware = files.filter((f) => top(f) === 'generators' && path.basename(f) === 'create.ts');
    expect(hardware.length).toBeGreaterThan(0);
    expect(hardware.flatMap((h) => reaches(h, (i) => path.basename(i) === 'golden.ts'))).toEqual([]);
  });
});
