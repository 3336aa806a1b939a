/**
 * What a generator (an accelerator or example design) declares, so the CLI, tests, benchmarks and
 * future sweeps can treat every design alike. Generators live in `generators/<name>/`; the registry
 * in `generators/registry.ts` maps names to these.
 */
import { codec, type TokenFields, type TokenValue } from './builder/codec.ts';
import type { ModuleDef } from './builder/module.ts';
import { isStream, type PayloadType } from './builder/payload.ts';
import type { PortRecord } from './builder/ports.ts';
import { HdlError } from './errors.ts';

export type { TokenFields, TokenValue };

export type ParamValue = number | boolean | string;

/** One parameter: its kind, a one-line description, and (for numbers) the accepted range. */
export interface ParamSpec {
  kind: 'int' | 'bool' | 'enum';
  doc: string;
  min?: number;
  max?: number;
  /** Allowed values for 'enum'. */
  values?: readonly string[];
}

/** A named integer tensor that a design consumes or produces (for `hwflow run` and the harness). */
export interface TensorSpec {
  name: string;
  /** Shape as a function of the parameters and run-time sizes (with `dims`: the largest size of each dimension). */
  shape: number[];
  /**
   * Names of the dimensions (e.g. `['M', 'K']`) when sizes are chosen at run time: each size may then
   * be 1..shape[i], and a dimension named in several tensors must have the same size in all of them.
   */
  dims?: string[];
  /**
   * Per dimension, the least size accepted: by default 1 for a named dimension and the size itself
   * for an unnamed one. Equal to `shape[i]`, the dimension takes exactly that size (a parameter of the
   * design, e.g. the bit-planes q); 0 allows an empty tensor (a graph with no edges).
   */
  minShape?: number[];
  /** Per dimension, a step the size must be a multiple of (default 1), e.g. 8 where one table serves 8 activations. */
  multipleOf?: number[];
  width: number;
  signed: boolean;
}

export interface Generator<P extends Record<string, ParamValue> = Record<string, ParamValue>> {
  name: string;
  /** One line for `hwflow list`. */
  description: string;
  params: Record<keyof P & string, ParamSpec>;
  /** Named parameter sets; every generator has at least `ci` (tiny) and usually a paper-sized one. */
  presets: Record<string, P>;
  defaultPreset: string;
  /** Check semantic constraints beyond ranges; throw ParamError naming the field and value. */
  validate?(params: P): void;
  /** A pure function from parameters to the top module. */
  create(params: P): ModuleDef<PortRecord>;
}

/** Erase a generator's parameter type for the registry. */
export function defineGenerator<P extends Record<string, ParamValue>>(g: Generator<P>): Generator {
  return g as unknown as Generator;
}

/** A tensor of integers, row-major. */
export interface Tensor {
  shape: number[];
  data: bigint[];
}

/** What a bit-exact reference kernel returns. */
export interface GoldenResult {
  outputs: Record<string, Tensor>;
  /** Operation counts the hardware is meant to perform (macs, shifts, adds, lookups, reads ...). */
  counts: Record<string, number>;
  /** Work divided by parallel units: the cycle count no implementation can beat. */
  idealCycles: number;
}

/**
 * An accelerator: a generator whose design computes named tensors. `encode` and `decode` map
 * tensors to the payload tokens of the design's input and output streams (pure functions, so the
 * harness, `hwflow run` and the tests can all drive any accelerator the same way). Write one with
 * `defineAccelerator`: the design lays tensors out into tokens as field values (`toTokens`) and
 * reads output tokens as fields (`fromTokens`); the bits are packed by the codecs of the top
 * module's stream types, so host and hardware share one layout.
 */
export interface Accelerator<P extends Record<string, ParamValue> = Record<string, ParamValue>> extends Generator<P> {
  inputs(params: P): TensorSpec[];
  outputs(params: P): TensorSpec[];
  golden(params: P, inputs: Record<string, Tensor>): GoldenResult;
  /** Input tensors -> tokens per input stream (payload bit patterns, in stream order). */
  encode(params: P, inputs: Record<string, Tensor>): Record<string, bigint[]>;
  /** Tokens per output stream (bit patterns) -> output tensors. */
  decode(params: P, tokens: Record<string, readonly bigint[]>, inputs: Record<string, Tensor>): Record<string, Tensor>;
  /**
   * How many tokens each output stream delivers for these inputs (optional): lets `hwflow run` and
   * tests stop exactly at the last token instead of waiting for the design to fall quiet.
   */
  outputTokens?(params: P, inputs: Record<string, Tensor>): Record<string, number>;
  /** Random valid inputs for tests and demos, from a seed. */
  randomInputs(params: P, seed: number): Record<string, Tensor>;
  /**
   * Relations between input tensors that their specs cannot state (K = 8·G, every edge names a node
   * of x, ...), checked after the specs by `checkInputs` (dsl/tensors.ts); throws `tensorError`.
   */
  checkRelations?(params: P, inputs: Record<string, Tensor>): void;
  /**
   * A host-side step that `hwflow run --decompose` applies to the parsed JSON input file before its
   * tensors are checked (optional): e.g. float weights into the stored form the design takes.
   * Returns the input object the design's tensor specs describe and lines to print; a bad input
   * throws `tensorError` naming the tensor.
   */
  decompose?(params: P, json: Record<string, unknown>): { json: Record<string, unknown>; notes: string[] };
  /**
   * Inputs from a real data set (optional), for `hwflow run <design> --layer L`: the tensors the
   * accelerator reads for layer `layer` from `dataDir` (its default folder when undefined), the
   * others taken from `given` or drawn at random from `seed`. A bad layer, a missing folder or a
   * design too small for the data is an HdlError naming what is valid.
   */
  layerInputs?(params: P, request: LayerRequest): Record<string, Tensor>;
}

/** What `hwflow run --layer` asks of an accelerator's `layerInputs`. */
export interface LayerRequest {
  /** The layer as typed on the command line (the accelerator checks it and names the valid range). */
  layer: string;
  /** `--data`, else HWFLOW_DATA; undefined: the accelerator's default data folder. */
  dataDir?: string;
  /** Tensors from `--input`, if any (the rest are read or random). */
  given: Record<string, Tensor>;
  /** Seed of the random tensors. */
  seed: number;
}

/** An Accelerator written as tokens of fields; `defineAccelerator` derives `encode`/`decode`. */
export interface AcceleratorSpec<P extends Record<string, ParamValue>> extends Omit<Accelerator<P>, 'encode' | 'decode'> {
  /** Input tensors -> tokens per input stream, as field values shaped like each stream's payload. */
  toTokens(params: P, inputs: Record<string, Tensor>): Record<string, readonly TokenValue[]>;
  /** Tokens per output stream, decoded into fields -> output tensors. */
  fromTokens(params: P, tokens: Record<string, TokenFields[]>, inputs: Record<string, Tensor>): Record<string, Tensor>;
}

/** The payload type of each stream port of a module definition (no elaboration needed). */
export function streamTypes(def: ModuleDef<PortRecord>): Record<string, PayloadType> {
  const out: Record<string, PayloadType> = {};
  for (const [name, spec] of Object.entries(def.ports)) if (isStream(spec.type)) out[name] = spec.type.payload;
  return out;
}

/** An Accelerator whose token bits come from the codecs of its top module's stream ports. */
export function defineAccelerator<P extends Record<string, ParamValue>>(spec: AcceleratorSpec<P>): Accelerator<P> & AcceleratorSpec<P> {
  // One definition of the token layout: the payload types the design's own ports declare.
  const typesOf = new WeakMap<P, Record<string, PayloadType>>();
  const codecs = (params: P) => {
    let types = typesOf.get(params);
    if (!types) typesOf.set(params, (types = streamTypes(spec.create(params))));
    return (stream: string) => {
      const t = types[stream];
      if (!t) throw new HdlError(`${spec.name}: the design has no stream port '${stream}'; its streams are ${Object.keys(types!).join(', ')}`);
      return codec(t);
    };
  };
  return {
    ...spec,
    encode: (params, inputs) => {
      const of = codecs(params);
      return Object.fromEntries(Object.entries(spec.toTokens(params, inputs)).map(([s, vals]) => {
        const c = of(s);
        return [s, vals.map((v) => c.encode(v as never))];
      }));
    },
    decode: (params, tokens, inputs) => {
      const of = codecs(params);
      const fields = Object.fromEntries(Object.entries(tokens).map(([s, bits]) => {
        const c = of(s);
        return [s, Array.from(bits, (b) => c.decodeBig(b) as TokenFields)];
      }));
      return spec.fromTokens(params, fields, inputs);
    },
  };
}

/** Is `v` a generator? (What a user's design script exports is only known at run time.) */
export function isGenerator(v: unknown): v is Generator {
  return typeof v === 'object' && v !== null && 'create' in v && 'presets' in v && 'params' in v;
}

/** Is `g` an accelerator: a generator with every function of the Accelerator contract? */
export function isAccelerator(g: unknown): g is Accelerator {
  const fns: (keyof Accelerator)[] = ['inputs', 'outputs', 'golden', 'encode', 'decode', 'randomInputs'];
  return isGenerator(g) && fns.every((k) => typeof (g as unknown as Record<string, unknown>)[k] === 'function');
}
