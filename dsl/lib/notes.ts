/**
 * What library elements tell the manifest about themselves, and the warnings channel.
 *
 * Every element records `{ kind: 'element', element, name, latency, ii, capacity, loc, ins, outs }`
 * with `m.note`, so a report can list each FIFO, slice and pipeline with its timing, and the
 * streams it consumes and produces make the design's dataflow graph (the manifest's `taps`, the
 * token model and the failure report of testbenches/model read it). A design that is
 * legal but likely wrong (two streams of different latency joined without enough buffering) gets a
 * note `{ kind: 'warning', message, locations }` (the core's `DesignWarning`); `elaborate` gathers
 * them into `circuit.warnings`, and `collectWarnings(circuit)` does the same for any circuit. Warnings never throw: the
 * design may be intended (a deliberately throttled path), and the user decides.
 */
import { formatLoc, userLoc, type SourceLoc } from '../errors.ts';
import type { ModuleBuilder } from '../builder/module.ts';
import type { Circuit, DesignWarning } from '../ir/nodes.ts';

export type { DesignWarning };

/** Timing facts of one library element, as recorded in the manifest. */
export interface ElementNote {
  kind: 'element';
  /** Element kind: 'fifo', 'skid_buffer', 'forward_slice', 'pipeline', 'loop_nest', ... */
  element: string;
  /** The element's name prefix in the generated Verilog. */
  name: string;
  /** Cycles from an input token to the matching output token when nothing stalls. */
  latency: number;
  /** Initiation interval: cycles between successive accepted tokens when nothing stalls. */
  ii: number;
  /** Tokens the element can hold (its buffering). */
  capacity: number;
  /** The user's call that created it. */
  loc?: SourceLoc;
  /** Names of the streams it consumes and produces (the dataflow graph; absent for elements without stream ends). */
  ins?: string[];
  outs?: string[];
  [extra: string]: unknown;
}


/**
 * Record an element's timing in the current module's notes. Returns the note.
 * @param m the module the element lives in
 * @param fact its timing facts (element, name, latency, II, capacity, ...)
 */
export function noteElement(
  m: ModuleBuilder,
  fact: { element: string; name: string; latency: number; ii: number; capacity: number; loc?: SourceLoc; [extra: string]: unknown },
): ElementNote {
  const note: ElementNote = { ...fact, kind: 'element', loc: fact.loc ?? userLoc() };
  m.note(note);
  return note;
}

/**
 * Raise a warning in module `m`; the message is prefixed with the first location, as errors are.
 * @param m the module to warn in
 * @param message the warning text
 * @param locations user source lines involved, first one leads
 */
export function warnDesign(m: ModuleBuilder, message: string, locations: (SourceLoc | undefined)[]): DesignWarning {
  const w: DesignWarning = { kind: 'warning', module: m.ir.name, message: `${formatLoc(locations[0])}: ${message}`, locations };
  m.note(w as unknown as Record<string, unknown>);
  return w;
}

/**
 * Every warning noted in the circuit's modules, children before parents.
 * @param c the elaborated circuit
 */
export function collectWarnings(c: Pick<Circuit, 'modules'>): DesignWarning[] {
  const out: DesignWarning[] = [];
  for (const m of c.modules) for (const n of m.notes) if (n['kind'] === 'warning') out.push(n as unknown as DesignWarning);
  return out;
}

/**
 * Every element note of the circuit's modules, each tagged with its module.
 * @param c the elaborated circuit
 */
export function collectElements(c: Pick<Circuit, 'modules'>): (ElementNote & { module: string })[] {
  const out: (ElementNote & { module: string })[] = [];
  for (const m of c.modules) for (const n of m.notes) if (n['kind'] === 'element') out.push({ ...(n as ElementNote), module: m.name });
  return out;
}
