/** The value of one IR op on bit patterns: shared by the simulator and the constant folder. */
import type { OpExpr } from '../ir/nodes.ts';
import { mask, toBits, toValue, type HwType } from '../ir/types.ts';

export function evalOp(e: OpExpr, args: readonly bigint[]): bigint {
  const W = e.type.width;
  const t = (i: number): HwType => e.args[i]!.type;
  const v = (i: number): bigint => toValue(args[i]!, t(i));
  const b = (i: number): bigint => args[i]!;
  switch (e.op) {
    case 'add': return toBits(v(0) + v(1), W);
    case 'sub': return toBits(v(0) - v(1), W);
    case 'mul': return toBits(v(0) * v(1), W);
    case 'neg': return toBits(-v(0), W);
    case 'and': return b(0) & b(1);
    case 'or': return b(0) | b(1);
    case 'xor': return b(0) ^ b(1);
    case 'not': return ~b(0) & mask(W);
    case 'shl': return toBits(v(0) << BigInt(e.params[0]!), W);
    case 'shr': return toBits(v(0) >> BigInt(e.params[0]!), W);
    case 'shlv': return b(1) >= BigInt(W) ? 0n : (b(0) << b(1)) & mask(W);
    case 'shrv': {
      const amount = b(1) >= BigInt(W) ? BigInt(W) : b(1);
      return toBits(v(0) >> amount, W);
    }
    case 'lt': return v(0) < v(1) ? 1n : 0n;
    case 'le': return v(0) <= v(1) ? 1n : 0n;
    case 'gt': return v(0) > v(1) ? 1n : 0n;
    case 'ge': return v(0) >= v(1) ? 1n : 0n;
    case 'eq': return v(0) === v(1) ? 1n : 0n;
    case 'ne': return v(0) !== v(1) ? 1n : 0n;
    case 'mux': return b(0) ? b(1) : b(2);
    case 'cat': {
      let out = 0n;
      for (let i = 0; i < args.length; i++) out = (out << BigInt(t(i).width)) | b(i);
      return out;
    }
    case 'slice': return (b(0) >> BigInt(e.params[1]!)) & mask(W);
    case 'andr': return b(0) === mask(t(0).width) ? 1n : 0n;
    case 'orr': return b(0) !== 0n ? 1n : 0n;
    case 'xorr': {
      let x = b(0);
      let p = 0n;
      while (x) {
        p ^= x & 1n;
        x >>= 1n;
      }
      return p;
    }
    case 'resize': return toBits(v(0), W);
    case 'asuint': case 'assint': return b(0);
  }
}
