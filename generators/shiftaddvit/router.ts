/**
 * ShiftAddViT's MLP as a mixture of two experts with a top-1 token router: each token goes to a
 * multiply expert or a shift expert (ShiftAddNet's weight-stationary arrays from
 * generators/shiftadd/array.ts, instantiated as they are, the way NASA's chunks are), by a routing
 * decision given per token (the `route` stream: 0 multiply, 1 shift).
 *
 * Each expert is one M×K tile of its array (rows = M outputs, cols = K inputs), so an expert turns
 * one token into one output token, in order. Per job of N tokens:
 *   COUNT  after the job's cfg {nM1}, the N routes are counted (nMul, nShift) and queued twice: in
 *          dispatch order and in merge order (each queue holds nmax routes).
 *   CFG    each expert that gets at least one token receives {m: M, k: K, n} (an array with n = 0
 *          would never finish, so an expert without tokens is left out, and the host sends it no
 *          weights). The next job's routes are counted once both cfg tokens are taken.
 *   x      each token goes to the expert at the head of the dispatch queue (a demux);
 *   y      the outputs merge back in token order, the merge queue choosing the expert (a mux).
 * The experts work in parallel: while one waits for its turn at the merge, the other goes on.
 */
import { In, Out, Record, Stream, Vec, connect, fork, haltWhen, lit, module, queue, sint, streamDemux, streamMux, streamWire, uint } from '../../dsl/index.ts';
import { arrayCfgType, arrayLayout, createArray, type ArrayConfig } from '../shiftadd/array.ts';
import { weightLanePayload } from '../shiftadd/pe.ts';
import type { PeKind } from '../shiftadd/widths.ts';
import { shiftAddVitModuleName, shiftAddVitSizes, type ShiftAddVitParams } from './params.ts';

/** The two experts' array configurations: multiply, then shift. */
export function expertConfigs(p: ShiftAddVitParams): [ArrayConfig, ArrayConfig] {
  const z = shiftAddVitSizes(p);
  const expert = (kind: PeKind): ArrayConfig => ({
    name: `${shiftAddVitModuleName(p)}_${kind}_expert`,
    kind, rows: p.mlpM, cols: p.mlpK, xWidth: 8, wWidth: 8, p: p.p, expBits: z.expBits,
    mMax: p.mlpM, kMax: p.mlpK, nMax: p.nmax, streamAll: true,
  });
  return [expert('mul'), expert('shift')];
}

export function routerPorts(p: ShiftAddVitParams) {
  const z = shiftAddVitSizes(p);
  const [mul, shift] = expertConfigs(p);
  return {
    mcfg: In(Stream(Record({ nM1: uint(z.rowBits) }))),
    route: In(Stream(uint(1))),
    x: In(Stream(Vec(sint(8), p.mlpK))),
    wm: In(Stream(Vec(weightLanePayload(mul), p.mlpK))),
    ws: In(Stream(Vec(weightLanePayload(shift), p.mlpK))),
    y: Out(Stream(Vec(sint(z.mlp.y), p.mlpM))),
  };
}

export function createRouter(p: ShiftAddVitParams) {
  const z = shiftAddVitSizes(p);
  const configs = expertConfigs(p);
  const defs = configs.map(createArray);
  const nBits = arrayLayout(configs[0]).nBits;
  return module(`${shiftAddVitModuleName(p)}_router`, routerPorts(p), (io, m) => {
    const counting = m.reg('counting_q', uint(1), { reset: 0 });
    const nM1 = m.reg('n_m1_q', uint(z.rowBits));
    const t = m.reg('token_q', uint(z.rowBits));
    // Tokens of the job routed to each expert, and whether its cfg token is still to be taken.
    const count = [0, 1].map((e) => m.reg(`count${e}_q`, uint(nBits)));
    const pending = [0, 1].map((e) => m.reg(`cfg_pending${e}_q`, uint(1), { reset: 0 }));
    io.mcfg.ready.set(counting.not().and(pending[0]!.not()).and(pending[1]!.not()));
    m.when(io.mcfg.fire, () => {
      nM1.set(io.mcfg.fields.nM1);
      t.set(0);
      count.forEach((c) => c.set(0));
      counting.set(1);
    });

    // COUNT: the job's routes, copied into the dispatch and the merge queue.
    const [toDispatch, toMerge] = fork(haltWhen(io.route, counting.not(), 'route_in'), 2, { name: 'route_copy' });
    const dispatchQ = queue(toDispatch!, { depth: p.nmax, name: 'dispatch_q' });
    const mergeQ = queue(toMerge!, { depth: p.nmax, name: 'merge_q' });
    const r = io.route.payload;
    const counted = count.map((c, e) => c.add(e === 1 ? r : r.not()).resize(nBits));
    m.when(io.route.fire, () => {
      count.forEach((c, e) => c.set(counted[e]!));
      t.set(t.add(1).resize(z.rowBits));
      m.when(t.eq(nM1), () => {
        counting.set(0);
        pending.forEach((pd, e) => pd.set(counted[e]!.ne(0)));
      });
    });

    // CFG: one token per expert that gets tokens.
    const cfgs = configs.map((c, e) => {
      const s = streamWire(m, `expert${e}_cfg`, arrayCfgType(c));
      s.sink.valid.set(pending[e]!);
      const L = arrayLayout(c);
      s.sink.setFields({ m: lit(uint(L.mBits), p.mlpM), k: lit(uint(L.kBits), p.mlpK), n: count[e]! });
      m.when(s.fire, () => pending[e]!.set(0));
      return s;
    });

    // Dispatch: each token to the expert at the head of the dispatch queue.
    const [toMul, toShift] = streamDemux(haltWhen(io.x, dispatchQ.valid.not(), 'x_routed'), dispatchQ.payload, 2, 'x_to');
    dispatchQ.ready.set(io.x.fire);
    const mul = m.instance('mul_expert', defs[0]!, { cfg: cfgs[0]!, w: io.wm, x: toMul! });
    const shift = m.instance('shift_expert', defs[1]!, { cfg: cfgs[1]!, w: io.ws, x: toShift! });

    // Merge in token order.
    const yType = Vec(sint(z.mlp.y), p.mlpM);
    const widen = (s: typeof mul.y, name: string) => s.map(yType, (lanes) => lanes.map((v) => v.extend(z.mlp.y)), name);
    connect(streamMux(mergeQ, [widen(mul.y, 'mul_y'), widen(shift.y, 'shift_y')], 'y_merged'), io.y);
  });
}
