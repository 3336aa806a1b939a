/**
 * Handlebars templates for tool files (Makefile, constraints, TCL, .core). Compiled with
 * `strict` (a missing field is an error, not an empty string) and `noEscape` (HTML escaping would
 * turn TCL's `<` and `&` into entities). Templates never produce HDL: that comes from the DSL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');
const cache = new Map<string, HandlebarsTemplateDelegate>();

/** The names of the files in `dsl/fpga/templates/` without `.hbs`. */
export type TemplateName = 'Makefile' | 'pcf' | 'xdc' | 'sdc' | 'vivado.tcl' | 'quartus.tcl' | 'quartus-pins.tcl' | 'core';

/** Render `templates/<name>.hbs` with `data`; a field the template uses but `data` lacks throws. */
export function render(name: TemplateName, data: object): string {
  let t = cache.get(name);
  if (!t) {
    t = Handlebars.compile(fs.readFileSync(path.join(dir, `${name}.hbs`), 'utf8'), { strict: true, noEscape: true });
    cache.set(name, t);
  }
  return t(data);
}
