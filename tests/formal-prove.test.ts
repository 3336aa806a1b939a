// `hwflow prove` as a user runs it: exit 0 when nothing fails, 1 with the TS line and a waveform
// for a counterexample, 2 with a clear message for bad arguments and an unusable solver.
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/hwflow.mjs');
const hwflow = (...args: string[]) => execa('node', [bin, ...args], { reject: false });

describe('hwflow prove', () => {
  it('exits 1 on a failing user assert, naming its TS line and drawing the trace', async () => {
    const r = await hwflow('prove', 'tests/formal-designs/user-assert.ts', '--depth', '20');
    expect(r.exitCode, r.stderr).toBe(1);
    // BMC one length at a time: the shortest counterexample (the counter reaches 5 after 5 cycles).
    expect(r.stdout).toMatch(/counterexample at cycle 5 /);
    expect(r.stdout).toContain('assert failed at tests/formal-designs/user-assert.ts:8: the counter stays below 5');
    expect(r.stdout).toMatch(/^count\s+\|0/m);
    expect(r.stdout).toMatch(/waveform: .*cex\.vcd/);
  }, 60_000);

  it('exits 0 for a design whose properties hold, listing them', async () => {
    const r = await hwflow('prove', 'counter', '--depth', '20');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no counterexample in 20 cycles/);
  }, 60_000);

  it.each([
    [['--depth', '0'], /--depth must be an integer from 1 to 1000 \(cycles to check\), got '0'/],
    [['--depth', 'ten'], /--depth must be an integer from 1 to 1000 \(cycles to check\), got 'ten'/],
    [['--solver', 'minisat'], /--solver must be one of sat, z3, boolector, got 'minisat'/],
  ])('rejects %j with exit 2 and what is valid', async (args, msg) => {
    const r = await hwflow('prove', 'counter', ...args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(msg);
  });

  it('reports that Debian\'s boolector cannot talk to yosys-smtbmc, with exit 2', async () => {
    const r = await hwflow('prove', 'tests/formal-designs/user-assert.ts', '--solver', 'boolector', '--depth', '3');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/boolector .*(does not accept|was not found)/);
  }, 60_000);

  it('z3 through yosys-smtbmc finds the same failing assert', async () => {
    const r = await hwflow('prove', 'tests/formal-designs/user-assert.ts', '--solver', 'z3', '--depth', '8');
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stdout).toContain('tests/formal-designs/user-assert.ts:8');
  }, 150_000);
});
