/**
 * The dataflow graph of a design, read back from its manifest: every element note with the streams
 * it consumes and produces (`ins`/`outs`, recorded by dsl/lib and the builder's map/connect), the top
 * module's stream ports, and the traced internal streams (`taps`). The order is the graph order the
 * diff walks: an element comes after the producers of all its inputs (feedback loops are cut where
 * the notes first close them).
 */
import { formatLoc, type SourceLoc } from '../../dsl/errors.ts';
import type { Manifest } from '../../dsl/manifest.ts';
import type { PayloadType } from '../../dsl/builder/payload.ts';

/** One element of the graph. */
export interface GraphElement {
  /** Position in the module's notes (creation order). */
  index: number;
  /** Kind: 'fifo', 'map', 'pipeline', 'fork', ... */
  element: string;
  name: string;
  /** The user's line that made it, as `file:line`. */
  loc?: string;
  ins: string[];
  outs: string[];
  note: Record<string, unknown>;
  /** Instance path of the module it lives in ('' for the top); its stream names start with `<scope>.`. */
  scope: string;
}

/** One stream of the graph, with what the model and the report need to know. */
export interface GraphStream {
  name: string;
  width: number;
  type?: PayloadType;
  /** 'in'/'out': a top-level stream port; 'tap': a traced internal stream. */
  kind: 'in' | 'out' | 'tap';
  producer?: GraphElement;
  consumers: GraphElement[];
}

export interface Graph {
  top: string;
  /** Elements in graph order. */
  elements: GraphElement[];
  streams: Map<string, GraphStream>;
  /** Stream names in graph order: top inputs, then each element's outputs as the walk reaches it. */
  order: string[];
}

function locOf(v: unknown): string | undefined {
  if (!v) return undefined;
  if (typeof v === 'string') return v;
  return formatLoc(v as SourceLoc);
}

/** Builds the graph of a manifest's top module. */
export function graphOf(m: Manifest): Graph {
  const streams = new Map<string, GraphStream>();
  const widthOf = (names: readonly string[]) => names.reduce((w, p) => w + (m.ports.find((x) => x.name === p)?.width ?? 0), 0);
  for (const s of m.streams)
    streams.set(s.name, { name: s.name, width: widthOf(s.payload), type: s.meta?.['type'] as PayloadType | undefined, kind: s.dir, consumers: [] });
  for (const t of m.taps ?? []) streams.set(t.name, { name: t.name, width: t.width, type: t.type, kind: 'tap', consumers: [] });
  const all: GraphElement[] = [];
  const addNotes = (notes: Record<string, unknown>[], scope: string) => {
    const p = scope ? `${scope}.` : '';
    notes.forEach((n) => {
      if (n['kind'] !== 'element') return;
      const ins = ((n['ins'] as string[] | undefined) ?? []).map((x) => p + x);
      const outs = ((n['outs'] as string[] | undefined) ?? []).map((x) => p + x);
      if (ins.length + outs.length === 0) return;
      all.push({ index: all.length, element: String(n['element']), name: p + String(n['name']), loc: locOf(n['loc']), ins, outs, note: n, scope });
    });
  };
  addNotes(m.notes, '');
  // Child instances: their elements under hierarchical names, and one link element per stream port
  // (the parent's stream into the child's port, the child's port out to the parent's stream).
  for (const inst of m.instances ?? []) {
    const parentScope = inst.path.includes('.') ? inst.path.slice(0, inst.path.lastIndexOf('.')) : '';
    for (const port of inst.ports) {
      const inner = `${inst.path}.${port.port}`;
      if (port.dir === 'in' && port.parent)
        all.push({ index: all.length, element: 'instance_in', name: inst.path, loc: inst.loc, ins: [port.parent], outs: [inner], note: { module: inst.module }, scope: parentScope });
      if (port.dir === 'out' && port.parent)
        all.push({ index: all.length, element: 'instance_out', name: inst.path, loc: inst.loc, ins: [inner], outs: [port.parent], note: { module: inst.module }, scope: parentScope });
    }
    addNotes(inst.notes, inst.path);
  }
  for (const e of all) {
    for (const o of e.outs) {
      const s = streams.get(o);
      if (s) s.producer = e;
    }
    for (const i of e.ins) streams.get(i)?.consumers.push(e);
  }
  // Graph order: repeatedly take the first element whose inputs are all known.
  const known = new Set<string>([...streams.values()].filter((s) => s.kind === 'in' || !s.producer).map((s) => s.name));
  const order: string[] = m.streams.filter((s) => s.dir === 'in').map((s) => s.name);
  const elements: GraphElement[] = [];
  const left = [...all];
  // Streams some element makes (an instance's output on the parent side is one, though not traced).
  const produced = new Set(all.flatMap((e) => e.outs));
  while (left.length) {
    let k = left.findIndex((e) => e.ins.every((i) => known.has(i) || (!streams.has(i) && !produced.has(i))));
    if (k < 0) k = 0; // a feedback loop: cut it at the element made first
    const [e] = left.splice(k, 1);
    elements.push(e!);
    for (const o of e!.outs) {
      known.add(o);
      if (streams.has(o)) order.push(o);
    }
  }
  return { top: m.top, elements, streams, order };
}
