/** The files of a results folder: results.jsonl (one point per line), results.csv, and reading them back. */
import fs from 'node:fs';
import path from 'node:path';
import { CSV_COLUMNS, type PointResult } from './result.ts';

export const resultsJsonl = (dir: string): string => path.join(dir, 'results.jsonl');
export const resultsCsv = (dir: string): string => path.join(dir, 'results.csv');

/** Quote a CSV field when it holds a comma, quote or line break (RFC 4180). */
function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Write both files, points in sweep order. */
export function writeResults(dir: string, results: readonly PointResult[]): void {
  fs.mkdirSync(dir, { recursive: true });
  const sorted = [...results].sort((a, b) => a.index - b.index);
  fs.writeFileSync(resultsJsonl(dir), sorted.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const keys = [...new Set(sorted.flatMap((r) => Object.keys(r.assignments)))];
  const header = [...CSV_COLUMNS.slice(0, 2), ...keys, ...CSV_COLUMNS.slice(2)];
  const rows = sorted.map((r) => [r.index, r.label, ...keys.map((k) => r.assignments[k]), ...CSV_COLUMNS.slice(2).map((c) => r[c])].map(csvField).join(','));
  fs.writeFileSync(resultsCsv(dir), [header.join(','), ...rows].join('\n') + '\n');
}

/** Append one finished point (so an interrupted sweep leaves what it finished readable). */
export function appendResult(dir: string, r: PointResult): void {
  fs.appendFileSync(resultsJsonl(dir), JSON.stringify(r) + '\n');
}

/** The points of a results folder (the last line wins for a point written twice). */
export function readResults(dir: string): PointResult[] {
  const f = resultsJsonl(dir);
  const byIndex = new Map<number, PointResult>();
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) if (line.trim()) {
    const r = JSON.parse(line) as PointResult;
    byIndex.set(r.index, r);
  }
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}
