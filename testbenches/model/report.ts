/**
 * The provenance report of a divergence: the text that goes into the test failure, `failure.json`
 * (everything in it, bit patterns as hex strings) and `failure.html` (an SVG timeline of the streams
 * around the failing element near the failing cycle: one lane per stream, one tick per token, the
 * bad one red).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codec } from '../../dsl/builder/codec.ts';
import type { Divergence, ModelRun, RtlRun } from './run.ts';

export interface ReportContext {
  design: string;
  seed: number;
  /** The waveform window around the cycle, or why there is none. */
  wave?: string;
  waveError?: string;
}

/** A stream's token as hex and fields (signed fields signed). */
export function showToken(model: ModelRun, stream: string, bits: bigint | undefined): string {
  if (bits === undefined) return '(no token)';
  const s = model.graph.streams.get(stream);
  const hex = `0x${bits.toString(16)}`;
  if (!s?.type) return `${hex} (${bits})`;
  try {
    return `${hex} (${codec(s.type).show(bits)})`;
  } catch {
    return hex;
  }
}

/** The multi-line text of the failure. */
export function formatDivergence(d: Divergence, model: ModelRun, c: ReportContext): string {
  const e = d.element;
  const what = d.kind === 'value' ? `token #${d.index} at cycle ${d.cycle}`
    : d.kind === 'extra' ? `token #${d.index} at cycle ${d.cycle}: the RTL moved a token the model does not have`
    : `token #${d.index} never moved (run ended at cycle ${d.cycle})`;
  const lines = [
    `RTL and token model disagree first on stream '${d.stream}' of ${c.design}`,
    `  seed:      ${c.seed} (reproduce with HWFLOW_SEED=${c.seed})`,
    `  token:     ${what}`,
    `  expected:  ${showToken(model, d.stream, d.expected)}`,
    `  actual:    ${showToken(model, d.stream, d.actual)}`,
    `  counts:    ${d.counts.model} in the model, ${d.counts.rtl} moved in the RTL`,
    `  element:   ${e ? `${e.element} '${e.name}' made at ${e.loc ?? '<unknown location>'}` : '(no element produces it)'}`,
  ];
  for (const i of d.inputs)
    lines.push(`  input:     ${i.stream} #${i.index}${i.cycle !== undefined ? ` (cycle ${i.cycle})` : ''}: model ${showToken(model, i.stream, i.model)}, RTL ${showToken(model, i.stream, i.rtl)}`);
  if (model.unmodelled.length) lines.push(`  unmodelled: ${model.unmodelled.map((x) => `${x.element} '${x.name}'`).join(', ')} (their RTL output taken as given)`);
  lines.push(`  waveform:  ${c.wave ?? `(none: ${c.waveError ?? 'not requested'})`}`);
  return lines.join('\n');
}

const hexOf = (b: bigint | undefined) => (b === undefined ? null : `0x${b.toString(16)}`);

/** The streams worth drawing: the failing element's inputs and outputs, then their neighbours. */
function lanes(d: Divergence, model: ModelRun): string[] {
  const e = d.element;
  const near = new Set<string>([...(e?.ins ?? []), d.stream, ...(e?.outs ?? [])]);
  for (const s of [...near]) {
    const g = model.graph.streams.get(s);
    for (const x of [...(g?.producer?.ins ?? []), ...(g?.consumers.flatMap((c) => c.outs) ?? [])]) if (near.size < 12) near.add(x);
  }
  return model.graph.order.filter((s) => near.has(s)).concat([...near].filter((s) => !model.graph.order.includes(s)));
}

/** The SVG timeline: cycles [from, to], one lane per stream. */
export function timelineSvg(d: Divergence, model: ModelRun, rtl: RtlRun, from: number, to: number): string {
  const names = lanes(d, model);
  const W = 900, left = 180, laneH = 28, top = 24;
  const x = (c: number) => left + ((c - from) / Math.max(1, to - from)) * (W - left - 10);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${top + laneH * names.length + 20}" font-family="monospace" font-size="11">`);
  parts.push(`<line x1="${x(d.cycle)}" y1="10" x2="${x(d.cycle)}" y2="${top + laneH * names.length}" stroke="#d33" stroke-dasharray="3,3"/>`);
  parts.push(`<text x="${x(d.cycle) + 3}" y="16" fill="#d33">cycle ${d.cycle}</text>`);
  names.forEach((s, i) => {
    const y = top + laneH * i;
    const bad = s === d.stream;
    parts.push(`<text x="4" y="${y + 17}" fill="${bad ? '#d33' : '#222'}">${s}</text>`);
    parts.push(`<line x1="${left}" y1="${y + 20}" x2="${W - 10}" y2="${y + 20}" stroke="#bbb"/>`);
    const cyc = rtl.cycles.get(s) ?? [];
    const tok = rtl.tokens.get(s) ?? [];
    const want = model.tokens.get(s) ?? [];
    cyc.forEach((c, k) => {
      if (c < from || c > to) return;
      const wrong = want[k] !== undefined && want[k]!.bits !== tok[k];
      const title = `${s} #${k} cycle ${c}: RTL ${showToken(model, s, tok[k])}, model ${showToken(model, s, want[k]?.bits)}`;
      parts.push(`<rect x="${x(c) - 3}" y="${y + 6}" width="6" height="14" fill="${wrong ? '#d33' : '#3a7'}"><title>${escapeXml(title)}</title></rect>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Writes failure.json and failure.html into `dir`; returns their paths. */
export function writeFailure(dir: string, d: Divergence, model: ModelRun, rtl: RtlRun, c: ReportContext): { json: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const text = formatDivergence(d, model, c);
  const from = Math.max(0, d.cycle - 40), to = d.cycle + 24;
  const json = {
    design: c.design, seed: c.seed, stream: d.stream, kind: d.kind, index: d.index, cycle: d.cycle,
    expected: hexOf(d.expected), actual: hexOf(d.actual),
    expectedFields: showToken(model, d.stream, d.expected), actualFields: showToken(model, d.stream, d.actual),
    counts: d.counts,
    element: d.element ? { kind: d.element.element, name: d.element.name, loc: d.element.loc ?? null, ins: d.element.ins, outs: d.element.outs } : null,
    inputs: d.inputs.map((i) => ({ stream: i.stream, index: i.index, cycle: i.cycle ?? null, model: hexOf(i.model), rtl: hexOf(i.rtl) })),
    unmodelled: model.unmodelled.map((e) => ({ kind: e.element, name: e.name })),
    graph: model.graph.order,
    wave: c.wave ?? null,
    window: { from, to },
  };
  const paths = { json: join(dir, 'failure.json'), html: join(dir, 'failure.html') };
  writeFileSync(paths.json, JSON.stringify(json, null, 2));
  writeFileSync(paths.html, `<!doctype html><meta charset="utf-8"><title>${escapeXml(c.design)}: ${escapeXml(d.stream)}</title>
<h1>${escapeXml(c.design)}: first divergence on <code>${escapeXml(d.stream)}</code></h1>
<pre>${escapeXml(text)}</pre>
${timelineSvg(d, model, rtl, from, to)}
<p>Green: tokens where RTL and model agree; red: where they differ. Hover a token for its fields.</p>
`);
  return paths;
}
