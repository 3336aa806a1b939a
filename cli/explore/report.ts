/**
 * The report of a sweep's results folder (`hwflow report DIR` when DIR holds results.jsonl): a
 * self-contained HTML page with one SVG scatter per pair of objectives (cycles, LUTs, energy, clock period), the
 * Pareto points filled and joined by the front's staircase, the dominated points hollow, and the
 * table of every point; plus the same table as Markdown. No scripts, nothing fetched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { esc } from '../../flows/fpga/report/svg.ts';
import { readResults } from './files.ts';
import { paretoFront, sharedObjectives, type Objective } from './pareto.ts';
import type { PointResult } from './result.ts';

const W = 600;
const H = 340;
const M = { left: 70, right: 20, top: 36, bottom: 50 };
const NAMES: Record<Objective, string> = { cycles: 'cycles', luts: 'LUTs', energyPj: 'energy (pJ)', periodNs: 'clock period (ns, 1000/Fmax)' };
const fmt = (v: number): string => (Math.abs(v) >= 1e4 ? `${(v / 1e3).toPrecision(3)}k` : `${Number(v.toPrecision(4))}`);

/** Linear axis from 0 (or a little under the minimum, when the values sit far from 0) to a bit over the maximum. */
function axis(values: number[]): { lo: number; hi: number } {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || Math.abs(max) || 1;
  const lo = min > span ? min - span * 0.1 : 0;
  return { lo, hi: max + span * 0.1 };
}

/** One scatter plot of `x` against `y`, the 2-D front of that pair drawn as a staircase. */
export function paretoSvg(points: readonly PointResult[], x: Objective, y: Objective): string {
  const xs = axis(points.map((p) => p[x]!));
  const ys = axis(points.map((p) => p[y]!));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const px = (v: number): number => M.left + ((v - xs.lo) / (xs.hi - xs.lo)) * pw;
  const py = (v: number): number => M.top + ph - ((v - ys.lo) / (ys.hi - ys.lo)) * ph;
  const front2d = paretoFront(points, [x, y]).map((i) => points[i]!).sort((a, b) => a[x]! - b[x]! || a[y]! - b[y]!);
  let body = '';
  for (let k = 0; k <= 4; k++) {
    const vx = xs.lo + ((xs.hi - xs.lo) * k) / 4;
    const vy = ys.lo + ((ys.hi - ys.lo) * k) / 4;
    body += `<text x="${px(vx).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle" font-size="11">${fmt(vx)}</text>`;
    body += `<line x1="${M.left}" x2="${W - M.right}" y1="${py(vy).toFixed(1)}" y2="${py(vy).toFixed(1)}" stroke="#eee"/><text x="${M.left - 6}" y="${(py(vy) + 4).toFixed(1)}" text-anchor="end" font-size="11">${fmt(vy)}</text>`;
  }
  if (front2d.length > 1) {
    let d = `M${px(front2d[0]![x]!).toFixed(1)},${py(front2d[0]![y]!).toFixed(1)}`;
    for (const p of front2d.slice(1)) d += ` H${px(p[x]!).toFixed(1)} V${py(p[y]!).toFixed(1)}`;
    body += `<path class="front" d="${d}" fill="none" stroke="#b8474b" stroke-width="1.5" stroke-dasharray="4 3"/>`;
  }
  for (const p of points) {
    const cx = px(p[x]!).toFixed(1);
    const cy = py(p[y]!).toFixed(1);
    body += p.pareto
      ? `<circle class="pareto" cx="${cx}" cy="${cy}" r="5.5" fill="#b8474b"><title>${esc(`${p.label}: ${fmt(p[x]!)} ${NAMES[x]}, ${fmt(p[y]!)} ${NAMES[y]} (Pareto)`)}</title></circle>`
      : `<circle class="dominated" cx="${cx}" cy="${cy}" r="4.5" fill="#fff" stroke="#6b7b8c" stroke-width="1.5"><title>${esc(`${p.label}: ${fmt(p[x]!)} ${NAMES[x]}, ${fmt(p[y]!)} ${NAMES[y]}`)}</title></circle>`;
    // Labels of points near the right edge go to their left, so they stay inside the chart.
    const right = Number(cx) > M.left + pw * 0.6;
    body += `<text x="${(Number(cx) + (right ? -7 : 7)).toFixed(1)}" y="${(Number(cy) - 7).toFixed(1)}" font-size="10" fill="#444"${right ? ' text-anchor="end"' : ''}>${esc(p.label)}</text>`;
  }
  const title = `${NAMES[y]} against ${NAMES[x]}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title>` +
    `<rect width="${W}" height="${H}" fill="#fff"/><text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>` +
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/><line x1="${M.left}" x2="${W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>` +
    `<text x="${M.left + pw / 2}" y="${H - 12}" text-anchor="middle" font-size="11">${esc(NAMES[x])}</text>` +
    `<text transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(NAMES[y])}</text>` +
    body + '</svg>';
}

const COLUMNS: [string, (p: PointResult) => string][] = [
  ['point', (p) => p.label], ['status', (p) => (p.status === 'ok' ? (p.pareto ? 'Pareto' : 'ok') : `failed: ${p.error?.split('\n')[0] ?? ''}`)],
  ['cycles', (p) => (p.cycles ?? '–').toString()], ['ideal', (p) => (p.idealCycles ?? '–').toString()], ['LUTs', (p) => (p.luts ?? '–').toString()],
  ['FFs', (p) => (p.ffs ?? '–').toString()], ['BRAMs', (p) => (p.brams ?? '–').toString()], ['energy pJ', (p) => (p.energyPj ?? '–').toString()],
  ['Fmax MHz', (p) => (p.fmaxMhz ?? '–').toString()],
];

/** Write report.html and report.md for the results folder `dir` into `out`; returns their paths. */
export function writeExploreReport(dir: string, out: string): { html: string; markdown: string; front: number; objectives: Objective[] } {
  const results = readResults(dir);
  const ok = results.filter((r) => r.status === 'ok');
  const objectives = sharedObjectives(ok);
  // Recompute membership: the file's flags are trusted only as far as they agree with the numbers.
  const front = new Set(paretoFront(ok, objectives).map((i) => ok[i]!.index));
  for (const r of results) r.pareto = front.has(r.index);
  const pairs: [Objective, Objective][] = [];
  for (let i = 0; i < objectives.length; i++) for (let j = i + 1; j < objectives.length; j++) pairs.push([objectives[i]!, objectives[j]!]);
  const svgs = pairs.map(([x, y]) => paretoSvg(ok, x, y));
  const rows = results.map((r) => COLUMNS.map(([, f]) => f(r)));
  const title = `Sweep ${path.basename(path.resolve(dir))}: ${results.length} points, ${front.size} on the Pareto front over ${objectives.map((o) => NAMES[o]).join(', ') || 'nothing'}`;
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child,td:nth-child(2){text-align:left}</style></head><body>` +
    `<h1>${esc(title)}</h1><p>Filled points are on the Pareto front over all objectives (every one minimised); the dashed staircase is the front of the two plotted objectives.</p>` +
    svgs.map((s) => `<figure>${s}</figure>`).join('') +
    `<table><tr>${COLUMNS.map(([h]) => `<th>${h}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table></body></html>\n`;
  const md = `# ${title}\n\n| ${COLUMNS.map(([h]) => h).join(' | ')} |\n|${COLUMNS.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`).join('\n')}\n`;
  fs.mkdirSync(out, { recursive: true });
  const files = { html: path.join(out, 'report.html'), markdown: path.join(out, 'report.md') };
  fs.writeFileSync(files.html, html);
  fs.writeFileSync(files.markdown, md);
  return { ...files, front: front.size, objectives };
}
