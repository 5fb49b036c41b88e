import { join } from 'node:path';
import { makeTempDir } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMaskModel } from './build-mask-model.js';
import { classificationMetrics } from './classification-metrics.js';
import { saveModelFiles } from './node/model-files.js';
import { MaskDetector } from './node-mask-detector.js';
import { predictBatches } from './predict-batches.js';
import { trainMaskModel } from './train-mask-model.js';

// A stand-in task a tiny model learns in seconds: "masks" are images whose lower half is bright.
function syntheticFaces(
  n: number,
  size: number,
  seed: number,
): { images: tf.Tensor4D; labels: number[] } {
  return tf.tidy(() => {
    const labels = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const noise = tf.randomUniform([n, size, size, 3], 0, 0.3, 'float32', seed);
    const lower = tf.mul(
      tf.concat([tf.zeros([size / 2, size, 3]), tf.ones([size / 2, size, 3])]),
      0.6,
    );
    const withMask = tf.reshape(tf.tensor1d(labels.map((l) => (l === 0 ? 1 : 0))), [n, 1, 1, 1]);
    return { images: tf.add(noise, tf.mul(withMask, lower)) as tf.Tensor4D, labels };
  });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainMaskModel and MaskDetector', () => {
  it('ends with the weights of the epoch with the best validation balanced accuracy', async () => {
    const size = 16;
    const { images, labels } = syntheticFaces(64, size, 2);
    const indices = labels.map((_, i) => i);
    const data = {
      images,
      labels,
      classNames: ['with_mask', 'no_mask'],
      trainIndices: indices.slice(0, 48),
      validationIndices: indices.slice(48),
    };
    const before = tf.memory().numTensors;
    // A large learning rate makes the validation figures jump from epoch to epoch.
    const model = buildMaskModel({ size, filters: [2, 2, 2], learningRate: 0.05, seed: 3 });
    const history = await trainMaskModel(model, data, {
      maxEpochs: 6,
      batchSize: 16,
      seed: 3,
      targetValidationAccuracy: 1.01,
    });
    const scores = history.epochs.map((record) => record.validationBalancedAccuracy);
    const bestEpoch = scores.indexOf(Math.max(...scores)) + 1;
    expect(history.bestEpoch).toBe(bestEpoch);
    expect(history.stoppedBy).toBe('maxEpochs');
    expect(history.epochs.filter((record) => record.improved).at(-1)?.epoch).toBe(bestEpoch);
    const { predicted } = await predictBatches(model, images, data.validationIndices);
    const again = classificationMetrics(
      data.validationIndices.map((i) => labels[i] as number),
      predicted,
      data.classNames,
    );
    expect(again.balancedAccuracy).toBeCloseTo(Math.max(...scores), 10);
    model.optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  }, 60_000);

  it('trains a tiny model with balanced sampling, classifies crops and photo boxes, and leaks no tensor', async () => {
    const size = 16;
    const { images, labels } = syntheticFaces(64, size, 1);
    const before = tf.memory().numTensors;
    const model = buildMaskModel({
      size,
      filters: [4, 4, 4],
      learningRate: 0.01,
      batchNormMomentum: 0.5,
      seed: 1,
    });
    const indices = labels.map((_, i) => i);
    const history = await trainMaskModel(
      model,
      {
        images,
        labels,
        classNames: ['with_mask', 'no_mask'],
        trainIndices: indices.slice(0, 48),
        validationIndices: indices.slice(48),
      },
      { maxEpochs: 8, batchSize: 16, seed: 1, targetValidationAccuracy: 0.99 },
    );
    expect(history.epochs.length).toBeGreaterThan(0);
    expect(history.epochs.at(-1)?.validationBalancedAccuracy).toBeGreaterThan(0.9);
    const detector = MaskDetector.fromModel(model);
    expect(detector.classNames).toEqual(['with_mask', 'no_mask']);
    const afterTraining = tf.memory().numTensors;
    // One "masked" and one bare crop, as 0–255 pixels of another size than the model's.
    const masked = tf.tidy(() =>
      tf.mul(
        tf.image.resizeBilinear(tf.gather(images, 1) as unknown as tf.Tensor3D, [40, 40]),
        255,
      ),
    ) as tf.Tensor3D;
    const bare = tf.tidy(() =>
      tf.mul(
        tf.image.resizeBilinear(tf.gather(images, 0) as unknown as tf.Tensor3D, [40, 40]),
        255,
      ),
    ) as tf.Tensor3D;
    const first = await detector.classify(masked);
    expect(first.label).toBe('with_mask');
    expect(first.probability).toBeGreaterThan(0.5);
    expect((await detector.classify(bare)).label).toBe('no_mask');
    // A "photo" with the two faces apart (the 10 % margin stays off the other face), and their boxes.
    const gap = tf.zeros([40, 20, 3]);
    const photo = tf.concat([masked, gap, bare], 1) as tf.Tensor3D;
    const results = await detector.classifyFaces(photo, [
      { x: 0, y: 0, width: 40, height: 40 },
      { x: 60, y: 0, width: 40, height: 40 },
    ]);
    expect(results.map((r) => r.label)).toEqual(['with_mask', 'no_mask']);
    tf.dispose([masked, bare, gap, photo]);
    expect(tf.memory().numTensors).toBe(afterTraining);
    // The Adam state belongs to the caller (tfjs disposes only optimizers it created from a name).
    model.optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  }, 60_000);

  it('round-trips through model.json + weights.bin and loads from a path', async () => {
    const folder = await makeTempDir('mask-model-');
    try {
      const model = buildMaskModel({ size: 16, filters: [2, 2, 2] });
      await saveModelFiles(model, folder.path);
      const detector = await MaskDetector.load(join(folder.path, 'model.json'));
      const x = tf.randomUniform([1, 16, 16, 3]);
      const a = tf.tidy(() => model.predict(x) as tf.Tensor);
      const b = tf.tidy(() => detector.model.predict(x) as tf.Tensor);
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      tf.dispose([x, a, b]);
      model.dispose();
      detector.dispose();
    } finally {
      await folder.remove();
    }
  });

  it('throws typed errors for a bad image, a box outside the photo and a missing model', async () => {
    const detector = MaskDetector.fromModel(buildMaskModel({ size: 16, filters: [2, 2, 2] }));
    const flat = tf.zeros([16, 16]);
    await expect(detector.classify(flat as never)).rejects.toMatchObject({
      code: 'BAD_IMAGE_TENSOR',
    });
    const photo = tf.zeros([20, 20, 3]) as tf.Tensor3D;
    await expect(
      detector.classifyFaces(photo, [{ x: 30, y: 0, width: 5, height: 5 }]),
    ).rejects.toMatchObject({ code: 'BAD_BOX' });
    await expect(detector.classify('/no/such/face.png')).rejects.toMatchObject({
      code: 'IMAGE_UNREADABLE',
    });
    await expect(MaskDetector.load('/no/such/model.json')).rejects.toMatchObject({
      code: 'MODEL_UNREADABLE',
    });
    tf.dispose([flat, photo]);
    detector.dispose();
  });
});
