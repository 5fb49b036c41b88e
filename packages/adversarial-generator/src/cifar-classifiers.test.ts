import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCifarClassifier, buildCifarNotebookClassifier } from './cifar-classifiers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const trainableCount = (model: tfl.LayersModel) =>
  model.trainableWeights.reduce(
    (sum, weight) => sum + weight.shape.reduce((a: number, b) => a * (b ?? 1), 1),
    0,
  );
const kinds = (model: tfl.LayersModel) => model.layers.map((layer) => layer.getClassName());

describe('buildCifarClassifier (the seed report’s CNN)', () => {
  it('has three Conv-BN-Conv-BN-MaxPool-Dropout blocks, Dense + BN + Dropout 0.5, and Keras’ parameter count', () => {
    const model = buildCifarClassifier();
    const block = [
      'Conv2D',
      'BatchNormalization',
      'Conv2D',
      'BatchNormalization',
      'MaxPooling2D',
      'Dropout',
    ];
    expect(kinds(model)).toEqual([
      ...block,
      ...block,
      ...block,
      'Flatten',
      'Dense',
      'BatchNormalization',
      'Dropout',
      'Dense',
    ]);
    // Keras' summary for this layout: 552 874 parameters, 1 152 of them non-trainable.
    expect(model.countParams()).toBe(552874);
    expect(trainableCount(model)).toBe(552874 - 1152);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    model.dispose();
  });

  it('gives the same initial weights for the same seed and others for another seed', () => {
    const [a, b, c] = [1, 1, 2].map((seed) => buildCifarClassifier({ seed }));
    const first = (model: tfl.LayersModel) => Array.from(model.getWeights()[0]?.dataSync() ?? []);
    expect(first(a as tfl.LayersModel)).toEqual(first(b as tfl.LayersModel));
    expect(first(a as tfl.LayersModel)).not.toEqual(first(c as tfl.LayersModel));
    for (const model of [a, b, c]) model?.dispose();
  });

  it('takes a training step on a small batch: finite loss, changed weights, no leaked tensors', async () => {
    // The same layout at 8×8 with 4 filters per block: a step of the full size takes minutes on
    // tfjs' CPU backend.
    const model = buildCifarClassifier({
      seed: 3,
      inputShape: [8, 8, 3],
      filters: [4, 4, 4],
      denseUnits: 8,
    });
    model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
    const before = tf.memory().numTensors;
    const xs = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 5);
    const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d([0, 3, 6, 9], 'int32'), 10), 'float32'));
    const kernel = Array.from(model.getWeights()[0]?.dataSync() ?? []);
    const loss = Number(await model.trainOnBatch(xs, ys));
    expect(Number.isFinite(loss)).toBe(true);
    expect(Array.from(model.getWeights()[0]?.dataSync() ?? [])).not.toEqual(kernel);
    tf.dispose([xs, ys]);
    // Adam's moment variables and step count stay with the optimizer; nothing else may remain.
    const optimizerTensors = (await model.optimizer.getWeights()).length;
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(optimizerTensors);
    model.dispose();
  });
});

describe('buildCifarNotebookClassifier (the course notebook’s CNN)', () => {
  it('has six Conv 5×5 layers of 32…112 filters, BN after each, MaxPool after every second, Dense 512 + BN', () => {
    const model = buildCifarNotebookClassifier();
    const conv = model.layers.filter((layer) => layer.getClassName() === 'Conv2D');
    expect(conv.map((layer) => (layer.getConfig() as { filters: number }).filters)).toEqual([
      32, 48, 64, 80, 96, 112,
    ]);
    expect(conv.map((layer) => (layer.getConfig() as { kernelSize: number[] }).kernelSize)).toEqual(
      new Array(6).fill([5, 5]),
    );
    expect(kinds(model).filter((kind) => kind === 'MaxPooling2D').length).toBe(3);
    expect(kinds(model).slice(-4)).toEqual(['Flatten', 'Dense', 'BatchNormalization', 'Dense']);
    // 1 633 754 parameters as Keras counts them, 1 888 of them BatchNorm moving statistics.
    expect(model.countParams()).toBe(1633754);
    expect(trainableCount(model)).toBe(1633754 - 1888);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    model.dispose();
  });
});
