/**
 * The module under elaboration. Module bodies run synchronously, so a stack of builders is enough
 * for free functions such as `mux`, `cat` and `lit` to find where to create their nodes.
 */
import { HdlError, LazyLoc } from '../errors.ts';
import type { Expr, ModuleIR } from '../ir/nodes.ts';
import type { OpName } from '../ir/ops.ts';
import type { HwType } from '../ir/types.ts';

/** What a value needs from the module it belongs to. Implemented by ModuleBuilder. */
export interface NodeFactory {
  readonly ir: ModuleIR;
  constNode(type: HwType, bits: bigint, loc: LazyLoc): Expr;
  opNode(op: OpName, type: HwType, args: Expr[], params: number[], loc: LazyLoc): Expr;
}

const stack: NodeFactory[] = [];

export function pushBuilder(b: NodeFactory): void {
  stack.push(b);
}
export function popBuilder(): void {
  stack.pop();
}
export function currentBuilder(what: string): NodeFactory {
  const b = stack[stack.length - 1];
  if (!b) throw new HdlError(`${what} can only be used inside a module body`, new LazyLoc().get());
  return b;
}
