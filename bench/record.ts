/**
 * Benchmarks record their figures in docs/benchmarks.md, each in a generated block of its `## <title>`
 * section, delimited by the markers of `blockMarkers` and replaced on every run, with the machine and
 * the date. A block holds only what the run measured: tables, and verdicts computed from them. What a
 * person wrote (method, analysis, history, each dated) stays outside the blocks, so no run touches it.
 *
 * `--quick` (tiny sizes, seconds; run by tests/bench-quick.test.ts) writes nothing, unless
 * HWFLOW_BENCH_FILE names a file to write instead of docs/benchmarks.md (the test's temporary copy).
 */
import fs from 'node:fs';
import os from 'node:os';

/** The benchmark's `--quick` mode: tiny sizes, a few seconds, recorded only into HWFLOW_BENCH_FILE. */
export const quick = process.argv.includes('--quick');

/** Where figures go: HWFLOW_BENCH_FILE, else docs/benchmarks.md (nowhere for a quick run). */
export function benchmarksFile(): string | undefined {
  return process.env.HWFLOW_BENCH_FILE ?? (quick ? undefined : 'docs/benchmarks.md');
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ` +
    `date ${new Date().toISOString().slice(0, 10)}${quick ? '; --quick run (tiny sizes: these figures are no measurement)' : ''}.`;
}

/** The two marker lines of block `id` (e.g. `bench:elab`). */
export function blockMarkers(id: string): [string, string] {
  return [`<!-- ${id}: generated, replaced by every run; write outside this block -->`, `<!-- ${id}: end -->`];
}

/**
 * Replace the generated block `id` of the benchmarks file with `body`; without that block yet,
 * append it under a new `## title`. Text outside the block is kept as it is.
 */
export function recordBlock(id: string, title: string, body: string): void {
  const file = benchmarksFile();
  if (file === undefined) {
    process.stdout.write(`(quick run: block ${id} not recorded)\n`);
    return;
  }
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const [begin, end] = blockMarkers(id);
  const block = `${begin}\n\n${body.trim()}\n\n${end}`;
  const start = text.indexOf(begin);
  let next: string;
  if (start < 0) next = `${text.trimEnd()}\n\n## ${title}\n\n${block}\n`;
  else {
    const stop = text.indexOf(end, start);
    if (stop < 0) throw new Error(`${file}: block ${id} has no end marker '${end}'`);
    next = text.slice(0, start) + block + text.slice(stop + end.length);
  }
  fs.writeFileSync(file, next.trimEnd() + '\n');
  process.stdout.write(`recorded block ${id} in ${file}\n`);
}
