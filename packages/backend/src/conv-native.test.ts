import { maxAbsDifference } from '@actlab/test-utils';
import { describe, expect, it } from 'vitest';
import { type ConvCall, ConvWasm } from './conv-wasm.js';
import { probeNativeKernels } from './native-kernels.js';

const native = probeNativeKernels();
const conv = native.available ? native.conv : undefined;

/** Deterministic values in [-1, 1). */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

// wasm/conv.c's Conv header: batch, in h/w/c, out h/w/c, filter h/w, strides, dilations, pads,
// rows per im2col block. 5×5 'same' over 2×11×9×3 → 2×11×9×40, blocks of 7 rows (odd on purpose).
const header = [2, 11, 9, 3, 11, 9, 40, 5, 5, 1, 1, 1, 1, 2, 2, 7];
const sizes = { x: 2 * 11 * 9 * 3, y: 2 * 11 * 9 * 40, filter: 5 * 5 * 3 * 40 };

const calls: [string, () => ConvCall][] = [
  [
    'conv2d_forward',
    () => ({
      operation: 'conv2d_forward',
      header,
      inputs: [values(sizes.x, 1), values(sizes.filter, 2)],
      outputs: [new Float32Array(sizes.y)],
      scratch: [7 * 75],
    }),
  ],
  [
    'conv2d_backprop_filter',
    () => ({
      operation: 'conv2d_backprop_filter',
      header,
      inputs: [values(sizes.x, 3), values(sizes.y, 4)],
      outputs: [new Float32Array(sizes.filter)],
      scratch: [7 * 75],
    }),
  ],
  [
    'conv2d_backprop_input',
    () => ({
      operation: 'conv2d_backprop_input',
      header,
      inputs: [values(sizes.y, 5), values(sizes.filter, 6)],
      outputs: [new Float32Array(sizes.x)],
      scratch: [sizes.filter, 7 * 75],
    }),
  ],
];

describe.skipIf(!conv)('the native conv kernels', () => {
  it.each(calls)(
    '%s: the AVX-512 and AVX2 builds agree with WebAssembly within float32 rounding',
    async (_, make) => {
      const wasm = await ConvWasm.create();
      const expected = make();
      wasm.run(expected);
      const gemms = native.available ? native.gemmKernels : [];
      for (const gemm of gemms) {
        const call = make();
        conv?.(gemm).run(call);
        expect(call.outputs[0]?.some((v) => v !== 0)).toBe(true);
        // 75- to 198-term sums of products in [-1, 1]: FMA and summation order differ.
        expect(maxAbsDifference(call.outputs[0]!, expected.outputs[0]!)).toBeLessThan(2e-5);
      }
    },
  );

  it('refuse an array shorter than the header’s geometry instead of reading past it', () => {
    const call = calls[0]?.[1]() as ConvCall;
    call.inputs[0] = call.inputs[0]?.subarray(1) as Float32Array;
    expect(() => conv?.().run(call)).toThrowError(/shorter than its geometry/);
  });

  it('refuse a header whose row blocks would not advance', () => {
    const call = calls[0]?.[1]() as ConvCall;
    call.header = [...header.slice(0, 15), 0];
    expect(() => conv?.().run(call)).toThrowError(/impossible or too large/);
  });

  it('refuse a geometry past 2³¹ floats', () => {
    const call = calls[0]?.[1]() as ConvCall;
    call.header = [65_536, 1024, 1024, 3, ...header.slice(4)];
    expect(() => conv?.().run(call)).toThrowError(/impossible or too large/);
  });
});
