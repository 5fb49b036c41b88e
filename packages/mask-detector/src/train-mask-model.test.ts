import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMaskModel } from './build-mask-model.js';
import { type MaskTrainingState, trainMaskModel } from './train-mask-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tinyData() {
  const size = 16;
  const images = tf.randomUniform([48, size, size, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const labels = Array.from({ length: 48 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const indices = labels.map((_, i) => i);
  return {
    size,
    data: {
      images,
      labels,
      classNames: ['with_mask', 'no_mask'],
      trainIndices: indices.slice(0, 32),
      validationIndices: indices.slice(32),
    },
  };
}

describe('trainMaskModel resume', () => {
  it('continues from the state of an epoch to the same records and weights as an uninterrupted training', async () => {
    const { size, data } = tinyData();
    const options = { maxEpochs: 4, batchSize: 8, seed: 7, targetValidationAccuracy: 1.01 };
    const build = () => buildMaskModel({ size, filters: [2, 2, 2], learningRate: 0.01, seed: 7 });

    const whole = build();
    const uninterrupted = await trainMaskModel(whole, data, options);

    const split = build();
    let saved: MaskTrainingState | undefined;
    await expect(
      trainMaskModel(split, data, {
        ...options,
        onEpoch: (record, state) => {
          if (record.epoch < 2) return;
          // Keep a copy, as a checkpoint would, then die as if killed.
          saved = {
            ...state,
            ...(state.best
              ? { best: { ...state.best, weights: state.best.weights.map((w) => w.clone()) } }
              : {}),
          };
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect(saved?.epochs).toHaveLength(2);
    const resumed = await trainMaskModel(split, data, { ...options, resume: saved });

    const strip = (records: { seconds: number }[]) =>
      records.map(({ seconds: _s, ...rest }) => rest);
    expect(strip(resumed.epochs)).toEqual(strip(uninterrupted.epochs));
    expect(resumed.bestEpoch).toBe(uninterrupted.bestEpoch);
    const weights = (model: typeof whole) =>
      model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(split)).toEqual(weights(whole));
    for (const model of [whole, split]) {
      model.optimizer.dispose();
      model.dispose();
    }
    data.images.dispose();
  }, 60_000);
});
