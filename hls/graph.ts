/**
 * The dataflow graph the front end builds and the back end schedules: one node per operation, each
 * with the exact integer range its value can take (bigint bounds). Hardware widths come from these
 * ranges, so a node's hardware value and the TS `number` the same expression yields are equal.
 * Nodes are hash-consed (an unrolled loop repeats no identical work) and folded when constant.
 */
import type { SourceLoc } from '../dsl/index.ts';
import { HlsError } from './errors.ts';
import { HOPS } from './ops.ts';

export { rangeType, typeRange } from './ops.ts';

/** Node operations, with exact (infinite-precision integer) meaning; see `evalNode`. */
export type HOp =
  | 'in' | 'const' | 'add' | 'sub' | 'mul' | 'neg' | 'and' | 'or' | 'xor' | 'not' | 'shl' | 'shr' | 'shlv' | 'shrv'
  | 'wrap' | 'max' | 'min' | 'abs' | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne' | 'mux' | 'lnot' | 'rom' | 'sel';

export interface HNode {
  id: number;
  op: HOp;
  args: HNode[];
  /** Constant parameters: shift amount; wrap width and signedness (1 = signed). */
  params: number[];
  lo: bigint;
  hi: bigint;
  loc: SourceLoc;
  /** 'in': the field path of the argument leaf. */
  input?: (string | number)[];
  /** 'const': the value. */
  value?: bigint;
  /** 'rom': the table. */
  table?: bigint[];
}

export const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT32 = { lo: -(1n << 31n), hi: (1n << 31n) - 1n };

/** Builds nodes: folds constants, reuses identical nodes, and checks every value stays a safe integer. */
export class Graph {
  readonly nodes: HNode[] = [];
  private readonly memo = new Map<string, HNode>();

  constant(v: bigint, loc: SourceLoc): HNode {
    return this.intern(`c${v}`, () => ({ op: 'const', args: [], params: [], lo: v, hi: v, value: v, loc }));
  }

  input(path: (string | number)[], lo: bigint, hi: bigint, loc: SourceLoc): HNode {
    return this.intern(`i${path.join('.')}`, () => ({ op: 'in', args: [], params: [], lo, hi, input: path, loc }));
  }

  op(op: HOp, args: HNode[], loc: SourceLoc, params: number[] = [], table?: bigint[]): HNode {
    if (args.every((a) => a.op === 'const')) {
      const v = HOPS[op].evaluate(args.map((a) => a.value!), params, table);
      this.checkSafe(v, v, loc);
      return this.constant(v, loc);
    }
    if (op === 'mul') {
      // A product with a power of two is a shift (free wiring, not a multiplier).
      const [c, x] = args[0]!.op === 'const' ? [args[0]!, args[1]!] : [args[1]!, args[0]!];
      const v = c.value ?? 0n;
      if (c.op === 'const' && v > 0n && (v & (v - 1n)) === 0n) return this.op('shl', [x], loc, [v.toString(2).length - 1]);
    }
    if (op === 'mux') {
      if (args[1] === args[2]) return args[1]!;
      if (args[0]!.op === 'const') return args[0]!.value !== 0n ? args[1]! : args[2]!;
    }
    if (op === 'sel' && args[0]!.op === 'const') return args[1 + Number(args[0]!.value)]!;
    const [lo, hi] = HOPS[op].range(args, params, table);
    if (op === 'wrap' && lo === args[0]!.lo && hi === args[0]!.hi) return args[0]!;
    this.checkSafe(lo, hi, loc, op);
    const key = `${op}(${args.map((a) => a.id).join(',')};${params.join(',')}${table ? `;t${this.tableId(table)}` : ''})`;
    return this.intern(key, () => ({ op, args, params, lo, hi, loc, table }));
  }

  private tables = new Map<bigint[], number>();
  private tableId(t: bigint[]): number {
    if (!this.tables.has(t)) this.tables.set(t, this.tables.size);
    return this.tables.get(t)!;
  }

  private checkSafe(lo: bigint, hi: bigint, loc: SourceLoc, op?: HOp): void {
    if (lo < -MAX_SAFE || hi > MAX_SAFE)
      throw new HlsError(
        `${op ? `this ${op === 'mul' ? 'product' : op === 'shl' || op === 'shlv' ? 'shift' : op === 'add' ? 'sum' : op === 'sub' ? 'difference' : `'${op}'`}` : 'this value'} can reach ${lo < -MAX_SAFE ? lo : hi}, beyond 2^53 where a TS number stops being exact; ` +
          'narrow the inputs or the intermediate with wrapS/wrapU/satS/satU from hls/helpers.ts',
        loc,
      );
  }

  private intern(key: string, make: () => Omit<HNode, 'id'>): HNode {
    const hit = this.memo.get(key);
    if (hit) return hit;
    const n = { id: this.nodes.length, ...make() } as HNode;
    this.nodes.push(n);
    this.memo.set(key, n);
    return n;
  }
}

export { INT32 };
