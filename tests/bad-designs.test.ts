// Every malformed design of the catalogue fails with the right error class, message and the user's line.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HdlError, elaborate } from '../dsl/index.ts';
import { catalogue } from './bad-designs/catalogue.ts';

const file = path.join('tests', 'bad-designs', 'catalogue.ts');
const lines = fs.readFileSync(file, 'utf8').split('\n');
const markerLine = (name: string): number => {
  const hits = lines.flatMap((l, i) => (l.includes(`// @bad ${name}`) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`catalogue marker '@bad ${name}' found ${hits.length} times`);
  return hits[0]!;
};

describe('bad-design catalogue', () => {
  it('has at least 20 distinct cases', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(20);
    expect(new Set(catalogue.map((c) => c.name)).size).toBe(catalogue.length);
  });

  it.each(catalogue.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    let caught: unknown;
    try {
      elaborate(c.design());
    } catch (e) {
      caught = e;
    }
    expect(caught, 'the design must be rejected').toBeInstanceOf(c.error);
    const err = caught as HdlError;
    expect(err.name).toBe(c.error.name);
    expect(err.bare).toMatch(c.message);
    expect(err.loc, 'the error must carry the user location').toBeDefined();
    expect(`${err.loc!.file}:${err.loc!.line}`).toBe(`${file}:${markerLine(c.name)}`);
    expect(err.message.startsWith(`${file}:${markerLine(c.name)}: `)).toBe(true);
  });
});
