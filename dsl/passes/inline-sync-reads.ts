import { moduleView } from '../ir/nodes.ts';
import type { AnalysisPass } from './pass.ts';

/**
 * A synchronous read (a register loaded from an asynchronous read) prints as `rdata <= mem[addr]`
 * in its clocked block, so yosys infers block RAM. A read that something else uses too (an
 * operator, a wire, another read's address) keeps its named wire: an inline `mem[addr]` cannot be
 * sliced or extended (the fuzzer found `{undefined[26], ...}` here).
 */
export const inlineSyncReads: AnalysisPass = {
  kind: 'analysis',
  name: 'inline-sync-reads',
  purpose: 'a memory read that only a register loads prints as mem[addr] in its clocked block (block RAM)',
  analyze: (m) => {
    const { reads, order } = moduleView(m);
    const inline = new Set<number>();
    for (const r of reads) if (r.regValue && r.e.kind === 'memread') inline.add(r.e.id);
    for (const r of reads) if (!r.regValue) inline.delete(r.e.id);
    for (const e of order) {
      if (e.kind === 'op') for (const x of e.args) inline.delete(x.id);
      else if (e.kind === 'memread') inline.delete(e.addr.id);
    }
    return { inlineReads: inline };
  },
};
