/**
 * A small reader for NumPy .npy files (format versions 1–3, little-endian, C order), for the real
 * ViTCoD masks. Only the dtypes the data uses are accepted (bool `|b1`, `<f8`, `|u1`, `|i1`); any
 * other header is a clear error naming the file and what it holds.
 * (npyjs, the maintained npm reader, is not a dependency of this repository yet; this reader has
 * the same output shape: { dtype, shape, data }.)
 */
import fs from 'node:fs';
import path from 'node:path';

export interface NpyArray {
  dtype: string;
  shape: number[];
  data: Uint8Array | Float64Array | Int8Array;
}

export function parseNpy(buf: Uint8Array, name = 'array'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (buf.length < 10 || !magic.every((b, i) => buf[i] === b)) throw new Error(`${name}: not a .npy file (no \\x93NUMPY magic)`);
  const major = buf[6]!;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    headerLen = dv.getUint32(8, true);
    start = 12;
  } else throw new Error(`${name}: .npy format version ${major} is not supported (1, 2 or 3)`);
  const header = new TextDecoder('latin1').decode(buf.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error(`${name}: unreadable .npy header ${JSON.stringify(header.trim())}`);
  if (fortran === 'True') throw new Error(`${name}: Fortran-order arrays are not supported (header ${header.trim()})`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const off = start + headerLen;
  const sizes: Record<string, number> = { '|b1': 1, '|u1': 1, '|i1': 1, '<f8': 8 };
  const size = sizes[descr];
  if (!size) throw new Error(`${name}: dtype '${descr}' is not supported (supported: ${Object.keys(sizes).join(', ')})`);
  if (buf.length < off + count * size) throw new Error(`${name}: ${buf.length - off} data bytes, shape (${shape.join(', ')}) of '${descr}' needs ${count * size}`);
  const bytes = buf.slice(off, off + count * size);
  const data = descr === '<f8' ? new Float64Array(bytes.buffer, 0, count) : descr === '|i1' ? new Int8Array(bytes.buffer, 0, count) : bytes;
  return { dtype: descr, shape, data };
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

export function readDeitMasks(dir: string): DeitMasks {
  const info = readNpy(path.join(dir, 'vitcod-deit-tiny', 'info_0.95.npy'));
  const glob = readNpy(path.join(dir, 'vitcod-deit-tiny', 'global_token_info_0.95.npy'));
  if (info.dtype !== '|b1' || info.shape.length !== 4 || info.shape[2] !== info.shape[3])
    throw new Error(`info_0.95.npy: expected bool (layers, heads, N, N), got '${info.dtype}' (${info.shape.join(', ')})`);
  const [layers, heads, N] = info.shape as [number, number, number];
  if (glob.shape.join() !== `${layers},${heads}`) throw new Error(`global_token_info_0.95.npy: expected shape (${layers}, ${heads}), got (${glob.shape.join(', ')})`);
  return {
    layers, heads, N,
    keep(layer, head) {
      const base = (layer * heads + head) * N * N;
      return Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => info.data[base + i * N + j] === 0));
    },
    globalCount: (layer, head) => Number(glob.data[layer * heads + head]),
  };
}
