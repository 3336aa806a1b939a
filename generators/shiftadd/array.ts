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
import { In, Out, Record, Stream, Vec, clog2, module, mux, pack, sint, sumTree, u, uint, unpack, type IO, type ModuleBuilder, type Signal, type Value } from '../../dsl/index.ts';
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

/** Widths of the array's cfg fields, weight lanes and accumulators, and its buffer depth. */
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

/** One job's sizes, the array's cfg token {m, k, n} (m most significant). */
export function arrayCfgType(c: ArrayConfig) {
  const L = arrayLayout(c);
  return Record({ m: uint(L.mBits), k: uint(L.kBits), n: uint(L.nBits) });
}

/** The array's stream ports: cfg, `cols` weight lanes and activations a token in, `rows` sums a token out. */
export function arrayPorts(c: ArrayConfig) {
  return {
    cfg: In(Stream(arrayCfgType(c))),
    w: In(Stream(Vec(weightLanePayload(c), c.cols))),
    x: In(Stream(Vec(sint(c.xWidth), c.cols))),
    y: Out(Stream(Vec(sint(arrayLayout(c).accWidth), c.rows))),
  };
}
type ArrayIO = IO<ReturnType<typeof arrayPorts>>;

/** A pipeline register of the global-stall pipeline: it takes its value whenever the pipeline advances. */
type Stage = (name: string, v: Value, reset?: number) => Value;

/** The current job: its sizes (registered from the cfg token) and whether one is running. */
interface Job {
  busy: Signal;
  cfgFire: Value;
  sizeM: Signal;
  sizeK: Signal;
  sizeN: Signal;
  /** Widths of the tile counters: m0 + rows, k0 + cols and n + 1 fit. */
  mW: number;
  kW: number;
  nW: number;
}

/** The weights the PEs use, and the loader registers a new job clears. */
interface Weights {
  active: Signal[];
  activeValid: Signal;
  loaderState: Signal[];
}

/** The issue loop nest's registers and its per-cycle conditions. */
interface Issue {
  m0: Signal;
  k0: Signal;
  n: Signal;
  issueDone: Signal;
  xAddr?: Signal;
  /** The first m-tile, which takes X from the stream (always, without an activation buffer). */
  firstM: Value;
  fire: Value;
  lastN: Value;
  lastK: Value;
  lastM: Value;
  /** X of the current item replayed from the activation buffer (one cycle after the issue). */
  replayed?: Value;
}

export function createArray(c: ArrayConfig) {
  return module(c.name, arrayPorts(c), (io, m) => {
    // ---- job configuration: one cfg token starts a job; the job ends with its last output token
    const job = takeJob(c, io, m);

    // The whole pipeline moves when the output register is empty or being emptied.
    const yValid = m.reg('y_valid_q', uint(1), { reset: 0 });
    const advance = yValid.not().or(io.y.ready).named('advance');
    const stage: Stage = (name, v, reset) => {
      const r = m.reg(name, v.type, { enable: advance, ...(reset === undefined ? {} : { reset }) });
      r.set(v);
      return r;
    };

    const weights = loadWeights(c, io, m, job, advance);
    const issue = issueLoop(c, io, m, job, weights, advance);
    const s1 = peRows(c, io, stage, job, issue, weights);
    const s2 = accumulate(c, m, stage, s1, advance);

    const aw = arrayLayout(c).accWidth;
    const yPayload = m.reg('y_payload_q', uint(c.rows * aw), { enable: advance });
    const yLastJob = m.reg('y_last_job', uint(1), { enable: advance, reset: 0 });
    m.when(advance, () => yValid.set(s2.valid.and(s2.lastK)));
    yPayload.set(s2.sums);
    yLastJob.set(s2.lastJob);
    io.y.valid.set(yValid);
    io.y.payload.set(yPayload);

    // ---- job lifecycle
    m.when(job.cfgFire, () => {
      job.busy.set(1);
      const { m0, k0, n, xAddr, issueDone } = issue;
      for (const r of [m0, k0, n, ...(xAddr ? [xAddr] : []), issueDone, weights.activeValid, ...weights.loaderState]) r.set(0);
    });
    m.when(yValid.and(io.y.ready).and(yLastJob), () => job.busy.set(0));
  });
}

/** Take a cfg token while idle and register the job's sizes. */
function takeJob(c: ArrayConfig, io: ArrayIO, m: ModuleBuilder): Job {
  const busy = m.reg('busy', uint(1), { reset: 0 });
  const cfgFire = io.cfg.valid.and(busy.not()).named('cfg_fire');
  io.cfg.ready.set(busy.not());
  const mW = bitsOf(c.mMax + c.rows);
  const kW = bitsOf(c.kMax + c.cols);
  const nW = arrayLayout(c).nBits + 1;
  const sizeM = m.reg('size_m', uint(mW), { enable: cfgFire });
  const sizeK = m.reg('size_k', uint(kW), { enable: cfgFire });
  const sizeN = m.reg('size_n', uint(nW), { enable: cfgFire });
  const cfg = io.cfg.fields;
  sizeM.set(cfg.m.extend(mW));
  sizeK.set(cfg.k.extend(kW));
  sizeN.set(cfg.n.extend(nW));
  return { busy, cfgFire, sizeM, sizeK, sizeN, mW, kW, nW };
}

/**
 * Weight loader: shadow registers filled row by row, tile by tile in the issue order; a filled
 * shadow set swaps into the PEs' active registers when the current tile is done.
 */
function loadWeights(c: ArrayConfig, io: ArrayIO, m: ModuleBuilder, job: Job, advance: Value): Weights {
  const { rows: R, cols: C } = c;
  const { busy, sizeM, sizeK, mW, kW } = job;
  const word = uint(C * arrayLayout(c).wLane);
  const shadowFull = m.reg('shadow_full', uint(1), { reset: 0 });
  const loaderDone = m.reg('loader_done', uint(1), { reset: 0 });
  const wRow = m.reg('w_row', uint(clog2(R) + 1), { reset: 0 });
  const wM0 = m.reg('w_m0', uint(mW), { reset: 0 });
  const wK0 = m.reg('w_k0', uint(kW), { reset: 0 });
  const wReady = busy.and(shadowFull.not()).and(loaderDone.not());
  io.w.ready.set(wReady);
  const wFire = io.w.valid.and(wReady).named('w_fire');
  const wLastRow = wRow.eq(R - 1).or(wM0.add(wRow.extend(mW)).add(1).ge(sizeM.extend(mW + 2))).named('w_last_row');
  const wLastK = wK0.add(C).ge(sizeK.extend(kW + 1));
  const shadow = Array.from({ length: R }, (_, r) => m.reg(`shadow_${r}`, word));
  const active = Array.from({ length: R }, (_, r) => m.reg(`active_${r}`, word));
  const activeValid = m.reg('active_valid', uint(1), { reset: 0 });
  for (let r = 0; r < R; r++) m.when(wFire.and(wRow.eq(r)), () => shadow[r]!.set(io.w.payload));
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
  return { active, activeValid, loaderState: [shadowFull, loaderDone, wRow, wM0, wK0] };
}

/**
 * Issue: the loop nest m-tile → k-tile → n, one activation token per cycle. The first m-tile takes
 * X from the stream and keeps it in the activation buffer; later m-tiles replay it from there.
 */
function issueLoop(c: ArrayConfig, io: ArrayIO, m: ModuleBuilder, job: Job, weights: Weights, advance: Value): Issue {
  const { rows: R, cols: C } = c;
  const { busy, sizeM, sizeK, sizeN, mW, kW, nW } = job;
  const L = arrayLayout(c);
  const m0 = m.reg('m0', uint(mW), { reset: 0 });
  const k0 = m.reg('k0', uint(kW), { reset: 0 });
  const n = m.reg('n', uint(nW), { reset: 0 });
  const issueDone = m.reg('issue_done', uint(1), { reset: 0 });
  const buffered = !c.streamAll;
  const xAddrW = clog2(Math.max(1, L.xBufferDepth));
  const xAddr = buffered ? m.reg('x_addr', uint(xAddrW), { reset: 0 }) : undefined;
  const firstM = buffered ? m0.eq(0).named('first_m_tile') : u(1, 1);
  const ready = busy.and(weights.activeValid).and(issueDone.not()).and(advance);
  io.x.ready.set(ready.and(firstM));
  const fire = ready.and(firstM.not().or(io.x.valid)).named('issue');
  const lastN = n.add(1).eq(sizeN.extend(nW + 1));
  const lastK = k0.add(C).ge(sizeK.extend(kW + 1));
  const lastM = m0.add(R).ge(sizeM.extend(mW + 1));
  m.when(fire, () => {
    xAddr?.set(xAddr.add(1).trunc(xAddrW));
    n.set(n.add(1).trunc(nW));
    m.when(lastN, () => {
      n.set(0);
      weights.activeValid.set(0);
      m.when(lastK, () => {
        k0.set(0);
        xAddr?.set(0);
        m0.set(m0.add(R).trunc(mW));
        m.when(lastM, () => issueDone.set(1));
      }).otherwise(() => k0.set(k0.add(C).trunc(kW)));
    });
  });
  let replayed: Value | undefined;
  if (xAddr) {
    const xBuffer = m.mem('x_buffer', { type: uint(C * c.xWidth), depth: L.xBufferDepth });
    xBuffer.write(xAddr, io.x.payload, fire.and(firstM));
    replayed = xBuffer.read(xAddr, advance, 'x_replay');
  }
  return { m0, k0, n, issueDone, xAddr, firstM, fire, lastN, lastK, lastM, replayed };
}

/** Stage 1: every PE's term of the issued item, masked past K, reduced per row by an adder tree. */
function peRows(c: ArrayConfig, io: ArrayIO, stage: Stage, job: Job, issue: Issue, weights: Weights) {
  const { cols: C } = c;
  const aw = arrayLayout(c).accWidth;
  const { k0, n, firstM, fire, lastN, lastK, lastM, replayed } = issue;
  const laneMask = pack(Vec(uint(1), C), Array.from({ length: C }, (_, i) => k0.add(i).lt(job.sizeK.extend(job.kW + 1))));
  const s1Valid = stage('s1_valid', fire, 0);
  const s1FromStream = issue.xAddr ? stage('s1_from_stream', firstM) : undefined;
  const s1X = stage('s1_x', io.x.payload);
  const s1Mask = stage('s1_mask', laneMask);
  const s1N = stage('s1_n', n);
  const s1FirstK = stage('s1_first_k', k0.eq(0));
  const s1LastK = stage('s1_last_k', lastK);
  const s1LastJob = stage('s1_last_job', lastN.and(lastK).and(lastM));
  const xVec = s1FromStream && replayed ? mux(s1FromStream, s1X, replayed).named('x_vec') : s1X;
  const psums = weights.active.map((word) => {
    const x = unpack(Vec(sint(c.xWidth), C), xVec);
    const w = unpack(Vec(weightLaneType(c), C), word);
    const terms = Array.from({ length: C }, (_, i) => mux(s1Mask.bit(i), peTerm(c, x[i]!, w[i]!), 0));
    // At most K ≤ kMax lanes are unmasked, so the row sum fits the accumulator width.
    return sumTree(terms).resize(aw);
  });
  return { valid: s1Valid, n: s1N, firstK: s1FirstK, lastK: s1LastK, lastJob: s1LastJob, psums };
}

/**
 * Stage 2: accumulate the row sums over k-tiles in the accumulator memory, indexed by n. The
 * memory is read synchronously (a registered read: block RAM). The read of row s1_n is issued from
 * stage 1 on the edge that moves the item into stage 2; on the same edge stage 2 writes its own row
 * back. When both are one row, the word being written is forwarded into the read register instead
 * of the RAM's old word (a write-first read, which yosys recognises as a transparent block-RAM
 * port). The read register and the write both wait for `advance`, so a stalled item keeps its word.
 */
function accumulate(c: ArrayConfig, m: ModuleBuilder, stage: Stage, s1: ReturnType<typeof peRows>, advance: Value) {
  const { rows: R } = c;
  const aw = arrayLayout(c).accWidth;
  const s2Valid = stage('s2_valid', s1.valid, 0);
  const s2N = stage('s2_n', s1.n);
  const s2FirstK = stage('s2_first_k', s1.firstK);
  const s2LastK = stage('s2_last_k', s1.lastK);
  const s2LastJob = stage('s2_last_job', s1.lastJob);
  const s2Psum = s1.psums.map((p, r) => stage(`s2_psum_${r}`, p));
  const sumsType = Vec(sint(aw), R);
  const accMem = m.mem('acc', { type: uint(R * aw), depth: c.nMax });
  const accWAddr = s2N.resize(accMem.addrWidth).named('acc_waddr');
  const accRAddr = s1.n.resize(accMem.addrWidth).named('acc_raddr');
  const accWrite = s2Valid.and(advance).named('acc_we');
  const accForward = accWrite.and(accWAddr.eq(accRAddr)).named('acc_forward');
  const accWord = m.reg('acc_q', uint(R * aw), { enable: advance });
  const acc = unpack(sumsType, accWord);
  const sums = s2Psum.map((p, r) => mux(s2FirstK, p, acc[r]!.add(p).trunc(aw)));
  const sumWord = pack(sumsType, sums).named('acc_next');
  accMem.write(accWAddr, sumWord, accWrite);
  accWord.set(mux(accForward, sumWord, accMem.readAsync(accRAddr)));
  return { valid: s2Valid, lastK: s2LastK, lastJob: s2LastJob, sums: sumWord };
}
