/**
 * The iCE40 open flow's commands, in one place so the exported Makefile and `hwflow build` run
 * exactly the same yosys script and nextpnr arguments.
 */
import type { Target } from './targets.ts';

export interface Ice40Flow {
  /** The yosys `-p` script: read, synthesise for iCE40, write the netlist and `stat -json`. */
  yosysScript: string;
  /** nextpnr-ice40 arguments, relative to the project folder. */
  nextpnrArgs: string[];
  /** icepack arguments. */
  icepackArgs: string[];
}

/** Commands for `top` from `sources` (paths relative to the project folder) on an iCE40 target. */
export function ice40Flow(target: Target, top: string, sources: readonly string[], pcf: string, clockMhz: number): Ice40Flow {
  const ice = target.ice40;
  if (!ice) throw new Error(`target ${target.name} is not an iCE40 target`);
  return {
    yosysScript: [
      `read_verilog ${sources.join(' ')}`,
      // -dsp maps multipliers to SB_MAC16 (UltraPlus only); LUT multipliers are what blow up synthesis time.
      `synth_ice40 ${ice.dsp ? '-dsp ' : ''}-top ${top} -json ${top}.json`,
      'tee -q -o stat.json stat -json',
    ].join('; '),
    nextpnrArgs: [
      `--${ice.device}`, '--package', ice.package, '--json', `${top}.json`, '--pcf', pcf,
      '--freq', String(clockMhz), '--asc', `${top}.asc`, '--report', 'report.json', '--log', 'nextpnr.log', '-q',
    ],
    icepackArgs: [`${top}.asc`, `${top}.bin`],
  };
}
