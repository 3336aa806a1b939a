/**
 * Benchmarks record their figures in docs/benchmarks.md, one `## <title>` section each, replaced in
 * place on every run, with the machine and the date, so the file always shows the latest numbers.
 */
import fs from 'node:fs';
import os from 'node:os';

const FILE = 'docs/benchmarks.md';

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; ` +
    `date ${new Date().toISOString().slice(0, 10)}.`;
}

/** Replace (or append) the section `## title` of docs/benchmarks.md with `body`. */
export function recordSection(title: string, body: string): void {
  const text = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '# Benchmarks\n\nFigures written by the `npm run bench:*` scripts; each section is replaced when its script runs.\n';
  const heading = `## ${title}\n`;
  const section = `${heading}\n${body.trim()}\n\n`;
  const start = text.indexOf(heading);
  let next: string;
  if (start < 0) next = `${text.trimEnd()}\n\n${section}`;
  else {
    const end = text.indexOf('\n## ', start + heading.length);
    next = text.slice(0, start) + section + (end < 0 ? '' : text.slice(end + 1));
  }
  fs.mkdirSync('docs', { recursive: true });
  fs.writeFileSync(FILE, next.trimEnd() + '\n');
}
