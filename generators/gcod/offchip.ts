/**
 * The off-chip memory model: Z lives here, behind one port with a fixed read latency and a limit of
 * `wordsPerCycle` 32-bit words a cycle, so one Z row of `hidden` words holds the port for
 * ceil(hidden / wordsPerCycle) cycles. Requesters (the engines) are served in fixed priority order,
 * lowest index first; a taken request comes back exactly `latency` cycles later, to the requester
 * and buffer slot it named. Every taken request is one counted off-chip read.
 *
 * Z is written once by the combination engine before any read and not changed afterwards, so the
 * word is fetched from the array as the response leaves the latency pipeline (same data, fewer
 * flip-flops than carrying whole rows through the pipeline): a registered read (block RAM) issued
 * one stage before the end, so its data comes out with the response's last stage.
 */
import type { ModuleBuilder } from '../../dsl/build/module.ts';
import { pack } from '../../dsl/build/payload.ts';
import { uint } from '../../dsl/build/ports.ts';
import type { Stream } from '../../dsl/build/stream.ts';
import { mux, u, type Value } from '../../dsl/build/value.ts';
import { clog2 } from '../../dsl/ir/types.ts';
import { OUT_BITS } from './widths.ts';
import type { ZWrite } from './combination.ts';
import { LaneMemory, zRowType, type ReadRequest } from './engine.ts';

export interface OffchipPort {
  /** Per requester: its data arrives this cycle. */
  respValid: Value[];
  respTag: Value;
  /** The Z row, packed (`zRowType`). */
  respData: Value;
  /** Off-chip Z-row reads so far. */
  reads: Value;
}

/** The port, serving `requests` (whose `ready` it drives) in fixed priority, lowest index first. */
export function offchipMemory(
  m: ModuleBuilder,
  zWrite: ZWrite,
  requests: readonly Stream<ReadRequest>[],
  p: { maxNodes: number; hidden: number; latency: number; wordsPerCycle: number; nodeW: number; slotW: number },
): OffchipPort {
  const zmem = new LaneMemory(m, 'zmem', p.hidden, OUT_BITS, p.maxNodes);
  m.when(zWrite.en, () => zmem.write(zWrite.addr.resize(zmem.addrWidth), zWrite.data));

  const occupancy = Math.ceil(p.hidden / p.wordsPerCycle);
  const busy = occupancy > 1 ? m.reg('port_busy', uint(clog2(occupancy)), { reset: 0 }) : undefined;
  const free = busy ? busy.eq(0) : u(1, 1);

  // Fixed priority: requester i is taken when the port is free and no lower index asks.
  let earlier: Value = u(1, 0);
  for (const r of requests) {
    r.ready.set(free.and(earlier.not()));
    earlier = earlier.or(r.valid);
  }
  const taken = free.and(earlier);
  const idW = clog2(Math.max(2, requests.length));
  const fields = requests.map((r) => r.fields);
  let gAddr = fields[fields.length - 1]!.addr;
  let gTag = fields[fields.length - 1]!.tag;
  let gId: Value = u(idW, requests.length - 1);
  for (let i = requests.length - 2; i >= 0; i--) {
    const r = requests[i]!;
    gAddr = mux(r.valid, fields[i]!.addr, gAddr);
    gTag = mux(r.valid, fields[i]!.tag, gTag);
    gId = mux(r.valid, u(idW, i), gId);
  }
  if (busy) m.when(taken, () => busy.set(u(busy.width, occupancy - 1))).elsewhen(busy.ne(0), () => busy.set(busy.sub(1).trunc(busy.width)));

  // The latency pipeline: `latency` stages of (valid, requester, address, slot). The last stage
  // needs no address: the block RAM's read register, loaded from the one before, is that stage.
  let v: Value = taken;
  let id: Value = gId;
  let addr: Value = gAddr;
  let tag: Value = gTag;
  const stage = (k: number): void => {
    v = m.delay(v, { name: `lat_v_${k}`, reset: 0 });
    id = m.delay(id, { name: `lat_id_${k}` });
    tag = m.delay(tag, { name: `lat_tag_${k}` });
  };
  for (let k = 0; k < p.latency - 1; k++) {
    addr = m.delay(addr, { name: `lat_addr_${k}` });
    stage(k);
  }
  const data = zmem.read(addr.resize(zmem.addrWidth), v, 'z_rdata');
  stage(p.latency - 1);
  const reads = m.reg('offchip_reads', uint(32), { reset: 0 });
  m.when(taken, () => reads.set(reads.add(1).trunc(32)));
  return {
    respValid: requests.map((_, i) => v.and(id.eq(i))),
    respTag: tag,
    respData: pack(zRowType(p.hidden), data),
    reads,
  };
}
