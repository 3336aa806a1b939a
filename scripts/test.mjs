#!/usr/bin/env node
// `npm test`: the whole vitest suite, then the plain count line `N passed, N failed[, N skipped]`
// that CI reads (it does not read vitest's own summary). Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-test-')), 'vitest.json');
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const run = spawnSync('npx', args, { stdio: 'inherit' });
let status = run.status ?? 1;
try {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A suite that fails to load counts as a failure even though it ran no test.
  const brokenSuites = (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenSuites} failed${skipped ? `, ${skipped} skipped` : ''}`);
  if (r.numTotalTests === 0) status = status || 1;
} catch {
  console.log('0 passed, 1 failed');
  status = status || 1;
} finally {
  fs.rmSync(path.dirname(report), { recursive: true, force: true });
}
process.exit(status);
