/**
 * Regression cases: shrunk failing programs saved as JSON in `tests/fuzz-regressions/`, replayed by
 * `tests/fuzz.test.ts` on the back end that failed (and the others). A case is the program and its
 * stimulus, not Verilog, so it keeps testing the design whatever the backend prints for it.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Check, Mismatch } from './driver.ts';
import { validateProgram, type FuzzCase } from './program.ts';

export const REGRESSION_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'fuzz-regressions');

export interface RegressionFile {
  /** What went wrong and what fixed it, for the reader. */
  description: string;
  /** Fuzzer seed and program index that found it. */
  seed: number;
  program: number;
  backend: Check;
  /** The shrunk case's mismatch when it was found (values as hex strings). */
  found: { cycle: number; port: string; expected: string; actual: string; error?: string };
  case: FuzzCase;
  /**
   * An open bug: the case still mismatches on this back end. The replay test expects exactly these
   * to fail, so fixing the bug fails the test until the marker is removed.
   */
  knownMismatch?: { backend: Check; why: string };
}

/** Save a shrunk case; the file name is derived from the seed and program, so reruns overwrite. */
export function saveRegression(c: FuzzCase, m: Mismatch, seed: number, program: number, description: string, dir = REGRESSION_DIR): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `seed${seed}-p${program}-${m.backend}.json`);
  const body: RegressionFile = {
    description, seed, program, backend: m.backend,
    found: { cycle: m.cycle, port: m.port, expected: m.expected.toString(16), actual: m.actual.toString(16), ...(m.error ? { error: m.error.slice(0, 2000) } : {}) },
    case: c,
  };
  writeFileSync(file, JSON.stringify(body, null, 1) + '\n');
  return file;
}

/** Every saved case, sorted by file name; throws on a malformed file (naming it). */
export function loadRegressions(dir = REGRESSION_DIR): { file: string; data: RegressionFile }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const file = join(dir, name);
    const data = JSON.parse(readFileSync(file, 'utf8')) as RegressionFile;
    const err = validateProgram(data.case.program);
    if (err) throw new Error(`${file}: invalid program: ${err}`);
    return { file, data };
  });
}
