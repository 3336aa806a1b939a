/**
 * `hwflow run vitcod --layer L`: the real DeiT-Tiny masks of layer L (its 3 heads, N = 197) as the
 * mask M, with Q, K, V from the input file or random int8 from the seed. Every error names what is
 * valid: the layer range, the data folder, a design too small for N = 197, an M given twice.
 */
import path from 'node:path';
import { ParamError } from '../../dsl/errors.ts';
import type { LayerRequest, Tensor } from '../../dsl/generator.ts';
import { mulberry32 } from '../random.ts';
import { DEIT_MASKS, dataDir, readDeitMasks, type DeitMasks } from './npy.ts';
import type { VitcodParams } from './params.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function masksFrom(dir: string | undefined): DeitMasks {
  const folder = dir ?? dataDir(ROOT);
  if (!folder) throw new ParamError(`--layer needs the DeiT-Tiny masks: give --data <folder holding ${DEIT_MASKS}/> or set HWFLOW_DATA (no ../shared/data next to the repository)`);
  try {
    return readDeitMasks(folder);
  } catch (e) {
    throw new ParamError(`--layer: cannot read the DeiT-Tiny masks under '${path.join(folder, DEIT_MASKS)}': ${(e as Error).message}`);
  }
}

export function vitcodLayerInputs(p: VitcodParams, req: LayerRequest): Record<string, Tensor> {
  const masks = masksFrom(req.dataDir);
  const L = Number(req.layer);
  if (!/^\d+$/.test(req.layer.trim()) || L >= masks.layers)
    throw new ParamError(`--layer '${req.layer}' is not a layer of DeiT-Tiny: layers 0..${masks.layers - 1} (${masks.heads} heads each)`);
  const { heads: H, N } = masks;
  if (N > p.nmax) throw new ParamError(`--layer: the masks have N = ${N} tokens but the design takes N ≤ ${p.nmax} (parameter 'nmax'); use --preset deit-d8 or paper, or --param nmax=${N}`);
  if (req.given.M) throw new ParamError(`--layer ${L} takes the mask M from the data; the input file gives M too (give only Q, K, V)`);
  const r = mulberry32(req.seed);
  const random = (): Tensor => ({ shape: [H, N, p.d], data: Array.from({ length: H * N * p.d }, () => BigInt(Math.floor(r() * 256) - 128)) });
  const M: bigint[] = [];
  for (let h = 0; h < H; h++) for (const row of masks.keep(L, h)) for (const k of row) M.push(k ? 1n : 0n);
  return { Q: req.given.Q ?? random(), K: req.given.K ?? random(), V: req.given.V ?? random(), M: { shape: [H, N, N], data: M } };
}
