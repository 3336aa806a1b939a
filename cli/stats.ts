/** Size figures of an elaborated design, counted over the flattened hierarchy. */
import type { Circuit, ModuleIR } from '../dsl/ir/nodes.ts';
import { moduleRoots, walkExpr } from '../dsl/ir/nodes.ts';

export interface DesignStats {
  modules: number;
  ports: number;
  regBits: number;
  memBits: number;
  ops: number;
}

export function designStats(c: Circuit): DesignStats {
  const memo = new Map<ModuleIR, Omit<DesignStats, 'modules' | 'ports'>>();
  const count = (m: ModuleIR): Omit<DesignStats, 'modules' | 'ports'> => {
    const hit = memo.get(m);
    if (hit) return hit;
    let ops = 0;
    const seen = new Set<number>();
    for (const r of moduleRoots(m)) walkExpr(r, (e) => { if (e.kind === 'op') ops++; }, seen);
    const s = {
      regBits: m.signals.filter((x) => x.kind === 'reg').reduce((a, x) => a + x.type.width, 0),
      memBits: m.memories.reduce((a, x) => a + x.depth * x.type.width, 0),
      ops,
    };
    for (const i of m.instances) {
      const k = count(i.module);
      s.regBits += k.regBits;
      s.memBits += k.memBits;
      s.ops += k.ops;
    }
    memo.set(m, s);
    return s;
  };
  return { modules: c.modules.length, ports: c.top.ports.length, ...count(c.top) };
}
