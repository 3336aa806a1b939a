/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium`) opens the page from a
 * file, a probe measures every chart's rendered geometry, and the browser log must hold no console
 * message (errors, failed loads). Skips, saying why, where Chromium is not installed.
 */
import { execa } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../flows/fpga/report/collect.ts';
import { toHtml } from '../flows/fpga/report/render.ts';
import { SHIFTADD_45NM, energyOf } from '../flows/fpga/report/energy.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
if (!CHROMIUM) console.warn('report-html tests skipped: no chromium at /usr/bin/chromium (apt-get install -y chromium)');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hwflow-html-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Load `file` in headless Chromium; returns the DOM after scripts ran and the browser's console lines. */
async function openInChromium(file: string): Promise<{ dom: string; console: string[] }> {
  const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
  const r = await execa(CHROMIUM!, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0',
    '--virtual-time-budget=2000', '--dump-dom', `file://${file}`,
  ], { reject: false, timeout: 60_000 });
  return { dom: r.stdout, console: r.stderr.split('\n').filter((l) => /:CONSOLE|Uncaught|Failed to load/.test(l)) };
}

/** The report page plus a probe that writes each chart's rendered size and its marks' total area into the DOM. */
function probed(html: string): string {
  const probe = `<script>
document.body.dataset.charts = JSON.stringify([...document.querySelectorAll('svg.chart')].map((s) => {
  const b = s.getBoundingClientRect();
  const area = [...s.querySelectorAll('rect.bar, circle.point')].reduce((a, m) => { const r = m.getBoundingClientRect(); return a + r.width * r.height; }, 0);
  return { w: Math.round(b.width), h: Math.round(b.height), marks: s.querySelectorAll('rect.bar, circle.point').length, area: Math.round(area) };
}));
</script>`;
  return html.replace('</body>', `${probe}</body>`);
}

const report: Report = {
  hwflowReport: 1, design: 'example', energyTable: { name: SHIFTADD_45NM.name, source: SHIFTADD_45NM.source }, notes: [],
  points: ['mul', 'shift'].map((kind, i) => ({
    label: `kind=${kind}`, params: { kind }, top: `pe_${kind}`,
    units: { multipliers: 1 - i, adders: 1, shifters: i, comparators: 0, muxes: 1, logic: 2, registerBits: 24, memoryBits: 0 },
    synth: [{ target: 'ice40', seconds: 1, resources: { luts: 300 - 100 * i, ffs: 24, carries: 20, dsps: 0, brams: 0, other: {} } }],
    cycles: { measured: 1030 + i, ideal: 1024, source: 'run.json' },
    energy: energyOf(kind === 'mul' ? { macs: 1024 } : { shifts: 1024, adds: 1024 }, SHIFTADD_45NM, 8),
  })),
};

describe.skipIf(!CHROMIUM)('HTML report in headless Chromium', () => {
  it('renders every chart with visible marks and logs nothing to the console', async () => {
    const file = path.join(tmp, 'report.html');
    fs.writeFileSync(file, probed(toHtml(report)));
    const { dom, console } = await openInChromium(file);
    expect(console).toEqual([]);
    const m = /data-charts="([^"]*)"/.exec(dom);
    expect(m, 'the probe did not run').not.toBeNull();
    const charts = JSON.parse(m![1]!.replace(/&quot;/g, '"')) as { w: number; h: number; marks: number; area: number }[];
    expect(charts.length).toBe(5); // resources, units, cycles, energy, scatter
    for (const c of charts) {
      expect(c.w).toBeGreaterThan(300);
      expect(c.h).toBeGreaterThan(150);
      expect(c.marks).toBeGreaterThan(0);
      expect(c.area).toBeGreaterThan(0);
    }
  });

  it('would catch a page that logs an error (the check can fail)', async () => {
    const file = path.join(tmp, 'broken.html');
    fs.writeFileSync(file, toHtml(report).replace('</body>', '<script>missingFunction();</script></body>'));
    const { console } = await openInChromium(file);
    expect(console.join('\n')).toMatch(/Uncaught ReferenceError: missingFunction is not defined/);
  });
});
