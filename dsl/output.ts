/**
 * Write a design's Verilog and manifest to a folder, atomically: everything goes to a temporary
 * sibling folder first, which replaces the target only when complete. A failure leaves the previous
 * output (or nothing) in place, never a half-written folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Circuit } from './ir/nodes.ts';
import { buildManifest, type Manifest } from './manifest.ts';
import { emitVerilog } from './verilog/emit.ts';
import type { EmitOptions } from './verilog/lower.ts';

export interface WrittenDesign {
  dir: string;
  manifest: Manifest;
  files: string[];
}

export function writeDesign(
  c: Circuit,
  dir: string,
  info: { generator: string; preset?: string; params?: Record<string, unknown> },
  opts: EmitOptions = {},
): WrittenDesign {
  const files = emitVerilog(c, opts);
  const manifest = buildManifest(c, info);
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.tmp-`));
  try {
    for (const f of files) fs.writeFileSync(path.join(tmp, f.name), f.text);
    fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    const old = `${tmp}.old`;
    if (fs.existsSync(target)) fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return { dir: target, manifest, files: files.map((f) => path.join(target, f.name)) };
}
