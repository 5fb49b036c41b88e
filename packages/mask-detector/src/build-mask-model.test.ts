import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMaskModel } from './build-mask-model.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function initialWeights(seed: number): number[][] {
  const model = buildMaskModel({ size: 16, filters: [2, 2, 2], seed });
  const weights = model.getWeights().map((weight) => Array.from(weight.dataSync()));
  model.optimizer.dispose();
  model.dispose();
  return weights;
}

describe('buildMaskModel', () => {
  // tfjs's heNormal draws from Math.random() when its seed is 0: the default seed must not be.
  it.each([0, 3])('gives the same initial weights twice for seed %i', (seed) => {
    expect(initialWeights(seed)).toEqual(initialWeights(seed));
  });

  it('gives other weights for another seed', () => {
    expect(initialWeights(1)).not.toEqual(initialWeights(0));
  });
});
