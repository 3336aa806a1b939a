/**
 * Small, dependency-free SVG charts for the HTML report: grouped bars and a labelled scatter plot.
 * Output is plain markup (no scripts, no fonts or styles from the network), so the page renders
 * offline and identically everywhere.
 */

const W = 600;
const H = 300;
const M = { left: 64, right: 16, top: 36, bottom: 64 };
const COLORS = ['#3b6ea5', '#e07b39', '#4a9a5b', '#b8474b', '#7d5ba6', '#8c6d46', '#c55fa0', '#6b7b8c'];

/** Escape text for SVG/HTML content and attributes. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A "nice" axis maximum and tick step for values up to `max`. */
function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

const fmt = (v: number): string => (Math.abs(v) >= 1e6 ? `${(v / 1e6).toPrecision(3)}M` : Math.abs(v) >= 1e4 ? `${(v / 1e3).toPrecision(3)}k` : `${Number(v.toPrecision(4))}`);

function frame(title: string, yLabel: string, top: number, step: number, body: string, extra = ''): string {
  const plotH = H - M.top - M.bottom;
  let ticks = '';
  for (let v = 0; v <= top + step / 2; v += step) {
    const y = M.top + plotH - (v / top) * plotH;
    ticks += `<line x1="${M.left}" x2="${W - M.right}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>`;
    ticks += `<text x="${M.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11">${fmt(v)}</text>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">` +
    `<title>${esc(title)}</title><rect width="${W}" height="${H}" fill="#fff"/>` +
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>` +
    ticks +
    `<text transform="translate(14 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(yLabel)}</text>` +
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>` +
    `<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>` +
    body + extra + '</svg>';
}

export interface BarSeries {
  name: string;
  values: number[];
}

/** Grouped bars: one group per category, one bar per series, with a legend when there are several. */
export function barChart(title: string, categories: string[], series: BarSeries[], yLabel: string): string {
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v) => Number.isFinite(v))));
  const { top, step } = niceScale(max);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const groupW = plotW / Math.max(1, categories.length);
  const barW = Math.max(2, (groupW * 0.8) / Math.max(1, series.length));
  let body = '';
  categories.forEach((cat, i) => {
    const gx = M.left + i * groupW + groupW * 0.1;
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      const h = (Math.max(0, v) / top) * plotH;
      const x = gx + j * barW;
      body += `<rect class="bar" x="${x.toFixed(1)}" y="${(M.top + plotH - h).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[j % COLORS.length]}"><title>${esc(`${s.name} ${cat}: ${fmt(v)}`)}</title></rect>`;
    });
    body += `<text x="${(M.left + i * groupW + groupW / 2).toFixed(1)}" y="${M.top + plotH + 16}" text-anchor="middle" font-size="11">${esc(cat)}</text>`;
  });
  let legend = '';
  if (series.length > 1)
    series.forEach((s, j) => {
      const x = M.left + j * 130;
      legend += `<rect x="${x}" y="${H - 22}" width="10" height="10" fill="${COLORS[j % COLORS.length]}"/><text x="${x + 14}" y="${H - 13}" font-size="11">${esc(s.name)}</text>`;
    });
  return frame(title, yLabel, top, step, body, legend);
}

export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
}

/** A scatter plot with labelled points (one per parameter point). */
export function scatterChart(title: string, points: ScatterPoint[], xLabel: string, yLabel: string): string {
  const ys = niceScale(Math.max(0, ...points.map((p) => p.y)));
  const xs = niceScale(Math.max(0, ...points.map((p) => p.x)));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  let body = '';
  for (let v = 0; v <= xs.top + xs.step / 2; v += xs.step) {
    const x = M.left + (v / xs.top) * plotW;
    body += `<text x="${x.toFixed(1)}" y="${M.top + plotH + 16}" text-anchor="middle" font-size="11">${fmt(v)}</text>`;
  }
  points.forEach((p, i) => {
    const x = M.left + (p.x / xs.top) * plotW;
    const y = M.top + plotH - (p.y / ys.top) * plotH;
    body += `<circle class="point" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="5" fill="${COLORS[i % COLORS.length]}"><title>${esc(`${p.label}: ${fmt(p.x)}, ${fmt(p.y)}`)}</title></circle>`;
    body += `<text x="${(x + 7).toFixed(1)}" y="${(y - 7).toFixed(1)}" font-size="11">${esc(p.label)}</text>`;
  });
  body += `<text x="${M.left + plotW / 2}" y="${H - 20}" text-anchor="middle" font-size="11">${esc(xLabel)}</text>`;
  return frame(title, yLabel, ys.top, ys.step, body);
}
