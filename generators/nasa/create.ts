/**
 * NASA's chunk-based accelerator: a multiply chunk, a shift chunk and an adder chunk (ShiftAdd's
 * weight-stationary engines, `generators/shiftadd/array.ts`) side by side, a hybrid network's
 * layers pipelined across them image by image:
 *
 * ```
 *  cfg {m0,k0,m1,m2,n} ─► fork ─► queue ─► mul chunk cfg   queue ─► shift chunk cfg   queue ─► adder chunk cfg
 *  x (image, mulCols lanes) ─► MUL CHUNK ─► >>q0, sat8 ─► queue (one image) ─► SHIFT CHUNK ─► >>q1, sat8 ─► queue (one image) ─► ADDER CHUNK ─► y
 *  w0 ────────────────────────────┘                   w1 ──────────────────────────┘                 w2 ───────────────┘
 * ```
 *
 * Each chunk's output token (rows lanes, one m-tile of one pixel) is exactly the next chunk's input
 * token (its cols = the previous rows), emitted in the order the next chunk's first m-tile takes
 * them. The queue between two chunks holds one image's whole intermediate layer, so a chunk never
 * waits for the next one to start: while the adder chunk works on image i, the shift chunk runs
 * image i+1 and the multiply chunk image i+2, and the cycles per image are the slowest chunk's.
 * Every chunk takes its own copy of each image's cfg token from its own queue, when it starts it.
 */
import { In, Out, Record, Stream, Vec, connect, fork, join, module, queue, sint, streamDemux, streamMux, streamWire, uint, type StreamWire, type Value } from '../../dsl/index.ts';
import { jobSelect, jobSelectType } from './route.ts';
import { arrayLayout, createArray, type ArrayConfig } from '../shiftadd/array.ts';
import { weightLanePayload } from '../shiftadd/pe.ts';
import type { PeKind } from '../shiftadd/widths.ts';
import type { NasaParams } from './params.ts';

const expBits = (p: number): number => Math.ceil(Math.log2(p + 1));

/** The three chunks' array configurations, in chain order. */
export function chunkConfigs(p: NasaParams): [ArrayConfig, ArrayConfig, ArrayConfig] {
  const chunk = (kind: PeKind, rows: number, cols: number, xWidth: number, mMax: number, kMax: number): ArrayConfig => ({
    name: `nasa_${kind}_r${rows}c${cols}_x${xWidth}_${kind === 'shift' ? `p${p.p}` : `w${p.wWidth}`}_m${mMax}k${kMax}n${p.nMax}`,
    kind, rows, cols, xWidth, wWidth: p.wWidth, p: p.p, expBits: expBits(p.p), mMax, kMax, nMax: p.nMax,
  });
  return [
    chunk('mul', p.mulRows, p.mulCols, p.xWidth, p.m0Max, p.k0Max),
    chunk('shift', p.shiftRows, p.mulRows, 8, p.m1Max, p.m0Max),
    chunk('adder', p.adderRows, p.shiftRows, 8, p.m2Max, p.m1Max),
  ];
}

/**
 * One round's cfg token: the three layers' sizes; with several rounds also whether the multiply
 * chunk reads the image (`first`, else the fed-back adder output) and whether the adder chunk's
 * output is the result (`last`, else it is fed back).
 */
export function nasaCfgType(p: NasaParams) {
  const [a, b, c] = chunkConfigs(p).map(arrayLayout) as [ReturnType<typeof arrayLayout>, ReturnType<typeof arrayLayout>, ReturnType<typeof arrayLayout>];
  const sizes = { m0: uint(a.mBits), k0: uint(a.kBits), m1: uint(b.mBits), m2: uint(c.mBits), n: uint(a.nBits) };
  return p.rounds > 1 ? Record({ ...sizes, first: uint(1), last: uint(1) }) : Record(sizes);
}

/** Tokens of one image's intermediate layer between two chunks: ⌈M/rows⌉ m-tiles of N pixels. */
export const interChunkDepth = (mMax: number, rows: number, nMax: number): number => Math.ceil(mMax / rows) * nMax;

export function createNasa(p: NasaParams) {
  const [c0, c1, c2] = chunkConfigs(p);
  const [L0, L1, L2] = [arrayLayout(c0), arrayLayout(c1), arrayLayout(c2)];
  const defs = [createArray(c0), createArray(c1), createArray(c2)];
  const name = `nasa_m${p.mulRows}x${p.mulCols}_s${p.shiftRows}_a${p.adderRows}_x${p.xWidth}w${p.wWidth}p${p.p}_q${p.q0}_${p.q1}_${p.m0Max}_${p.k0Max}_${p.m1Max}_${p.m2Max}_${p.nMax}`;
  const rname = p.rounds > 1 ? `_r${p.rounds}q${p.q2}` : '';
  return module(name + rname, {
    cfg: In(Stream(nasaCfgType(p))),
    w0: In(Stream(Vec(weightLanePayload(c0), c0.cols))),
    w1: In(Stream(Vec(weightLanePayload(c1), c1.cols))),
    w2: In(Stream(Vec(weightLanePayload(c2), c2.cols))),
    x: In(Stream(Vec(sint(p.xWidth), c0.cols))),
    y: Out(Stream(Vec(sint(L2.accWidth), c2.rows))),
  }, (io, m) => {
    // Each chunk starts an image (a round) when it is free, so the cfg copies queue per chunk (a few rounds ahead).
    const ring = p.rounds > 1;
    const copies = fork(io.cfg, ring ? 5 : 3, { name: 'cfg_copy' }).map((s, i) => queue(s, { depth: ring ? 8 : 4, name: `cfg_q${i}` }));
    const [cfg0, cfg1, cfg2] = copies;
    const mulCfg = cfg0!.map(Record({ m: uint(L0.mBits), k: uint(L0.kBits), n: uint(L0.nBits) }), (f) => ({ m: f.m0, k: f.k0, n: f.n }), 'mul_cfg');
    const shiftCfg = cfg1!.map(Record({ m: uint(L1.mBits), k: uint(L1.kBits), n: uint(L1.nBits) }), (f) => ({ m: f.m1, k: f.m0.resize(L1.kBits), n: f.n.resize(L1.nBits) }), 'shift_cfg');
    const adderCfg = cfg2!.map(Record({ m: uint(L2.mBits), k: uint(L2.kBits), n: uint(L2.nBits) }), (f) => ({ m: f.m2, k: f.m1.resize(L2.kBits), n: f.n.resize(L2.nBits) }), 'adder_cfg');

    // Several rounds: the multiply chunk reads the image in a first round and the adder chunk's
    // requantised output (fed back through a queue of a few rounds) in the others; the adder chunk's
    // output of the last round is the result. jobSelect steers each round's tokens.
    let mulIn: typeof io.x = io.x;
    let fedBack: StreamWire | undefined;
    let ySel: ReturnType<typeof jobSelect> | undefined;
    if (ring) {
      const rf = (s: typeof cfg0) => s!.fields as unknown as { first: Value; last: Value; k0: Value; m2: Value; n: Value };
      const xJobs = copies[3]!.map(jobSelectType(L0.kBits, L0.nBits), (f) => ({ way: rf(copies[3]).first.not(), len: f.k0, n: f.n }), 'x_jobs');
      const yJobs = copies[4]!.map(jobSelectType(L2.mBits, L0.nBits), (f) => ({ way: rf(copies[4]).last.not(), len: f.m2, n: f.n }), 'y_jobs');
      const xSel = jobSelect(m, 'x_sel', xJobs, c0.cols);
      ySel = jobSelect(m, 'y_sel', yJobs, c2.rows);
      const fb = streamWire(m, 'feedback', Vec(sint(p.xWidth), c0.cols));
      mulIn = streamMux(xSel, [io.x, queue(fb, { depth: 3 * interChunkDepth(p.m2Max, c2.rows, p.nMax), name: 'adder_to_mul' })], 'mul_in');
      fedBack = fb as unknown as StreamWire;
    }
    const mul = m.instance('mul_chunk', defs[0]!, { cfg: mulCfg, w: io.w0, x: mulIn });
    const a0 = queue(mul.y.map(Vec(sint(8), c0.rows), (lanes) => lanes.map((v) => v.shr(p.q0).sat(8)), 'a0'),
      { depth: interChunkDepth(p.m0Max, c0.rows, p.nMax), name: 'mul_to_shift' });
    const shift = m.instance('shift_chunk', defs[1]!, { cfg: shiftCfg, w: io.w1, x: a0 });
    const a1 = queue(shift.y.map(Vec(sint(8), c1.rows), (lanes) => lanes.map((v) => v.shr(p.q1).sat(8)), 'a1'),
      { depth: interChunkDepth(p.m1Max, c1.rows, p.nMax), name: 'shift_to_adder' });
    const adder = m.instance('adder_chunk', defs[2]!, { cfg: adderCfg, w: io.w2, x: a1 });
    if (!ring) connect(adder.y, io.y);
    else {
      const routed = join({ y: adder.y, way: ySel! }, 'y_routed');
      const [out, back] = streamDemux(routed, routed.fields.way as Value, 2, 'y_route');
      connect(out!.map(adder.y.type, (f) => f.y, 'y_out'), io.y);
      connect(back!.map(Vec(sint(p.xWidth), c0.cols), (f) => (f.y as Value[]).map((v) => v.shr(p.q2).sat(8).resize(p.xWidth)), 'y_back'), fedBack!.sink as never);
    }
  });
}
