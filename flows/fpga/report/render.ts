/**
 * A report as Markdown (for reviews and docs) and as one self-contained HTML page with SVG charts
 * (inline styles, no scripts, nothing fetched), so it opens offline from a file or a CI artifact.
 */
import type { Report, ReportPoint } from './collect.ts';
import { barChart, esc, scatterChart, type BarSeries } from './svg.ts';

const KINDS = [['luts', 'LUTs'], ['ffs', 'FFs'], ['carries', 'carries'], ['dsps', 'DSPs'], ['brams', 'BRAMs']] as const;
const UNIT_KINDS = ['multipliers', 'adders', 'shifters', 'comparators', 'muxes', 'logic'] as const;

const num = (v: number | null | undefined, digits = 0): string => (v === undefined || v === null ? '–' : v.toFixed(digits));
const targetsOf = (r: Report): string[] => [...new Set(r.points.flatMap((p) => p.synth.map((s) => s.target)))];

/** The charts of a report, as SVG strings with a caption each. */
export function charts(r: Report): { caption: string; svg: string }[] {
  const out: { caption: string; svg: string }[] = [];
  const labels = r.points.map((p) => p.label);
  for (const t of targetsOf(r)) {
    const series: BarSeries[] = r.points.map((p) => {
      const s = p.synth.find((x) => x.target === t);
      return { name: p.label, values: KINDS.map(([k]) => (s ? s.resources[k] : 0)) };
    });
    out.push({ caption: `Resources by kind after yosys synthesis for ${t}.`, svg: barChart(`Resources by kind — ${t}`, KINDS.map(([, n]) => n), series, 'cells') });
  }
  if (r.points.some((p) => p.units))
    out.push({
      caption: 'Datapath units in the design (IR, flattened hierarchy).',
      svg: barChart('Datapath units by kind', [...UNIT_KINDS], r.points.map((p) => ({ name: p.label, values: UNIT_KINDS.map((k) => p.units?.[k] ?? 0) })), 'units'),
    });
  if (r.points.some((p) => p.cycles)) {
    const series: BarSeries[] = [{ name: 'ideal bound', values: r.points.map((p) => p.cycles?.ideal ?? 0) }];
    if (r.points.some((p) => p.cycles?.measured !== undefined)) series.unshift({ name: 'measured', values: r.points.map((p) => p.cycles?.measured ?? 0) });
    const measured = series.length > 1;
    out.push({ caption: measured ? 'Cycles measured in simulation against the ideal bound (work / parallel units).' : 'Ideal cycle bound (work / parallel units); no simulation result was given.', svg: barChart('Cycles against the ideal bound', labels, series, 'cycles') });
  }
  if (r.points.some((p) => p.energy)) {
    const whats = [...new Set(r.points.flatMap((p) => p.energy?.lines.map((l) => l.what) ?? []))];
    const series = r.points.map((p) => ({ name: p.label, values: whats.map((w) => p.energy?.lines.filter((l) => l.what === w).reduce((a, l) => a + l.pj, 0) ?? 0) }));
    out.push({ caption: `Operation energy by kind (${r.energyTable.name}).`, svg: barChart('Energy by operation', whats, series, 'pJ') });
  }
  const scatter = scatterOf(r);
  if (scatter) out.push(scatter);
  return out;
}

/** With several points: resources (x) against energy, else ideal cycles, else flip-flops (y). */
function scatterOf(r: Report): { caption: string; svg: string } | undefined {
  const t = targetsOf(r)[0];
  if (r.points.length < 2 || !t) return undefined;
  const luts = (p: ReportPoint): number => p.synth.find((s) => s.target === t)?.resources.luts ?? 0;
  const [yName, y] = r.points.every((p) => p.energy)
    ? ['energy (pJ)', (p: ReportPoint) => p.energy!.totalPj]
    : r.points.every((p) => p.cycles?.ideal !== undefined)
      ? ['ideal cycles', (p: ReportPoint) => p.cycles!.ideal!]
      : ['flip-flops', (p: ReportPoint) => p.synth.find((s) => s.target === t)?.resources.ffs ?? 0];
  const points = r.points.map((p) => ({ x: luts(p), y: y(p), label: p.label }));
  return { caption: `Each parameter point: LUTs on ${t} against ${yName}.`, svg: scatterChart(`Parameter points: LUTs vs ${yName}`, points, `LUTs (${t})`, yName) };
}

function pointRows(r: Report): string[][] {
  const targets = targetsOf(r);
  const head = ['point', 'top', ...targets.map((t) => `${t} LUT/FF/DSP/BRAM`), 'Fmax MHz', 'cycles', 'ideal', 'energy pJ'];
  const rows = r.points.map((p) => [
    p.label, p.top,
    ...targets.map((t) => {
      const s = p.synth.find((x) => x.target === t)?.resources;
      return s ? `${s.luts}/${s.ffs}/${s.dsps}/${s.brams}` : '–';
    }),
    p.build ? `${num(p.build.fmaxMhz, 1)} (${p.build.target})` : '–',
    num(p.cycles?.measured), num(p.cycles?.ideal), p.energy ? p.energy.totalPj.toFixed(1) : '–',
  ]);
  return [head, ...rows];
}

/** The report as Markdown. */
export function toMarkdown(r: Report): string {
  const rows = pointRows(r);
  const table = (t: string[][]): string => [t[0]!, t[0]!.map(() => '---'), ...t.slice(1)].map((x) => `| ${x.join(' | ')} |`).join('\n');
  const parts = [`# hwflow report: ${r.design}`, '', `Energy table: ${r.energyTable.name} (${r.energyTable.source}).`, '', table(rows), ''];
  for (const p of r.points) {
    if (p.build)
      parts.push(`- **${p.label}** on ${p.build.target}${p.build.shell ? ' (serial shell)' : ''}: ${p.build.utilisation.lcs} LCs, ${p.build.utilisation.rams} RAMs, ${p.build.utilisation.dsps} DSPs, ${p.build.utilisation.ios} IOs, Fmax ${num(p.build.fmaxMhz, 2)} MHz at a ${p.build.clockMhz} MHz constraint${p.build.meetsTiming ? '' : ' (FAILS timing)'}`);
    if (p.energy) {
      parts.push(`- **${p.label}** energy at ${p.energy.width}-bit: ${p.energy.totalPj.toFixed(2)} pJ (${p.counts?.source ?? ''}) = ${p.energy.lines.filter((l) => l.n !== 0).map((l) => `${l.n} ${l.what} × ${l.pjEach} pJ`).join(' + ')}`);
      if (p.energy.unpriced.length) parts.push(`  - not priced by the table: ${p.energy.unpriced.join(', ')}`);
    }
  }
  if (r.notes.length) parts.push('', '## Not reported', '', ...r.notes.map((n) => `- ${n}`));
  return parts.join('\n') + '\n';
}

/** The report as one self-contained HTML page. */
export function toHtml(r: Report): string {
  const rows = pointRows(r);
  const table = `<table><thead><tr>${rows[0]!.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .slice(1).map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const figs = charts(r).map((c) => `<figure>${c.svg}<figcaption>${esc(c.caption)}</figcaption></figure>`).join('\n');
  const notes = r.notes.length ? `<h2>Not reported</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  const md = toMarkdown(r).split('\n').filter((l) => l.startsWith('- **') || l.startsWith('  - ')).map((l) => `<li>${esc(l.replace(/^\s*- /, '').replace(/\*\*/g, ''))}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hwflow report: ${esc(r.design)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1340px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}.meta{color:#555;font-size:13px;margin-bottom:16px}
table{border-collapse:collapse;font-size:13px;margin:12px 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}
th{background:#f2f4f7}td:first-child,th:first-child,td:nth-child(2){text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;border:1px solid #e3e3e3;padding:6px;background:#fff}
figcaption{font-size:12px;color:#555;max-width:600px}ul{font-size:13px}
</style></head>
<body>
<h1>hwflow report: ${esc(r.design)}</h1>
<div class="meta">${r.points.length} parameter point${r.points.length === 1 ? '' : 's'} · energy table: ${esc(r.energyTable.name)} (${esc(r.energyTable.source)})</div>
${table}
<ul>${md}</ul>
<div class="charts">
${figs}
</div>
${notes}
</body></html>
`;
}
