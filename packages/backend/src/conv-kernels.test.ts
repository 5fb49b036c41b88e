import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectArraysClose } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { convKernelNames, convKernelsInUse, useConvKernels } from './conv-kernels.js';
import { probeNativeKernels } from './native-kernels.js';

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

/**
 * The gradients of Σ w·batchNorm(x, mean, variance, offset, scale) with respect to all five,
 * flattened into one tensor; mean and variance are x's moments, as in a training step. (Without
 * a scale tfjs 4.22 cannot take these gradients on any backend: its FusedBatchNorm saves the
 * missing input for the backward pass and fails.)
 */
function batchNormGradients(x: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const offset = tf.randomNormal([5], 0, 1, 'float32', 11);
  const scale = tf.randomUniform([5], 0.5, 2, 'float32', 12);
  const w = tf.randomNormal(x.shape, 0, 1, 'float32', 13);
  const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) =>
    tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), w));
  const grads = tf.grads(f)([x, mean, variance, offset, scale]);
  return tf.concat(grads.map((g) => tf.reshape(g, [-1])));
}

// The same kernels as WebAssembly and, where @actlab/backend-<platform> loads, built natively.
const native = probeNativeKernels();
const builds =
  native.available && native.conv ? (['wasm', 'native'] as const) : (['wasm'] as const);

describe.each(builds)('useConvKernels, %s build', (build) => {
  it.each(cases.map((c, i) => [label(c), c, i] as const))(
    'gives the cpu backend’s output and gradients for %s',
    async (_, c, i) => {
      const expected = await valuesOn('cpu', c, 10 * i + 1);
      await tf.setBackend('wasm');
      expect(await useConvKernels(true, build)).toContain('Conv2DBackpropFilter');
      expect(convKernelsInUse()).toBe(build);
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
    [
      'relu gradient',
      (x: tf.Tensor) =>
        tf.grad((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.relu(a), tf.randomNormal(a.shape, 0, 1, 'float32', 9))),
        )(x),
    ],
    [
      'leaky relu gradient (alpha 0.1)',
      (x: tf.Tensor) =>
        tf.grad((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.leakyRelu(a, 0.1), tf.randomNormal(a.shape, 0, 1, 'float32', 9))),
        )(x),
    ],
    ['batch norm gradients', (x: tf.Tensor) => batchNormGradients(x)],
    ['leaky relu (alpha 0.2)', (x: tf.Tensor) => tf.leakyRelu(x, 0.2)],
    [
      'batch norm with per-channel statistics, offset and scale',
      (x: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        const offset = tf.randomNormal([5], 0, 1, 'float32', 11);
        return tf.batchNorm(
          x,
          mean,
          variance,
          offset,
          tf.randomUniform([5], 0.5, 2, 'float32', 12),
        );
      },
    ],
    [
      'batch norm without offset and scale',
      (x: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x, mean, variance, undefined, undefined, 0.01);
      },
    ],
    [
      'mean gradient over every axis but the last',
      (x: tf.Tensor) =>
        tf.grad((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.mean(a, [0, 1, 2]), tf.randomNormal([5], 0, 1, 'float32', 14))),
        )(x),
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
    await useConvKernels(true, build);
    const got = await run('wasm');
    expect(got.shape).toEqual(expected.shape);
    expectArraysClose(got.data, expected.data, 1e-5, 1e-5);
  });

  it('computes the Relu, LeakyRelu, BatchNorm and Mean gradients with one kernel each', async () => {
    await tf.setBackend('wasm');
    await useConvKernels(true, build);
    const x = tf.randomNormal([3, 7, 6, 5], 0, 1, 'float32', 3);
    const info = await tf.profile(() =>
      tf.tidy(() => [
        tf.grad((a: tf.Tensor) => tf.sum(tf.leakyRelu(tf.relu(a), 0.2)))(x),
        batchNormGradients(x),
        tf.grad((a: tf.Tensor) => tf.sum(tf.mean(a, [0, 1, 2])))(x),
      ]),
    );
    x.dispose();
    const names = info.kernels.map((kernel) => kernel.name);
    expect(names.filter((name) => name === 'ActlabLeakyReluGrad')).toHaveLength(2);
    expect(names.filter((name) => name === 'ActlabBatchNormGrad')).toHaveLength(1);
    expect(names.filter((name) => name === 'ActlabMeanGrad')).toHaveLength(1);
    expect(names).not.toContain('RealDiv'); // tfjs's Mean gradient
    expect(names).not.toContain('Greater'); // tfjs's LeakyRelu gradient
    expect(names).not.toContain('Step'); // tfjs's Relu gradient
  });

  it('restores the stock kernels when disabled and installs again when enabled', async () => {
    await tf.setBackend('wasm');
    await useConvKernels(true, build);
    const ours = tf.getKernel('Conv2D', 'wasm');
    const ourGradient = tf.getGradient('FusedBatchNorm');
    expect(await useConvKernels(false)).toEqual([]);
    expect(convKernelsInUse()).toBeUndefined();
    expect(tf.getGradient('FusedBatchNorm')).not.toBe(ourGradient);
    expect(tf.getKernel('Conv2D', 'wasm')).not.toBe(ours);
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeUndefined();
    expect(await useConvKernels(true, build)).toEqual(convKernelNames);
  });

  it('swaps builds in place, keeping the stock kernels to restore', async () => {
    await tf.setBackend('wasm');
    await useConvKernels(false);
    const stock = tf.getKernel('Conv2D', 'wasm');
    const other = build === 'wasm' ? builds.at(-1) : 'wasm';
    await useConvKernels(true, other);
    expect(await useConvKernels(true, build)).toEqual(convKernelNames);
    expect(convKernelsInUse()).toBe(build);
    await useConvKernels(false);
    expect(tf.getKernel('Conv2D', 'wasm')).toBe(stock);
  });
});

describe('choosing the conv kernels', () => {
  it('refuses an unknown build, naming the conv kernels and the choices', async () => {
    await expect(useConvKernels(true, 'gpu' as never)).rejects.toMatchObject({
      name: 'BackendError',
      code: 'UNKNOWN_BACKEND',
      message: 'unknown conv kernels "gpu"; expected one of auto, native, wasm.',
    });
  });
});
