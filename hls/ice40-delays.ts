// Provisional: replaced by the output of hls/measure-delays.ts.
import type { DelayTable } from './delays.ts';

export const ICE40_DELAYS: DelayTable = {
  overheadNs: 2,
  ops: {
    lut: [[4, 1], [32, 1]],
    adder: [[4, 2], [8, 2.5], [16, 3.5], [32, 5.5]],
    multiplier: [[4, 5], [8, 9], [16, 16]],
    comparator: [[4, 2], [8, 2.5], [16, 3.5], [32, 5.5]],
    equality: [[4, 1.5], [16, 2.5], [32, 3]],
    selector: [[4, 1], [32, 1.2]],
    shifter: [[4, 2], [32, 4]],
    table: [[2, 1], [4, 1.5], [8, 4]],
  },
  source: 'provisional',
};
