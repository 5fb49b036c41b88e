import '@tensorflow/tfjs-backend-cpu';
import { maxAbsDifference } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { BackendError } from './backend-error.js';
import {
  availableKernels,
  buildStack,
  randomBatches,
  type StackSpec,
  stockOptimizer,
  trainStock,
  weightsOf,
} from './dense-stack-fixtures.js';
import { createDenseTrainer, type DenseTrainerOptions } from './dense-trainer.js';
import type { OptimizerSpec } from './optimizer-spec.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function compareWithStock(
  stack: StackSpec,
  optimizer: OptimizerSpec,
  steps: number,
  rows: number,
  kernels: DenseTrainerOptions['kernels'],
) {
  const stock = buildStack(stack);
  const fused = buildStack(stack);
  const initial = weightsOf(stock);
  weightsOf(fused).forEach((values, index) => {
    expect(maxAbsDifference(values, initial[index]!)).toBe(0);
  });
  const batches = randomBatches(stack.seed, steps, rows, stack.inputSize, stack.classes);
  const tfOptimizer = stockOptimizer(optimizer);
  const stockLosses = trainStock(stock, tfOptimizer, batches, stack.inputSize, stack.classes);
  tfOptimizer.dispose();
  const trainer = await createDenseTrainer(fused, { optimizer, batchSize: rows, kernels });
  const fusedLosses = batches.map(({ xs, ys }) => trainer.trainBatch(xs, ys));
  trainer.writeWeights();
  const stockWeights = weightsOf(stock);
  const fusedWeights = weightsOf(fused);
  const moved = maxAbsDifference(stockWeights[0]!, initial[0]!);
  const worst = Math.max(...stockWeights.map((w, i) => maxAbsDifference(w, fusedWeights[i]!)));
  const worstLoss = maxAbsDifference(stockLosses, fusedLosses);
  stock.dispose();
  fused.dispose();
  trainer.dispose();
  return { moved, worst, worstLoss };
}

const small: StackSpec = {
  inputSize: 13,
  widths: [9, 16, 7],
  classes: 5,
  activation: 'tanh',
  seed: 1,
};

// The whole suite runs on each kernel set this machine has: native and WebAssembly.
describe.each(availableKernels())('createDenseTrainer on $kernels kernels', ({ kernels }) => {
  const create = (model: tfl.LayersModel, options: DenseTrainerOptions) =>
    createDenseTrainer(model, { ...options, kernels });
  const compare = (stack: StackSpec, optimizer: OptimizerSpec, steps: number, rows: number) =>
    compareWithStock(stack, optimizer, steps, rows, kernels);

  it('runs on the kernels it was asked for', async () => {
    const model = buildStack(small);
    const trainer = await create(model, { optimizer: { name: 'sgd', learningRate: 0.1 } });
    expect(trainer.kernels).toBe(kernels);
    trainer.dispose();
    model.dispose();
  });

  it('takes the same 20 SGD steps as stock tfjs within float32 rounding', async () => {
    const { moved, worst, worstLoss } = await compare(
      { ...small, inputSize: 37, widths: [32, 32, 32] },
      { name: 'sgd', learningRate: 0.1 },
      20,
      12,
    );
    expect(moved).toBeGreaterThan(1e-3);
    expect(worst).toBeLessThan(2e-5);
    expect(worstLoss).toBeLessThan(1e-5);
  });

  it('takes the same 20 Adam steps as stock tfjs within float32 rounding', async () => {
    const { moved, worst, worstLoss } = await compare(
      { ...small, activation: 'relu', seed: 7 },
      { name: 'adam', learningRate: 0.01 },
      20,
      10,
    );
    expect(moved).toBeGreaterThan(1e-2);
    expect(worst).toBeLessThan(5e-5);
    expect(worstLoss).toBeLessThan(1e-5);
  });

  const optimizers: OptimizerSpec[] = [
    { name: 'momentum', learningRate: 0.05, momentum: 0.9 },
    { name: 'momentum', learningRate: 0.05, momentum: 0.8, useNesterov: true },
    { name: 'adagrad', learningRate: 0.05 },
    { name: 'adadelta', learningRate: 1, rho: 0.9 },
    { name: 'rmsprop', learningRate: 0.01, decay: 0.9, momentum: 0.5 },
  ];
  for (const optimizer of optimizers) {
    it(`matches stock tfjs for ${JSON.stringify(optimizer)}`, async () => {
      const { moved, worst } = await compare(
        { ...small, activation: 'sigmoid', seed: 3 },
        optimizer,
        10,
        6,
      );
      expect(moved).toBeGreaterThan(1e-3);
      expect(worst).toBeLessThan(5e-5);
    });
  }

  const activations: StackSpec['activation'][] = [
    'relu',
    'relu6',
    'linear',
    'elu',
    'selu',
    'sigmoid',
    'leakyRelu',
    'lecunTanh',
    'actlabElu',
  ];
  for (const activation of activations) {
    it(`matches stock tfjs through ${activation} hidden layers`, async () => {
      const { moved, worst } = await compare(
        { ...small, activation, seed: 11 },
        { name: 'sgd', learningRate: 0.2 },
        8,
        5,
      );
      expect(moved).toBeGreaterThan(1e-3);
      expect(worst).toBeLessThan(3e-5);
    });
  }

  it('matches stock tfjs without biases, batch of 1, and widths that are not multiples of 4', async () => {
    const { worst } = await compare(
      { inputSize: 3, widths: [1, 6], classes: 2, activation: 'tanh', seed: 5, useBias: false },
      { name: 'sgd', learningRate: 0.5 },
      6,
      1,
    );
    expect(worst).toBeLessThan(2e-5);
  });

  it('trains 3 epochs in a seeded order without growing the number of live tensors', async () => {
    const model = buildStack(small);
    const trainer = await create(model, {
      optimizer: { name: 'adam', learningRate: 0.01 },
      batchSize: 16,
    });
    const [data] = randomBatches(21, 1, 100, small.inputSize, small.classes);
    const order = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    const losses: number[] = [];
    let before = 0;
    for (let epoch = 0; epoch < 3; epoch++) {
      const result = trainer.trainEpoch(data!.xs, data!.ys, { batchSize: 16, order });
      expect(result.batches).toBe(7);
      losses.push(result.loss);
      if (epoch === 0) before = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[2]!).toBeLessThan(losses[0]!);
    trainer.dispose();
    model.dispose();
  });

  for (const optimizer of [
    { name: 'adam', learningRate: 0.01 },
    { name: 'rmsprop', learningRate: 0.01, decay: 0.9, momentum: 0.5 },
  ] satisfies OptimizerSpec[]) {
    it(`continues ${optimizer.name} bit for bit in a new trainer from exported weights and state`, async () => {
      const batches = randomBatches(31, 6, 12, small.inputSize, small.classes);
      const whole = buildStack({ ...small, activation: 'tanh', seed: 9 });
      const split = buildStack({ ...small, activation: 'tanh', seed: 9 });
      const uninterrupted = await create(whole, { optimizer, batchSize: 12 });
      for (const { xs, ys } of batches) uninterrupted.trainBatch(xs, ys);
      uninterrupted.writeWeights();

      const first = await create(split, { optimizer, batchSize: 12 });
      for (const { xs, ys } of batches.slice(0, 3)) first.trainBatch(xs, ys);
      first.writeWeights();
      const state = structuredClone(first.exportState());
      first.dispose();
      const second = await create(split, { optimizer, batchSize: 12 });
      second.importState(state);
      for (const { xs, ys } of batches.slice(3)) second.trainBatch(xs, ys);
      second.writeWeights();

      expect(second.iterations).toBe(uninterrupted.iterations);
      const expected = whole.getWeights().map((w) => Array.from(w.dataSync()));
      const actual = split.getWeights().map((w) => Array.from(w.dataSync()));
      expect(actual).toEqual(expected);
      uninterrupted.dispose();
      second.dispose();
      whole.dispose();
      split.dispose();
    });
  }

  it('refuses optimizer state of another optimizer or model', async () => {
    const model = buildStack({ ...small, activation: 'relu', seed: 2 });
    const adam = await create(model, { optimizer: { name: 'adam' } });
    const momentum = await create(model, {
      optimizer: { name: 'momentum', learningRate: 0.1 },
    });
    const state = adam.exportState();
    expect(() => momentum.importState(state)).toThrowError(/adam state/);
    const truncated = { ...state, slots: state.slots.slice(1) };
    expect(() => adam.importState(truncated)).toThrowError(
      expect.objectContaining({ code: 'STATE_MISMATCH' }),
    );
    adam.dispose();
    momentum.dispose();
    model.dispose();
  });

  it('predicts what model.predict does, from the trained weights', async () => {
    const model = buildStack(small);
    const trainer = await create(model, {
      optimizer: { name: 'sgd', learningRate: 0.5 },
      batchSize: 8,
    });
    const [data] = randomBatches(4, 1, 30, small.inputSize, small.classes);
    trainer.trainEpoch(data!.xs, data!.ys, { batchSize: 8 });
    const expected = tf.tidy(() =>
      (model.predict(tf.tensor2d(data!.xs, [30, small.inputSize])) as tf.Tensor).dataSync(),
    );
    expect(maxAbsDifference(trainer.predict(data!.xs), expected)).toBeLessThan(1e-6);
    trainer.dispose();
    model.dispose();
  });

  it('refuses a model that is not a Dense stack, saying why', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 4, inputShape: [3] }),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    await expect(create(model, { optimizer: { name: 'sgd', learningRate: 0.1 } })).rejects.toThrow(
      /Dropout/,
    );
    model.dispose();
  });

  it('rejects a batch whose width does not fit the model', async () => {
    const model = buildStack(small);
    const trainer = await create(model, {
      optimizer: { name: 'sgd', learningRate: 0.1 },
    });
    expect(() => trainer.trainBatch(new Float32Array(12), new Float32Array(5))).toThrow(
      BackendError,
    );
    trainer.dispose();
    model.dispose();
  });
});
