/** Reading a design folder written by `writeDesign`: its manifest and Verilog files, checked. */
import fs from 'node:fs';
import path from 'node:path';
import type { Manifest } from '../manifest.ts';
import { FpgaUsageError } from './errors.ts';

export interface DesignFolder {
  dir: string;
  manifest: Manifest;
  /** Absolute paths of the Verilog files, children first, top last. */
  files: string[];
}

/** Load `dir/manifest.json` and check that every Verilog file it lists is there. */
export function readDesignFolder(dir: string): DesignFolder {
  const abs = path.resolve(dir);
  const mf = path.join(abs, 'manifest.json');
  if (!fs.existsSync(mf)) throw new FpgaUsageError(`'${dir}' is not a design folder: no manifest.json (write one with \`hwflow gen\`)`);
  const manifest = JSON.parse(fs.readFileSync(mf, 'utf8')) as Manifest;
  if (manifest.hwflow !== 1 || typeof manifest.top !== 'string' || !Array.isArray(manifest.files) || !Array.isArray(manifest.ports))
    throw new FpgaUsageError(`'${mf}' is not an hwflow manifest (version 1 with top, files and ports)`);
  const files = manifest.files.map((f) => path.join(abs, f));
  for (const f of files) if (!fs.existsSync(f)) throw new FpgaUsageError(`design folder '${dir}' lists '${path.basename(f)}' but the file is missing`);
  return { dir: abs, manifest, files };
}

/** Port bits of the design's top, clock and reset included: the pins it needs without a shell. */
export function pinsNeeded(manifest: Manifest): number {
  return manifest.ports.reduce((a, p) => a + p.width, 0);
}
