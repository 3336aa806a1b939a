/**
 * Convolutions on the ShiftAdd array by on-chip address generation. The host streams the input
 * feature map once (tokens of `cols` channels at one pixel) into a feature-map buffer; an address
 * generator walks, for every m-tile, the loop nest dy → dx → channel tile → oy → ox and reads pixel
 * (oy·s + dy − pad, ox·s + dx − pad) of the tile, or emits zeros where that falls in the padding.
 * Its output is exactly the im2col activation stream of the matrix engine (K = kernel taps ×
 * channel tiles × cols, N = Ho·Wo), which runs with `streamAll` (no activation buffer of its own):
 *
 * ```
 *  fm ──► feature-map buffer ──► address generator (padding → 0) ──x──► array (streamAll) ──► y
 *          write ld_addr ──count──► rd_addr < ld_addr? (read-after-write gate)
 *  cfg ──► {m, k, n} to the array; {channel tiles, H, W, Ho, Wo, 3×3, stride 2, pad} to the generator
 * ```
 *
 * The load overlaps compute. The map is written in address order, one word a cycle, and the
 * generator starts with the job: it stalls only while the word it needs has not been written yet
 * (its address is not below the count of words loaded; padding is never gated). The buffer is
 * simple dual port (one write and one synchronous read a cycle, block RAM). Buffer layout, which is
 * also the `fm` token order (`fmOrder` in convio.ts):
 *
 * - stride 1: channel tile → row → column. The first tap's sweep runs about W + 1 words behind the
 *   load, so a layer costs a few cycles more than the array alone, not ⌈Cin/cols⌉·H·W.
 * - stride 2: four phases of ⌈H/2⌉×⌈W/2⌉ words (rows of parity (q >> 1) ⊕ pad, columns of parity
 *   (q & 1) ⊕ pad; an odd side is padded with a zero row or column by the host), each channel tile
 *   → row → column. Tap (dy, dx) reads exactly phase {dy[0], dx[0]}, at consecutive addresses, so
 *   the first tap reads its words in the order they arrive instead of every other row and column of
 *   the whole map (which, in row-major order, would leave the first tap waiting for nearly all of it).
 *   A 1×1 kernel at stride 2 reads phase 0 alone; the host streams only that phase (a quarter of
 *   the map), so such a layer is not bound by loading words it never reads.
 *
 * A job's cfg is taken only when the previous job's generator is done (and its outputs left), so a
 * new map never overwrites words still to be read. Addresses are kept incrementally (grid row offset
 * += grid width, plane base += plane size, one of four phase bases), so the only multipliers are at
 * job start. Stride 1 or 2, kernels 1×1 or 3×3, zero padding 0 or 1.
 */
import { In, Out, Record, Stream, Vec, cat, clog2, module, mux, s as sLit, select, sint, u, uint, type HwType, type IO, type Memory, type ModuleBuilder, type RecordType, type Signal, type Value } from '../../dsl/index.ts';

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

type ConvFields = { m: number; tiles: number; h: number; w: number; ho: number; wo: number; k3: number; s2: number; pad: number };

/** Field widths of the generator's cfg token, most significant first. */
export function convFields(c: ConvFrontConfig): ConvFields {
  const hb = bitsOf(c.hwMax);
  return { m: bitsOf(c.mMax), tiles: bitsOf(Math.ceil(c.cinMax / c.cols)), h: hb, w: hb, ho: hb, wo: hb, k3: 1, s2: 1, pad: 1 };
}

/** The generator's cfg token: {m, channel tiles, H, W, Ho, Wo, 3×3, stride 2, pad}, m most significant. */
export function convCfgType(c: ConvFrontConfig): RecordType<{ [K in keyof ConvFields]: HwType }> {
  const F = convFields(c);
  return Record({ m: uint(F.m), tiles: uint(F.tiles), h: uint(F.h), w: uint(F.w), ho: uint(F.ho), wo: uint(F.wo), k3: uint(F.k3), s2: uint(F.s2), pad: uint(F.pad) });
}

/** Words of the feature-map buffer: every channel tile of the largest map, rounded up to even sides (a stride-2 map is stored as four ⌈H/2⌉×⌈W/2⌉ phases). */
export const featureMapDepth = (c: ConvFrontConfig): number => {
  const even = 2 * Math.ceil(c.hwMax / 2);
  return Math.ceil(c.cinMax / c.cols) * even * even;
};

/** The front end's stream ports: cfg, the feature map in, the im2col activation stream out. */
export function convFrontPorts(c: ConvFrontConfig) {
  return {
    cfg: In(Stream(convCfgType(c))),
    fm: In(Stream(Vec(sint(c.xWidth), c.cols))),
    x: Out(Stream(Vec(sint(c.xWidth), c.cols))),
  };
}
type FrontIO = IO<ReturnType<typeof convFrontPorts>>;

/** The job's registered cfg fields and the buffer geometry derived from them. */
interface ConvJob {
  busy: Signal;
  cfgFire: Value;
  /** The cfg token's fields (for the first read position, computed as the job starts). */
  field: FrontIO['cfg']['fields'];
  cfg: { [K in keyof ConvFields]: Signal };
  /** Width of the signed position and address arithmetic, and a value widened to it. */
  SW: number;
  sg: (v: Value) => Value;
  /** Wrap a result back to that width. */
  wrap: (v: Value) => Value;
  half: (v: Value) => Value;
  gridW: Value;
  plane: Value;
  phaseWords: Value;
  total: Value;
}

export function createConvFront(c: ConvFrontConfig) {
  return module(c.name, convFrontPorts(c), (io, m) => {
    const job = takeConvJob(c, io, m);
    const load = loadMap(c, io, m, job);
    // ---- generate: m-tile → dy → dx → channel tile → oy → ox, overlapped with the load. A read may
    // fire once its word is in the buffer (read-after-write gating on the load count); the buffer
    // is simple dual port (one write, one synchronous read a cycle) and reads the old word on a
    // same-cycle write, so the word must have been written in an earlier cycle: rd_addr < ld_addr.
    const outValid = m.reg('out_valid', uint(1), { reset: 0 });
    const advance = outValid.not().or(io.x.ready).named('advance');
    const genDone = m.reg('gen_done', uint(1), { reset: 0 });
    const rdOk = m.wire('rd_ok', uint(1));
    const genFire = job.busy.and(genDone.not()).and(advance).and(rdOk).named('gen_fire');
    const walk = walkTaps(c, m, job, genFire, genDone);
    const { iy, ix } = walk;
    const { cfg, SW, sg, wrap } = job;
    const inside = iy.ge(0).and(iy.lt(sg(cfg.h))).and(ix.ge(0)).and(ix.lt(walk.wS)).named('in_map');
    const addr = readAddress(c, job, walk);
    // Padding needs no word; once the whole map is in, nothing is gated.
    rdOk.set(load.loading.not().or(inside.not()).or(addr.lt(load.ldAddr)));
    const pixel = load.fmBuffer.read(addr, advance, 'fm_rdata');
    const insideQ = m.reg('inside_q', uint(1), { enable: advance });
    insideQ.set(inside);
    m.when(advance, () => outValid.set(genFire));
    io.x.valid.set(outValid);
    io.x.payload.set(mux(insideQ, pixel, 0));

    m.when(job.cfgFire, () => {
      job.busy.set(1);
      load.loading.set(1);
      for (const r of [load.ldAddr, genDone, ...walk.counters]) r.set(0);
      // The first read is at (−pad, −pad): grid row offset −pad·(grid width).
      const { field, half } = job;
      const padNew = sg(field.pad);
      const gwNew = sg(mux(field.s2, half(field.w), field.w));
      iy.set(wrap(sLit(SW, 0).sub(padNew)));
      ix.set(wrap(sLit(SW, 0).sub(padNew)));
      walk.rowOff.set(mux(field.pad, wrap(sLit(SW, 0).sub(gwNew)), sLit(SW, 0)));
    });
    m.when(genDone.and(outValid.not().or(io.x.ready)).and(job.busy).and(load.loading.not()), () => job.busy.set(0));
  });
}

/** Take a cfg token while idle, register its fields and derive the buffer's grid. */
function takeConvJob(c: ConvFrontConfig, io: FrontIO, m: ModuleBuilder): ConvJob {
  const F = convFields(c);
  const aw = clog2(featureMapDepth(c));
  const field = io.cfg.fields;
  const busy = m.reg('busy', uint(1), { reset: 0 });
  const cfgFire = io.cfg.valid.and(busy.not()).named('cfg_fire');
  io.cfg.ready.set(busy.not());
  const keep = (name: keyof ConvFields): Signal => {
    const r = m.reg(`cfg_${name}`, field[name].type, { enable: cfgFire });
    r.set(field[name]);
    return r;
  };
  const cfg = { m: keep('m'), tiles: keep('tiles'), h: keep('h'), w: keep('w'), ho: keep('ho'), wo: keep('wo'), k3: keep('k3'), s2: keep('s2'), pad: keep('pad') };
  // Signed arithmetic for positions and offsets that go negative in the padding.
  const SW = Math.max(2 * F.h + 4, aw + 3);
  const sg = (v: Value): Value => v.extend(v.width + 1).asSInt().resize(SW);
  const wrap = (v: Value): Value => v.resize(SW);
  // The buffer's grid: the map itself at stride 1; at stride 2 four phases of ⌈H/2⌉×⌈W/2⌉ (rows
  // and columns of one parity each), phase-major, so one tap's sweep reads one phase in order.
  const half = (v: Value) => v.add(1).shr(1);
  const gridH = mux(cfg.s2, half(cfg.h), cfg.h).named('grid_h');
  const gridW = mux(cfg.s2, half(cfg.w), cfg.w).named('grid_w');
  const plane = gridH.mul(gridW).named('plane_size');
  const phaseWords = cfg.tiles.mul(plane).named('phase_words');
  // A 1×1 kernel at stride 2 reads phase 0 only, and the host streams only that phase.
  const total = mux(cfg.s2.and(cfg.k3), phaseWords.shl(2), phaseWords.extend(phaseWords.width + 2)).named('map_words');
  return { busy, cfgFire, field, cfg, SW, sg, wrap, half, gridW, plane, phaseWords, total };
}

/**
 * Load: the whole feature map into the buffer, one word a cycle, in address order. `ld_addr` is
 * also the count of words written so far: the generator reads behind it (see `rd_ok`).
 */
function loadMap(c: ConvFrontConfig, io: FrontIO, m: ModuleBuilder, job: ConvJob): { loading: Signal; ldAddr: Signal; fmBuffer: Memory } {
  const depth = featureMapDepth(c);
  const aw = clog2(depth);
  const { busy, total } = job;
  const loading = m.reg('loading', uint(1), { reset: 0 });
  const ldAddr = m.reg('ld_addr', uint(aw), { reset: 0 });
  io.fm.ready.set(busy.and(loading));
  const ldFire = io.fm.valid.and(busy).and(loading).named('ld_fire');
  const fmBuffer = m.mem('fm_buffer', { type: uint(c.cols * c.xWidth), depth });
  fmBuffer.write(ldAddr, io.fm.payload, ldFire);
  m.when(ldFire, () => {
    ldAddr.set(ldAddr.add(1).trunc(aw));
    m.when(ldAddr.extend(total.width).add(1).eq(total.extend(total.width + 1)), () => loading.set(0));
  });
  return { loading, ldAddr, fmBuffer };
}

/** The generator's loop nest and the read position it keeps incrementally. */
interface TapWalk {
  dy: Signal;
  dx: Signal;
  iy: Signal;
  ix: Signal;
  rowOff: Signal;
  planeBase: Signal;
  /** The map width, signed. */
  wS: Value;
  /** The registers a new job clears. */
  counters: Signal[];
}

/**
 * The loop nest m-tile → dy → dx → channel tile → oy → ox, one step per `genFire`, keeping the input
 * position (iy, ix), the grid row offset and the channel tile's plane base incrementally.
 */
function walkTaps(c: ConvFrontConfig, m: ModuleBuilder, job: ConvJob, genFire: Value, genDone: Signal): TapWalk {
  const F = convFields(c);
  const { cfg, SW, sg, wrap, gridW, plane } = job;
  const mW = bitsOf(c.mMax + c.rows);
  const m0 = m.reg('m0', uint(mW), { reset: 0 });
  const [dy, dx] = [m.reg('dy', uint(2), { reset: 0 }), m.reg('dx', uint(2), { reset: 0 })];
  const ct = m.reg('ct', uint(F.tiles), { reset: 0 });
  const [oy, ox] = [m.reg('oy', uint(F.h), { reset: 0 }), m.reg('ox', uint(F.w), { reset: 0 })];
  const iy = m.reg('iy', sint(SW), { reset: 0 });
  const ix = m.reg('ix', sint(SW), { reset: 0 });
  const rowOff = m.reg('row_off', sint(SW), { reset: 0 });
  const planeBase = m.reg('plane_base', sint(SW), { reset: 0 });
  const step = mux(cfg.s2, u(2, 2), u(2, 1)).named('stride');
  const stepS = sg(step);
  const padS = sg(cfg.pad);
  const wS = sg(cfg.w);
  const gwS = sg(gridW);
  const last = (r: Value, n: Value) => r.extend(n.width + 1).add(1).eq(n.extend(n.width + 2));
  const lastOx = last(ox, cfg.wo);
  const lastOy = last(oy, cfg.ho);
  const lastCt = last(ct, cfg.tiles);
  const lastDx = mux(cfg.k3, dx.eq(2), 1);
  const lastDy = mux(cfg.k3, dy.eq(2), 1);
  const lastM = m0.add(c.rows).ge(cfg.m.extend(mW + 1));
  /**
   * (t − pad) for a tap index t, and the grid row offset of the start of a row walk: (t − pad)·W at
   * stride 1, ⌊(t − pad)/2⌋·⌈W/2⌉ at stride 2 (the row within the tap's phase).
   */
  const tapPos = (t: Value) => wrap(sg(t).sub(padS));
  const tapRow = (t: Value) =>
    select(t.add(1).sub(cfg.pad.extend(3)).trunc(2), [wrap(sLit(SW, 0).sub(gwS)), sLit(SW, 0), mux(cfg.s2, sLit(SW, 0), wS), mux(cfg.s2, gwS, wrap(wS.shl(1)))]);
  m.when(genFire, () => {
    ox.set(ox.add(1).trunc(F.w));
    ix.set(wrap(ix.add(stepS)));
    m.when(lastOx, () => {
      ox.set(0);
      ix.set(tapPos(dx));
      oy.set(oy.add(1).trunc(F.h));
      iy.set(wrap(iy.add(stepS)));
      rowOff.set(wrap(rowOff.add(gwS)));
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
  return { dy, dx, iy, ix, rowOff, planeBase, wS, counters: [m0, dy, dx, ct, oy, ox, planeBase] };
}

/**
 * The buffer address of the current read. Stride 2: the tap (dy, dx) reads the phase of row parity
 * dy ⊕ pad and column parity dx ⊕ pad, which the host streams as phase {dy[0], dx[0]}; the column
 * within it is ⌊ix/2⌋.
 */
function readAddress(c: ConvFrontConfig, job: ConvJob, walk: TapWalk): Value {
  const { cfg, SW, sg, wrap, phaseWords } = job;
  const { dy, dx, ix, rowOff, planeBase } = walk;
  const phaseS = sg(phaseWords);
  const phaseBase = mux(cfg.s2, select(cat(dy.bit(0), dx.bit(0)), [sLit(SW, 0), phaseS, wrap(phaseS.shl(1)), wrap(phaseS.add(phaseS.shl(1)))]), sLit(SW, 0)).named('phase_base');
  const col = mux(cfg.s2, ix.shr(1).resize(SW), ix);
  return wrap(phaseBase.add(planeBase).add(rowOff).add(col)).asUInt().trunc(clog2(featureMapDepth(c))).named('rd_addr');
}
