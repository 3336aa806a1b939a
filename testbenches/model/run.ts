/**
 * Runs the token-level model over a design's graph with the inputs of an RTL run, and diffs it with
 * the tokens the RTL moved on every stream (trace taps and output ports), walking the streams in
 * graph order: the first stream where the two disagree is the output of the element that went wrong,
 * since everything upstream of it agreed.
 */
import type { Circuit, ModuleIR } from '../../dsl/ir/nodes.ts';
import type { Manifest } from '../../dsl/manifest.ts';
import { TokenEvaluator } from './eval.ts';
import { runElement, type ModelToken } from './elements.ts';
import { graphOf, type Graph, type GraphElement } from './graph.ts';

/** What the RTL did: tokens and cycles per stream, and valid/ready of each stream at the end. */
export interface RtlRun {
  tokens: Map<string, bigint[]>;
  cycles: Map<string, number[]>;
  /** valid and ready at the end of the run, where known (a hang: who holds tokens back). */
  state: Map<string, { valid: boolean; ready: boolean }>;
  /** Tokens sent per input stream, and poked port values. */
  sent: Map<string, bigint[]>;
  poked: Map<string, bigint>;
  /** Cycle at the end of the run. */
  cycle: number;
}

export interface ModelRun {
  graph: Graph;
  tokens: Map<string, ModelToken[]>;
  /** Elements without a model whose outputs were taken from the RTL. */
  unmodelled: GraphElement[];
}

/** The module at an instance path ('' for the top). */
function moduleAt(c: Circuit, path: string): ModuleIR | undefined {
  if (!path) return c.top;
  let m: ModuleIR | undefined = c.top;
  for (const n of path.split('.')) m = m?.instances.find((i) => i.name === n)?.module;
  return m;
}

/** The element as its own module sees it: stream names without the instance path. */
function localView(e: GraphElement): { e: GraphElement; global: (n: string) => string } {
  if (!e.scope) return { e, global: (n) => n };
  const p = `${e.scope}.`;
  const strip = (n: string) => (n.startsWith(p) ? n.slice(p.length) : n);
  return { e: { ...e, ins: e.ins.map(strip), outs: e.outs.map(strip) }, global: (n) => p + n };
}

/** The model's tokens on every stream of the graph (child instances' elements too, each with its own module's IR). */
export function runModel(manifest: Manifest, circuit: Circuit, rtl: RtlRun): ModelRun {
  const graph = graphOf(manifest);
  const evaluators = new Map<string, TokenEvaluator | undefined>();
  const evaluatorOf = (scope: string) => {
    if (!evaluators.has(scope)) {
      const m = moduleAt(circuit, scope);
      evaluators.set(scope, m && new TokenEvaluator(m, scope !== ''));
    }
    return evaluators.get(scope);
  };
  const tokens = new Map<string, ModelToken[]>();
  const fromRtl = (s: string): ModelToken[] => (rtl.tokens.get(s) ?? []).map((bits) => ({ bits, from: [] }));
  for (const [name, list] of rtl.sent) tokens.set(name, list.map((bits) => ({ bits, from: [] })));
  const pokes = new Map<string, bigint>(rtl.poked);
  const unmodelled: GraphElement[] = [];
  for (const e of graph.elements) {
    // An input nobody models (a hand-written producer) comes from the RTL; one nobody traced either
    // (an instance's output) leaves the element without a model.
    const known = e.ins.every((s) => tokens.has(s) || rtl.tokens.has(s));
    const ins = e.ins.map((s) => tokens.get(s) ?? fromRtl(s));
    const view = localView(e);
    const evaluator = evaluatorOf(e.scope);
    let outs = null;
    try {
      const ctx = { evaluator: evaluator!, pokes: e.scope ? new Map<string, bigint>() : pokes, stream: (n: string) => graph.streams.get(view.global(n)), rtl: (n: string) => rtl.tokens.get(view.global(n)) ?? [] };
      outs = known && evaluator ? runElement(view.e, ins, ctx) : null;
      if (outs && e.scope) outs = outs.map((list) => list.map((t) => ({ bits: t.bits, from: t.from.map((f) => ({ stream: view.global(f.stream), index: f.index })) })));
    } catch {
      outs = null; // a signal the evaluator cannot see (e.g. driven by a child module): no model for it
    }
    if (!outs) {
      unmodelled.push(e);
      outs = e.outs.map(fromRtl);
    }
    e.outs.forEach((o, i) => tokens.set(o, outs[i]!));
  }
  return { graph, tokens, unmodelled };
}

/**
 * Whether the design's output ports are wrong (what a test's scoreboard sees): a token that differs
 * from the model's, an extra one, or one the model needs that never came. The reason, or undefined.
 */
export function outputFailure(model: ModelRun, rtl: RtlRun): string | undefined {
  const needed = demand(model, rtl);
  for (const s of model.graph.streams.values()) {
    if (s.kind !== 'out') continue;
    const want = model.tokens.get(s.name) ?? [];
    const got = rtl.tokens.get(s.name) ?? [];
    const k = got.findIndex((b, i) => i < want.length && want[i]!.bits !== b);
    if (k >= 0) return `'${s.name}' token #${k} differs`;
    if (got.length > want.length) return `'${s.name}' has ${got.length - want.length} extra tokens`;
    if (got.length < (needed.get(s.name) ?? 0)) return `'${s.name}' is missing ${needed.get(s.name)! - got.length} tokens`;
  }
  return undefined;
}

/** The first disagreement, in graph order. */
export interface Divergence {
  stream: string;
  /** 'value': token `index` differs; 'extra': the RTL moved more tokens; 'missing': fewer, and the run ended. */
  kind: 'value' | 'extra' | 'missing';
  index: number;
  /** Cycle of the RTL's token, or the cycle the run ended for a missing token. */
  cycle: number;
  expected?: bigint;
  actual?: bigint;
  element?: GraphElement;
  /** The element's input tokens that made the expected token (model and RTL). */
  inputs: { stream: string; index: number; model?: bigint; rtl?: bigint; cycle?: number }[];
  /** Tokens the model expects and the RTL moved on this stream. */
  counts: { model: number; rtl: number };
}

/** Walks the streams in graph order; the first one where RTL and model disagree, or undefined. */
export function firstDivergence(model: ModelRun, rtl: RtlRun): Divergence | undefined {
  const { graph } = model;
  const make = (stream: string, kind: Divergence['kind'], index: number): Divergence => {
    const want = model.tokens.get(stream) ?? [];
    const got = rtl.tokens.get(stream) ?? [];
    const s = graph.streams.get(stream);
    const from = want[index]?.from ?? [];
    return {
      stream, kind, index,
      cycle: rtl.cycles.get(stream)?.[index] ?? rtl.cycle,
      expected: want[index]?.bits,
      actual: got[index],
      element: s?.producer,
      inputs: from.map((f) => ({ ...f, model: model.tokens.get(f.stream)?.[f.index]?.bits, rtl: rtl.tokens.get(f.stream)?.[f.index], cycle: rtl.cycles.get(f.stream)?.[f.index] })),
      counts: { model: want.length, rtl: got.length },
    };
  };
  const compared = graph.order.filter((s) => graph.streams.get(s)?.kind !== 'in' && rtl.tokens.has(s));
  for (const s of compared) {
    const want = model.tokens.get(s) ?? [];
    const got = rtl.tokens.get(s)!;
    const n = Math.min(want.length, got.length);
    for (let k = 0; k < n; k++) if (want[k]!.bits !== got[k]) return make(s, 'value', k);
    if (got.length > want.length) return make(s, 'extra', want.length);
  }
  // Every token that moved was right, but some that had to move never did: find who holds them back.
  const needed = demand(model, rtl);
  const short = graph.order.filter((s) => rtl.tokens.has(s) && (rtl.tokens.get(s)?.length ?? 0) < (needed.get(s) ?? 0));
  if (!short.length) return undefined;
  const blocked = (s: string) => {
    const st = rtl.state.get(s);
    return st !== undefined && st.valid && !st.ready;
  };
  // The culprit takes no token although one waits at an input, and is not itself held up by its outputs.
  const stuck = [...graph.elements].reverse().find((e) => e.ins.some(blocked) && !e.outs.some((o) => graph.streams.get(o)?.kind !== 'out' && blocked(o)));
  if (stuck) {
    const o = stuck.outs.find((x) => short.includes(x)) ?? stuck.outs[0] ?? short[0]!;
    const d = make(o, 'missing', rtl.tokens.get(o)?.length ?? 0);
    return { ...d, element: stuck };
  }
  const first = short[0]!;
  return make(first, 'missing', rtl.tokens.get(first)?.length ?? 0);
}

/**
 * Tokens each stream must move for the outputs the model expects: every token of an output port,
 * and upstream only the input tokens the needed output tokens were made from (a mux that selects
 * one input needs none of the others). Streams fed by an endless source (a free-running loop nest)
 * are left out: no run ends them.
 */
function demand(model: ModelRun, rtl: RtlRun): Map<string, number> {
  const { graph } = model;
  const needed = new Map<string, number>();
  const endless = new Set<string>();
  for (const e of graph.elements)
    if ((e.element === 'loop_nest' && e.ins.length === 0) || e.ins.some((i) => endless.has(i))) for (const o of e.outs) endless.add(o);
  for (const s of graph.streams.values()) if (s.kind === 'out' && !endless.has(s.name)) needed.set(s.name, model.tokens.get(s.name)?.length ?? 0);
  const unmodelled = new Set(model.unmodelled);
  for (const e of [...graph.elements].reverse()) {
    for (const o of e.outs) if (!needed.has(o) && !graph.streams.get(o)?.consumers.length && !endless.has(o)) needed.set(o, model.tokens.get(o)?.length ?? 0);
    if (unmodelled.has(e)) continue;
    for (const o of e.outs) {
      const toks = (model.tokens.get(o) ?? []).slice(0, needed.get(o) ?? 0);
      for (const t of toks) for (const f of t.from) if (!endless.has(f.stream)) needed.set(f.stream, Math.max(needed.get(f.stream) ?? 0, f.index + 1));
    }
  }
  void rtl;
  return needed;
}
