/**
 * Untimed token-level models of the library's stream elements. Each takes the token sequences on
 * the element's input streams and gives the sequences on its outputs, with, for every output token,
 * the input tokens it came from (its provenance). No cycles, no handshakes: only what each element
 * promises about tokens. Combinational functions (map, the stages of pipelineMap and reduceStream,
 * join's record, addressStream's affine address, demux's choice) run on the design's own IR through
 * {@link TokenEvaluator}. Elements whose output depends on timing (throwWhen, a mux with a signal
 * select) or on memory contents (readStream) have no model: the diff takes their RTL output as given
 * and says so.
 */
import { codec } from '../../dsl/builder/codec.ts';
import type { PayloadType } from '../../dsl/builder/payload.ts';
import type { TokenEvaluator } from './eval.ts';
import type { GraphElement, GraphStream } from './graph.ts';

/** A token as the model sees it: its bit pattern and the input tokens it was made from. */
export interface ModelToken {
  bits: bigint;
  from: { stream: string; index: number }[];
}

export interface ModelContext {
  evaluator: TokenEvaluator;
  /** Top-level inputs that are not streams, as last poked (configuration ports). */
  pokes: ReadonlyMap<string, bigint>;
  stream(name: string): GraphStream | undefined;
  /** The RTL's tokens on a stream (for elements whose order the RTL decides, and generators' lengths). */
  rtl(name: string): bigint[];
}

/** Output token sequences, one per output stream, or null: this element has no model. */
export type ModelResult = ModelToken[][] | null;

type Model = (e: GraphElement, ins: ModelToken[][], ctx: ModelContext) => ModelResult;

const ref = (stream: string, index: number) => ({ stream, index });
const identity: Model = (e, ins) => e.outs.map(() => ins[0]!.map((t, k) => ({ bits: t.bits, from: [ref(e.ins[0]!, k)] })));

/** Evaluates output `signal` with every input stream's k-th token on its payload wire. */
function zipEval(e: GraphElement, ins: ModelToken[][], ctx: ModelContext, signal: string, transparentPrefix?: string): ModelToken[] {
  const n = Math.min(...ins.map((s) => s.length));
  const out: ModelToken[] = [];
  for (let k = 0; k < n; k++) {
    const fixed = new Map(ctx.pokes);
    e.ins.forEach((s, i) => {
      fixed.set(`${s}_payload`, ins[i]![k]!.bits);
      fixed.set(`${s}_valid`, 1n);
    });
    const bits = ctx.evaluator.evaluate(signal, { fixed, transparent: (r) => transparentPrefix !== undefined && r.name.startsWith(transparentPrefix) });
    out.push({ bits, from: e.ins.map((s) => ref(s, k)) });
  }
  return out;
}

const mapLike: Model = (e, ins, ctx) => [zipEval(e, ins, ctx, `${e.outs[0]}_payload`)];
const pipeline: Model = (e, ins, ctx) => [zipEval(e, ins, ctx, `${e.outs[0]}_payload`, `${e.outs[0]}_s`)];

const demux: Model = (e, ins, ctx) => {
  const outs: ModelToken[][] = e.outs.map(() => []);
  ins[0]!.forEach((t, k) => {
    const fixed = new Map(ctx.pokes);
    fixed.set(`${e.ins[0]}_payload`, t.bits);
    fixed.set(`${e.ins[0]}_valid`, 1n);
    const i = e.outs.findIndex((o) => ctx.evaluator.evaluate(`${o}_valid`, { fixed, transparent: () => false }) === 1n);
    if (i >= 0) outs[i]!.push({ bits: t.bits, from: [ref(e.ins[0]!, k)] });
  });
  return outs;
};

const streamMux: Model = (e, ins, ctx) => {
  if (e.note['select'] === undefined) return signalMux(e, ins, ctx);
  const [sel, ...data] = ins;
  const next = data.map(() => 0);
  const out: ModelToken[] = [];
  for (let k = 0; k < sel!.length; k++) {
    const i = Number(sel![k]!.bits);
    const t = data[i]?.[next[i]!];
    if (!t) break;
    out.push({ bits: t.bits, from: [ref(e.ins[0]!, k), ref(e.ins[1 + i]!, next[i]!)] });
    next[i]!++;
  }
  return [out];
};

/** The arbiter's order is the RTL's (it depends on arrival times); the model checks that each token is the next one of some input. */
const arbiter: Model = (e, ins, ctx) => mergeInRtlOrder(e, ins, ctx, true);

/**
 * A stream mux whose select is a signal: which input goes when is timing, so the order is the RTL's
 * and the model checks each token is the next one of some input (a wrong or invented token shows).
 * Unlike the arbiter, inputs the select never picks may keep their tokens: no tail is owed.
 */
const signalMux: Model = (e, ins, ctx) => mergeInRtlOrder(e, ins, ctx, false);

function mergeInRtlOrder(e: GraphElement, ins: ModelToken[][], ctx: ModelContext, drains: boolean): ModelToken[][] {
  const rtl = ctx.rtl(e.outs[0]!);
  const next = ins.map(() => 0);
  const out: ModelToken[] = [];
  const take = (i: number) => {
    out.push({ bits: ins[i]![next[i]!]!.bits, from: [ref(e.ins[i]!, next[i]!)] });
    next[i]!++;
  };
  for (const bits of rtl) {
    const live = ins.map((s, i) => i).filter((i) => next[i]! < ins[i]!.length);
    if (!live.length) break;
    take(live.find((i) => ins[i]![next[i]!]!.bits === bits) ?? live[0]!);
  }
  for (let more = drains; more; ) {
    more = false;
    ins.forEach((s, i) => {
      if (next[i]! < s.length) {
        take(i);
        more = true;
      }
    });
  }
  return [out];
}

const serialize: Model = (e, ins, ctx) => {
  const n = Number(e.note['ratio']);
  const w = BigInt(ctx.stream(e.outs[0]!)?.width ?? 0);
  const out: ModelToken[] = [];
  ins[0]!.forEach((t, k) => {
    for (let i = 0n; i < BigInt(n); i++) out.push({ bits: (t.bits >> (i * w)) & ((1n << w) - 1n), from: [ref(e.ins[0]!, k)] });
  });
  return [out];
};

const deserialize: Model = (e, ins, ctx) => {
  const n = Number(e.note['ratio']);
  const w = BigInt(ctx.stream(e.ins[0]!)?.width ?? 0);
  const out: ModelToken[] = [];
  for (let g = 0; (g + 1) * n <= ins[0]!.length; g++) {
    let bits = 0n;
    const from = [];
    for (let i = 0; i < n; i++) {
      bits |= ins[0]![g * n + i]!.bits << (BigInt(i) * w);
      from.push(ref(e.ins[0]!, g * n + i));
    }
    out.push({ bits, from });
  }
  return [out];
};

/**
 * A loop nest: its tuples in order, once per start token (or repeating, as long as the RTL ran). A
 * count from a signal is sampled as a run starts: when that signal is a function of the start token
 * and configuration ports, the model evaluates it per run (a zero count makes an empty run);
 * otherwise (a count from state) the nest has no model.
 */
const loopNest: Model = (e, ins, ctx) => {
  const bounds = e.note['bounds'] as { name: string; count: number | null; start: number; stride: number }[] | undefined;
  const type = ctx.stream(e.outs[0]!)?.type as PayloadType | undefined;
  if (!bounds || !type) return null;
  const c = codec(type);
  const [src] = e.ins;
  const countReg = (b: { name: string }) => `${e.name}_${b.name}_count_q`;
  const allowed = new Set([...(src ? [`${src}_payload`, `${src}_valid`] : []), ...ctx.pokes.keys()]);
  for (const b of bounds)
    if (b.count === null && !(ctx.evaluator.has(countReg(b)) && ctx.evaluator.pure(countReg(b), allowed, { transparentRegs: (r) => r.name === countReg(b) }))) return null;
  const tuples = (token?: bigint): bigint[] | null => {
    const fixed = new Map(ctx.pokes);
    if (src && token !== undefined) {
      fixed.set(`${src}_payload`, token);
      fixed.set(`${src}_valid`, 1n);
    }
    const counts = bounds.map((b) => b.count ?? Number(ctx.evaluator.evaluate(countReg(b), { fixed, transparent: (r) => r.name === countReg(b) })));
    const pass: bigint[] = [];
    const total = counts.reduce((p, n) => p * n, 1);
    if (total > 1 << 20) return null;
    for (let flat = 0; flat < total; flat++) {
      const ks: number[] = [];
      let r = flat;
      for (let i = bounds.length - 1; i >= 0; i--) {
        ks[i] = r % counts[i]!;
        r = Math.floor(r / counts[i]!);
      }
      const f: Record<string, number> = {};
      bounds.forEach((b, i) => (f[b.name] = b.start + ks[i]! * b.stride));
      bounds.forEach((b, i) => (f[`first_${b.name}`] = ks[i] === 0 ? 1 : 0));
      bounds.forEach((b, i) => (f[`last_${b.name}`] = ks[i] === counts[i]! - 1 ? 1 : 0));
      pass.push(c.encode(f as never));
    }
    return pass;
  };
  const out: ModelToken[] = [];
  if (src) {
    for (const [k, t] of ins[0]!.entries()) {
      const pass = tuples(t.bits);
      if (!pass) return null;
      for (const bits of pass) out.push({ bits, from: [ref(src, k)] });
    }
    return [out];
  }
  const pass = tuples();
  if (!pass) return null;
  if (pass.length) for (const want = ctx.rtl(e.outs[0]!).length + 1; out.length < want; ) for (const bits of pass) out.push({ bits, from: [] });
  return [out];
};

/**
 * throwWhen: when its condition is a function of the token (and of configuration ports), the model
 * evaluates it per token and drops those tokens; when it reads state (a register, a counter), which
 * tokens fall is timing, so the output must be a subsequence of the input in the RTL's choice.
 */
const throwWhen: Model = (e, ins, ctx) => {
  const [src] = e.ins;
  const valid = `${e.outs[0]}_valid`;
  const fixedNames = new Set([`${src}_payload`, `${src}_valid`, ...ctx.pokes.keys()]);
  const out: ModelToken[] = [];
  if (ctx.evaluator.pure(valid, fixedNames)) {
    ins[0]!.forEach((t, k) => {
      const fixed = new Map(ctx.pokes);
      fixed.set(`${src}_payload`, t.bits);
      fixed.set(`${src}_valid`, 1n);
      if (ctx.evaluator.evaluate(valid, { fixed, transparent: () => false }) === 1n) out.push({ bits: t.bits, from: [ref(src!, k)] });
    });
    return [out];
  }
  // A subsequence in the RTL's choice: each RTL token is the next input token equal to it, skipping
  // dropped ones; one that matches none is where the model shows the next input token instead.
  let k = 0;
  for (const bits of ctx.rtl(e.outs[0]!)) {
    let j = k;
    while (j < ins[0]!.length && ins[0]![j]!.bits !== bits) j++;
    if (j >= ins[0]!.length) {
      if (k < ins[0]!.length) out.push({ bits: ins[0]![k]!.bits, from: [ref(src!, k)] });
      return [out];
    }
    out.push({ bits, from: [ref(src!, j)] });
    k = j + 1;
  }
  return [out];
};

/**
 * readStream: one data token per address token, in order. When the words come from a memory the
 * design never writes (a ROM with its contents in the IR), the model reads it; otherwise the data
 * depend on what was written when, so the model owes the count and order and takes the words from
 * the RTL.
 */
const readStream: Model = (e, ins, ctx) => {
  const [src] = e.ins;
  const payload = `${e.outs[0]}_payload`;
  const fixedNames = new Set([`${src}_payload`, `${src}_valid`, ...ctx.pokes.keys()]);
  const rom = ctx.evaluator.pure(payload, fixedNames, { transparentRegs: true, roms: true });
  const rtl = ctx.rtl(e.outs[0]!);
  return [ins[0]!.map((t, k) => {
    if (!rom) return { bits: rtl[k] ?? 0n, from: [ref(src!, k)] };
    const fixed = new Map(ctx.pokes);
    fixed.set(`${src}_payload`, t.bits);
    fixed.set(`${src}_valid`, 1n);
    return { bits: ctx.evaluator.evaluate(payload, { fixed, transparent: () => true }), from: [ref(src!, k)] };
  })];
};

const MODELS: Record<string, Model> = {
  throw_when: throwWhen,
  read_stream: readStream,
  fifo: identity,
  forward_slice: identity,
  backward_slice: identity,
  skid_buffer: identity,
  connect: identity,
  instance_in: identity,
  instance_out: identity,
  halt_when: identity,
  fork: identity,
  fork_lazy: identity,
  map: mapLike,
  address_stream: mapLike,
  join: mapLike,
  pipeline,
  stream_demux: demux,
  stream_mux: streamMux,
  round_robin_arbiter: arbiter,
  serialize,
  deserialize,
  loop_nest: loopNest,
};

/** Element kinds with a token-level model (the others are taken from the RTL in the diff). */
export const MODELLED_KINDS = Object.keys(MODELS);

/** Runs the model of element `e` on its input sequences; null when the kind has none. */
export function runElement(e: GraphElement, ins: ModelToken[][], ctx: ModelContext): ModelResult {
  const model = MODELS[e.element];
  return model ? model(e, ins, ctx) : null;
}
