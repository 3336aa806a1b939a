/**
 * The multiply baseline of the ShiftAddLLM engine: the same GEMV `y = W·x` with int8 weights on L
 * multiply-accumulate lanes, for comparison (cycles, weight bytes, energy, area).
 *
 * Architecture. x is loaded once into the same activation memory as the engine (one word per 8
 * activations). Weights stream in as tokens of L int8 values, one per lane, in the order row chunk →
 * column k; lane l serves rows r·L + l and keeps its running sum in a register (output-stationary: a
 * row finishes after K tokens, so no accumulator memory is needed). Stage 0 reads the activation word
 * (synchronous, block RAM); stage 1 selects x[k] from it, multiplies and accumulates. After the last
 * column the L sums go to an output register; new weights are refused while it is full and not being
 * taken, which is enough since two row ends are at least 8 tokens apart.
 *
 * Streams (`macGemvPorts`): cfg {groupsM1, chunksM1}, x (as the engine), w (L int8, element l for lane
 * l), y (out: chunks tokens of L int32).
 */
import { ParamError } from '../../dsl/errors.ts';
import { defineAccelerator, defineGenerator, type Accelerator, type ParamSpec, type Tensor, type TokenValue } from '../../dsl/generator.ts';
import { In, Out, Record, Stream, Vec, module, sint, uint, unpack, mux, select } from '../../dsl/index.ts';
import { checkInputs } from '../../dsl/tensors.ts';
import { multiplyGemvGolden } from './golden.ts';

export interface MacGemvParams extends Record<string, number> {
  kmax: number;
  nmax: number;
  lanes: number;
  actWidth: number;
}

const specs: Record<keyof MacGemvParams & string, ParamSpec> = {
  kmax: { kind: 'int', doc: 'largest input length K (multiple of 8)', min: 8, max: 8192 },
  nmax: { kind: 'int', doc: 'largest number of output rows N', min: 1, max: 16384 },
  lanes: { kind: 'int', doc: 'multiply-accumulate lanes, one int8 weight each per cycle', min: 1, max: 16 },
  actWidth: { kind: 'int', doc: 'bits of the signed activations', min: 2, max: 16 },
};

export const macGemvPresets: Record<string, MacGemvParams> = {
  ci: { kmax: 64, nmax: 16, lanes: 4, actWidth: 8 },
  'opt125m-attn': { kmax: 768, nmax: 768, lanes: 4, actWidth: 8 },
};

const bits = (n: number): number => Math.max(1, Math.ceil(Math.log2(n)));
/** Bits of a lane accumulator: 8 + aw + ceil(log2 kmax) (spec's rule for a sum of K products). */
export const macAccWidth = (p: MacGemvParams): number => 8 + p.actWidth + bits(p.kmax);

export function validateMacGemv(p: MacGemvParams): void {
  if (p.kmax % 8 !== 0) throw new ParamError(`parameter 'kmax' = ${p.kmax} must be a multiple of 8`, undefined, { field: 'kmax', value: p.kmax });
  if (macAccWidth(p) > 32) throw new ParamError(`kmax = ${p.kmax} with actWidth = ${p.actWidth} needs a ${macAccWidth(p)}-bit accumulator; y is int32`, undefined, { field: 'kmax', value: p.kmax });
}

/** The baseline's ports: cfg and x as the engine's, w with L int8 weights per token, y with L int32. */
export function macGemvPorts(p: MacGemvParams) {
  return {
    cfg: In(Stream(Record({ groupsM1: uint(bits(p.kmax / 8)), chunksM1: uint(bits(Math.ceil(p.nmax / p.lanes))) }))),
    x: In(Stream(Vec(sint(p.actWidth), 8))),
    w: In(Stream(Vec(sint(8), p.lanes))),
    y: Out(Stream(Vec(sint(32), p.lanes))),
  };
}

export function createMacGemv(p: MacGemvParams) {
  const L = p.lanes;
  const aw = p.actWidth;
  const gmax = p.kmax / 8;
  const gBits = bits(gmax);
  const cBits = bits(Math.ceil(p.nmax / L));
  const accW = macAccWidth(p);
  const ports = macGemvPorts(p);
  return module(`gemv_mac_k${p.kmax}_n${p.nmax}_l${L}_a${aw}`, ports, (io, m) => {
    const IDLE = 0, LOAD_X = 1, COMPUTE = 2, FINISH = 3;
    const state = m.reg('state_q', uint(2), { reset: IDLE });
    const groupsM1 = m.reg('groups_m1_q', uint(gBits));
    const chunksM1 = m.reg('chunks_m1_q', uint(cBits));
    const kg = m.reg('k_group_q', uint(gBits));
    const kt = m.reg('k_lane_q', uint(3));
    const row = m.reg('row_q', uint(cBits));
    const outValid = m.reg('out_valid_q', uint(1), { reset: 0 });

    io.cfg.ready.set(state.eq(IDLE));
    io.x.ready.set(state.eq(LOAD_X));
    io.w.ready.set(state.eq(COMPUTE).and(outValid.not().or(io.y.ready)));
    const xFire = io.x.fire;
    const wFire = io.w.fire.named('w_fire');
    const xmem = m.mem('activations', { type: uint(8 * aw), depth: Math.max(2, gmax) });
    xmem.write(kg, io.x.payload, xFire);
    const lastK = kg.eq(groupsM1).and(kt.eq(7));

    // Stage 0 -> 1.
    const xword = xmem.read(kg, wFire, 'xword_q');
    const valid1 = m.delay(wFire, { reset: 0, name: 'valid_q' });
    const sel1 = m.delay(kt, { enable: wFire, name: 'sel_q' });
    const first1 = m.delay(kg.eq(0).and(kt.eq(0)), { enable: wFire, name: 'first_q' });
    const last1 = m.delay(lastK, { enable: wFire, name: 'last_q' });
    const w1 = unpack(ports.w.type.payload, m.delay(io.w.payload, { enable: wFire, name: 'weights_q' }));
    const x1 = select(sel1, unpack(ports.x.type.payload, xword));

    const results = w1.map((w, l) => {
      const acc = m.reg(`acc${l}_q`, sint(accW));
      const product = w.mul(x1).extend(accW);
      const sum = mux(first1, product, acc.add(product).trunc(accW));
      m.when(valid1, () => acc.set(sum));
      const result = m.reg(`result${l}_q`, sint(32));
      m.when(valid1.and(last1), () => result.set(sum.extend(32)));
      return result;
    });
    m.when(valid1.and(last1), () => outValid.set(1)).elsewhen(io.y.ready, () => outValid.set(0));
    io.y.valid.set(outValid);
    io.y.setFields(results);

    m.switch(state)
      .is(IDLE, () => m.when(io.cfg.valid, () => {
        const cfg = io.cfg.fields;
        groupsM1.set(cfg.groupsM1);
        chunksM1.set(cfg.chunksM1);
        for (const r of [kg, kt, row]) r.set(0);
        state.set(LOAD_X);
      }))
      .is(LOAD_X, () => m.when(xFire, () => {
        kg.set(mux(kg.eq(groupsM1), 0, kg.add(1).trunc(gBits)));
        m.when(kg.eq(groupsM1), () => state.set(COMPUTE));
      }))
      .is(COMPUTE, () => m.when(wFire, () => {
        kt.set(kt.add(1).trunc(3));
        m.when(kt.eq(7), () => kg.set(mux(kg.eq(groupsM1), 0, kg.add(1).trunc(gBits))));
        m.when(lastK, () => {
          row.set(row.add(1).trunc(cBits));
          m.when(row.eq(chunksM1), () => state.set(FINISH));
        });
      }))
      .is(FINISH, () => m.when(valid1.not().and(outValid.not()), () => state.set(IDLE)));
  });
}

const n = (v: bigint): number => Number(v);

/** Tokens as field values: cfg, x in groups of 8, and per row chunk, per column, L weights (rows past N are zero). */
export function macGemvTokens(p: MacGemvParams, w: number[][], x: number[]): Record<string, TokenValue[]> {
  const L = p.lanes;
  const G = x.length / 8;
  const chunks = Math.ceil(w.length / L);
  const ws: TokenValue[] = [];
  for (let r = 0; r < chunks; r++)
    for (let k = 0; k < x.length; k++) ws.push(Array.from({ length: L }, (_, l) => w[r * L + l]?.[k] ?? 0));
  return {
    cfg: [{ groupsM1: G - 1, chunksM1: chunks - 1 }],
    x: Array.from({ length: G }, (_, g) => x.slice(8 * g, 8 * g + 8)),
    w: ws,
  };
}

function gemvProblem(t: Record<string, Tensor>): { w: number[][]; x: number[] } {
  const [N, K] = t.W!.shape as [number, number];
  const w = Array.from({ length: N }, (_, r) => t.W!.data.slice(r * K, (r + 1) * K).map(n));
  return { w, x: t.x!.data.map(n) };
}

/** The multiply baseline as an Accelerator. */
export const macGemvAccelerator: Accelerator<MacGemvParams> = defineAccelerator({
  name: 'shiftaddllm-mac',
  description: 'int8 multiply GEMV on L MAC lanes: the baseline of the ShiftAddLLM engine',
  params: specs,
  presets: macGemvPresets,
  defaultPreset: 'ci',
  validate: validateMacGemv,
  create: createMacGemv,
  // K and N are chosen at run time; K is a multiple of 8, since x is loaded 8 activations a word.
  inputs: (p) => [
    { name: 'x', shape: [p.kmax], dims: ['K'], multipleOf: [8], minShape: [8], width: p.actWidth, signed: true },
    { name: 'W', shape: [p.nmax, p.kmax], dims: ['N', 'K'], multipleOf: [1, 8], minShape: [1, 8], width: 8, signed: true },
  ],
  outputs: (p) => [{ name: 'y', shape: [p.nmax], dims: ['N'], width: 32, signed: true }],
  outputTokens: (p, t) => ({ y: Math.ceil(t.W!.shape[0]! / p.lanes) }),
  golden(p, t) {
    checkInputs(macGemvAccelerator, p, t);
    const { w, x } = gemvProblem(t);
    const r = multiplyGemvGolden(w, x);
    return { outputs: { y: { shape: [w.length], data: r.y.map(BigInt) } }, counts: { ...r.counts }, idealCycles: Math.ceil(w.length / p.lanes) * x.length };
  },
  toTokens(p, t) {
    checkInputs(macGemvAccelerator, p, t);
    const { w, x } = gemvProblem(t);
    return macGemvTokens(p, w, x);
  },
  fromTokens(_p, tokens, t) {
    const N = t.W!.shape[0]!;
    return { y: { shape: [N], data: (tokens.y ?? []).flatMap((tok) => tok as bigint[]).slice(0, N) } };
  },
  randomInputs(p, seed) {
    let s = seed >>> 0;
    const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
    const int = (lo: number, hi: number): bigint => BigInt(lo + Math.floor(next() * (hi - lo + 1)));
    const half = 2 ** (p.actWidth - 1);
    return {
      x: { shape: [p.kmax], data: Array.from({ length: p.kmax }, () => int(-half, half - 1)) },
      W: { shape: [p.nmax, p.kmax], data: Array.from({ length: p.nmax * p.kmax }, () => int(-128, 127)) },
    };
  },
});

/** For the registry. */
export const shiftaddllmMac = defineGenerator(macGemvAccelerator);
