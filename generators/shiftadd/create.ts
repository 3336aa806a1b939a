/**
 * Top modules of the ShiftAdd engines. A single-kind engine is one weight-stationary array
 * (`array.ts`). The fused pair is ShiftAddNet's shift layer followed by its adder layer on one chip:
 *
 * ```
 *  x ──► shift array (M1×K·K×N) ──y1──► requantise (>> s, saturate int8) ──► adder array (M2×M1·M1×N) ──► y
 *  w1 ─────┘                                                                     w2 ──┘
 * ```
 *
 * With square arrays (rows = cols) a shift-array output token — Y1[m0..m0+rows−1, n] — is exactly
 * one adder-array activation token X2[k0..k0+cols−1, n], and the shift array emits them in the
 * order the adder array's first m-tile consumes them (tile-major, n inner). So the requantiser is a
 * combinational stage on the stream between the two, and the adder array's activation buffer is the
 * on-chip buffer between the layers: nothing leaves the chip.
 */
import { In, Out, Record, Stream, Vec, connect, module, sint, uint, type Fields, type PayloadType, type StreamSink } from '../../dsl/index.ts';
import { weightLanePayload } from './pe.ts';
import { arrayCfgType, arrayLayout, createArray, type ArrayConfig } from './array.ts';
import { convCfgType, createConvFront, type ConvFrontConfig } from './conv.ts';
import { expBits, type ShiftAddParams } from './params.ts';
import type { PeKind } from './widths.ts';

/** The configuration of one array of an engine: the single array, or the pair's first or second. */
export function arrayConfig(p: ShiftAddParams, which: 'single' | 'first' | 'second' = 'single'): ArrayConfig {
  const kind: PeKind = which === 'first' ? 'shift' : which === 'second' ? 'adder' : (p.kind as PeKind);
  // The adder layer of a pair reads int8 requantised activations; its K is the shift layer's M.
  const xWidth = which === 'second' ? 8 : p.xWidth;
  const mMax = which === 'second' ? p.m2Max : p.mMax;
  const kMax = which === 'second' ? p.mMax : p.kMax;
  const weight = kind === 'shift' ? `p${p.p}` : `w${p.wWidth}`;
  if (p.conv) {
    // Fed by the convolution address generator: K spans 9 taps of whole channel tiles, N a map.
    const convK = 9 * Math.ceil(p.cinMax / p.cols) * p.cols;
    const convN = p.hwMax * p.hwMax;
    return {
      name: `shiftadd_${kind}_r${p.rows}c${p.cols}_x${xWidth}_${weight}_m${mMax}k${convK}n${convN}_s`,
      kind, rows: p.rows, cols: p.cols, xWidth, wWidth: p.wWidth, p: p.p, expBits: expBits(p.p), mMax, kMax: convK, nMax: convN, streamAll: true,
    };
  }
  return {
    name: `shiftadd_${kind}_r${p.rows}c${p.cols}_x${xWidth}_${weight}_m${mMax}k${kMax}n${p.nMax}`,
    kind,
    rows: p.rows,
    cols: p.cols,
    xWidth,
    wWidth: p.wWidth,
    p: p.p,
    expBits: expBits(p.p),
    mMax,
    kMax,
    nMax: p.nMax,
  };
}

/** The engine's top module for these parameters. */
export function createShiftAdd(p: ShiftAddParams) {
  if (p.conv) return createConv(p);
  return p.kind === 'pair' ? createPair(p) : createArray(arrayConfig(p));
}

/**
 * Offer one cfg token to two units at once: each takes it only when the other can too (so both
 * start the job in the same cycle), each with its own fields of the token.
 */
function startTogether<A extends PayloadType, B extends PayloadType>(cfg: Stream, a: StreamSink<A>, aFields: Fields<A>, b: StreamSink<B>, bFields: Fields<B>): void {
  a.valid.set(cfg.valid.and(b.ready));
  b.valid.set(cfg.valid.and(a.ready));
  a.setFields(aFields);
  b.setFields(bFields);
  cfg.ready.set(a.ready.and(b.ready));
}

/** The pair's cfg token {m2, m1, k, n}: the adder layer's M, the shift layer's M (the adder layer's K), K and N. */
export function pairCfgType(p: ShiftAddParams) {
  const a = arrayLayout(arrayConfig(p, 'first'));
  const b = arrayLayout(arrayConfig(p, 'second'));
  return Record({ m2: uint(b.mBits), m1: uint(a.mBits), k: uint(a.kBits), n: uint(a.nBits) });
}

function createPair(p: ShiftAddParams) {
  const first = arrayConfig(p, 'first');
  const second = arrayConfig(p, 'second');
  const B = arrayLayout(second);
  const shiftDef = createArray(first);
  const adderDef = createArray(second);
  const name = `shiftadd_pair_r${p.rows}c${p.cols}_x${p.xWidth}_p${p.p}_w${p.wWidth}_q${p.requantShift}_m${p.mMax}k${p.kMax}n${p.nMax}m${p.m2Max}`;
  return module(name, {
    cfg: In(Stream(pairCfgType(p))),
    w1: In(Stream(Vec(weightLanePayload(first), p.cols))),
    w2: In(Stream(Vec(weightLanePayload(second), p.cols))),
    x: In(Stream(Vec(sint(p.xWidth), p.cols))),
    y: Out(Stream(Vec(sint(B.accWidth), p.rows))),
  }, (io, m) => {
    const shift = m.instance('shift_layer', shiftDef, { w: io.w1, x: io.x });
    // Requantise every lane of a shift-layer output token: arithmetic right shift, then int8 saturation.
    const y1 = shift.y.map(Vec(sint(8), p.rows), (lanes) => lanes.map((v) => v.shr(p.requantShift).sat(8)), 'y1');
    const adder = m.instance('adder_layer', adderDef, { w: io.w2, x: y1 });
    connect(adder.y, io.y);
    const cfg = io.cfg.fields;
    // The adder layer's K is the shift layer's M.
    startTogether(io.cfg, shift.cfg, { m: cfg.m1, k: cfg.k, n: cfg.n }, adder.cfg, { m: cfg.m2, k: cfg.m1.resize(B.kBits), n: cfg.n });
  });
}

/** The convolution front end's configuration for these parameters. */
export function convFrontConfig(p: ShiftAddParams): ConvFrontConfig {
  return { name: `shiftadd_convfe_r${p.rows}c${p.cols}_x${p.xWidth}_m${p.mMax}c${p.cinMax}hw${p.hwMax}`, rows: p.rows, cols: p.cols, xWidth: p.xWidth, mMax: p.mMax, cinMax: p.cinMax, hwMax: p.hwMax };
}

/** The conv engine's cfg token: the array's {m, k, n} above the front end's fields. */
export function convEngineCfgType(p: ShiftAddParams) {
  return Record({ array: arrayCfgType(arrayConfig(p)), front: convCfgType(convFrontConfig(p)) });
}

function createConv(p: ShiftAddParams) {
  const ac = arrayConfig(p);
  const L = arrayLayout(ac);
  const arrayDef = createArray(ac);
  const frontDef = createConvFront(convFrontConfig(p));
  const weight = ac.kind === 'shift' ? `p${p.p}` : `w${p.wWidth}`;
  return module(`shiftadd_conv_${ac.kind}_r${p.rows}c${p.cols}_x${p.xWidth}_${weight}_m${p.mMax}c${p.cinMax}hw${p.hwMax}`, {
    cfg: In(Stream(convEngineCfgType(p))),
    w: In(Stream(Vec(weightLanePayload(ac), p.cols))),
    fm: In(Stream(Vec(sint(p.xWidth), p.cols))),
    y: Out(Stream(Vec(sint(L.accWidth), p.rows))),
  }, (io, m) => {
    const front = m.instance('address_gen', frontDef, { fm: io.fm });
    const engine = m.instance('engine', arrayDef, { w: io.w, x: front.x });
    connect(engine.y, io.y);
    const cfg = io.cfg.fields;
    startTogether(io.cfg, engine.cfg, cfg.array, front.cfg, cfg.front);
  });
}
