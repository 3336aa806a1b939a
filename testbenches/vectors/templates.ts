/**
 * The Handlebars templates of the vector runner (C++ harness, Verilog wrapper, Icarus testbench),
 * compiled once per process. `strict` makes a missing field an error instead of an empty string,
 * and `noEscape` keeps `<`, `>` and `&` as written (HTML escaping would corrupt C++ and Verilog).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const HERE = dirname(fileURLToPath(import.meta.url));

export type TemplateName = 'harness.cpp' | 'wrapper.v' | 'testbench.v';

const compiled = new Map<TemplateName, HandlebarsTemplateDelegate>();

/** Renders `testbenches/vectors/<name>.hbs` with `data`. */
export function render(name: TemplateName, data: object): string {
  let t = compiled.get(name);
  if (!t) {
    t = Handlebars.compile(readFileSync(join(HERE, `${name}.hbs`), 'utf8'), { strict: true, noEscape: true });
    compiled.set(name, t);
  }
  return t(data);
}
