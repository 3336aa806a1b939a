/** The two small example designs, registered like any accelerator. */
import { defineGenerator } from '../dsl/generator.ts';
import { createCounter } from './counter/create.ts';
import { counterPresets, validateCounter, type CounterParams } from './counter/params.ts';
import { createMac } from './mac/create.ts';
import { macPresets, validateMac, type MacParams } from './mac/params.ts';

export const counter = defineGenerator<CounterParams>({
  name: 'counter',
  description: 'up-counter with enable, wrapping at a limit',
  params: {
    width: { kind: 'int', doc: 'bits of the count', min: 1, max: 64 },
    limit: { kind: 'int', doc: 'last value before wrapping to 0', min: 0 },
  },
  presets: counterPresets,
  defaultPreset: 'ci',
  validate: validateCounter,
  create: createCounter,
});

export const mac = defineGenerator<MacParams>({
  name: 'mac',
  description: 'signed multiply-accumulate unit',
  params: {
    width: { kind: 'int', doc: 'bits of the signed operands', min: 2, max: 32 },
    accWidth: { kind: 'int', doc: 'bits of the signed accumulator', min: 4, max: 64 },
  },
  presets: macPresets,
  defaultPreset: 'ci',
  validate: validateMac,
  create: createMac,
});
