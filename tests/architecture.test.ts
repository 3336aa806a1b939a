// The dependency rules of docs/architecture.md, checked on the source with ts-morph: dsl/ and
// toolchain/ depend on nothing else in the repo; generators/, testbenches/ and flows/ build on dsl/
// (the last two also on toolchain/) but never on each other; verify/ sits on generators/ and
// testbenches/, hls/ on dsl/ (used only by cli/), cli/ on everything; a golden kernel reaches nothing in dsl/, even transitively, a
// generator's hardware reaches no golden kernel, and the op table is the one place that says what
// each op does.
import path from 'node:path';
import { Node, Project, SyntaxKind } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { OPS } from '../dsl/ir/ops.ts';

const root = process.cwd();
const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
const LAYERS = ['dsl', 'toolchain', 'generators', 'testbenches', 'flows', 'verify', 'hls', 'cli'];
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
    // hls/ compiles plain TS kernels into DSL modules: a layer on dsl/ that only the CLI uses.
    ['hls', ['dsl', 'toolchain', 'hls']],
    ['cli', ['dsl', 'toolchain', 'generators', 'testbenches', 'flows', 'verify', 'hls', 'cli']],
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

  it('only the op table dispatches on op names: no switch on an op, no table keyed by op names', () => {
    const ops = new Set(Object.keys(OPS));
    const bad: string[] = [];
    for (const sf of project.getSourceFiles()) {
      const f = path.relative(root, sf.getFilePath());
      // The IR's op table, and the HLS graph's own op table (its ops are not IR ops).
      if (f === path.join('dsl', 'ir', 'ops.ts') || f === path.join('hls', 'ops.ts')) continue;
      for (const sw of sf.getDescendantsOfKind(SyntaxKind.SwitchStatement))
        if (/\bop$/.test(sw.getExpression().getText())) bad.push(`${f}:${sw.getStartLineNumber()} switches on ${sw.getExpression().getText()}`);
      for (const obj of sf.getDescendantsOfKind(SyntaxKind.ObjectLiteralExpression)) {
        const keys = obj.getProperties().flatMap((p) => (Node.isPropertyAssignment(p) && ops.has(p.getName()) ? [p.getName()] : []));
        if (keys.length >= 3) bad.push(`${f}:${obj.getStartLineNumber()} keys a table by op names (${keys.join(', ')})`);
      }
    }
    expect(bad).toEqual([]);
  });
});
