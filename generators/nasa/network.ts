/**
 * Hybrid networks as data, for NASA's mapper: a list of layers, each with its arithmetic form
 * (multiply, shift or adder, ShiftAddNAS's op types) and its shape. Imports nothing from `dsl/`:
 * the mapper, the golden chain and the benchmark all read it.
 */
import type { OpForm, OpShape } from './cost-table.ts';

/** One layer: a convolution (or a 1×1 projection / fully connected layer) in one arithmetic form. */
export interface HybridLayer {
  name: string;
  op: OpForm;
  /** The cost table's op this layer scales from. */
  shape: OpShape;
  cin: number;
  cout: number;
  /** Kernel side R (1, 3 or 5). */
  r: number;
  /** Output map side (1 for a fully connected layer). */
  hw: number;
}

/** The layer as the GEMM a ShiftAdd engine runs: M = Cout, K = Cin·R², N = output pixels. */
export function layerGemm(l: HybridLayer): { M: number; K: number; N: number } {
  return { M: l.cout, K: l.cin * l.r * l.r, N: l.hw * l.hw };
}

/** Multiply-accumulate equivalents of one layer (M·K·N). */
export function layerMacs(l: HybridLayer): number {
  const g = layerGemm(l);
  return g.M * g.K * g.N;
}

const conv = (name: string, op: OpForm, r: 1 | 3 | 5, cin: number, cout: number, hw: number): HybridLayer => ({
  name, op, shape: r === 1 ? 'proj1x1' : r === 3 ? 'conv3x3' : 'conv5x5', cin, cout, r, hw,
});

/**
 * A NASA-like hybrid network for CIFAR-10 (32×32 images): a multiply stem and classifier (the
 * layers NASA and ShiftAddNet keep in multiply form), and three stages of 16, 32 and 64 channels at
 * 32×32, 16×16 and 8×8 whose blocks mix multiply, shift and adder convolutions as a ShiftAddNAS-style
 * search picks them (shift→adder pairs, 5×5 shift layers, 1×1 projections at the stage changes).
 */
export const NASA_CIFAR: HybridLayer[] = [
  conv('stem', 'mul', 3, 3, 16, 32),
  conv('s1b1a', 'shift', 3, 16, 16, 32), conv('s1b1b', 'adder', 3, 16, 16, 32),
  conv('s1b2a', 'mul', 3, 16, 16, 32), conv('s1b2b', 'shift', 3, 16, 16, 32),
  conv('s1b3a', 'shift', 5, 16, 16, 32), conv('s1b3b', 'adder', 3, 16, 16, 32),
  conv('s2proj', 'shift', 1, 16, 32, 16),
  conv('s2b1a', 'adder', 3, 16, 32, 16), conv('s2b1b', 'mul', 3, 32, 32, 16),
  conv('s2b2a', 'shift', 3, 32, 32, 16), conv('s2b2b', 'adder', 3, 32, 32, 16),
  conv('s2b3a', 'shift', 5, 32, 32, 16), conv('s2b3b', 'shift', 3, 32, 32, 16),
  conv('s3proj', 'adder', 1, 32, 64, 8),
  conv('s3b1a', 'mul', 3, 32, 64, 8), conv('s3b1b', 'adder', 3, 64, 64, 8),
  conv('s3b2a', 'shift', 3, 64, 64, 8), conv('s3b2b', 'adder', 3, 64, 64, 8),
  conv('s3b3a', 'shift', 3, 64, 64, 8), conv('s3b3b', 'mul', 3, 64, 64, 8),
  conv('fc', 'mul', 1, 64, 10, 1),
];

/**
 * The tiny network the generated chunk accelerator runs in CI: one layer per chunk, a multiply
 * layer, a shift layer and an adder layer in a chain (1×1 layers over a 4×4 map, so each is a small
 * GEMM with N = 16 pixels).
 */
export const TINY_CHAIN: HybridLayer[] = [
  conv('l0', 'mul', 1, 32, 16, 4),
  conv('l1', 'shift', 1, 16, 32, 4),
  conv('l2', 'adder', 1, 32, 16, 4),
];

/**
 * Two rounds of a multiply → shift → adder chain (six layers, 1×1 over a 4×4 map): the network the
 * generated top runs with several layers per chunk (`ci-rounds` preset: each chunk runs two layers
 * an image, the adder chunk's output feeding the multiply chunk for the second round).
 */
export const TINY_ROUNDS: HybridLayer[] = [0, 1].flatMap((r) => [
  conv(`r${r}mul`, 'mul', 1, 16, 8, 4),
  conv(`r${r}shift`, 'shift', 1, 8, 16, 4),
  conv(`r${r}adder`, 'adder', 1, 16, 16, 4),
]);

/** Checks a network: known op forms, positive integer sizes; names the bad layer and field. */
export function checkNetwork(net: readonly HybridLayer[]): void {
  if (net.length === 0) throw new RangeError('the network has no layers');
  for (const [i, l] of net.entries()) {
    if (!['mul', 'shift', 'adder'].includes(l.op)) throw new RangeError(`layer ${i} ('${l.name}'): op '${l.op}' is not one of mul, shift, adder`);
    for (const k of ['cin', 'cout', 'r', 'hw'] as const)
      if (!Number.isInteger(l[k]) || l[k] < 1) throw new RangeError(`layer ${i} ('${l.name}'): ${k} = ${l[k]} must be a positive integer`);
  }
}
