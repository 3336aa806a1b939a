/**
 * I-GCN with the island locator and the dispatcher in hardware (locate 'overlap' or 'serial'):
 *
 *     csr ──► fork ─► RTL locator (locator-hw.ts) ──islands──► FIFO (n + 2 tokens) ──► RTL dispatcher
 *              └────────────────────────────────────────────────────────────────────► (dispatch.ts)
 *     w, x ──► combination (gcod's) ──► off-chip Z ◄── island consumers (gcod's sub-engines) ◄── cmd_e
 *                                                          │ partial rows ──► merge ──► y, stats
 *
 * The graph arrives once, as CSR with the Â values; the locator and the dispatcher each load it into
 * their own RAMs. 'overlap': the dispatcher turns each hub and island into commands as it leaves the
 * locator, so the consumers work on early islands while later ones are being found. 'serial': the
 * same hardware with dispatching held until the locator's END has left it (locate, then aggregate:
 * the back-to-back reference). The FIFO holds every token a graph can produce, so the locator never
 * waits for the dispatcher in either mode.
 */
import { module, type ModuleDef } from '../../dsl/builder/module.ts';
import { In, bool, type PortRecord } from '../../dsl/builder/ports.ts';
import { Stream } from '../../dsl/builder/stream.ts';
import { u } from '../../dsl/builder/value.ts';
import { queue } from '../../dsl/lib/fifo.ts';
import { fork } from '../../dsl/lib/fork-join.ts';
import { aggregationDatapath, aggregationPorts } from '../gcod/create.ts';
import { commandType } from '../gcod/engine.ts';
import { createDispatcher, dispatchCsrType, type DispatchParams } from './dispatch.ts';
import { LOC_END, createLocator, csrTokenType, islandTokenType, type LocatorHwParams } from './locator-hw.ts';
import type { IgcnParams } from './params.ts';
import { consumerLayout, igcnCommandWidths, igcnTopName } from './create.ts';

export const locatorParams = (p: IgcnParams): LocatorHwParams => ({ maxNodes: p.maxNodes, maxEdges: p.maxEdges, th0: p.th0, cMax: p.cMax, bfsEngines: p.bfsEngines, hubLanes: p.hubLanes });
export const dispatchParams = (p: IgcnParams): DispatchParams => ({ ...locatorParams(p), engines: p.engines, slots: p.slots });

/** The I-GCN design with the locator and dispatcher in RTL. */
export function createIgcnOverlap(p: IgcnParams): ModuleDef<PortRecord> {
  const widths = igcnCommandWidths(p);
  const consumers = consumerLayout(p);
  const lp = locatorParams(p);
  const ports = { ...aggregationPorts(p, widths, []), csr: In(Stream(dispatchCsrType(dispatchParams(p)))) };
  const name = `${igcnTopName(p)}_${p.locate}_m${p.maxEdges}_t${p.th0}_c${p.cMax}_p${p.bfsEngines}l${p.hubLanes}`;
  return module(name, ports, (io, m) => {
    const [toLocator, toDispatch] = fork(io.csr, 2, { name: 'csr_fork' });
    const csr = toLocator!.map(csrTokenType(lp), (f) => ({ last: f.last, ptr: f.ptr, value: f.value }), 'loc_csr');
    const loc = m.instance('locator', createLocator(lp), { csr }) as unknown as { islands: Stream<ReturnType<typeof islandTokenType>> };
    // The locator's END has left it: the 'serial' mode's start of dispatching.
    const locDone = m.reg('loc_done', bool(), { reset: 0 });
    const islands = queue(loc.islands, { depth: p.maxNodes + 2, name: 'island_fifo' });
    m.when(loc.islands.fire.and(loc.islands.fields.kind.eq(LOC_END)), () => locDone.set(u(1, 1)));
    const d = m.instance('dispatcher', createDispatcher(dispatchParams(p), widths), {
      csr: toDispatch!,
      islands,
      start: p.locate === 'serial' ? locDone : u(1, 1),
    }) as unknown as Record<string, Stream<ReturnType<typeof commandType>>>;
    aggregationDatapath(m, io, consumers.map((e, i) => ({ name: `consumer_${i}`, cmd: d[e.stream]!, shape: e.shape })), p, widths);
  });
}
