/**
 * The export targets: what each FPGA family needs to know about its part, its package pins, its
 * default clock and its tools. A target is a reference board's part (the one most users of that
 * family own), overridable with `--part` for the vendor flows.
 */
import { FpgaUsageError } from './errors.ts';
import { HX8K_CT256_PINS, UP5K_SG48_PINS } from './pins.ts';

export type TargetName = 'ice40-hx8k' | 'ice40-up5k' | 'xilinx-7' | 'intel' | 'fusesoc';
export type Family = 'ice40' | 'xilinx' | 'intel' | 'fusesoc';

export interface Target {
  name: TargetName;
  family: Family;
  /** One line for help texts and reports. */
  description: string;
  /** Vendor part string (Vivado `-part`, Quartus DEVICE, or the iCE40 device/package). */
  part: string;
  /** User I/O pins a design may use; more port bits than this and the export adds an I/O shell. */
  userPins: number;
  /** Package pin of the reference board's oscillator. */
  clockPin: string;
  /** The reference board's oscillator, used when `--clock` is not given. */
  defaultClockMhz: number;
  /** iCE40 only: the package's pin names (for a PCF) and nextpnr's device/package flags. */
  ice40?: { pins: readonly string[]; device: 'hx8k' | 'up5k'; package: string; dsp: boolean };
  /** Quartus only: the device family name. */
  quartusFamily?: string;
}

const TARGETS: Record<TargetName, Target> = {
  'ice40-hx8k': {
    name: 'ice40-hx8k', family: 'ice40', description: 'Lattice iCE40HX8K-CT256 (iCE40-HX8K breakout), yosys + nextpnr + icepack',
    part: 'iCE40HX8K-CT256', userPins: HX8K_CT256_PINS.length, clockPin: 'J3', defaultClockMhz: 12,
    ice40: { pins: HX8K_CT256_PINS, device: 'hx8k', package: 'ct256', dsp: false },
  },
  'ice40-up5k': {
    name: 'ice40-up5k', family: 'ice40', description: 'Lattice iCE40UP5K-SG48 (iCEBreaker), yosys + nextpnr + icepack, SB_MAC16 DSPs',
    part: 'iCE40UP5K-SG48', userPins: UP5K_SG48_PINS.length, clockPin: '35', defaultClockMhz: 12,
    ice40: { pins: UP5K_SG48_PINS, device: 'up5k', package: 'sg48', dsp: true },
  },
  'xilinx-7': {
    // xc7a35t in csg324: 210 user I/O; E3 is the Arty A7's 100 MHz oscillator.
    name: 'xilinx-7', family: 'xilinx', description: 'AMD/Xilinx Artix-7 xc7a35ticsg324-1L (Arty A7-35T), non-project Vivado TCL',
    part: 'xc7a35ticsg324-1L', userPins: 210, clockPin: 'E3', defaultClockMhz: 100,
  },
  intel: {
    // EP4CE22F17C6: 153 user I/O; R8 is the DE0-Nano's 50 MHz oscillator.
    name: 'intel', family: 'intel', description: 'Intel Cyclone IV E EP4CE22F17C6 (DE0-Nano), Quartus TCL + SDC',
    part: 'EP4CE22F17C6', userPins: 153, clockPin: 'R8', defaultClockMhz: 50, quartusFamily: 'Cyclone IV E',
  },
  fusesoc: {
    // One .core with an icestorm, a Vivado and a Quartus target, so the pin budget is the smallest of the three.
    name: 'fusesoc', family: 'fusesoc', description: 'FuseSoC CAPI2 .core with lint, icestorm (hx8k), vivado and quartus targets',
    part: 'iCE40HX8K-CT256', userPins: 153, clockPin: 'J3', defaultClockMhz: 12,
  },
};

/** Every export target name, in help order. */
export const TARGET_NAMES = Object.keys(TARGETS) as TargetName[];

/** The target called `name`, or a one-line error naming the value and listing the valid ones. */
export function getTarget(name: string): Target {
  const t = (TARGETS as Record<string, Target | undefined>)[name];
  if (!t) throw new FpgaUsageError(`unknown target '${name}'; valid targets: ${TARGET_NAMES.join(', ')}`);
  return t;
}

/** Targets `hwflow build` runs end to end (the open-source iCE40 flow). */
export const BUILD_TARGETS: TargetName[] = ['ice40-hx8k', 'ice40-up5k'];

/** Check a `--clock` value in MHz: a finite number from 1 to 1000. */
export function parseClockMhz(raw: string | number | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = typeof raw === 'number' ? raw : /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(v) || v < 1 || v > 1000)
    throw new FpgaUsageError(`bad clock '${raw}': give the frequency in MHz as a number from 1 to 1000 (e.g. --clock 12)`);
  return v;
}

/** Clock period in ns with three decimals, as XDC and SDC want it. */
export function periodNs(mhz: number): string {
  return (1000 / mhz).toFixed(3);
}

// ---- the iCE40 flow ---------------------------------------------------------------------------

/*
 * The iCE40 open flow's commands, in one place so the exported Makefile and `hwflow build` run
 * exactly the same yosys script and nextpnr arguments.
 */
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
