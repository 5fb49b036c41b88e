import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { initializers } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { initializerFor } from './initializer-for.js';
import { getActivation } from './registry.js';

const shape = [64, 32];
const values = (initializer: { apply(shape: number[]): tf.Tensor }) =>
  tf.tidy(() => Array.from(initializer.apply(shape).dataSync()));

describe('initializerFor', () => {
  it('is exactly heNormal for relu and leCunNormal for linear, seed for seed', () => {
    expect(values(initializerFor('relu', { seed: 5 }))).toEqual(
      values(initializers.heNormal({ seed: 5 })),
    );
    expect(values(initializerFor('linear', { seed: 5 }))).toEqual(
      values(initializers.leCunNormal({ seed: 5 })),
    );
  });

  it("scales the same draws by the activation's gain", () => {
    const unit = values(initializerFor('linear', { seed: 9 }));
    for (const spec of ['tanh', 'selu', { name: 'leakyRelu', alpha: 0.2 }]) {
      const gain = getActivation(spec).gain;
      const scaled = values(initializerFor(spec, { seed: 9 }));
      scaled.forEach((value, index) => {
        expect(value).toBeCloseTo(gain * (unit[index] as number), 5);
      });
    }
  });

  it('gives the same weights twice for seed 0 (which tfjs alone would ignore)', () => {
    expect(values(initializerFor('tanh', { seed: 0 }))).toEqual(
      values(initializerFor('tanh', { seed: 0 })),
    );
  });

  it('rejects an unknown activation', () => {
    expect(() => initializerFor('nope')).toThrowError(/nope/);
  });
});
