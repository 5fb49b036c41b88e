import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { maxAbsDifference } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { useConvKernels } from './conv-kernels.js';
import { probeNativeKernels } from './native-kernels.js';

afterAll(async () => {
  await useConvKernels(false);
  await tf.setBackend('cpu');
});

/** A small CNN in the seed's style, plus a strided and a depthwise convolution. */
function buildCnn(): tfl.Sequential {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential();
  model.add(
    tfl.layers.conv2d({
      inputShape: [13, 11, 3],
      filters: 8,
      kernelSize: 5,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
    }),
  );
  model.add(tfl.layers.batchNormalization());
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(
    tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: init(2) }),
  );
  model.add(
    tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, kernelInitializer: init(3) }),
  );
  model.add(tfl.layers.leakyReLU({ alpha: 0.1 }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init(4) }));
  return model;
}

async function train(backend: 'cpu' | 'wasm', optimizer: () => tf.Optimizer, steps: number) {
  await tf.setBackend(backend);
  const model = buildCnn();
  model.compile({ optimizer: optimizer(), loss: 'categoricalCrossentropy' });
  const xs = tf.randomNormal([5, 13, 11, 3], 0, 1, 'float32', 7);
  const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1], 'int32'), 4), 'float32'));
  const counts: number[] = [];
  for (let step = 0; step < steps; step++) {
    await model.trainOnBatch(xs, ys);
    counts.push(tf.memory().numTensors);
  }
  const weights = await Promise.all(model.getWeights().map((w) => w.data()));
  tf.dispose([xs, ys]);
  model.optimizer.dispose();
  model.dispose();
  return { weights, counts };
}

const native = probeNativeKernels();
const builds =
  native.available && native.conv ? (['wasm', 'native'] as const) : (['wasm'] as const);

describe.each(builds)('training a CNN on wasm with the %s build of the conv kernels', (build) => {
  it.each([
    ['SGD', () => tf.train.sgd(0.05), 1e-5],
    ['Adam', () => tf.train.adam(1e-3), 1e-5],
  ] as const)(
    'gives stock tfjs cpu’s weights after 8 %s steps, without leaked tensors',
    async (_, optimizer, tolerance) => {
      const expected = await train('cpu', optimizer, 8);
      await tf.setBackend('wasm');
      await useConvKernels(true, build);
      const got = await train('wasm', optimizer, 8);
      const worst = Math.max(
        ...got.weights.map((w, i) => maxAbsDifference(w, expected.weights[i] as Float32Array)),
      );
      expect(worst).toBeLessThan(tolerance);
      expect(new Set(got.counts.slice(1)).size).toBe(1);
    },
    60_000,
  );
});
