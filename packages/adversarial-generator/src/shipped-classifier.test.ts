import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selectBackend } from '@actlab/backend';
import { loadMnist, toTensors } from '@actlab/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadMnistClassifier, shippedModelDir } from './node/classifier-files.js';
import { measureAccuracy } from './train-classifier.js';

const dataDir = process.env.ACTLAB_DATA_DIR;

describe.skipIf(!dataDir)('the shipped MNIST classifier', () => {
  it('scores at least 99.2 % on the 10 000 MNIST test images, as its metrics.json says', async () => {
    await selectBackend('wasm');
    const metrics = JSON.parse(await readFile(join(shippedModelDir(), 'metrics.json'), 'utf8')) as {
      testAccuracy: number;
    };
    const { test } = await loadMnist({ dataset: 'mnist', dataDir, download: false });
    const { xs, ys } = toTensors(test);
    const model = await loadMnistClassifier();
    try {
      const accuracy = measureAccuracy(model, xs as tf.Tensor4D, ys as tf.Tensor2D);
      expect(accuracy).toBeGreaterThanOrEqual(0.992);
      // Every figure we print is measured: the file must hold what these weights score.
      expect(accuracy).toBeCloseTo(metrics.testAccuracy, 4);
    } finally {
      model.dispose();
      tf.dispose([xs, ys]);
    }
  }, 180_000);
});
