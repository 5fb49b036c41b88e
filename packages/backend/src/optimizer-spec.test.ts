import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { createTfjsOptimizer, optimizerSpecSchema, resolveOptimizer } from './optimizer-spec.js';

describe('optimizerSpecSchema', () => {
  it("accepts each optimizer's own settings, with tfjs's parameter names", () => {
    expect(optimizerSpecSchema.parse({ name: 'rmsprop', learningRate: 0.01, decay: 0.8 })).toEqual({
      name: 'rmsprop',
      learningRate: 0.01,
      decay: 0.8,
    });
    expect(
      optimizerSpecSchema.parse({
        name: 'adadelta',
        learningRate: 1,
        rho: 0.95,
        label: 'Adadelta',
      }),
    ).toEqual({ name: 'adadelta', learningRate: 1, rho: 0.95, label: 'Adadelta' });
  });

  it('refuses a setting the named optimizer does not take, and unknown optimizers', () => {
    expect(
      optimizerSpecSchema.safeParse({ name: 'rmsprop', learningRate: 0.01, rho: 0.9 }).success,
    ).toBe(false);
    expect(
      optimizerSpecSchema.safeParse({ name: 'sgd', learningRate: 0.01, momentum: 0.9 }).success,
    ).toBe(false);
    expect(optimizerSpecSchema.safeParse({ name: 'lion', learningRate: 0.01 }).success).toBe(false);
    expect(optimizerSpecSchema.safeParse({ name: 'sgd', learningRate: -1 }).success).toBe(false);
  });
});

describe('createTfjsOptimizer', () => {
  it('builds the tfjs optimizer the fused trainer mirrors, with the same settings', () => {
    const rmsprop = createTfjsOptimizer({ name: 'rmsprop', learningRate: 0.01, decay: 0.8 });
    expect(rmsprop.getClassName()).toBe('RMSProp');
    expect(resolveOptimizer(rmsprop)).toEqual(
      resolveOptimizer({ name: 'rmsprop', learningRate: 0.01, decay: 0.8 }),
    );
    const adam = createTfjsOptimizer({ name: 'adam' });
    expect(adam.getConfig()).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.999 });
    rmsprop.dispose();
    adam.dispose();
  });

  it('rejects an out-of-range setting with INVALID_OPTION', () => {
    expect(() => createTfjsOptimizer({ name: 'momentum', learningRate: Number.NaN })).toThrowError(
      /learningRate must be a finite number/,
    );
  });
});
