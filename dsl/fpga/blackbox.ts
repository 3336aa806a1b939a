/**
 * Bridges between an already-elaborated design and the builder, so an FPGA shell can be written in
 * the DSL and `m.instance` the design: a ModuleDef that hands back an existing ModuleIR, and a
 * port-only ModuleIR rebuilt from a design folder's manifest (for designs we only have as Verilog).
 */
import { ModuleDef } from '../build/module.ts';
import type { PortRecord, PortSpec } from '../build/ports.ts';
import { LazyLoc } from '../errors.ts';
import type { Circuit, ModuleIR, SignalDecl } from '../ir/nodes.ts';
import type { Manifest } from '../manifest.ts';
import { checkModule } from '../passes/checks.ts';

/** A ModuleDef whose "elaboration" returns a module that was elaborated (and checked) before. */
export class ElaboratedDef extends ModuleDef<PortRecord> {
  constructor(private readonly existing: ModuleIR) {
    const ports: PortRecord = {};
    for (const p of existing.ports) ports[p.name] = { dir: p.kind === 'input' ? 'input' : 'output', type: p.type, loc: p.loc } satisfies PortSpec;
    super(existing.name, ports, () => undefined, existing.loc);
  }
  override elaborate(): ModuleIR {
    return this.existing;
  }
}

// Black-box signal ids are negative so they can never meet the builder's positive ids.
let nextBlackBoxId = -1;

/**
 * The interface of a design folder's top module as a body-less ModuleIR: its ports (without the
 * implicit clock and reset) and whether it is clocked. Only for instantiation; never emitted.
 */
export function blackBoxFromManifest(manifest: Manifest): ModuleIR {
  const loc = new LazyLoc();
  const ports: SignalDecl[] = manifest.ports
    .filter((p) => p.name !== manifest.clock && p.name !== manifest.reset)
    .map((p) => ({
      id: nextBlackBoxId--, name: p.name, kind: p.dir === 'in' ? 'input' : 'output',
      type: { width: p.width, signed: p.signed }, loc, assigns: [],
    }));
  return {
    name: manifest.top, loc, ports, signals: [...ports], memories: [], instances: [], streams: [], notes: [],
    sequential: manifest.clock !== null,
  };
}

/**
 * Check and package a wrapper module whose only child is a black box, as a one-module Circuit
 * (so `emitVerilog` writes the wrapper alone; the design's own files come from its folder).
 * The child's outputs are treated as depending on none of its inputs within a cycle, which holds
 * for the shells here because every signal into and out of the child is registered.
 */
export function wrapperCircuit(wrapper: ModuleIR): Circuit {
  const deps = new Map<ModuleIR, Map<string, Set<string>>>();
  for (const inst of wrapper.instances) {
    const outs = new Map<string, Set<string>>();
    for (const p of inst.module.ports) if (p.kind === 'output') outs.set(p.name, new Set());
    deps.set(inst.module, outs);
  }
  checkModule(wrapper, deps);
  return { top: wrapper, modules: [wrapper] };
}
