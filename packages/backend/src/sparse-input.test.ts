import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { instantiateChosenKernels } from './dense-kernels.js';
import { availableKernels, buildStack, type StackSpec } from './dense-stack-fixtures.js';
import { createDenseTrainer } from './dense-trainer.js';
import type { OptimizerSpec } from './optimizer-spec.js';
import { SparseInput, type SparseInputMode, sparseDensityThreshold } from './sparse-input.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded MNIST-like samples: about `density` of the inputs non-zero, in [0, 1); one-hot labels. */
function sparseSamples(
  seed: number,
  count: number,
  inputSize: number,
  classes: number,
  density: number,
) {
  return tf.tidy(() => {
    const values = tf.randomUniform([count, inputSize], 0, 1, 'float32', seed);
    const keep = tf.less(tf.randomUniform([count, inputSize], 0, 1, 'float32', seed + 1), density);
    const labels = tf.randomUniform([count], 0, classes, 'int32', seed + 2);
    return {
      xs: tf.where(keep, values, tf.zerosLike(values)).dataSync() as Float32Array,
      ys: tf.cast(tf.oneHot(labels, classes), 'float32').dataSync() as Float32Array,
    };
  });
}

const stack: StackSpec = {
  inputSize: 97,
  widths: [35, 19],
  classes: 10,
  activation: 'relu',
  seed: 4,
};

describe.each(availableKernels())('the sparse first layer on $kernels kernels', ({ kernels }) => {
  it('trains bit for bit like the dense first layer (Adam, 3 epochs, 20 % non-zero inputs)', async () => {
    const data = sparseSamples(3, 150, stack.inputSize, stack.classes, 0.2);
    const weights: number[][][] = [];
    for (const sparseInputs of ['never', 'always', 'auto'] satisfies SparseInputMode[]) {
      const model = buildStack(stack);
      const trainer = await createDenseTrainer(model, {
        optimizer: { name: 'adam', learningRate: 0.01, label: 'Adam' },
        batchSize: 32,
        kernels,
        sparseInputs,
      });
      const order = Array.from({ length: 150 }, (_, i) => (i * 47) % 150);
      for (let epoch = 0; epoch < 3; epoch++)
        trainer.trainEpoch(data.xs, data.ys, { batchSize: 32, order });
      weights.push(model.getWeights().map((w) => Array.from(w.dataSync())));
      trainer.dispose();
      model.dispose();
    }
    expect(weights[1]).toEqual(weights[0]);
    expect(weights[2]).toEqual(weights[0]);
  });

  // Every optimizer (plain SGD takes the fused update of the touched columns, the others the
  // full gradient), on shapes with tile tails, densities down to mostly empty columns, a last
  // batch smaller than the others, and biases on or off.
  const optimizers: OptimizerSpec[] = [
    { name: 'sgd', learningRate: 0.1, label: 'SGD' },
    { name: 'momentum', learningRate: 0.05, momentum: 0.9, label: 'momentum' },
    { name: 'momentum', learningRate: 0.05, momentum: 0.9, useNesterov: true, label: 'Nesterov' },
    { name: 'adam', learningRate: 0.01 },
    { name: 'adagrad', learningRate: 0.05, label: 'Adagrad' },
    { name: 'adadelta', learningRate: 1, label: 'Adadelta' },
    { name: 'rmsprop', learningRate: 0.01, momentum: 0.5, label: 'RMSProp' },
  ];
  const cases = [
    { inputSize: 97, widths: [35, 19], density: 0.2, rows: 70, batchSize: 16, useBias: true },
    { inputSize: 784, widths: [128, 64], density: 0.19, rows: 40, batchSize: 32, useBias: true },
    { inputSize: 50, widths: [8], density: 0.03, rows: 45, batchSize: 20, useBias: false },
    { inputSize: 33, widths: [17, 9, 5], density: 0.34, rows: 9, batchSize: 1, useBias: true },
  ];
  it.each(optimizers)(
    'trains bit for bit like the dense first layer with $label on random shapes and densities',
    async (optimizer) => {
      for (const [index, shape] of cases.entries()) {
        const spec: StackSpec = { ...stack, ...shape, seed: 10 + index };
        const data = sparseSamples(
          20 + index,
          shape.rows,
          spec.inputSize,
          spec.classes,
          shape.density,
        );
        const weights: number[][][] = [];
        for (const sparseInputs of ['never', 'always'] satisfies SparseInputMode[]) {
          const model = buildStack(spec);
          const trainer = await createDenseTrainer(model, {
            optimizer,
            batchSize: shape.batchSize,
            kernels,
            sparseInputs,
          });
          for (let epoch = 0; epoch < 2; epoch++)
            trainer.trainEpoch(data.xs, data.ys, { batchSize: shape.batchSize });
          weights.push(model.getWeights().map((w) => Array.from(w.dataSync())));
          trainer.dispose();
          model.dispose();
        }
        expect(weights[1], `case ${index}`).toEqual(weights[0]);
      }
    },
    30_000,
  );

  it('indexes a batch in auto mode only when few enough inputs are non-zero', async () => {
    const { kernels: k } = await instantiateChosenKernels(kernels);
    const sparse = new SparseInput(k, 'auto', 50);
    let next = Math.ceil((k.__heap_base.value as number) / 64) * 64;
    const take = (floats: number) => {
      const offset = next;
      next += Math.ceil((floats * 4) / 64) * 64;
      return offset;
    };
    sparse.layout(take, 4);
    const x = take(200);
    const missing = next - k.memory.buffer.byteLength;
    if (missing > 0) k.memory.grow(Math.ceil(missing / 65536));
    const view = new Float32Array(k.memory.buffer, x, 200);
    const nonzero = Math.floor(sparseDensityThreshold * 200);
    view.fill(0);
    view.fill(0.5, 0, nonzero);
    expect(sparse.prepare(4, x)).toBe(true);
    view.fill(0.5, 0, nonzero + 1);
    expect(sparse.prepare(4, x)).toBe(false);
  });
});

describe('the sparseInputs option', () => {
  it('rejects an unknown mode, naming the valid ones', async () => {
    const model = buildStack(stack);
    await expect(
      createDenseTrainer(model, {
        optimizer: { name: 'sgd', learningRate: 0.1 },
        sparseInputs: 'sometimes' as SparseInputMode,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION', message: /'auto', 'always' or 'never'/ });
    model.dispose();
  });
});
