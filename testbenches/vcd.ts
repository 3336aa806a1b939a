/**
 * Reading VCD files and drawing a few of their signals as text, for protocol snapshot tests in the
 * spirit of hardcaml's expect tests: a valid/ready handshake is easier to review as a picture in a
 * diff than as a list of numbers.
 *
 * The harness (both back ends) dumps cycle c at time 10c, after the inputs of that cycle settled,
 * and at 10c+5, after the rising edge. Sampling at 10c therefore shows what the design's registers
 * see at the edge that ends cycle c: a stream moves a token in every column where valid and ready
 * are both high.
 */
import { readFileSync } from 'node:fs';

/** One signal of a VCD file: its name, width and value changes. */
export interface VcdSignal {
  /** Hierarchical name, scopes joined by '.', e.g. `TOP.in_valid` or `hwflow_tb.dut.in_valid`. */
  path: string;
  name: string;
  width: number;
  /** Value changes in time order; values are bit strings of `0 1 x z` (most significant first). */
  changes: { time: number; value: string }[];
}

/** A parsed VCD file: its timescale and signals. */
export interface Vcd {
  timescale: string;
  signals: VcdSignal[];
  /** Last time stamp in the file. */
  endTime: number;
}

/**
 * Parses VCD text (the subset simulators write: scopes, vars, scalar, vector and real changes).
 * @param text the VCD file contents
 */
export function parseVcd(text: string): Vcd {
  const tokens = text.split(/\s+/).filter((t) => t.length > 0);
  const byId = new Map<string, VcdSignal[]>();
  const signals: VcdSignal[] = [];
  const scopes: string[] = [];
  let timescale = '';
  let i = 0;
  const until = (end = '$end'): string[] => {
    const out: string[] = [];
    while (i < tokens.length && tokens[i] !== end) out.push(tokens[i++]!);
    i++;
    return out;
  };
  // Header.
  while (i < tokens.length) {
    const t = tokens[i++]!;
    if (t === '$scope') scopes.push(until()[1] ?? '?');
    else if (t === '$upscope') { scopes.pop(); until(); }
    else if (t === '$timescale') timescale = until().join('');
    else if (t === '$var') {
      const [, width, id, name] = until();
      const sig: VcdSignal = { path: [...scopes, name!].join('.'), name: name!, width: Number(width), changes: [] };
      signals.push(sig);
      const list = byId.get(id!) ?? [];
      list.push(sig);
      byId.set(id!, list);
    } else if (t === '$enddefinitions') { until(); break; }
    else if (t.startsWith('$')) until();
  }
  // Value changes.
  let time = 0;
  const set = (id: string, value: string) => {
    for (const s of byId.get(id) ?? []) {
      const v = value.length < s.width ? value.padStart(s.width, value[0] === '1' ? '0' : value[0]!) : value;
      const last = s.changes[s.changes.length - 1];
      if (last && last.time === time) last.value = v;
      else s.changes.push({ time, value: v });
    }
  };
  while (i < tokens.length) {
    const t = tokens[i++]!;
    const c = t[0]!;
    if (c === '#') time = Number(t.slice(1));
    else if (c === 'b' || c === 'B') set(tokens[i++]!, t.slice(1).toLowerCase());
    else if (c === 'r' || c === 'R') set(tokens[i++]!, t.slice(1));
    else if (c === '$') continue; // $dumpvars, $dumpon, $end ... bracket ordinary changes
    else if ('01xzXZ'.includes(c)) set(t.slice(1), c.toLowerCase());
  }
  return { timescale, signals, endTime: time };
}

/**
 * Reads and parses a VCD file.
 * @param file path of the VCD file
 */
export function readVcd(file: string): Vcd {
  return parseVcd(readFileSync(file, 'utf8'));
}

/**
 * Finds a signal by full path, by path suffix (`dut.count`) or by leaf name; among several matches
 * the shallowest wins (the top-level port rather than the same net seen inside the design).
 * @param vcd the parsed file
 * @param name the signal name, or a unique suffix of its hierarchical name
 */
export function findSignal(vcd: Vcd, name: string): VcdSignal {
  const hits = vcd.signals.filter((s) => s.path === name || s.path.endsWith(`.${name}`));
  if (hits.length === 0) throw new Error(`no signal '${name}' in the waveform (it has ${vcd.signals.length} signals, e.g. ${vcd.signals.slice(0, 8).map((s) => s.name).join(', ')})`);
  return hits.sort((a, b) => a.path.split('.').length - b.path.split('.').length)[0]!;
}

/**
 * The value (bit string) of a signal at `time`: the last change at or before it, 'x' before any.
 * @param s the signal
 * @param time the time in VCD units
 */
export function valueAt(s: VcdSignal, time: number): string {
  let lo = 0;
  let hi = s.changes.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s.changes[mid]!.time <= time) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found < 0 ? 'x'.repeat(s.width) : s.changes[found]!.value;
}

function showBus(bits: string): string {
  if (/[xz]/.test(bits)) return bits.includes('z') && !bits.includes('x') ? 'z' : 'x';
  return BigInt(`0b${bits}`).toString(16);
}

/** Options of `renderAscii`: the cycle window, the cell width, the period and sampling offset. */
export interface AsciiOptions {
  /** First cycle to draw (default: the first cycle the file has values for, e.g. a failure window's start). */
  from?: number;
  /** Last cycle to draw (default: the last cycle in the file). */
  to?: number;
  /** Characters per cycle, at least (default 4); widened so cycle numbers and hex values fit whole. */
  cell?: number;
  /** Time units per cycle (the harness: 10). */
  period?: number;
  /** Sampling offset inside a cycle, in time units (the harness: 0). */
  offset?: number;
}

/**
 * Draws signals one per row, one column block per cycle: 1-bit signals as `‾‾‾‾`/`____` with `/` and
 * `\` at changes, wider ones as hex values written where they change. Columns are as wide as the
 * widest cycle number (plus a space) or hex value (after its `|`) of the window needs: nothing is cut.
 * @param vcd the parsed file
 * @param names the signals to draw, top to bottom
 * @param o cycle window, cell width, period, offset
 */
export function renderAscii(vcd: Vcd, names: readonly string[], o: AsciiOptions = {}): string {
  const period = o.period ?? 10;
  const offset = o.offset ?? 0;
  const sigs = names.map((n) => findSignal(vcd, n));
  // A window written mid-run (a failure waveform) starts late: draw from its first values, not all x.
  const firstTime = Math.min(...vcd.signals.filter((s) => s.changes.length > 0).map((s) => s.changes[0]!.time));
  const from = o.from ?? (Number.isFinite(firstTime) ? Math.max(0, Math.ceil((firstTime - offset) / period)) : 0);
  const to = o.to ?? Math.floor((vcd.endTime - offset) / period);
  const cycles = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
  const values = sigs.map((s) => cycles.map((c) => valueAt(s, c * period + offset)));
  const busWidth = Math.max(0, ...sigs.flatMap((s, k) => (s.width === 1 ? [] : values[k]!.map((v) => showBus(v).length + 1))));
  // A bus value starts with '|', which keeps neighbours apart; cycle numbers need a space.
  const cell = Math.max(o.cell ?? 4, String(to).length + 1, busWidth);
  const label = Math.max(5, ...names.map((n) => n.length)) + 1;
  const rows: string[] = [('cycle'.padEnd(label) + cycles.map((c) => String(c).padEnd(cell)).join('')).trimEnd()];
  sigs.forEach((s, k) => {
    let row = names[k]!.padEnd(label);
    let prev: string | undefined;
    for (const v of values[k]!) {
      if (s.width === 1) {
        const ch = v === '1' ? '‾' : v === '0' ? '_' : 'x';
        const edge = prev === undefined || prev === v ? ch : v === '1' ? '/' : v === '0' ? '\\' : 'x';
        row += edge + ch.repeat(cell - 1);
      } else {
        row += prev === undefined || prev !== v ? `|${showBus(v)}`.padEnd(cell) : ' '.repeat(cell);
      }
      prev = v;
    }
    rows.push(row.trimEnd());
  });
  return rows.join('\n') + '\n';
}
