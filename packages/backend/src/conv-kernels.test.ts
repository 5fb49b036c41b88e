import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectArraysClose } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { convKernelNames, useConvKernels } from './conv-kernels.js';

afterAll(async () => {
  await useConvKernels(false);
  await tf.setBackend('cpu');
});

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid';
  depthwise?: boolean;
  dilations?: number;
}

const cases: Case[] = [
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [1, 9, 11, 1], filter: [5, 5, 1, 8], strides: 1, pad: 'valid' },
  { x: [3, 9, 7, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [2, 10, 9, 1], filter: [4, 3, 1, 6], strides: 2, pad: 'valid' },
  { x: [2, 13, 11, 5], filter: [5, 5, 5, 7], strides: [2, 3], pad: 'same' },
  { x: [1, 8, 8, 16], filter: [1, 1, 16, 9], strides: 1, pad: 'valid' },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same', depthwise: true },
  { x: [3, 9, 8, 8], filter: [3, 3, 8, 1], strides: 2, pad: 'same', depthwise: true },
  { x: [1, 11, 7, 1], filter: [5, 3, 1, 2], strides: 2, pad: 'valid', depthwise: true },
  { x: [2, 8, 9, 6], filter: [3, 3, 6, 3], strides: 1, pad: 'valid', depthwise: true },
];

const label = (c: Case) =>
  `${c.depthwise ? 'depthwise' : 'conv2d'} x ${c.x.join('×')} filter ${c.filter.join('×')} stride ${c.strides} ${c.pad}`;

/** Forward output and the gradients with respect to x and the filter of Σ conv(x, f)·dy. */
function forwardAndGradients(c: Case, seed: number): tf.Tensor[] {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', seed);
    const filter = tf.randomNormal(c.filter, 0, 1, 'float32', seed + 1);
    const conv = (a: tf.Tensor, f: tf.Tensor) =>
      c.depthwise
        ? tf.depthwiseConv2d(a as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad)
        : tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad);
    const y = conv(x, filter);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 2);
    const [dx, dFilter] = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(conv(a, f), dy)))([
      x,
      filter,
    ]);
    return [y, dx as tf.Tensor, dFilter as tf.Tensor];
  });
}

async function valuesOn(backend: 'cpu' | 'wasm', c: Case, seed: number): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outputs = forwardAndGradients(c, seed);
  const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outputs);
  return values;
}

describe('useConvKernels', () => {
  it.each(cases.map((c, i) => [label(c), c, i] as const))(
    'gives the cpu backend’s output and gradients for %s',
    async (_, c, i) => {
      const expected = await valuesOn('cpu', c, 10 * i + 1);
      await tf.setBackend('wasm');
      expect(await useConvKernels(true)).toContain('Conv2DBackpropFilter');
      const before = tf.memory().numTensors;
      const got = await valuesOn('wasm', c, 10 * i + 1);
      expect(tf.memory().numTensors).toBe(before);
      for (const [k, value] of got.entries()) {
        expectArraysClose(value, expected[k] as Float32Array, 1e-4, 1e-4);
      }
    },
  );

  it.each([
    [
      'tile of a per-channel vector (BatchNorm’s gradient)',
      (x: tf.Tensor) =>
        tf.tile(tf.reshape(tf.slice(x, [0, 0, 0, 0], [1, 1, 1, 5]), [1, 1, 1, 5]), [3, 7, 6, 1]),
    ],
    ['tile along every axis', (x: tf.Tensor) => tf.tile(x, [2, 1, 3, 2])],
    [
      'max-pool gradient, 2×2 stride 2 valid (stock tfjs-wasm gets it wrong)',
      (x: tf.Tensor) =>
        tf.grad((a: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'),
              tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 5),
            ),
          ),
        )(x),
    ],
    [
      'max-pool gradient, 3×3 stride 2 same',
      (x: tf.Tensor) =>
        tf.grad((a: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.maxPool(a as tf.Tensor4D, 3, 2, 'same'),
              tf.randomNormal([3, 4, 3, 5], 0, 1, 'float32', 6),
            ),
          ),
        )(x),
    ],
    [
      'fused conv2d with bias and relu',
      (x: tf.Tensor) =>
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: tf.randomNormal([3, 3, 5, 6], 0, 1, 'float32', 7) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: tf.randomNormal([6], 0, 1, 'float32', 8),
          activation: 'relu',
        }),
    ],
    [
      'fused conv2d with bias and leaky relu 0.1, stride 2, valid',
      (x: tf.Tensor) =>
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: tf.randomNormal([3, 3, 5, 7], 0, 1, 'float32', 7) as tf.Tensor4D,
          strides: 2,
          pad: 'valid',
          bias: tf.randomNormal([7], 0, 1, 'float32', 8),
          activation: 'leakyrelu',
          leakyreluAlpha: 0.1,
        }),
    ],
    [
      'fused conv2d without bias, relu6',
      (x: tf.Tensor) =>
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: tf.randomNormal([5, 5, 5, 4], 0, 3, 'float32', 7) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          activation: 'relu6',
        }),
    ],
    [
      'fused conv2d with elu (stock kernel)',
      (x: tf.Tensor) =>
        tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: tf.randomNormal([3, 3, 5, 6], 0, 1, 'float32', 7) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: tf.randomNormal([6], 0, 1, 'float32', 8),
          activation: 'elu',
        }),
    ],
    ['sum over all axes but the last', (x: tf.Tensor) => tf.sum(x, [0, 1, 2])],
    ['sum over all axes but the last, kept', (x: tf.Tensor) => tf.sum(x, [2, 0, 1], true)],
    [
      'mean over all axes but the last (BatchNorm’s moments)',
      (x: tf.Tensor) => tf.mean(x, [0, 1, 2], true),
    ],
    ['sum over other axes (stock kernel)', (x: tf.Tensor) => tf.sum(x, [1, 3])],
    ['mean of everything (stock kernel)', (x: tf.Tensor) => tf.mean(x)],
    [
      'int32 sum (stock kernel)',
      (x: tf.Tensor) => tf.sum(tf.cast(tf.mul(x, 10), 'int32'), [0, 1, 2]),
    ],
  ])('gives the cpu backend’s %s', async (_, op) => {
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      const y = tf.tidy(() => op(tf.randomNormal([3, 7, 6, 5], 0, 1, 'float32', 3)));
      const values = { shape: y.shape, data: await y.data() };
      y.dispose();
      return values;
    };
    const expected = await run('cpu');
    await useConvKernels(true);
    const got = await run('wasm');
    expect(got.shape).toEqual(expected.shape);
    expectArraysClose(got.data, expected.data, 1e-5, 1e-5);
  });

  it('restores the stock kernels when disabled and installs again when enabled', async () => {
    await tf.setBackend('wasm');
    await useConvKernels(true);
    const ours = tf.getKernel('Conv2D', 'wasm');
    expect(await useConvKernels(false)).toEqual([]);
    expect(tf.getKernel('Conv2D', 'wasm')).not.toBe(ours);
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeUndefined();
    expect(await useConvKernels(true)).toEqual(convKernelNames);
  });
});
