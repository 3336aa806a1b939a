/**
 * `npm run rtl-out`: regenerate rtl-out/ from the generators: every preset's Verilog and manifest
 * (the large ones git-ignored), the hash list of the large ones and the .gitignore that names them.
 * Review and commit the result; tests/snapshots.test.ts fails until rtl-out/ matches the generators.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeDesign } from '../dsl/output.ts';
import { elaboratePreset } from '../generators/registry.ts';
import { GITIGNORE, HASH_LIST, RTL_OUT, gitignoreText, hashLines, isCiSized, presetPoints } from './rtl-snapshot.ts';

const hashes: string[] = [];
const largeTops: string[] = [];
for (const { generator, preset } of presetPoints()) {
  const d = elaboratePreset(generator, preset);
  const top = d.circuit.top.name;
  const w = writeDesign(d.circuit, path.join(RTL_OUT, top), d.info);
  if (isCiSized(preset)) continue;
  largeTops.push(top);
  hashes.push(...hashLines(w.dir, top));
}
fs.writeFileSync(HASH_LIST, hashes.map((l) => `${l}\n`).join(''));
fs.writeFileSync(GITIGNORE, gitignoreText(largeTops));
process.stdout.write(`${RTL_OUT}/: ${presetPoints().length - largeTops.length} CI-sized presets as Verilog; ${largeTops.length} larger ones as ${hashes.length} hashes in ${HASH_LIST} (their Verilog is written too, git-ignored)\n`);
