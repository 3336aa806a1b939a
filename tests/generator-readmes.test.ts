// Every registered generator has a README (generators/<registry name>/README.md) with a "Tensors"
// section, and every tensor an Accelerator takes or gives, under any of its presets, is named there
// (as `name`), so a user can write the input file of `hwflow run` from the README alone.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAccelerator } from '../dsl/generator.ts';
import { registry } from '../generators/registry.ts';

/** The text of the `## Tensors` section (up to the next `## ` heading). */
function tensorsSection(readme: string): string | undefined {
  const m = readme.match(/^## Tensors\b.*$/m);
  if (!m) return undefined;
  const rest = readme.slice(m.index! + m[0].length);
  const next = rest.search(/^## /m);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('generator READMEs', () => {
  it.each(Object.keys(registry))('%s: its README (generators/<name>/README.md) names every tensor in its Tensors section', (name) => {
    const file = `generators/${name}/README.md`;
    expect(fs.existsSync(file), `${file} exists`).toBe(true);
    const section = tensorsSection(fs.readFileSync(file, 'utf8'));
    expect(section, `${file} has a '## Tensors' section`).toBeDefined();
    const g = registry[name]!;
    if (!isAccelerator(g)) {
      expect(section).toMatch(/not an Accelerator/);
      return;
    }
    const names = new Set<string>();
    for (const p of Object.values(g.presets)) for (const t of [...g.inputs(p), ...g.outputs(p)]) names.add(t.name);
    expect(names.size).toBeGreaterThan(0);
    const missing = [...names].filter((t) => !section!.includes(`\`${t}\``));
    expect(missing, `tensors of ${name} missing from the Tensors section of ${file}`).toEqual([]);
  });
});
