/**
 * Tensors, golden and tokens of the convolution mode. Inputs: `X` [Cin, H, W] and the weights
 * [M, Cin, R, R] (`W`, or `W_sign` and `W_exp` for shift PEs), R = 1 or 3; stride and padding come
 * from the parameters. The host streams the map once (`fm`: `cols` channels a token, in the order
 * of `fmOrder`: channel tile, row, column at stride 1; four parity phases first at stride 2) and
 * the weights in the array's K order (tap dy, dx, then channel tile, then lane), zero for the
 * channels past Cin; the address generator does the rest on chip.
 */
import type { GoldenResult, Tensor, TensorSpec, TokenFields, TokenValue } from '../../dsl/generator.ts';
import { tensorError } from '../../dsl/tensors.ts';
import { decodeOutputs, weightTokens, zeroLane } from './codec.ts';
import { arrayConfig } from './create.ts';
import { conv2d, convOut, opCounts, type ConvShape } from './golden.ts';
import type { PeKind } from './widths.ts';
import { expBits, type ShiftAddParams } from './params.ts';

export function convInputs(p: ShiftAddParams): TensorSpec[] {
  const wShape = { shape: [p.mMax, p.cinMax, 3, 3], dims: ['M', 'Cin', 'R', 'S'] };
  const x: TensorSpec = { name: 'X', shape: [p.cinMax, p.hwMax, p.hwMax], dims: ['Cin', 'H', 'W'], width: p.xWidth, signed: true };
  if (p.kind === 'shift')
    return [{ name: 'W_sign', ...wShape, width: 1, signed: false }, { name: 'W_exp', ...wShape, width: expBits(p.p), signed: false }, x];
  return [{ name: 'W', ...wShape, width: p.wWidth, signed: true }, x];
}

/** Sizes of a run from its tensors (checked by `checkInputs`: specs, then `convRelations`). */
export function convShape(p: ShiftAddParams, t: Record<string, Tensor>): ConvShape {
  const [m, cin, r] = t[p.kind === 'shift' ? 'W_sign' : 'W']!.shape as [number, number, number, number];
  const x = t.X!;
  return { m, cin, r, h: x.shape[1]!, w: x.shape[2]!, stride: p.stride, pad: p.pad };
}

/**
 * What the specs cannot state: the address generator walks 1×1 and 3×3 kernels only, and the map
 * (padded) must hold the kernel at least once, or there is no output pixel.
 */
export function convRelations(p: ShiftAddParams, t: Record<string, Tensor>): void {
  const specs = convInputs(p);
  const [r, s] = t[specs[0]!.name]!.shape.slice(2) as [number, number];
  if (r !== s || (r !== 1 && r !== 3)) throw tensorError(specs[0]!, `shape [${t[specs[0]!.name]!.shape.join(', ')}]: the kernel is ${r}×${s}; the design takes 1×1 or 3×3 (R = S = 1 or 3)`);
  const [, h, w] = t.X!.shape as [number, number, number];
  if (h + 2 * p.pad < r || w + 2 * p.pad < r)
    throw tensorError(specs.at(-1)!, `shape [${t.X!.shape.join(', ')}]: a ${h}×${w} map with padding ${p.pad} is smaller than the ${r}×${r} kernel, so there is no output pixel`);
}

/** The term of each kind, from the weight tensors at [m, ci, dy, dx]. */
function termOf(p: ShiftAddParams, t: Record<string, Tensor>, s: ConvShape) {
  const at = (name: string, m: number, ci: number, dy: number, dx: number) => t[name]!.data[((m * s.cin + ci) * s.r + dy) * s.r + dx]!;
  if (p.kind === 'shift')
    return (m: number, ci: number, dy: number, dx: number, xv: bigint) => {
      const v = xv << BigInt(p.p - Number(at('W_exp', m, ci, dy, dx)));
      return at('W_sign', m, ci, dy, dx) === 1n ? -v : v;
    };
  if (p.kind === 'mul') return (m: number, ci: number, dy: number, dx: number, xv: bigint) => at('W', m, ci, dy, dx) * xv;
  return (m: number, ci: number, dy: number, dx: number, xv: bigint) => {
    const d = xv - at('W', m, ci, dy, dx);
    return d < 0n ? d : -d;
  };
}

export function convGolden(p: ShiftAddParams, t: Record<string, Tensor>): GoldenResult {
  const s = convShape(p, t);
  const y = conv2d(s, t.X!.data, termOf(p, t, s));
  const k = s.cin * s.r * s.r;
  const n = y.shape[1]! * y.shape[2]!;
  const counts = opCounts(p.kind as PeKind, s.m, k, n);
  return { outputs: { Y: y }, counts: { ...counts }, idealCycles: Math.ceil((s.m * k * n) / (p.rows * p.cols)) };
}

/** Tensors → tokens: one cfg {array: {m, k, n}, front: {...}}, the weights in K order, the map in `fmOrder`. */
export function convToTokens(p: ShiftAddParams, t: Record<string, Tensor>): Record<string, TokenValue[]> {
  const s = convShape(p, t);
  const ac = arrayConfig(p);
  const C = p.cols;
  const tiles = Math.ceil(s.cin / C);
  const [ho, wo] = [convOut(s.h, s.r, s.stride, s.pad), convOut(s.w, s.r, s.stride, s.pad)];
  const kPadded = s.r * s.r * tiles * C;
  const front = { m: s.m, tiles, h: s.h, w: s.w, ho, wo, k3: s.r === 3 ? 1 : 0, s2: s.stride === 2 ? 1 : 0, pad: s.pad };
  const at = (name: string, m: number, ci: number, dy: number, dx: number) => t[name]!.data[((m * s.cin + ci) * s.r + dy) * s.r + dx]!;
  const lane = (m: number, k: number): TokenValue => {
    const ci = k % (tiles * C);
    const tap = Math.floor(k / (tiles * C));
    if (ci >= s.cin) return zeroLane(ac);
    const [dy, dx] = [Math.floor(tap / s.r), tap % s.r];
    return p.kind === 'shift' ? { sign: at('W_sign', m, ci, dy, dx), exp: at('W_exp', m, ci, dy, dx) } : at('W', m, ci, dy, dx);
  };
  const pixel = (ct: number, iy: number, ix: number): TokenValue =>
    Array.from({ length: C }, (_, i) => (ct * C + i < s.cin && iy < s.h && ix < s.w ? t.X!.data[((ct * C + i) * s.h + iy) * s.w + ix]! : 0n));
  return {
    cfg: [{ array: { m: s.m, k: kPadded, n: ho * wo }, front }],
    w: weightTokens(ac, s.m, kPadded, lane),
    fm: fmOrder(s, tiles).map(([ct, iy, ix]) => pixel(ct, iy, ix)),
  };
}

/**
 * The order of the `fm` tokens, as [channel tile, row, column] (a row or column past the map is a
 * zero token). Stride 1: channel tile → row → column. Stride 2: four phases, then channel tile →
 * row → column within the phase; phase q holds rows of parity (q >> 1) ⊕ pad and columns of parity
 * (q & 1) ⊕ pad, ⌈H/2⌉×⌈W/2⌉ of them (an odd side gets a zero row or column). This is the order the
 * address generator's taps first need the words: tap (dy, dx) reads phase {dy[0], dx[0]}, so the
 * load runs just ahead of the sweeps instead of the first sweep waiting for the whole map. A 1×1
 * kernel at stride 2 reads phase 0 only, so only phase 0 is streamed.
 */
export function fmOrder(s: ConvShape, tiles: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  if (s.stride === 1) {
    for (let ct = 0; ct < tiles; ct++)
      for (let iy = 0; iy < s.h; iy++)
        for (let ix = 0; ix < s.w; ix++) out.push([ct, iy, ix]);
    return out;
  }
  const [hh, wh] = [Math.ceil(s.h / 2), Math.ceil(s.w / 2)];
  for (let q = 0; q < (s.r === 3 ? 4 : 1); q++)
    for (let ct = 0; ct < tiles; ct++)
      for (let r = 0; r < hh; r++)
        for (let c = 0; c < wh; c++) out.push([ct, 2 * r + ((q >> 1) ^ s.pad), 2 * c + ((q & 1) ^ s.pad)]);
  return out;
}

export function convFromTokens(p: ShiftAddParams, tokens: Record<string, TokenFields[]>, t: Record<string, Tensor>): Record<string, Tensor> {
  const s = convShape(p, t);
  const [ho, wo] = [convOut(s.h, s.r, s.stride, s.pad), convOut(s.w, s.r, s.stride, s.pad)];
  const y = decodeOutputs(arrayConfig(p), tokens.y ?? [], s.m, ho * wo);
  return { Y: { shape: [s.m, ho, wo], data: y.data } };
}

export function convOutputTokens(p: ShiftAddParams, t: Record<string, Tensor>): Record<string, number> {
  const s = convShape(p, t);
  return { y: Math.ceil(s.m / p.rows) * convOut(s.h, s.r, s.stride, s.pad) * convOut(s.w, s.r, s.stride, s.pad) };
}

export function convOutputSpecs(p: ShiftAddParams, accWidth: number): TensorSpec[] {
  return [{ name: 'Y', shape: [p.mMax, p.hwMax, p.hwMax], dims: ['M', 'Ho', 'Wo'], width: accWidth, signed: true }];
}
