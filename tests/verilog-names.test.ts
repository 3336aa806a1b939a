// The Verilog names the values a design computes after what the user wrote: the variable a line
// assigns, the record field a stream carries, or the op and its operands; `<op>_<n>` only where
// none reads well.
import { describe, expect, it } from 'vitest';
import { In, Out, Record, Stream, Vec, connect, elaborate, emitVerilog, module, mux, u, uint } from '../dsl/index.ts';

const verilog = (d: Parameters<typeof elaborate>[0]): string[] =>
  emitVerilog(elaborate(d))[0]!.text.split('\n').map((l) => l.trim());
const declared = (lines: string[], name: string): string | undefined =>
  lines.find((l) => new RegExp(`^(wire|reg)( signed)?( \\[\\d+:0\\])? ${name}( =|;)`).test(l));

describe('readable intermediate names', () => {
  it('names a value after the variable its line assigns, and repeats with a number', () => {
    const d = module('names_var', { a: In(uint(8)), b: In(uint(8)), y: Out(uint(1)), z: Out(uint(9)) }, (io) => {
      const hit = io.a.eq(io.b);
      const total = io.a.add(io.b).add(u(9, 1)).trunc(9);
      io.y.set(hit);
      io.z.set(total);
    });
    const lines = verilog(d);
    expect(declared(lines, 'hit'), lines.join('\n')).toMatch(/= a == b;$/);
    // The chain's outermost op carries the name; the inner ones are named from their operands.
    expect(declared(lines, 'total')).toBeDefined();
    expect(declared(lines, 'a_add_b')).toMatch(/= \{1'd0, a\} \+ \{1'd0, b\};$/);
    expect(lines.some((l) => /\b(eq|add|resize)_\d+\b/.test(l)), lines.join('\n')).toBe(false);
  });

  it('names a call nested in another call after its operands, not after the variable', () => {
    const d = module('names_nested', { a: In(uint(4)), s: In(uint(1)), y: Out(uint(4)) }, (io) => {
      const pick = mux(io.s, io.a.not(), io.a);
      io.y.set(pick);
    });
    const lines = verilog(d);
    expect(declared(lines, 'pick')).toMatch(/= s \? not_a : a;$/);
    expect(declared(lines, 'not_a')).toMatch(/= ~a;$/);
  });

  it('names the fields a stream carries after their record path', () => {
    const Px = Record({ tag: uint(4), rgb: Vec(uint(8), 3) });
    const d = module('names_fields', { px: In(Stream(Px)), y: Out(Stream(uint(9))) }, (io) => {
      const sum = io.px.map(uint(9), ({ rgb: [r, g] }) => r!.add(g!));
      connect(sum, io.y);
    });
    const lines = verilog(d);
    expect(declared(lines, 'px_rgb_0'), lines.join('\n')).toMatch(/= px_payload\[7:0\];$/);
    expect(declared(lines, 'px_rgb_1')).toMatch(/= px_payload\[15:8\];$/);
    expect(declared(lines, 'px_rgb_0_add_px_rgb_1')).toBeDefined();
  });

  it('never takes a user signal name or a Verilog keyword', () => {
    const d = module('names_clash', { a: In(uint(4)), y: Out(uint(4)) }, (io, m) => {
      const y = io.a.not();
      const wire = io.a.xor(u(4, 5));
      const r = m.reg('r', uint(4), { reset: 0 });
      r.set(wire);
      io.y.set(y.and(r));
    });
    const lines = verilog(d);
    expect(declared(lines, 'y_0'), lines.join('\n')).toMatch(/= ~a;$/);
    expect(declared(lines, 'wire_0')).toMatch(/= a \^ 4'd5;$/);
    expect(lines.filter((l) => /^wire( \[3:0\])? y /.test(l))).toEqual([]);
  });
});
