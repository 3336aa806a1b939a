// The dependency rules of docs/architecture.md, checked on the source with ts-morph: dsl/ depends on
// nothing else in the repo, generators/ and testbenches/ build on dsl/ but never on each other, a
// golden kernel reaches nothing in dsl/, even transitively, and the op table is the one place that
// says what each op does.
import path from 'node:path';
import { Node, Project, SyntaxKind } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { OPS } from '../dsl/ir/ops.ts';

const root = process.cwd();
const project = new Project({ skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
project.addSourceFilesAtPaths(['dsl/**/*.ts', 'generators/**/*.ts', 'testbenches/**/*.ts']);

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

describe('architecture', () => {
  it.each([
    ['dsl', ['dsl']],
    ['generators', ['dsl', 'generators']],
    ['testbenches', ['dsl', 'testbenches']],
  ] as const)('%s/ imports only from %j', (layer, allowed) => {
    const bad = files
      .filter((f) => top(f) === layer)
      .flatMap((f) => localImports(f).filter((i) => !(allowed as readonly string[]).includes(top(i))).map((i) => `${f} -> ${i}`));
    expect(bad).toEqual([]);
  });

  it('golden kernels reach nothing in dsl/, even through other files', () => {
    const goldens = files.filter((f) => path.basename(f) === 'golden.ts');
    expect(goldens.length).toBeGreaterThan(0);
    const bad: string[] = [];
    for (const g of goldens) {
      const seen = new Set<string>();
      const stack = [g];
      while (stack.length) {
        const f = stack.pop()!;
        if (seen.has(f)) continue;
        seen.add(f);
        for (const i of localImports(f)) {
          if (top(i) === 'dsl') bad.push(`${g} reaches ${i} (via ${f})`);
          else if (files.includes(i)) stack.push(i);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('only the op table dispatches on op names: no switch on an op, no table keyed by op names', () => {
    const ops = new Set(Object.keys(OPS));
    const bad: string[] = [];
    for (const sf of project.getSourceFiles()) {
      const f = path.relative(root, sf.getFilePath());
      if (f === path.join('dsl', 'ir', 'ops.ts')) continue;
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
