/**
 * Fills the back-end templates (`harness.cpp.hbs` for Verilator, `testbench.v.hbs` for Icarus) from a
 * design layout and writes the result into the cache under a content-addressed name, so the Verilator
 * model cache (which hashes file contents and base names) sees the same file for the same design.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { cacheRoot } from '../../toolchain/cache-root.ts';
import type { DesignLayout, StreamLayout } from './layout.ts';

const here = dirname(fileURLToPath(import.meta.url));
const compiled = new Map<string, HandlebarsTemplateDelegate>();

function template(file: string): HandlebarsTemplateDelegate {
  let t = compiled.get(file);
  if (!t) {
    // strict: a misspelt field is an error, not an empty string; noEscape: `<=` must stay `<=`.
    t = Handlebars.compile(readFileSync(join(here, file), 'utf8'), { strict: true, noEscape: true });
    compiled.set(file, t);
  }
  return t;
}

const mask = (bits: number): string => (bits >= 64 ? '0xffffffffffffffff' : `0x${((1n << BigInt(bits)) - 1n).toString(16)}`);

/** Bytes per output token in the Verilator framing (see `harness.cpp.hbs`). */
export const outputStride = (words: number): number => (words <= 2 ? 8 : 4 * words);

/** The data the templates see: precomputed masks and word counts, nothing computed in the template. */
export function templateView(l: DesignLayout): Record<string, unknown> {
  const stream = (s: StreamLayout) => ({
    ...s,
    msb: s.width - 1,
    depth: icarusQueueDepth(s.width),
    payloadMsFirst: [...s.fields].reverse().map((f) => f.port),
    fields: s.fields.map((f) => ({ ...f, port: f.portIndex, name: f.port })),
    // The C++ fast path: one payload port of at most 64 bits, accessed directly.
    direct: s.fields.length === 1 && s.width <= 64,
    quad: s.words === 2,
    directPort: s.fields.length === 1 ? s.fields[0]!.port : '',
    directMask: mask(s.width),
    /** Bytes per token in the output framing: one 64-bit word up to 64 bits, else the 32-bit words. */
    stride: outputStride(s.words),
  });
  const widest = Math.max(1, ...l.ports.map((p) => p.width), ...l.inStreams.map((s) => s.width), ...l.outStreams.map((s) => s.width));
  return {
    top: l.top,
    maxMsb: widest - 1,
    clock: l.clock ?? false,
    reset: l.reset ?? false,
    ports: l.ports.map((p) => ({
      name: p.name,
      input: p.dir === 'in',
      width: p.width,
      msb: p.width - 1,
      words: p.words,
      wide: p.width > 64,
      quad: p.width > 32 && p.width <= 64,
      mask: mask(p.width),
      lastWord: p.words - 1,
      lastMask: mask(p.width % 32 === 0 ? 32 : p.width % 32),
      isClock: p.name === l.clock,
    })),
    inStreams: l.inStreams.map(stream),
    outStreams: l.outStreams.map(stream),
    tracing: (l.taps?.length ?? 0) > 0,
    taps: (l.taps ?? []).map((t) => ({ ...t, wide: t.width > 64, quad: t.width > 32 && t.width <= 64 })),
  };
}

/**
 * Tokens an Icarus input queue holds at once: large for narrow streams, fewer for wide ones, so the
 * testbench's memories stay around 4 Mbit each (Icarus allocates them up front).
 */
export function icarusQueueDepth(width: number): number {
  let d = 1 << 16;
  while (d > 256 && d * width > 1 << 22) d >>= 1;
  return d;
}

/** Renders `file` for the layout and returns the path of the written source `<name>`. */
export function renderTo(file: string, name: string, l: DesignLayout): string {
  const text = template(file)(templateView(l));
  const hash = createHash('sha256').update(file).update('\0').update(text).digest('hex').slice(0, 24);
  const dir = join(cacheRoot(), 'harness-src', hash);
  const out = join(dir, name);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    // Written under a private name and renamed: concurrent workers never see half a file.
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, out);
  }
  return out;
}

/** The Verilator harness C++ for a design. */
export const renderVerilatorHarness = (l: DesignLayout): string => renderTo('harness.cpp.hbs', 'hwflow_harness.cpp', l);

/** The Icarus testbench Verilog for a design. */
export const renderIcarusTestbench = (l: DesignLayout): string => renderTo('testbench.v.hbs', 'hwflow_tb.v', l);
