// The shared input check: a dimension named twice in one tensor must be square, and the error says so.
import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '../dsl/generator.ts';
import { checkTensors } from '../dsl/tensors.ts';

const M: TensorSpec = { name: 'M', shape: [4, 16, 16], dims: ['H', 'N', 'N'], width: 1, signed: false };
const Q: TensorSpec = { name: 'Q', shape: [4, 16, 8], dims: ['H', 'N', 'D'], width: 8, signed: true };
const zeros = (shape: number[]) => ({ shape, data: Array<bigint>(shape.reduce((a, b) => a * b, 1)).fill(0n) });

describe('checkTensors', () => {
  it('takes a square mask whose N matches the other tensors', () => {
    expect(() => checkTensors([Q, M], { Q: zeros([2, 12, 8]), M: zeros([2, 12, 12]) })).not.toThrow();
  });
  it('names the tensor\'s own dimension when a repeated name is not square', () => {
    expect(() => checkTensors([M], { M: zeros([2, 11, 12]) })).toThrow(/tensor 'M' takes .*; got shape \[2, 11, 12\] with N = 12, but its dimension 1 is N = 11 too/);
  });
  it('names the other tensor when a shared dimension differs', () => {
    expect(() => checkTensors([Q, M], { Q: zeros([2, 12, 8]), M: zeros([2, 11, 11]) })).toThrow(/got shape \[2, 11, 11\] with N = 11, but tensor 'Q' has N = 12/);
  });
});
