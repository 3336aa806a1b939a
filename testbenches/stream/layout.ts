/**
 * The harness's view of a design, derived from its manifest alone: which ports exist, how wide they
 * are in 32-bit words, and how each stream's payload ports sit inside one token. Both back ends (the
 * Verilator C++ harness and the Icarus testbench) are generated from this one layout, and the
 * TypeScript session uses it to frame tokens, so the three can never disagree about a bit position.
 */
import type { Manifest, ManifestPort } from '../../dsl/manifest.ts';
import type { StreamInterface } from '../../dsl/ir/nodes.ts';

/** Widest token or port the harness carries (the framing and the C++ scratch buffers size to it). */
export const MAX_TOKEN_BITS = 4096;

/** One payload port inside a token: `lo` is its least significant bit in the token. */
export interface FieldLayout {
  port: string;
  /** Index into {@link DesignLayout.ports}. */
  portIndex: number;
  lo: number;
  width: number;
}

/** A stream as the harness drives it. */
export interface StreamLayout {
  name: string;
  dir: 'in' | 'out';
  /** Index among streams of the same direction (the wire protocol addresses streams by it). */
  index: number;
  valid: string;
  ready: string;
  /** Token width: the sum of the payload port widths. */
  width: number;
  /** 32-bit words per token. */
  words: number;
  /** Payload ports, least significant first. */
  fields: FieldLayout[];
}

export interface PortLayout extends ManifestPort {
  index: number;
  words: number;
}

/** An internal stream the tracing harness records (see `openSim(dir, { trace: true })`). */
export interface TapLayout {
  name: string;
  valid: string;
  ready: string;
  payload: string;
  width: number;
  words: number;
}

/** How the harness sees a design: its top, clock, reset, ports and streams. */
export interface DesignLayout {
  top: string;
  /** Internal streams to record, only in a tracing session (the harness then compiles them in). */
  taps?: TapLayout[];
  clock: string | null;
  reset: string | null;
  ports: PortLayout[];
  inStreams: StreamLayout[];
  outStreams: StreamLayout[];
}

/** Thrown when a manifest cannot be driven by the harness (a stream names a missing or wrong port). */
export class HarnessSetupError extends Error {
  override readonly name = 'HarnessSetupError';
}

export const wordsFor = (width: number): number => Math.max(1, Math.ceil(width / 32));

/**
 * Computes the layout, checking every stream against the ports it names.
 * @param m the design's manifest
 */
export function layoutOf(m: Manifest): DesignLayout {
  const ports: PortLayout[] = m.ports.map((p, index) => ({ ...p, index, words: wordsFor(p.width) }));
  const byName = new Map(ports.map((p) => [p.name, p]));
  const need = (s: StreamInterface, name: string, dir: 'in' | 'out', what: string): PortLayout => {
    const p = byName.get(name);
    if (!p) throw new HarnessSetupError(`stream '${s.name}' of ${m.top}: its ${what} port '${name}' is not a port of the design`);
    if (p.dir !== dir) throw new HarnessSetupError(`stream '${s.name}' of ${m.top}: its ${what} port '${name}' is an ${p.dir}put, expected an ${dir}put`);
    if (p.width > MAX_TOKEN_BITS) throw new HarnessSetupError(`port '${name}' of ${m.top} is ${p.width} bits; the harness carries at most ${MAX_TOKEN_BITS}`);
    return p;
  };
  const streams = (dir: 'in' | 'out'): StreamLayout[] =>
    m.streams.filter((s) => s.dir === dir).map((s, index) => {
      const flip = dir === 'in' ? 'out' : 'in';
      for (const [sig, what] of [[s.valid, 'valid'], [s.ready, 'ready']] as const)
        if (need(s, sig, what === 'valid' ? dir : flip, what).width !== 1)
          throw new HarnessSetupError(`stream '${s.name}' of ${m.top}: ${what} port '${sig}' must be 1 bit wide`);
      const fields: FieldLayout[] = [];
      let lo = 0;
      // The manifest lists payload ports most significant first; the token's bit 0 is in the last one.
      for (const name of [...s.payload].reverse()) {
        const p = need(s, name, dir, 'payload');
        fields.push({ port: name, portIndex: p.index, lo, width: p.width });
        lo += p.width;
      }
      if (lo > MAX_TOKEN_BITS) throw new HarnessSetupError(`stream '${s.name}' of ${m.top} has ${lo}-bit tokens; the harness carries at most ${MAX_TOKEN_BITS}`);
      return { name: s.name, dir, index, valid: s.valid, ready: s.ready, width: lo, words: wordsFor(lo), fields };
    });
  return { top: m.top, clock: m.clock, reset: m.reset, ports, inStreams: streams('in'), outStreams: streams('out') };
}

/** The manifest's tap list as the tracing harness needs it (empty for a manifest without taps). */
export function tapsOf(m: Manifest): TapLayout[] {
  // A child instance's wire `u0.x_valid` is `<top>__DOT__u0__DOT__x_valid` in the flattened model.
  const flat = (n: string) => n.replace(/\./g, '__DOT__');
  return (m.taps ?? []).map((t) => ({ name: t.name, valid: flat(t.valid), ready: flat(t.ready), payload: flat(t.payload), width: t.width, words: wordsFor(t.width) }));
}

/** Finds a stream by name and direction, with an error that lists the streams there are. */
export function streamOf(l: DesignLayout, name: string, dir: 'in' | 'out'): StreamLayout {
  const list = dir === 'in' ? l.inStreams : l.outStreams;
  const s = list.find((x) => x.name === name);
  if (!s) {
    const names = list.map((x) => `'${x.name}'`).join(', ') || 'none';
    throw new HarnessSetupError(`${l.top} has no ${dir}put stream '${name}' (its ${dir}put streams: ${names})`);
  }
  return s;
}

/** Finds a port by name, with an error that lists the ports there are. */
export function portOf(l: DesignLayout, name: string): PortLayout {
  const p = l.ports.find((x) => x.name === name);
  if (!p) throw new HarnessSetupError(`${l.top} has no port '${name}' (ports: ${l.ports.map((x) => x.name).join(', ')})`);
  return p;
}
