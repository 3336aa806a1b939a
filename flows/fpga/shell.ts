/**
 * The serial I/O shell: a wrapper, written in the DSL, for designs with more port bits than the
 * FPGA package has pins. It needs seven pins whatever the design's size: `clk`, `rst`, `sdi`,
 * `shift`, `update`, `capture` and `sdo` — the same scheme as a JTAG data register.
 *
 * Protocol (one bit per rising clock edge):
 * - Inputs. While `shift` is high, `sdi` shifts into a chain through every input port, in the order
 *   the manifest lists them, LSB side first. After N = (total input bits) shifts the chain holds
 *   `{in_last, ..., in_first}` sent MSB first. A one-cycle `update` copies the chain into hold
 *   registers that drive the design, so the design never sees a half-shifted value.
 * - Outputs. A one-cycle `capture` loads every output port into a second chain; while `shift` is high
 *   it shifts towards `sdo`, which shows the MSB of the last output port, so the host reads
 *   `{out_last, ..., out_first}` MSB first. (`capture` wins over `shift` in the same cycle.)
 * - The design runs on `clk` and `rst` all the time; the host times `update` and `capture` to its
 *   own protocol. Both chains shift on the same `shift`, so one pass can load new inputs while
 *   reading the previous outputs.
 */
import { ModuleDef, module, type ModuleBuilder } from '../../dsl/build/module.ts';
import { In, Out, uint, type PortRecord, type PortSpec } from '../../dsl/build/ports.ts';
import { cat, u, type Value } from '../../dsl/build/value.ts';
import { LazyLoc } from '../../dsl/errors.ts';
import type { Circuit, ModuleIR, SignalDecl } from '../../dsl/ir/nodes.ts';
import type { Manifest } from '../../dsl/manifest.ts';
import { checkModule } from '../../dsl/passes/checks.ts';

/** The shell's own ports besides the implicit clock and reset. */
export const SHELL_PORTS = ['sdi', 'shift', 'update', 'capture', 'sdo'] as const;

/** Pins the shell needs: its five ports plus clock and reset. */
export const SHELL_PINS = SHELL_PORTS.length + 2;

/** Bits shifted per full load (inputs) and per full read-out (outputs) of a design. */
export function shellChainLengths(design: ModuleIR): { inputBits: number; outputBits: number } {
  const sum = (kind: 'input' | 'output'): number => design.ports.filter((p) => p.kind === kind).reduce((a, p) => a + p.type.width, 0);
  return { inputBits: sum('input'), outputBits: sum('output') };
}

/** One step of a shift chain: `reg` takes `{reg[w-2:0], bitIn}`. */
function shifted(reg: Value, bitIn: Value): Value {
  return reg.width === 1 ? bitIn : cat(reg.slice(reg.width - 2, 0), bitIn);
}

/**
 * Build the serial shell around `design` (instantiated as `dut` through `def`, which must
 * elaborate to `design`). The module is named `<design>_serial_shell`.
 */
export function serialShell(design: ModuleIR, def: ModuleDef<PortRecord>): ModuleDef {
  return module(`${design.name}_serial_shell`, {
    sdi: In(uint(1)),
    shift: In(uint(1)),
    update: In(uint(1)),
    capture: In(uint(1)),
    sdo: Out(uint(1)),
  }, (io, m: ModuleBuilder) => {
    // Clocked even when the design is combinational: the chains are registers.
    let bitIn: Value = io.sdi;
    const inputs: Record<string, Value> = {};
    for (const p of design.ports.filter((x) => x.kind === 'input')) {
      const w = p.type.width;
      const chain = m.reg(`sin_${p.name}`, uint(w), { reset: 0 });
      m.when(io.shift, () => chain.set(shifted(chain, bitIn)));
      const hold = m.reg(`hold_${p.name}`, uint(w), { reset: 0 });
      m.when(io.update, () => hold.set(chain));
      inputs[p.name] = p.type.signed ? hold.asSInt() : hold;
      bitIn = chain.msb();
    }
    const outs = m.instanceFlat('dut', def, inputs);
    let last: Value = u(1, 0);
    for (const p of design.ports.filter((x) => x.kind === 'output')) {
      const w = p.type.width;
      const value = outs[p.name]!;
      const chain = m.reg(`sout_${p.name}`, uint(w), { reset: 0 });
      const prev = last;
      m.when(io.capture, () => chain.set(p.type.signed ? value.asUInt() : value))
        .elsewhen(io.shift, () => chain.set(shifted(chain, prev)));
      last = chain.msb();
    }
    io.sdo.set(last);
  });
}

// ---- instantiating an elaborated or manifest-only design ------------------------------------

/*
 * Bridges between an already-elaborated design and the builder, so the shell can `m.instance` the
 * design: a ModuleDef that hands back an existing ModuleIR, and a port-only ModuleIR rebuilt from a
 * design folder's manifest (for designs we only have as Verilog).
 */
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
