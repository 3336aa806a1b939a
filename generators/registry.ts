/**
 * The design registry: every generator by name, with its parameters and presets. The CLI, tests,
 * benchmarks and sweeps read designs from here. Turning command-line text (a design name or script
 * path, `--param key=value`) into a design is the CLI's job: cli/design.ts.
 */
import { ParamError } from '../dsl/errors.ts';
import type { Generator, ParamValue } from '../dsl/generator.ts';
import type { Circuit } from '../dsl/ir/nodes.ts';
import { elaborate } from '../dsl/passes/elaborate.ts';
import { bitfusion } from './bitfusion/index.ts';
import { castling } from './castling/index.ts';
import { counter, mac } from './examples.ts';
import { gcodGenerator as gcod } from './gcod/index.ts';
import { igcnGenerator as igcn } from './igcn/index.ts';
import { nasaAccelerator as nasa } from './nasa/index.ts';
import { shiftadd } from './shiftadd/index.ts';
import { shiftaddllm } from './shiftaddllm/index.ts';
import { shiftaddvit } from './shiftaddvit/index.ts';
import { shiftaddllmMac } from './shiftaddllm-mac/index.ts';
import { smartexchange } from './smartexchange/index.ts';
import { vitcod } from './vitcod/index.ts';
import { vsa } from './vsa/index.ts';

export const registry: Record<string, Generator> = {
  bitfusion,
  castling,
  counter,
  gcod,
  igcn,
  mac,
  nasa,
  shiftadd,
  shiftaddllm,
  'shiftaddllm-mac': shiftaddllmMac,
  shiftaddvit,
  smartexchange,
  vitcod,
  vsa,
};

/** Check every value against its spec: kind and range. */
export function checkParams(g: Generator, params: Record<string, ParamValue>): void {
  for (const [key, spec] of Object.entries(g.params)) {
    const v = params[key];
    if (v === undefined) throw new ParamError(`design '${g.name}' needs parameter '${key}' (${spec.doc})`);
    if (spec.kind === 'int') {
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new ParamError(`parameter '${key}' of '${g.name}' must be an integer, got ${String(v)}`);
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max))
        throw new ParamError(`parameter '${key}' of '${g.name}' = ${v} is out of range ${spec.min ?? '-inf'}..${spec.max ?? 'inf'}`);
    }
  }
  for (const key of Object.keys(params))
    if (!(key in g.params)) throw new ParamError(`design '${g.name}' has no parameter '${key}'; its parameters: ${Object.keys(g.params).join(', ')}`);
  g.validate?.(params);
}

/** A copy of preset `preset` of `g` (its default preset when undefined), not yet checked. */
export function presetParams(g: Generator, preset: string | undefined): { preset: string; params: Record<string, ParamValue> } {
  const name = preset ?? g.defaultPreset;
  const base = g.presets[name];
  if (!base) throw new ParamError(`design '${g.name}' has no preset '${name}'; presets: ${Object.keys(g.presets).join(', ')}`);
  return { preset: name, params: { ...base } };
}

/** Where an elaborated design came from: the generator's name (or a script's path), preset and parameters. */
export interface DesignInfo {
  generator: string;
  preset?: string;
  params: Record<string, ParamValue>;
}

/** An elaborated design, where it came from, and its generator (none for a script's plain module). */
export interface ResolvedDesign {
  circuit: Circuit;
  info: DesignInfo;
  generator?: Generator;
}

/** Check `info.params` against `g`'s specs, then elaborate `g` with them (elaboration runs the design checks). */
export function elaborateDesign(g: Generator, info: DesignInfo): ResolvedDesign {
  checkParams(g, info.params);
  return { circuit: elaborate(g.create(info.params)), info, generator: g };
}

/** `g` elaborated with one of its presets (its default preset when undefined). */
export function elaboratePreset(g: Generator, preset?: string): ResolvedDesign {
  return elaborateDesign(g, { generator: g.name, ...presetParams(g, preset) });
}
