/**
 * The manifest: what tools outside the DSL (the harness, FPGA export, reports, sweeps) need to know
 * about a generated design, as JSON next to its Verilog. Versioned; add fields, never repurpose them.
 */
import { formatLoc } from './errors.ts';
import type { Circuit, StreamInterface } from './ir/nodes.ts';
import { codec, type Codec } from './builder/codec.ts';
import type { PayloadType } from './builder/payload.ts';
import { collectWarnings } from './lib/notes.ts';

export interface ManifestPort {
  name: string;
  dir: 'in' | 'out';
  width: number;
  signed: boolean;
}

export interface Manifest {
  /** Format version of this file. */
  hwflow: 1;
  /** Top module name (also the Verilog file `<top>.v`). */
  top: string;
  /** Registered generator name, or the script path for a user's DSL script. */
  generator: string;
  preset?: string;
  params: Record<string, unknown>;
  /** Verilog files, children before parents; the top is last. */
  files: string[];
  /** Implicit clock and synchronous active-high reset, or null for a combinational design. */
  clock: string | null;
  reset: string | null;
  /** Every top-level port, in Verilog order (clock and reset first when present). */
  ports: ManifestPort[];
  streams: StreamInterface[];
  /** Facts recorded by library elements (latency, initiation interval, ...), top module only. */
  notes: Record<string, unknown>[];
  /**
   * Internal streams of the top module that library elements consume or produce (the dataflow
   * graph's edges): the harness can record every token crossing them (`openSim(dir, { trace: true })`).
   */
  taps?: ManifestTap[];
  /** Module names, children before parents. */
  modules: string[];
  /** Elaboration warnings (legal but probably unintended hardware); absent when there are none. */
  warnings?: ManifestWarning[];
}

export interface ManifestWarning {
  module?: string;
  /** The message, starting with the user's `file:line`. */
  message: string;
  /** Every source line involved, most relevant first, as `file:line`. */
  locations: string[];
}

/** An internal stream the harness can trace: its wires in the top module and its payload type. */
export interface ManifestTap {
  name: string;
  valid: string;
  ready: string;
  payload: string;
  width: number;
  signed: boolean;
  type: PayloadType;
}

/** Every named wire stream of the top module that an element note links, in creation order. */
function tapsOf(top: Circuit['top']): ManifestTap[] {
  const linked = new Set<string>();
  for (const n of top.notes) if (n['kind'] === 'element') for (const s of [...((n['ins'] as string[]) ?? []), ...((n['outs'] as string[]) ?? [])]) linked.add(s);
  const signals = new Map(top.signals.map((s) => [s.name, s]));
  const taps: ManifestTap[] = [];
  for (const n of top.notes) {
    const name = n['name'] as string;
    if (n['kind'] !== 'stream' || !linked.has(name)) continue;
    const payload = signals.get(`${name}_payload`);
    if (!payload || !signals.has(`${name}_valid`) || !signals.has(`${name}_ready`) || payload.type.width === 0) continue;
    taps.push({ name, valid: `${name}_valid`, ready: `${name}_ready`, payload: payload.name, width: payload.type.width, signed: payload.type.signed, type: n['type'] as PayloadType });
  }
  return taps;
}

export function buildManifest(c: Circuit, info: { generator: string; preset?: string; params?: Record<string, unknown> }): Manifest {
  const top = c.top;
  const warnings: ManifestWarning[] = (c.warnings ?? collectWarnings(c)).map((w) => ({
    ...(w.module !== undefined ? { module: w.module } : {}),
    message: w.message,
    locations: w.locations.flatMap((l) => (l ? [formatLoc(l)] : [])),
  }));
  const ports: ManifestPort[] = [];
  if (top.sequential) ports.push({ name: 'clk', dir: 'in', width: 1, signed: false }, { name: 'rst', dir: 'in', width: 1, signed: false });
  for (const p of top.ports) ports.push({ name: p.name, dir: p.kind === 'input' ? 'in' : 'out', width: p.type.width, signed: p.type.signed });
  return {
    hwflow: 1,
    top: top.name,
    generator: info.generator,
    ...(info.preset !== undefined ? { preset: info.preset } : {}),
    params: info.params ?? {},
    files: c.modules.map((m) => `${m.name}.v`),
    clock: top.sequential ? 'clk' : null,
    reset: top.sequential ? 'rst' : null,
    ports,
    streams: [...top.streams],
    notes: top.notes.filter((n) => n['kind'] !== 'stream'),
    taps: tapsOf(top),
    modules: c.modules.map((m) => m.name),
    ...(warnings.length ? { warnings } : {}),
  };
}

/**
 * The host codec of a manifest stream, from the payload type its interface port recorded
 * (`meta.type`), or undefined for a manifest written before streams recorded their type.
 */
export function streamCodec(s: StreamInterface): Codec<PayloadType> | undefined {
  const t = s.meta?.['type'] as PayloadType | undefined;
  return t ? codec(t) : undefined;
}
