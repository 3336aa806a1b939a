// mulConst (issue 16, item 4, second part): constant multiplication as shift-and-add over canonical
// signed digits or as a multiplier, selectable per call, both exact (every 8-bit signed and 6-bit
// unsigned input, in the IR simulator), the same type, and their unit counts in the element notes.
import { describe, expect, it } from 'vitest';
import { In, Out, ParamError, collectElements, csdDigits, elaborate, module, mulConst, sint, uint, type HwType } from '../dsl/index.ts';
import { Simulator } from '../dsl/index.ts';

const SIGNED = [0, 1, -1, 3, 7, -5, 12, 27, -27, 100, -128, 127, 85, 0x55];
const UNSIGNED = [0, 1, 2, 3, 7, 15, 27, 45, 100, 255];

const design = (name: string, t: HwType, cs: number[]) => module(name, {
  x: In(t),
  ...Object.fromEntries(cs.flatMap((c, i) => {
    const w = t.width + (t.signed ? Math.max(1, Math.abs(c < 0 ? -c - 1 : c).toString(2).length) + 1 : Math.max(1, c.toString(2).length));
    const ty = t.signed ? sint(w) : uint(w);
    return [[`csd${i}`, Out(ty)], [`mul${i}`, Out(ty)]];
  })),
}, (io) => {
  const ports = io as unknown as Record<string, { set(v: unknown): void }> & { x: Parameters<typeof mulConst>[0] };
  cs.forEach((c, i) => {
    ports[`csd${i}`]!.set(mulConst(ports.x, c));
    ports[`mul${i}`]!.set(mulConst(ports.x, c, { style: 'multiplier' }));
  });
});

describe('csdDigits', () => {
  it('gives the non-adjacent form: the value back, no two adjacent digits, 27 = 32 - 4 - 1', () => {
    expect(csdDigits(27)).toEqual([{ shift: 0, negative: true }, { shift: 2, negative: true }, { shift: 5, negative: false }]);
    for (let c = -300; c <= 300; c++) {
      const d = csdDigits(c);
      expect(d.reduce((a, x) => a + (x.negative ? -1 : 1) * 2 ** x.shift, 0), `${c}`).toBe(c);
      for (let i = 1; i < d.length; i++) expect(d[i]!.shift - d[i - 1]!.shift, `${c}`).toBeGreaterThan(1);
    }
  });
});

describe('mulConst', () => {
  it.each([['signed', sint(8), SIGNED, -128, 127], ['unsigned', uint(6), UNSIGNED, 0, 63]] as const)('%s: shift-and-add and multiplier both give the exact product for every input', (_k, t, cs, lo, hi) => {
    const c = elaborate(design(`cm_${t.signed ? 's' : 'u'}`, t, [...cs]));
    const sim = new Simulator(c);
    for (let x = lo; x <= hi; x++) {
      sim.poke('x', x);
      cs.forEach((k, i) => {
        expect(sim.peek(`csd${i}`), `x=${x} c=${k}`).toBe(BigInt(x * k));
        expect(sim.peek(`mul${i}`), `x=${x} c=${k}`).toBe(BigInt(x * k));
      });
    }
    // The notes count the units: 27 is three digits, two adders and no multiplier.
    const notes = collectElements(c).filter((n) => n.element === 'const_mul' && n.constant === 27);
    expect(notes.map((n) => [n.style, n.multipliers, n.adders])).toEqual([['csd', 0, 2], ['multiplier', 1, 0]]);
  });

  it('rejects a negative constant on an unsigned operand and an unknown style, saying what is valid', () => {
    expect(() => elaborate(design('cm_bad', uint(4), [-3]))).toThrow(/mulConst by -3 needs a signed operand, got uint\(4\); use x\.toSigned\(\)/);
    expect(() => elaborate(module('cm_bad2', { x: In(sint(4)), y: Out(sint(8)) }, (io) => io.y.set(mulConst(io.x, 3, { style: 'dsp' as never }))))).toThrow(ParamError);
  });
});
