/**
 * What rtl-out/ holds in git. The Verilog of the CI-sized presets (named `ci` or `ci-…`, the sizes
 * the tests simulate) is committed, so a hardware change shows up in review as a Verilog diff. The
 * other presets (paper-sized and variants: most of the lines) are committed as one SHA-256 per file
 * in rtl-out/large.sha256 (`sha256sum` format), and their folders are git-ignored by
 * rtl-out/.gitignore. tests/snapshots.test.ts checks both against the generators; `npm run rtl-out`
 * (scripts/rtl-out.ts) rewrites them and writes the large Verilog for anyone who wants to read it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Generator } from '../dsl/generator.ts';
import { registry } from '../generators/registry.ts';

export const RTL_OUT = 'rtl-out';
export const HASH_LIST = path.join(RTL_OUT, 'large.sha256');
export const GITIGNORE = path.join(RTL_OUT, '.gitignore');

/** Every preset of every registered design. */
export const presetPoints = (): { generator: Generator; preset: string }[] =>
  Object.values(registry).flatMap((generator) => Object.keys(generator.presets).map((preset) => ({ generator, preset })));

/** A preset whose Verilog is committed (not only its hashes). */
export const isCiSized = (preset: string): boolean => preset === 'ci' || preset.startsWith('ci-');

/** `<sha256>  <top>/<file>` for every file of the design folder `dir` (named `top` in rtl-out/), by file name. */
export function hashLines(dir: string, top: string): string[] {
  return fs.readdirSync(dir).sort().map((f) => `${createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex')}  ${top}/${f}`);
}

/** The committed hash lines of rtl-out/large.sha256, and the folder (top module) each is about. */
export function committedHashLines(): { line: string; top: string }[] {
  if (!fs.existsSync(HASH_LIST)) return [];
  return fs.readFileSync(HASH_LIST, 'utf8').split('\n').filter(Boolean).map((line) => ({ line, top: line.split('  ')[1]!.split('/')[0]! }));
}

/** The text of rtl-out/.gitignore: the folders of the presets that are committed as hashes only. */
export const gitignoreText = (largeTops: readonly string[]): string =>
  '# Written by `npm run rtl-out`: these presets are committed as hashes only (large.sha256); see\n' +
  '# docs/architecture.md.\n' +
  largeTops.map((t) => `/${t}/\n`).join('');
