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
  /**
   * The graph record of child instances whose modules (or descendants) hold library elements, parents
   * first, with hierarchical names: their element notes and how their stream ports link to the
   * parent's streams. Their internal streams are in `taps` as `<path>.<stream>`. Absent when no child
   * holds an element (hand-written children are replayed from a waveform instead).
   */
  instances?: ManifestInstance[];
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

/** One child instance in the graph record: its path, module, element notes and stream links. */
export interface ManifestInstance {
  /** Instance names from the top joined by '.', e.g. `u0` or `u0.inner`. */
  path: string;
  module: string;
  /** The user's `m.instance` line, as `file:line`. */
  loc: string;
  /** The module's element notes (stream names local to the module). */
  notes: Record<string, unknown>[];
  /**
   * The module's stream ports: the parent's stream feeding an input port (when it is a named stream
   * of the parent), and the parent-side stream name of an output port (`<instance>_<port>`).
   */
  ports: { port: string; dir: 'in' | 'out'; parent?: string; type?: PayloadType }[];
}

type ModuleIR = Circuit['top'];
const elementNotes = (m: ModuleIR) => m.notes.filter((n) => n['kind'] === 'element' && ((n['ins'] as unknown[] | undefined)?.length || (n['outs'] as unknown[] | undefined)?.length));

/** Whether `m` or any module below it holds a library element. */
function holdsElements(m: ModuleIR): boolean {
  return elementNotes(m).length > 0 || m.instances.some((i) => holdsElements(i.module));
}

/** The instances below `top` that hold elements, parents first, with their graph records. */
function instancesOf(top: ModuleIR): ManifestInstance[] {
  const out: ManifestInstance[] = [];
  const walk = (m: ModuleIR, prefix: string) => {
    for (const inst of m.instances) {
      if (!holdsElements(inst.module)) continue;
      const path = `${prefix}${inst.name}`;
      const ports = inst.module.streams.map((s) => {
        const type = s.meta?.['type'] as PayloadType | undefined;
        if (s.dir === 'out') return { port: s.name, dir: s.dir, parent: `${prefix}${inst.name}_${s.name}`, type };
        const fed = inst.inputs.get(s.payload[0] ?? '')?.value;
        const parent = fed?.kind === 'ref' && fed.signal.name.endsWith('_payload') ? `${prefix}${fed.signal.name.slice(0, -'_payload'.length)}` : undefined;
        return { port: s.name, dir: s.dir, ...(parent ? { parent } : {}), type };
      });
      out.push({ path, module: inst.module.name, loc: formatLoc(inst.loc.get()), notes: elementNotes(inst.module), ports });
      walk(inst.module, `${path}.`);
    }
  };
  walk(top, '');
  return out;
}

/** Every named wire stream of the top module that an element note links, in creation order; then those of child instances that hold elements (hierarchical names). */
function tapsOf(top: Circuit['top']): ManifestTap[] {
  return [...localTaps(top, ''), ...instancesOf(top).flatMap((i) => localTaps(findInstance(top, i.path), `${i.path}.`, true))];
}

function findInstance(top: ModuleIR, path: string): ModuleIR {
  return path.split('.').reduce((m, n) => m.instances.find((i) => i.name === n)!.module, top);
}

/** The element-linked streams of one module, names prefixed with its instance path (and its stream ports too, for a child). */
function localTaps(top: ModuleIR, prefix: string, ports = false): ManifestTap[] {
  const taps: ManifestTap[] = [];
  if (ports)
    for (const s of top.streams) {
      const payload = top.ports.find((p) => p.name === s.payload[0]);
      if (s.payload.length !== 1 || !payload || payload.type.width === 0) continue;
      taps.push({ name: `${prefix}${s.name}`, valid: `${prefix}${s.valid}`, ready: `${prefix}${s.ready}`, payload: `${prefix}${payload.name}`, width: payload.type.width, signed: payload.type.signed, type: s.meta?.['type'] as PayloadType });
    }
  taps.push(...ownTaps(top).map((t) => ({ ...t, name: `${prefix}${t.name}`, valid: `${prefix}${t.valid}`, ready: `${prefix}${t.ready}`, payload: `${prefix}${t.payload}` })));
  return taps;
}

function ownTaps(top: ModuleIR): ManifestTap[] {
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
    ...(top.instances.some((i) => holdsElements(i.module)) ? { instances: instancesOf(top) } : {}),
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
