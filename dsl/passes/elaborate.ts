/**
 * From a module definition to a checked Circuit: elaborate, merge same-named identical modules,
 * reject same-named different ones, and run the design checks children first.
 */
import type { ModuleDef } from '../builder/module.ts';
import type { PortRecord } from '../builder/ports.ts';
import { NameError, formatLoc } from '../errors.ts';
import type { Circuit, DesignWarning, InstanceDecl, ModuleIR } from '../ir/nodes.ts';
import { printModule } from '../ir/print.ts';
import { checkModule, combDependencies } from './checks.ts';

/**
 * Build a module definition into a checked circuit (children first); throws the first design error at its line.
 * @param def the top module (from `module(...)`)
 */
export function elaborate(def: ModuleDef<PortRecord>): Circuit {
  const top = def.elaborate();
  const modules = uniqueModules(top);
  const deps = new Map<ModuleIR, Map<string, Set<string>>>();
  for (const m of modules) {
    checkModule(m, deps);
    deps.set(m, combDependencies(m, deps));
  }
  // Library elements note warnings (kind 'warning'); gather them so callers need not walk modules.
  const warnings = modules.flatMap((m) => m.notes.filter((n) => n['kind'] === 'warning') as unknown as DesignWarning[]);
  return { top, modules, warnings };
}

/**
 * Children before parents, one ModuleIR per name. Generators often call a cell factory once per
 * cell; identical definitions then share one Verilog module, while two different bodies under one
 * name are an error that names both places.
 */
function uniqueModules(top: ModuleIR): ModuleIR[] {
  const byName = new Map<string, { ir: ModuleIR; text: string }>();
  const canonical = new Map<ModuleIR, ModuleIR>();
  const out: ModuleIR[] = [];
  const visit = (m: ModuleIR): ModuleIR => {
    const known = canonical.get(m);
    if (known) return known;
    for (const inst of m.instances) (inst as { module: ModuleIR }).module = visit(inst.module);
    const text = printModule(m);
    const prev = byName.get(m.name);
    if (prev) {
      if (prev.text !== text)
        throw new NameError(
          `two different modules are named '${m.name}' (declared at ${formatLoc(prev.ir.loc.get())} and ${formatLoc(m.loc.get())}); put the parameters that differ into the name`,
          m.loc.get(),
        );
      canonical.set(m, prev.ir);
      return prev.ir;
    }
    byName.set(m.name, { ir: m, text });
    canonical.set(m, m);
    out.push(m);
    return m;
  };
  visit(top);
  return out;
}

export type { InstanceDecl };
