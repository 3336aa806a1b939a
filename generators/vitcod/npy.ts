/**
 * The real ViTCoD masks from NumPy .npy files, read with npyjs (the maintained npm reader; `parse`
 * works on a buffer in Node, no network). npyjs neither names the file in its errors nor checks the
 * data against the header, so this wrapper does both: every error names the file and what is wrong
 * (not a .npy file, an unsupported dtype, Fortran order, too few data bytes for the shape).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'npyjs';

export interface NpyArray {
  /** The dtype without its byte-order mark, as npyjs gives it: 'b1', 'f8', 'u1', ... */
  dtype: string;
  shape: number[];
  /** C-order elements: booleans for 'b1', numbers (bigints for 'i8'/'u8') otherwise; exactly shape's product. */
  data: ArrayLike<boolean | number | bigint>;
}

/** The dtypes taken: npyjs also reads complex and string arrays, one element per number or code point, which no caller here wants. */
const REAL_DTYPES = ['b1', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f2', 'f4', 'f8'];

/** Parse the bytes of a .npy file; `name` (the file) starts every error. */
export function parseNpy(buf: Uint8Array, name = 'array'): NpyArray {
  const own = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let a: ReturnType<typeof parse>;
  try {
    if (buf.length < 10) throw new Error(`not a .npy file (${buf.length} bytes, shorter than the smallest header)`);
    a = parse(own);
  } catch (e) {
    const msg = (e as Error).message;
    if (/Not an \.npy file/.test(msg)) throw new Error(`${name}: not a .npy file (no \\x93NUMPY magic)`);
    if (/^Unsupported dtype/.test(msg)) throw new Error(`${name}: ${msg.replace(/^Unsupported dtype: (.*)$/, "dtype '$1' is not supported")}`);
    // Typed arrays over the file's bytes: a misaligned or truncated data block.
    if (e instanceof RangeError) throw new Error(`${name}: the data block does not fit its dtype (${msg}; numpy pads the header so the data is aligned)`);
    throw new Error(`${name}: ${msg}`);
  }
  if (a.fortranOrder) throw new Error(`${name}: Fortran-order arrays are not supported (shape (${a.shape.join(', ')}) of '${a.dtype}'); save it in C order`);
  const data = a.data as unknown as ArrayLike<boolean | number | bigint> & { slice(s: number, e: number): ArrayLike<boolean | number | bigint> };
  if (!REAL_DTYPES.includes(a.dtype)) throw new Error(`${name}: dtype '${a.dtype}' is not supported (supported: ${REAL_DTYPES.join(', ')})`);
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (data.length < count) throw new Error(`${name}: ${data.length} data elements, shape (${a.shape.join(', ')}) of '${a.dtype}' needs ${count}`);
  return { dtype: a.dtype, shape: a.shape, data: data.length === count ? data : data.slice(0, count) };
}

export function readNpy(file: string): NpyArray {
  return parseNpy(new Uint8Array(fs.readFileSync(file)), path.basename(file));
}

/** The data folder: HWFLOW_DATA, else ../shared/data next to the repository (or next to its worktree folder). */
export function dataDir(root: string): string | undefined {
  const env = process.env.HWFLOW_DATA;
  if (env) return fs.existsSync(env) ? env : undefined;
  for (const dir of [path.resolve(root, '../shared/data'), path.resolve(root, '../../shared/data')]) if (fs.existsSync(dir)) return dir;
  return undefined;
}

/** The DeiT-Tiny masks: keep[layer][head][i][j] (true = kept; the file stores true = pruned), and the global token counts. */
export interface DeitMasks {
  layers: number;
  heads: number;
  N: number;
  keep(layer: number, head: number): boolean[][];
  globalCount(layer: number, head: number): number;
}

/** The masks folder inside a data folder. */
export const DEIT_MASKS = 'vitcod-deit-tiny';

export function readDeitMasks(dir: string): DeitMasks {
  const info = readNpy(path.join(dir, DEIT_MASKS, 'info_0.95.npy'));
  const glob = readNpy(path.join(dir, DEIT_MASKS, 'global_token_info_0.95.npy'));
  if (info.dtype !== 'b1' || info.shape.length !== 4 || info.shape[2] !== info.shape[3])
    throw new Error(`info_0.95.npy: expected bool (layers, heads, N, N), got '${info.dtype}' (${info.shape.join(', ')})`);
  const [layers, heads, N] = info.shape as [number, number, number];
  if (glob.shape.join() !== `${layers},${heads}`) throw new Error(`global_token_info_0.95.npy: expected shape (${layers}, ${heads}), got (${glob.shape.join(', ')})`);
  return {
    layers, heads, N,
    keep(layer, head) {
      const base = (layer * heads + head) * N * N;
      return Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => !info.data[base + i * N + j]));
    },
    globalCount: (layer, head) => Number(glob.data[layer * heads + head]),
  };
}
