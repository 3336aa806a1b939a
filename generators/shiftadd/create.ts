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
import { cat, declareStream, fieldsRecord, module, record, sint, streamPorts, uint, vector, type ModuleDef, type PortRecord } from '../../dsl/index.ts';
import { weightLanePayload } from './pe.ts';
import { arrayLayout, createArray, type ArrayConfig } from './array.ts';
import { convFields, createConvFront, type ConvFrontConfig } from './conv.ts';
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
export function createShiftAdd(p: ShiftAddParams): ModuleDef<PortRecord> {
  if (p.conv) return createConv(p);
  return p.kind === 'pair' ? createPair(p) : createArray(arrayConfig(p));
}

/** Bits of the pair's cfg fields, most significant first: m2, m1, k, n. */
export function pairCfgFields(p: ShiftAddParams): { m2: number; m1: number; k: number; n: number } {
  const a = arrayLayout(arrayConfig(p, 'first'));
  const b = arrayLayout(arrayConfig(p, 'second'));
  return { m2: b.mBits, m1: a.mBits, k: a.kBits, n: a.nBits };
}

function createPair(p: ShiftAddParams): ModuleDef<PortRecord> {
  const first = arrayConfig(p, 'first');
  const second = arrayConfig(p, 'second');
  const A = arrayLayout(first);
  const B = arrayLayout(second);
  const f = pairCfgFields(p);
  const shiftDef = createArray(first);
  const adderDef = createArray(second);
  const name = `shiftadd_pair_r${p.rows}c${p.cols}_x${p.xWidth}_p${p.p}_w${p.wWidth}_q${p.requantShift}_m${p.mMax}k${p.kMax}n${p.nMax}m${p.m2Max}`;
  return module(name, {
    ...streamPorts('cfg', 'in', fieldsRecord(f)),
    ...streamPorts('w1', 'in', vector(weightLanePayload(first), p.cols)),
    ...streamPorts('w2', 'in', vector(weightLanePayload(second), p.cols)),
    ...streamPorts('x', 'in', vector(sint(p.xWidth), p.cols)),
    ...streamPorts('y', 'out', vector(sint(B.accWidth), p.rows)),
  }, (io, m) => {
    for (const s of ['cfg', 'w1', 'w2', 'x'] as const) declareStream(io, s, 'in');
    declareStream(io, 'y', 'out');

    const nField = io.cfg_payload.slice(f.n - 1, 0);
    const kField = io.cfg_payload.slice(f.n + f.k - 1, f.n);
    const m1Field = io.cfg_payload.slice(f.n + f.k + f.m1 - 1, f.n + f.k);
    const m2Field = io.cfg_payload.slice(f.n + f.k + f.m1 + f.m2 - 1, f.n + f.k + f.m1);
    // Both arrays start a job together: each takes cfg only when the other can too.
    const readyA = m.wire('cfg_ready_shift', uint(1));
    const readyB = m.wire('cfg_ready_adder', uint(1));
    const y1Ready = m.wire('y1_ready', uint(1));
    const shift = m.instance('shift_layer', shiftDef, {
      cfg_valid: io.cfg_valid.and(readyB),
      cfg_payload: cat(m1Field, kField, nField),
      w_valid: io.w1_valid,
      w_payload: io.w1_payload,
      x_valid: io.x_valid,
      x_payload: io.x_payload,
      y_ready: y1Ready,
    });
    // Requantise every lane of a shift-layer output token: arithmetic right shift, then int8 saturation.
    const lanes = Array.from({ length: p.rows }, (_, r) =>
      shift.y_payload!.slice((r + 1) * A.accWidth - 1, r * A.accWidth).asSInt().shr(p.requantShift).sat(8).asUInt());
    const adder = m.instance('adder_layer', adderDef, {
      cfg_valid: io.cfg_valid.and(readyA),
      // The adder layer's K is the shift layer's M.
      cfg_payload: cat(m2Field, m1Field.resize(B.kBits), nField),
      w_valid: io.w2_valid,
      w_payload: io.w2_payload,
      x_valid: shift.y_valid!,
      x_payload: cat(...lanes.reverse()),
      y_ready: io.y_ready,
    });
    readyA.set(shift.cfg_ready!);
    readyB.set(adder.cfg_ready!);
    y1Ready.set(adder.x_ready!);
    io.cfg_ready.set(readyA.and(readyB));
    io.w1_ready.set(shift.w_ready!);
    io.w2_ready.set(adder.w_ready!);
    io.x_ready.set(shift.x_ready!);
    io.y_valid.set(adder.y_valid!);
    io.y_payload.set(adder.y_payload!);
  });
}

/** The convolution front end's configuration for these parameters. */
export function convFrontConfig(p: ShiftAddParams): ConvFrontConfig {
  return { name: `shiftadd_convfe_r${p.rows}c${p.cols}_x${p.xWidth}_m${p.mMax}c${p.cinMax}hw${p.hwMax}`, rows: p.rows, cols: p.cols, xWidth: p.xWidth, mMax: p.mMax, cinMax: p.cinMax, hwMax: p.hwMax };
}

/** Bits of the conv engine's cfg token: the array's {m, k, n} above the front end's fields. */
export function convCfgBits(p: ShiftAddParams): { array: number; front: number } {
  const L = arrayLayout(arrayConfig(p));
  return { array: L.mBits + L.kBits + L.nBits, front: Object.values(convFields(convFrontConfig(p))).reduce((a, b) => a + b, 0) };
}

function createConv(p: ShiftAddParams): ModuleDef<PortRecord> {
  const ac = arrayConfig(p);
  const fc = convFrontConfig(p);
  const L = arrayLayout(ac);
  const bits = convCfgBits(p);
  const arrayDef = createArray(ac);
  const frontDef = createConvFront(fc);
  const weight = ac.kind === 'shift' ? `p${p.p}` : `w${p.wWidth}`;
  return module(`shiftadd_conv_${ac.kind}_r${p.rows}c${p.cols}_x${p.xWidth}_${weight}_m${p.mMax}c${p.cinMax}hw${p.hwMax}`, {
    // cfg: the array's {m k n} above the front end's fields.
    ...streamPorts('cfg', 'in', record({ array: fieldsRecord({ m: L.mBits, k: L.kBits, n: L.nBits }), front: fieldsRecord(convFields(fc)) })),
    ...streamPorts('w', 'in', vector(weightLanePayload(ac), p.cols)),
    ...streamPorts('fm', 'in', vector(sint(p.xWidth), p.cols)),
    ...streamPorts('y', 'out', vector(sint(L.accWidth), p.rows)),
  }, (io, m) => {
    for (const s of ['cfg', 'w', 'fm'] as const) declareStream(io, s, 'in');
    declareStream(io, 'y', 'out');
    const readyArray = m.wire('cfg_ready_array', uint(1));
    const readyFront = m.wire('cfg_ready_front', uint(1));
    const xReady = m.wire('gen_x_ready', uint(1));
    const front = m.instance('address_gen', frontDef, {
      cfg_valid: io.cfg_valid.and(readyArray),
      cfg_payload: io.cfg_payload.slice(bits.front - 1, 0),
      fm_valid: io.fm_valid,
      fm_payload: io.fm_payload,
      x_ready: xReady,
    });
    const engine = m.instance('engine', arrayDef, {
      cfg_valid: io.cfg_valid.and(readyFront),
      cfg_payload: io.cfg_payload.slice(bits.array + bits.front - 1, bits.front),
      w_valid: io.w_valid,
      w_payload: io.w_payload,
      x_valid: front.x_valid!,
      x_payload: front.x_payload!,
      y_ready: io.y_ready,
    });
    readyArray.set(engine.cfg_ready!);
    readyFront.set(front.cfg_ready!);
    xReady.set(engine.x_ready!);
    io.cfg_ready.set(readyArray.and(readyFront));
    io.w_ready.set(engine.w_ready!);
    io.fm_ready.set(front.fm_ready!);
    io.y_valid.set(engine.y_valid!);
    io.y_payload.set(engine.y_payload!);
  });
}
