/**
 * The ShiftAddViT engine's top: the binary-code attention (attention.ts) and the MLP's token router
 * with its multiply and shift experts (router.ts), side by side; each part has its own streams.
 */
import { connect, module } from '../../dsl/index.ts';
import { attentionPorts, createAttention } from './attention.ts';
import { shiftAddVitModuleName, type ShiftAddVitParams } from './params.ts';
import { createRouter, routerPorts } from './router.ts';

export function shiftAddVitPorts(p: ShiftAddVitParams) {
  return { ...attentionPorts(p), ...routerPorts(p) };
}

export function createShiftAddVit(p: ShiftAddVitParams) {
  const attention = createAttention(p);
  const router = createRouter(p);
  return module(shiftAddVitModuleName(p), shiftAddVitPorts(p), (io, m) => {
    const att = m.instance('attention', attention, { cfg: io.cfg, kv: io.kv, q: io.q });
    connect(att.out, io.out);
    const mlp = m.instance('mlp', router, { mcfg: io.mcfg, route: io.route, x: io.x, wm: io.wm, ws: io.ws });
    connect(mlp.y, io.y);
  });
}
