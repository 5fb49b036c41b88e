import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDropoutForStep } from './dropout-seeds.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function dropoutModel(seed: number): tfl.LayersModel {
  const model = tfl.sequential();
  model.add(tfl.layers.dropout({ inputShape: [64], rate: 0.5, seed }));
  return model;
}

/** The units a training-mode call keeps (1) and drops (0). */
function mask(model: tfl.LayersModel): number[] {
  return tf.tidy(() => {
    const kept = model.layers[0]?.apply(tf.ones([1, 64]), { training: true }) as tf.Tensor;
    return Array.from(kept.dataSync()).map((v) => (v > 0 ? 1 : 0));
  });
}

describe('seedDropoutForStep', () => {
  it('is needed: tfjs Dropout with a fixed seed drops the same units at every call', () => {
    const model = dropoutModel(5);
    const first = mask(model);
    expect(first).toContain(0);
    expect(first).toContain(1);
    expect(mask(model)).toEqual(first);
    model.dispose();
  });

  it('gives each step its own mask, the same one for the same step and seed, and puts the seed back', () => {
    const model = dropoutModel(5);
    const masks = [0, 1, 2].map((step) => {
      const restore = seedDropoutForStep(model, step);
      const drawn = mask(model);
      restore();
      return drawn;
    });
    expect(masks[1]).not.toEqual(masks[0]);
    expect(masks[2]).not.toEqual(masks[1]);
    const again = dropoutModel(5);
    const restore = seedDropoutForStep(again, 1);
    expect(mask(again)).toEqual(masks[1]);
    restore();
    expect(again.layers[0]?.getConfig().seed).toBe(5);
    expect(model.layers[0]?.getConfig().seed).toBe(5);
    model.dispose();
    again.dispose();
  });
});
