import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageAugmentation } from './augment.js';
import { AdversarialError } from './errors.js';
import { type ClassifierEpoch, trainMnistClassifier } from './train-classifier.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 8×8×1 images of 4 classes (a bright quadrant); `randomLabels` makes them unlearnable. */
function quadrants(
  count: number,
  randomLabels = false,
): { images: tf.Tensor4D; labels: tf.Tensor2D } {
  let state = 7;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const classes = Array.from({ length: count }, (_, i) => i % 4);
  const pixels = new Float32Array(count * 64);
  classes.forEach((label, n) => {
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const quadrant = (r < 4 ? 0 : 2) + (c < 4 ? 0 : 1);
        pixels[n * 64 + r * 8 + c] = (quadrant === label ? 0.6 : 0.1) + 0.3 * next();
      }
    }
  });
  const shown = randomLabels ? classes.map(() => Math.floor(next() * 4)) : classes;
  return tf.tidy(() => ({
    images: tf.tensor4d(pixels, [count, 8, 8, 1]),
    labels: tf.cast(tf.oneHot(tf.tensor1d(shown, 'int32'), 4), 'float32') as tf.Tensor2D,
  }));
}

function denseModel(): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.flatten({ inputShape: [8, 8, 1] }));
  model.add(
    tfl.layers.dense({
      units: 32,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
    }),
  );
  model.add(
    tfl.layers.dense({
      units: 4,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }),
    }),
  );
  return model;
}

describe('trainMnistClassifier', () => {
  it('learns a separable problem and measures validation and test accuracy', async () => {
    const train = quadrants(200);
    const test = quadrants(40);
    const result = await trainMnistClassifier({
      train,
      test,
      model: denseModel(),
      maxEpochs: 8,
      batchSize: 16,
      learningRate: 0.01,
    });
    expect(result.trainCount).toBe(180);
    expect(result.validationCount).toBe(20);
    expect(result.validationAccuracy).toBeGreaterThan(0.9);
    expect(result.testAccuracy).toBeGreaterThan(0.9);
    expect(result.epochs.length).toBeGreaterThan(0);
    result.model.dispose();
    tf.dispose([train, test]);
  });

  it('stops after `patience` epochs without progress and restores the best epoch’s weights', async () => {
    const train = quadrants(120, true);
    const before = tf.memory().numTensors;
    const snapshots = new Map<number, Float32Array[]>();
    const seen: ClassifierEpoch[] = [];
    const result = await trainMnistClassifier({
      train,
      model: denseModel(),
      maxEpochs: 40,
      patience: 2,
      batchSize: 8,
      learningRate: 0.02,
      onEpoch: (epoch, model) => {
        seen.push(epoch);
        snapshots.set(
          epoch.epoch,
          model.getWeights().map((w) => w.dataSync() as Float32Array),
        );
      },
    });
    expect(result.stoppedBy).toBe('patience');
    expect(result.epochs).toEqual(seen);
    expect(result.epochs.length).toBe(result.bestEpoch + 2);
    const accuracies = result.epochs.map((e) => e.validationAccuracy);
    expect(result.validationAccuracy).toBe(Math.max(...accuracies));
    expect(accuracies.indexOf(result.validationAccuracy) + 1).toBe(result.bestEpoch);
    const weights = result.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights).toEqual(snapshots.get(result.bestEpoch)?.map((w) => Array.from(w)));
    expect(weights).not.toEqual(snapshots.get(result.epochs.length)?.map((w) => Array.from(w)));
    // Only the model's own variables and optimizer state remain.
    result.model.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 16);
    tf.dispose(train);
  });

  it('is deterministic for a seed', async () => {
    const train = quadrants(80);
    const run = async () => {
      const result = await trainMnistClassifier({
        train,
        model: denseModel(),
        maxEpochs: 3,
        batchSize: 16,
        seed: 5,
      });
      result.model.dispose();
      return result.epochs.map(({ trainLoss, validationAccuracy }) => [
        trainLoss,
        validationAccuracy,
      ]);
    };
    expect(await run()).toEqual(await run());
    tf.dispose(train);
  });

  it('trains the default CNN for the images’ shape and class count', async () => {
    const train = quadrants(40);
    const result = await trainMnistClassifier({ train, maxEpochs: 1, batchSize: 20 });
    expect(result.model.inputs[0]?.shape).toEqual([null, 8, 8, 1]);
    expect(result.model.outputs[0]?.shape).toEqual([null, 4]);
    expect(result.epochs).toHaveLength(1);
    expect(result.stoppedBy).toBe('maxEpochs');
    result.model.dispose();
    tf.dispose(train);
  }, 30_000);

  it('starts no epoch that would overrun the time budget', async () => {
    const train = quadrants(80);
    const result = await trainMnistClassifier({
      train,
      model: denseModel(),
      maxEpochs: 1000,
      patience: 1000,
      timeBudgetSeconds: 0.3,
    });
    expect(result.stoppedBy).toBe('timeBudget');
    expect(result.epochs.length).toBeGreaterThan(0);
    result.model.dispose();
    tf.dispose(train);
  });

  it('rejects bad options and mismatched data with typed errors', async () => {
    const train = quadrants(20);
    const codeOf = async (options: Parameters<typeof trainMnistClassifier>[0]) =>
      trainMnistClassifier(options).then(
        () => 'resolved',
        (error: unknown) => (AdversarialError.isInstance(error) ? error.code : String(error)),
      );
    expect(await codeOf({ train, maxEpochs: 0 })).toBe('INVALID_OPTION');
    expect(await codeOf({ train, patience: 1.5 })).toBe('INVALID_OPTION');
    expect(await codeOf({ train, validationFraction: 1 })).toBe('INVALID_OPTION');
    expect(await codeOf({ train, learningRate: Number.NaN })).toBe('INVALID_OPTION');
    expect(await codeOf({ train, timeBudgetSeconds: 0 })).toBe('INVALID_OPTION');
    const fewLabels = tf.zeros([3, 4]) as tf.Tensor2D;
    expect(await codeOf({ train: { images: train.images, labels: fewLabels } })).toBe(
      'SHAPE_MISMATCH',
    );
    const wide = tf.zeros([20, 9, 9, 1]) as tf.Tensor4D;
    expect(
      await codeOf({ train: { images: wide, labels: train.labels }, model: denseModel() }),
    ).toBe('SHAPE_MISMATCH');
    tf.dispose([train, fewLabels, wide]);
  });

  it('trains batch by batch on augmented images when given an augmentation, deterministically', async () => {
    const train = quadrants(120);
    // Quadrant labels do not survive a mirror: shifts only.
    const augment = imageAugmentation({
      horizontalFlip: false,
      widthShiftRange: 0.1,
      heightShiftRange: 0.1,
    });
    const seen: number[] = [];
    const run = async () => {
      const result = await trainMnistClassifier({
        train,
        model: denseModel(),
        maxEpochs: 6,
        batchSize: 16,
        learningRate: 0.01,
        augment: (images, seed) => {
          seen.push(seed);
          return augment(images, seed);
        },
      });
      result.model.dispose();
      return result;
    };
    const first = await run();
    expect(first.validationAccuracy).toBeGreaterThan(0.9);
    // 108 training images in batches of 16: 7 batches per epoch, each with its own seed.
    expect(new Set(seen.slice(0, 14)).size).toBe(14);
    const second = await run();
    expect(second.epochs.map((e) => e.trainLoss)).toEqual(first.epochs.map((e) => e.trainLoss));
    tf.dispose(train);
  });

  it('resumes from a checkpoint with the same epochs as an uninterrupted run', async () => {
    const train = quadrants(80);
    const options = { train, maxEpochs: 4, patience: 10, batchSize: 16, seed: 9 };
    const whole = await trainMnistClassifier({ ...options, model: denseModel() });
    let checkpoint:
      | { weights: tf.Tensor[]; optimizer: tf.NamedTensorMap[string][]; best: tf.Tensor[] }
      | undefined;
    let best: tf.Tensor[] = [];
    const cut = await trainMnistClassifier({
      ...options,
      maxEpochs: 2,
      model: denseModel(),
      onEpoch: async (epoch, model) => {
        if (epoch.improved) {
          tf.dispose(best);
          best = model.getWeights().map((w) => w.clone());
        }
        if (epoch.epoch === 2) {
          const optimizer = (await model.optimizer.getWeights()).map(({ tensor }) =>
            tensor.clone(),
          );
          checkpoint = { weights: model.getWeights().map((w) => w.clone()), optimizer, best };
        }
      },
    });
    const optimizerNames = (await cut.model.optimizer.getWeights()).map(({ name }) => name);
    cut.model.dispose();
    const model = denseModel();
    model.setWeights(checkpoint?.weights ?? []);
    const resumed = await trainMnistClassifier({
      ...options,
      model,
      resume: {
        epochs: cut.epochs,
        bestWeights: checkpoint?.best ?? [],
        optimizerWeights: (checkpoint?.optimizer ?? []).map((tensor, i) => ({
          name: optimizerNames[i] as string,
          tensor,
        })),
      },
    });
    const figures = (result: typeof whole) =>
      result.epochs.map(({ epoch, trainLoss, validationAccuracy }) => [
        epoch,
        trainLoss,
        validationAccuracy,
      ]);
    expect(figures(resumed)).toEqual(figures(whole));
    expect(resumed.bestEpoch).toBe(whole.bestEpoch);
    whole.model.dispose();
    resumed.model.dispose();
    tf.dispose([train, ...(checkpoint?.weights ?? []), ...(checkpoint?.optimizer ?? []), ...best]);
  });
});
