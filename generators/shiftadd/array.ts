/**
 * A weight-stationary rows×cols array of one PE kind computing Y[M×N] = W[M×K] ⊗ X[K×N] for
 * run-time M, K, N (ShiftAddNet's layer engine).
 *
 * Dataflow. PE(r, c) holds W[m0 + r, k0 + c] for the current (m-tile, k-tile). One activation token
 * carries X[k0 .. k0+cols−1, n]; lane c is broadcast down column c, every PE forms its term, and each
 * row's terms reduce through an adder tree into a partial sum for Y[m0 + r, n]. Partial sums of
 * successive k-tiles accumulate in an on-chip accumulator memory indexed by n (block RAM: read
 * synchronously one stage ahead, with the row being written forwarded); after the last
 * k-tile one output token carries Y[m0 .. m0+rows−1, n]. The loop nest m-tile → k-tile → n is the
 * generated control; the host streams W once (in use order) and X once:
 *
 * ```
 *  cfg {m,k,n} ──► control (m0, k0, n counters, lane masks)
 *  w (cols lanes/token, rows tokens/tile) ──► shadow regs ══swap══► active regs (the PEs' weights)
 *  x (cols lanes/token) ──┬──────────────► stage 1: PE terms ► row adder trees ► stage 2: psum
 *                         └► X buffer ─────┘ (m-tiles after the first replay X from the buffer)
 *  stage 2: acc[n] (+)= psum ──(last k-tile)──► y (rows lanes/token)
 * ```
 *
 * The next tile's weights load into shadow registers while the current tile computes, so a tile
 * costs N cycles plus one swap cycle. Lanes past K are masked to zero, so ragged K needs no padding
 * on chip; output lanes past M are unspecified and dropped by the decoder. The pipeline stalls as
 * a whole when the output token is not taken (one global advance), which keeps every stage aligned.
 */
import { cat, clog2, declareStream, fieldsRecord, module, mux, sint, streamPorts, sumTree, u, uint, vector, type ModuleDef, type PortRecord, type Value } from '../../dsl/index.ts';
import { ceilLog2 } from './widths.ts';
import { peTerm, peTermWidth, weightLanePayload, weightLaneType, weightLaneWidth, type PeConfig } from './pe.ts';

export interface ArrayConfig extends PeConfig {
  /** Verilog module name. */
  name: string;
  rows: number;
  cols: number;
  mMax: number;
  kMax: number;
  nMax: number;
  /**
   * Every m-tile takes X from the stream (a front end such as the convolution address generator
   * regenerates it), so the array keeps no activation buffer. Default: false (replay from the buffer).
   */
  streamAll?: boolean;
}

/** Widths of the array's stream payloads and fields (shared with the encoder and decoder). */
export interface ArrayLayout {
  mBits: number;
  kBits: number;
  nBits: number;
  wLane: number;
  accWidth: number;
  xBufferDepth: number;
}

export function arrayLayout(c: ArrayConfig): ArrayLayout {
  return {
    mBits: bitsOf(c.mMax),
    kBits: bitsOf(c.kMax),
    nBits: bitsOf(c.nMax),
    wLane: weightLaneWidth(c),
    accWidth: peTermWidth(c) + ceilLog2(c.kMax),
    xBufferDepth: c.streamAll ? 0 : Math.ceil(c.kMax / c.cols) * c.nMax,
  };
}

const bitsOf = (n: number): number => Math.max(1, Math.ceil(Math.log2(n + 1)));

/** Lane `i` of a packed vector of `width`-bit lanes (lane 0 least significant). */
function lane(v: Value, i: number, width: number, signed: boolean): Value {
  const bits = v.slice((i + 1) * width - 1, i * width);
  return signed ? bits.asSInt() : bits;
}

/** Pack lanes, lane 0 least significant. */
const pack = (lanes: Value[]): Value => cat(...[...lanes].reverse().map((l) => l.asUInt()));

export function createArray(c: ArrayConfig): ModuleDef<PortRecord> {
  const L = arrayLayout(c);
  const { rows: R, cols: C, xWidth: xb } = c;
  const aw = L.accWidth;
  return module(c.name, {
    ...streamPorts('cfg', 'in', fieldsRecord({ m: L.mBits, k: L.kBits, n: L.nBits })),
    ...streamPorts('w', 'in', vector(weightLanePayload(c), C)),
    ...streamPorts('x', 'in', vector(sint(xb), C)),
    ...streamPorts('y', 'out', vector(sint(aw), R)),
  }, (io, m) => {
    for (const s of ['cfg', 'w', 'x'] as const) declareStream(io, s, 'in');
    declareStream(io, 'y', 'out');

    // ---- job configuration: one cfg token starts a job; the job ends with its last output token
    const busy = m.reg('busy', uint(1), { reset: 0 });
    const cfgFire = io.cfg_valid.and(busy.not()).named('cfg_fire');
    io.cfg_ready.set(busy.not());
    const mW = bitsOf(c.mMax + R);
    const kW = bitsOf(c.kMax + C);
    const nW = L.nBits + 1;
    const sizeM = m.reg('size_m', uint(mW), { enable: cfgFire });
    const sizeK = m.reg('size_k', uint(kW), { enable: cfgFire });
    const sizeN = m.reg('size_n', uint(nW), { enable: cfgFire });
    const cfgN = io.cfg_payload.slice(L.nBits - 1, 0);
    const cfgK = io.cfg_payload.slice(L.nBits + L.kBits - 1, L.nBits);
    const cfgM = io.cfg_payload.slice(L.nBits + L.kBits + L.mBits - 1, L.nBits + L.kBits);
    sizeM.set(cfgM.extend(mW));
    sizeK.set(cfgK.extend(kW));
    sizeN.set(cfgN.extend(nW));

    // The whole pipeline moves when the output register is empty or being emptied.
    const yValid = m.reg('y_valid_q', uint(1), { reset: 0 });
    const advance = yValid.not().or(io.y_ready).named('advance');

    // ---- weight loader: shadow registers filled row by row, tile by tile, in the issue order
    const shadowFull = m.reg('shadow_full', uint(1), { reset: 0 });
    const loaderDone = m.reg('loader_done', uint(1), { reset: 0 });
    const wRow = m.reg('w_row', uint(clog2(R) + 1), { reset: 0 });
    const wM0 = m.reg('w_m0', uint(mW), { reset: 0 });
    const wK0 = m.reg('w_k0', uint(kW), { reset: 0 });
    const wReady = busy.and(shadowFull.not()).and(loaderDone.not());
    io.w_ready.set(wReady);
    const wFire = io.w_valid.and(wReady).named('w_fire');
    const wLastRow = wRow.eq(R - 1).or(wM0.add(wRow.extend(mW)).add(1).ge(sizeM.extend(mW + 2))).named('w_last_row');
    const wLastK = wK0.add(C).ge(sizeK.extend(kW + 1));
    const shadow = Array.from({ length: R }, (_, r) => m.reg(`shadow_${r}`, uint(C * L.wLane)));
    const active = Array.from({ length: R }, (_, r) => m.reg(`active_${r}`, uint(C * L.wLane)));
    const activeValid = m.reg('active_valid', uint(1), { reset: 0 });
    for (let r = 0; r < R; r++) m.when(wFire.and(wRow.eq(r)), () => shadow[r]!.set(io.w_payload));
    m.when(wFire, () => {
      m.when(wLastRow, () => {
        wRow.set(0);
        shadowFull.set(1);
        m.when(wLastK, () => {
          wK0.set(0);
          wM0.set(wM0.add(R).trunc(mW));
          m.when(wM0.add(R).ge(sizeM.extend(mW + 1)), () => loaderDone.set(1));
        }).otherwise(() => wK0.set(wK0.add(C).trunc(kW)));
      }).otherwise(() => wRow.set(wRow.add(1).trunc(wRow.width)));
    });
    // Swap only when the pipeline advances: the last item of the old tile meets its weights in
    // stage 1 during this very cycle.
    const swap = busy.and(activeValid.not()).and(shadowFull).and(advance).named('swap');
    m.when(swap, () => {
      shadowFull.set(0);
      activeValid.set(1);
      for (let r = 0; r < R; r++) active[r]!.set(shadow[r]!);
    });

    // ---- issue: the loop nest m-tile → k-tile → n, one activation token per cycle
    const m0 = m.reg('m0', uint(mW), { reset: 0 });
    const k0 = m.reg('k0', uint(kW), { reset: 0 });
    const n = m.reg('n', uint(nW), { reset: 0 });
    const issueDone = m.reg('issue_done', uint(1), { reset: 0 });
    const buffered = !c.streamAll;
    const xAddrW = clog2(Math.max(1, L.xBufferDepth));
    const xAddr = buffered ? m.reg('x_addr', uint(xAddrW), { reset: 0 }) : undefined;
    const firstM = buffered ? m0.eq(0).named('first_m_tile') : u(1, 1);
    const ready = busy.and(activeValid).and(issueDone.not()).and(advance);
    io.x_ready.set(ready.and(firstM));
    const fire = ready.and(firstM.not().or(io.x_valid)).named('issue');
    const lastN = n.add(1).eq(sizeN.extend(nW + 1));
    const lastK = k0.add(C).ge(sizeK.extend(kW + 1));
    const lastM = m0.add(R).ge(sizeM.extend(mW + 1));
    m.when(fire, () => {
      xAddr?.set(xAddr.add(1).trunc(xAddrW));
      n.set(n.add(1).trunc(nW));
      m.when(lastN, () => {
        n.set(0);
        activeValid.set(0);
        m.when(lastK, () => {
          k0.set(0);
          xAddr?.set(0);
          m0.set(m0.add(R).trunc(mW));
          m.when(lastM, () => issueDone.set(1));
        }).otherwise(() => k0.set(k0.add(C).trunc(kW)));
      });
    });
    // The first m-tile takes X from the stream and keeps it; later m-tiles replay it from here.
    let replayed: Value | undefined;
    if (xAddr) {
      const xBuffer = m.mem('x_buffer', { type: uint(C * xb), depth: L.xBufferDepth });
      xBuffer.write(xAddr, io.x_payload, fire.and(firstM));
      replayed = xBuffer.read(xAddr, advance, 'x_replay');
    }

    // ---- stage 1: PE terms and row adder trees
    // A pipeline register of the global-stall pipeline: it takes `v` whenever the pipeline advances.
    const stage = (name: string, v: Value, reset?: number): Value => {
      const r = m.reg(name, v.type, { enable: advance, ...(reset === undefined ? {} : { reset }) });
      r.set(v);
      return r;
    };
    const laneMask = pack(Array.from({ length: C }, (_, i) => k0.add(i).lt(sizeK.extend(kW + 1))));
    const s1Valid = stage('s1_valid', fire, 0);
    const s1FromStream = buffered ? stage('s1_from_stream', firstM) : undefined;
    const s1X = stage('s1_x', io.x_payload);
    const s1Mask = stage('s1_mask', laneMask);
    const s1N = stage('s1_n', n);
    const s1FirstK = stage('s1_first_k', k0.eq(0));
    const s1LastK = stage('s1_last_k', lastK);
    const s1LastJob = stage('s1_last_job', lastN.and(lastK).and(lastM));
    const xVec = s1FromStream && replayed ? mux(s1FromStream, s1X, replayed).named('x_vec') : s1X;
    const psums = Array.from({ length: R }, (_, r) => {
      const terms = Array.from({ length: C }, (_, i) => {
        const term = peTerm(c, lane(xVec, i, xb, true), lane(active[r]!, i, L.wLane, weightLaneType(c).signed));
        return mux(s1Mask.bit(i), term, 0);
      });
      // At most K ≤ kMax lanes are unmasked, so the row sum fits the accumulator width.
      return sumTree(terms).resize(aw);
    });

    // ---- stage 2: accumulate over k-tiles; emit on the last one
    const s2Valid = stage('s2_valid', s1Valid, 0);
    const s2N = stage('s2_n', s1N);
    const s2FirstK = stage('s2_first_k', s1FirstK);
    const s2LastK = stage('s2_last_k', s1LastK);
    const s2LastJob = stage('s2_last_job', s1LastJob);
    const s2Psum = psums.map((p, r) => stage(`s2_psum_${r}`, p));
    // The accumulator memory is read synchronously (a registered read: block RAM). The read of row
    // s1_n is issued from stage 1 on the edge that moves the item into stage 2; on the same edge
    // stage 2 writes its own row back. When both are one row, the word being written is forwarded
    // into the read register instead of the RAM's old word (a write-first read, which yosys
    // recognises as a transparent block-RAM port). The read register and the write both wait for
    // `advance`, so a stalled item keeps its word.
    const accMem = m.mem('acc', { type: uint(R * aw), depth: c.nMax });
    const accWAddr = s2N.resize(accMem.addrWidth).named('acc_waddr');
    const accRAddr = s1N.resize(accMem.addrWidth).named('acc_raddr');
    const accWrite = s2Valid.and(advance).named('acc_we');
    const accForward = accWrite.and(accWAddr.eq(accRAddr)).named('acc_forward');
    const accWord = m.reg('acc_q', uint(R * aw), { enable: advance });
    const sums = s2Psum.map((p, r) => mux(s2FirstK, p, lane(accWord, r, aw, true).add(p).trunc(aw)));
    const sumWord = pack(sums).named('acc_next');
    accMem.write(accWAddr, sumWord, accWrite);
    accWord.set(mux(accForward, sumWord, accMem.readAsync(accRAddr)));

    const yPayload = m.reg('y_payload_q', uint(R * aw), { enable: advance });
    const yLastJob = m.reg('y_last_job', uint(1), { enable: advance, reset: 0 });
    m.when(advance, () => yValid.set(s2Valid.and(s2LastK)));
    yPayload.set(sumWord);
    yLastJob.set(s2LastJob);
    io.y_valid.set(yValid);
    io.y_payload.set(yPayload);

    // ---- job lifecycle
    m.when(cfgFire, () => {
      busy.set(1);
      for (const r of [m0, k0, n, ...(xAddr ? [xAddr] : []), issueDone, activeValid, shadowFull, loaderDone, wRow, wM0, wK0]) r.set(0);
    });
    m.when(yValid.and(io.y_ready).and(yLastJob), () => busy.set(0));
  });
}
