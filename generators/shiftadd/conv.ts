/**
 * Convolutions on the ShiftAdd array by on-chip address generation. The host streams the input
 * feature map once (tokens of `cols` channels at one pixel, channel-tile-major, then rows, then
 * columns) into a feature-map buffer; an address generator then walks, for every m-tile, the loop
 * nest dy → dx → channel tile → oy → ox and reads pixel (oy·s + dy − pad, ox·s + dx − pad) of the
 * tile, or emits zeros where that falls in the padding. Its output is exactly the im2col activation
 * stream of the matrix engine (K = kernel taps × channel tiles × cols, N = Ho·Wo), which runs with
 * `streamAll` (no activation buffer of its own):
 *
 * ```
 *  fm ──► feature-map buffer ──► address generator (padding → 0) ──x──► array (streamAll) ──► y
 *  cfg ──► {m, k, n} to the array; {channel tiles, H, W, Ho, Wo, 3×3, stride 2, pad} to the generator
 * ```
 *
 * Addresses are kept incrementally (row offset += s·W, plane base += H·W), so the only multiplier is
 * H·W at job start. Stride 1 or 2, kernels 1×1 or 3×3, zero padding 0 or 1.
 */
import { In, Out, clog2, module, mux, s as sLit, select, sint, u, uint, type ModuleDef, type PortRecord, type Value } from '../../dsl/index.ts';

export interface ConvFrontConfig {
  name: string;
  rows: number;
  cols: number;
  xWidth: number;
  mMax: number;
  /** Largest number of input channels. */
  cinMax: number;
  /** Largest H and W of the input map. */
  hwMax: number;
}

const bitsOf = (n: number): number => Math.max(1, Math.ceil(Math.log2(n + 1)));

/** Field widths of the generator's cfg token, most significant first. */
export function convFields(c: ConvFrontConfig): { m: number; tiles: number; h: number; w: number; ho: number; wo: number; k3: number; s2: number; pad: number } {
  const hb = bitsOf(c.hwMax);
  return { m: bitsOf(c.mMax), tiles: bitsOf(Math.ceil(c.cinMax / c.cols)), h: hb, w: hb, ho: hb, wo: hb, k3: 1, s2: 1, pad: 1 };
}

export const featureMapDepth = (c: ConvFrontConfig): number => Math.ceil(c.cinMax / c.cols) * c.hwMax * c.hwMax;

export function createConvFront(c: ConvFrontConfig): ModuleDef<PortRecord> {
  const F = convFields(c);
  const cfgBits = Object.values(F).reduce((a, b) => a + b, 0);
  const word = c.cols * c.xWidth;
  const depth = featureMapDepth(c);
  const aw = clog2(depth);
  return module(c.name, {
    cfg_valid: In(uint(1)),
    cfg_ready: Out(uint(1)),
    cfg_payload: In(uint(cfgBits)),
    fm_valid: In(uint(1)),
    fm_ready: Out(uint(1)),
    fm_payload: In(uint(word)),
    x_valid: Out(uint(1)),
    x_ready: In(uint(1)),
    x_payload: Out(uint(word)),
  }, (io, m) => {
    m.stream({ name: 'cfg', dir: 'in', valid: 'cfg_valid', ready: 'cfg_ready', payload: ['cfg_payload'], meta: { fields: F } });
    m.stream({ name: 'fm', dir: 'in', valid: 'fm_valid', ready: 'fm_ready', payload: ['fm_payload'] });
    m.stream({ name: 'x', dir: 'out', valid: 'x_valid', ready: 'x_ready', payload: ['x_payload'] });
    // ---- cfg fields (least significant last in the list)
    const field: Record<string, Value> = {};
    let lo = 0;
    for (const [name, bits] of Object.entries(F).reverse()) {
      field[name] = io.cfg_payload.slice(lo + bits - 1, lo);
      lo += bits;
    }
    const busy = m.reg('busy', uint(1), { reset: 0 });
    const cfgFire = io.cfg_valid.and(busy.not()).named('cfg_fire');
    io.cfg_ready.set(busy.not());
    const keep = (name: string) => {
      const r = m.reg(`cfg_${name}`, field[name]!.type, { enable: cfgFire });
      r.set(field[name]!);
      return r;
    };
    const [mSize, tiles, h, w, ho, wo, k3, s2, pad] = ['m', 'tiles', 'h', 'w', 'ho', 'wo', 'k3', 's2', 'pad'].map(keep) as unknown as [Value, Value, Value, Value, Value, Value, Value, Value, Value];
    // Signed arithmetic for positions and offsets that go negative in the padding.
    const SW = Math.max(2 * F.h + 4, aw + 3);
    const sg = (v: Value): Value => v.extend(v.width + 1).asSInt().resize(SW);
    const plane = h.mul(w).named('plane_size');
    const total = tiles.mul(plane).named('map_words');

    // ---- load phase: the whole feature map into the buffer
    const loading = m.reg('loading', uint(1), { reset: 0 });
    const ldAddr = m.reg('ld_addr', uint(aw), { reset: 0 });
    io.fm_ready.set(busy.and(loading));
    const ldFire = io.fm_valid.and(busy).and(loading).named('ld_fire');
    const fmBuffer = m.mem('fm_buffer', { type: uint(word), depth });
    fmBuffer.write(ldAddr, io.fm_payload, ldFire);
    m.when(ldFire, () => {
      ldAddr.set(ldAddr.add(1).trunc(aw));
      m.when(ldAddr.extend(total.width).add(1).eq(total.extend(total.width + 1)), () => loading.set(0));
    });

    // ---- generate phase: m-tile → dy → dx → channel tile → oy → ox
    const outValid = m.reg('out_valid', uint(1), { reset: 0 });
    const advance = outValid.not().or(io.x_ready).named('advance');
    const genDone = m.reg('gen_done', uint(1), { reset: 0 });
    const genFire = busy.and(loading.not()).and(genDone.not()).and(advance).named('gen_fire');
    const mW = bitsOf(c.mMax + c.rows);
    const m0 = m.reg('m0', uint(mW), { reset: 0 });
    const [dy, dx] = [m.reg('dy', uint(2), { reset: 0 }), m.reg('dx', uint(2), { reset: 0 })];
    const ct = m.reg('ct', uint(F.tiles), { reset: 0 });
    const [oy, ox] = [m.reg('oy', uint(F.h), { reset: 0 }), m.reg('ox', uint(F.w), { reset: 0 })];
    const iy = m.reg('iy', sint(SW), { reset: 0 });
    const ix = m.reg('ix', sint(SW), { reset: 0 });
    const rowOff = m.reg('row_off', sint(SW), { reset: 0 });
    const planeBase = m.reg('plane_base', sint(SW), { reset: 0 });
    const step = mux(s2, u(2, 2), u(2, 1)).named('stride');
    const stepS = sg(step);
    const padS = sg(pad);
    const wS = sg(w);
    const last = (r: Value, n: Value) => r.extend(n.width + 1).add(1).eq(n.extend(n.width + 2));
    const lastOx = last(ox, wo);
    const lastOy = last(oy, ho);
    const lastCt = last(ct, tiles);
    const lastDx = mux(k3, dx.eq(2), 1);
    const lastDy = mux(k3, dy.eq(2), 1);
    const lastM = m0.add(c.rows).ge(mSize.extend(mW + 1));
    const wrap = (v: Value) => v.resize(SW);
    /** (t − pad) for a tap index t, and (t − pad)·W: the start of a row or column walk. */
    const tapPos = (t: Value) => wrap(sg(t).sub(padS));
    const tapRow = (t: Value) => select(t.add(1).sub(pad.extend(3)).trunc(2), [wrap(sLit(SW, 0).sub(wS)), sLit(SW, 0), wS, wrap(wS.shl(1))]);
    m.when(genFire, () => {
      ox.set(ox.add(1).trunc(F.w));
      ix.set(wrap(ix.add(stepS)));
      m.when(lastOx, () => {
        ox.set(0);
        ix.set(tapPos(dx));
        oy.set(oy.add(1).trunc(F.h));
        iy.set(wrap(iy.add(stepS)));
        rowOff.set(wrap(rowOff.add(mux(s2, wrap(wS.shl(1)), wS))));
        m.when(lastOy, () => {
          oy.set(0);
          iy.set(tapPos(dy));
          rowOff.set(tapRow(dy));
          ct.set(ct.add(1).trunc(F.tiles));
          planeBase.set(wrap(planeBase.add(sg(plane))));
          m.when(lastCt, () => {
            ct.set(0);
            planeBase.set(0);
            const dxNext = dx.add(1).trunc(2);
            dx.set(dxNext);
            ix.set(tapPos(dxNext));
            m.when(lastDx, () => {
              dx.set(0);
              ix.set(wrap(sLit(SW, 0).sub(padS)));
              const dyNext = dy.add(1).trunc(2);
              dy.set(dyNext);
              iy.set(tapPos(dyNext));
              rowOff.set(tapRow(dyNext));
              m.when(lastDy, () => {
                dy.set(0);
                iy.set(wrap(sLit(SW, 0).sub(padS)));
                rowOff.set(tapRow(u(2, 0)));
                m0.set(m0.add(c.rows).trunc(mW));
                m.when(lastM, () => genDone.set(1));
              });
            });
          });
        });
      });
    });
    const inside = iy.ge(0).and(iy.lt(sg(h))).and(ix.ge(0)).and(ix.lt(wS)).named('in_map');
    const addr = wrap(planeBase.add(rowOff).add(ix)).asUInt().trunc(aw).named('rd_addr');
    const pixel = fmBuffer.read(addr, advance, 'fm_rdata');
    const insideQ = m.reg('inside_q', uint(1), { enable: advance });
    insideQ.set(inside);
    m.when(advance, () => outValid.set(genFire));
    io.x_valid.set(outValid);
    io.x_payload.set(mux(insideQ, pixel, 0));

    m.when(cfgFire, () => {
      busy.set(1);
      loading.set(1);
      for (const r of [ldAddr, genDone, m0, dy, dx, ct, oy, ox, planeBase]) r.set(0);
      // The first read is at (−pad, −pad): row offset −pad·W.
      const padNew = sg(field.pad!);
      const wNew = sg(field.w!);
      iy.set(wrap(sLit(SW, 0).sub(padNew)));
      ix.set(wrap(sLit(SW, 0).sub(padNew)));
      rowOff.set(mux(field.pad!, wrap(sLit(SW, 0).sub(wNew)), sLit(SW, 0)));
    });
    m.when(genDone.and(outValid.not().or(io.x_ready)).and(busy).and(loading.not()), () => busy.set(0));
  });
}
