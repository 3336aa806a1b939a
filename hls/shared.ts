/**
 * The II > 1 circuit: one argument set every `ii` cycles, with the multipliers of each stage shared
 * (also used at II = 1 when tables are in block RAM, whose reads move with the pipeline).
 * Every stage holds its argument set for `ii` cycles (a phase counter 0..ii-1 common to all stages);
 * in phase k each shared unit computes the product assigned to cycle k (hls/schedule.ts), which is
 * kept in a register for the later phases. All stages move on together at the end of the last phase,
 * when the output register is empty or being read, so a stalled output stalls the whole pipeline
 * (no token is ever lost or repeated). The argument set is registered on entry, so every stage,
 * the first included, reads registers for its `ii` cycles.
 */
import {
  bool, lit, mux, pack, registerBundle, uint, type Bundle, type HwType, type ModuleBuilder, type PayloadType,
  type Stream, type StreamSink, type Value, type Fields,
} from '../dsl/index.ts';
import { fit } from './ops.ts';

/** One product a shared unit makes: its operands (built), its cycle, and where its value goes. */
export interface SharedProduct { a: Value; b: Value; slot: number; type: HwType; out: Value & { set(v: Value): void } }

/** What a stage function gets at II > 1: the phase, and a place to hand its shared products. */
export interface PhaseContext { phase: Value; move: Value; share(unit: number, p: SharedProduct): void }

/**
 * Stage functions `stages[i](bundle, ctx)` build stage i's logic from its input registers; shared
 * products are declared through `ctx.share` (their `out` wire is driven here).
 */
export function sharedPipeline(
  m: ModuleBuilder, input: Stream, output: StreamSink, outType: PayloadType, ii: number,
  stages: ((x: Bundle, ctx: PhaseContext) => Bundle)[], name: string,
): void {
  const pw = Math.max(1, Math.ceil(Math.log2(ii)));
  const phase = m.reg(`${name}_phase`, uint(pw), { reset: 0 });
  const last = phase.eq(lit(uint(pw), ii - 1));
  // The last stage's registers are the output: the pipeline moves when they are empty or being read.
  const outValid = m.reg(`${name}_s${stages.length - 1}_valid`, bool(), { reset: 0 });
  const move = last.and(outValid.not().or(output.ready)).named(`${name}_move`);
  m.when(move, () => phase.set(lit(uint(pw), 0))).elsewhen(last.not(), () => phase.set(phase.add(1).resize(pw)));
  input.ready.set(move);
  // Stage inputs: the argument set, then each stage's result, all loaded when the pipeline moves.
  let value: Bundle = registerBundle(m, `${name}_in`, input.fields as Bundle, move);
  const inValid = m.reg(`${name}_in_valid`, bool(), { reset: 0 });
  m.when(move, () => inValid.set(input.valid));
  let valid: Value = inValid;
  stages.forEach((f, i) => {
    const units = new Map<number, SharedProduct[]>();
    const out = f(value, { phase, move, share: (u, p) => units.set(u, [...(units.get(u) ?? []), p]) });
    for (const [u, ps] of units) shareUnit(m, `${name}_s${i}_mul${u}`, phase, pw, ps);
    value = registerBundle(m, `${name}_s${i}`, out, move);
    const v = i === stages.length - 1 ? outValid : m.reg(`${name}_s${i}_valid`, bool(), { reset: 0 });
    m.when(move, () => v.set(valid));
    valid = v;
  });
  // Shown in the last phase only, so the one transfer of each result is the cycle the pipeline moves.
  output.valid.set(outValid.and(last));
  output.payload.set(pack(outType, value as Fields<PayloadType>));
}

/**
 * One multiplier for the products `ps` (at most one per phase): operands selected by the phase, the
 * product registered in its phase and read from the register after it (from the unit itself in it).
 */
function shareUnit(m: ModuleBuilder, name: string, phase: Value, pw: number, ps: SharedProduct[]): void {
  const signed = ps.some((p) => p.a.signed || p.b.signed);
  const w = Math.max(...ps.flatMap((p) => [p.a.width, p.b.width])) + (signed ? 1 : 0);
  const op = (v: Value) => (signed ? v.toSigned() : v).extend(w);
  const at = (p: SharedProduct) => phase.eq(lit(uint(pw), p.slot));
  let a = op(ps[0]!.a), b = op(ps[0]!.b);
  for (const p of ps.slice(1)) { a = mux(at(p), op(p.a), a); b = mux(at(p), op(p.b), b); }
  const product = a.mul(b).named(`${name}_p`);
  for (const p of ps) {
    const held = m.reg(`${name}_q${p.slot}`, p.type);
    const now = fit(product, p.type);
    m.when(at(p), () => held.set(now));
    p.out.set(mux(at(p), now, held));
  }
}
