import '@tensorflow/tfjs-backend-cpu';
import { maxAbsDifference } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { BackendError } from './backend-error.js';
import { createTrainer, type Trainer } from './create-trainer.js';
import type { OptimizerSpec } from './optimizer-spec.js';
import {
  decodeTensor,
  decodeTrainerState,
  type EncodedTrainerState,
  encodeTensor,
  encodeTrainerState,
  type TrainerKind,
} from './trainer-state.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const inputSize = 6;
const classes = 3;
const rows = 8;

/** A 6-5-4-3 tanh stack with seeded weights (fusable), or with batch normalisation (not). */
function buildModel(seed: number, fusable = true): tfl.Sequential {
  const model = tfl.sequential();
  [5, 4].forEach((units, index) => {
    model.add(
      tfl.layers.dense({
        units,
        activation: 'tanh',
        ...(index === 0 ? { inputShape: [inputSize] } : {}),
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + index }),
        biasInitializer: tfl.initializers.randomNormal({ stddev: 0.1, seed: seed + 10 + index }),
      }),
    );
  });
  if (!fusable) model.add(tfl.layers.batchNormalization());
  model.add(
    tfl.layers.dense({
      units: classes,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 20 }),
    }),
  );
  return model;
}

function batches(seed: number, count: number) {
  return Array.from({ length: count }, (_, index) =>
    tf.tidy(() => {
      const xs = tf.randomNormal([rows, inputSize], 0, 1, 'float32', seed + index);
      const labels = tf.randomUniform([rows], 0, classes, 'int32', seed + 100 + index);
      return {
        xs: xs.dataSync() as Float32Array,
        ys: tf.cast(tf.oneHot(labels, classes), 'float32').dataSync() as Float32Array,
      };
    }),
  );
}

const weightsOf = (model: tfl.LayersModel) =>
  model.getWeights().map((weight) => Array.from(weight.dataSync()));

const optimizers: OptimizerSpec[] = [
  { name: 'sgd', learningRate: 0.1 },
  { name: 'momentum', learningRate: 0.05, momentum: 0.9, useNesterov: true },
  { name: 'adam', learningRate: 0.01 },
  { name: 'adagrad', learningRate: 0.05 },
  { name: 'adadelta', learningRate: 1, rho: 0.9 },
  { name: 'rmsprop', learningRate: 0.01, decay: 0.9, momentum: 0.5 },
];

describe('createTrainer', () => {
  for (const kind of ['fused', 'tfjs'] satisfies TrainerKind[]) {
    for (const optimizer of optimizers) {
      it(`resumes ${optimizer.name} on the ${kind} trainer bit for bit from an encoded state`, async () => {
        const data = batches(7, 6);
        const whole = buildModel(3);
        const uninterrupted = await createTrainer(whole, { optimizer, trainer: kind });
        const expectedLosses = data.map(({ xs, ys }) => uninterrupted.trainBatch(xs, ys));
        uninterrupted.syncModel();

        const before = buildModel(3);
        const first = await createTrainer(before, { optimizer, trainer: kind });
        for (const { xs, ys } of data.slice(0, 3)) first.trainBatch(xs, ys);
        const saved = JSON.parse(JSON.stringify(encodeTrainerState(await first.exportState())));
        first.dispose();
        before.dispose();

        // Another seed: the resumed weights must come from the state, not the initialiser.
        const after = buildModel(99);
        const second = await createTrainer(after, { optimizer, trainer: kind });
        await second.importState(decodeTrainerState(saved));
        const losses = data.slice(3).map(({ xs, ys }) => second.trainBatch(xs, ys));
        second.syncModel();

        expect(second.kind).toBe(kind);
        expect(second.iterations).toBe(uninterrupted.iterations);
        expect(losses).toEqual(expectedLosses.slice(3));
        expect(weightsOf(after)).toEqual(weightsOf(whole));
        for (const trainer of [uninterrupted, second]) trainer.dispose();
        whole.dispose();
        after.dispose();
      });
    }
  }

  it('fuses a Dense stack under auto and trains other models with tfjs, saying why', async () => {
    const dense = buildModel(1);
    const other = buildModel(1, false);
    const fused = await createTrainer(dense, { optimizer: { name: 'sgd', learningRate: 0.1 } });
    const stock = await createTrainer(other, { optimizer: { name: 'sgd', learningRate: 0.1 } });
    expect(fused.kind).toBe('fused');
    expect(fused.notFusedReason).toBeUndefined();
    expect(stock.kind).toBe('tfjs');
    expect(stock.notFusedReason).toMatch(/BatchNormalization/i);
    const error = await createTrainer(other, {
      optimizer: { name: 'sgd', learningRate: 0.1 },
      trainer: 'fused',
    }).catch((caught: unknown) => caught);
    expect(BackendError.hasCode(error, 'TRAINER_UNAVAILABLE')).toBe(true);
    fused.dispose();
    stock.dispose();
    dense.dispose();
    other.dispose();
  });

  it('takes the same Adam steps on both trainers within float32 rounding', async () => {
    const data = batches(11, 10);
    const optimizer: OptimizerSpec = { name: 'adam', learningRate: 0.01 };
    const models = [buildModel(5), buildModel(5)];
    const trainers: Trainer[] = [
      await createTrainer(models[0]!, { optimizer, trainer: 'fused' }),
      await createTrainer(models[1]!, { optimizer, trainer: 'tfjs' }),
    ];
    const losses = trainers.map((trainer) => data.map(({ xs, ys }) => trainer.trainBatch(xs, ys)));
    expect(maxAbsDifference(losses[0]!, losses[1]!)).toBeLessThan(1e-5);
    const predictions = trainers.map((trainer) => trainer.predict(data[0]!.xs));
    expect(maxAbsDifference(predictions[0]!, predictions[1]!)).toBeLessThan(1e-5);
    for (const trainer of trainers) trainer.dispose();
    for (const model of models) model.dispose();
  });

  it('trains an epoch in a seeded order on tfjs as batch by batch, leaking no tensors', async () => {
    const data = batches(21, 1)[0]!;
    const order = [7, 2, 5, 0, 1, 6, 3, 4];
    const optimizer: OptimizerSpec = { name: 'momentum', learningRate: 0.1 };
    const byEpoch = buildModel(2);
    const byBatch = buildModel(2);
    const epochTrainer = await createTrainer(byEpoch, { optimizer, trainer: 'tfjs' });
    const batchTrainer = await createTrainer(byBatch, { optimizer, trainer: 'tfjs' });
    const result = epochTrainer.trainEpoch(data.xs, data.ys, { batchSize: 3, order });
    const pick = (values: Float32Array, width: number, samples: number[]) =>
      Float32Array.from(
        samples.flatMap((sample) => [...values.subarray(sample * width, (sample + 1) * width)]),
      );
    for (const samples of [order.slice(0, 3), order.slice(3, 6), order.slice(6)]) {
      batchTrainer.trainBatch(pick(data.xs, inputSize, samples), pick(data.ys, classes, samples));
    }
    expect(result.batches).toBe(3);
    expect(weightsOf(byEpoch)).toEqual(weightsOf(byBatch));
    // The optimizer's slots exist after the first epoch; later epochs must add no tensor.
    const tensorsBefore = tf.memory().numTensors;
    epochTrainer.trainEpoch(data.xs, data.ys, { batchSize: 3, order });
    epochTrainer.predict(data.xs);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    epochTrainer.dispose();
    batchTrainer.dispose();
    byEpoch.dispose();
    byBatch.dispose();
  });

  it('refuses a state of the other trainer kind or of another optimizer', async () => {
    const model = buildModel(4);
    const fused = await createTrainer(model, { optimizer: { name: 'adam' }, trainer: 'fused' });
    const stock = await createTrainer(model, {
      optimizer: { name: 'sgd', learningRate: 0.1 },
      trainer: 'tfjs',
    });
    const fusedState = await fused.exportState();
    await expect(stock.importState(fusedState)).rejects.toThrowError(/trainer: 'fused'/);
    const adamStock = await createTrainer(model, { optimizer: { name: 'adam' }, trainer: 'tfjs' });
    await expect(stock.importState(await adamStock.exportState())).rejects.toThrowError(/adam/);
    for (const trainer of [fused, stock, adamStock]) trainer.dispose();
    model.dispose();
  });
});

describe('decodeTrainerState', () => {
  it('rejects data that is not an encoded trainer state', () => {
    for (const bad of [
      null,
      {},
      { format: 1, trainer: 'gpu', iterations: 0, weights: [], slots: [] },
    ]) {
      expect(() => decodeTrainerState(bad as never)).toThrowError(/not a trainer state/);
    }
    const truncated: EncodedTrainerState = {
      format: 1,
      trainer: 'tfjs',
      optimizer: 'sgd',
      iterations: 1,
      weights: [{ name: 'w', shape: [2], dtype: 'float32', data: 'AAAAAA==' }],
      slots: [],
    };
    expect(() => decodeTrainerState(truncated)).toThrowError(/1 values for shape \[2\]/);
  });
});

describe('encodeTensor', () => {
  it('round-trips a tensor through JSON bit for bit, with its shape and dtype', () => {
    const values = tf.tensor2d(
      [
        [0.1, -2.5e-30, 3],
        [Number.MAX_VALUE, 1e-45, -0],
      ],
      [2, 3],
    );
    const counts = tf.tensor1d([3, 7], 'int32');
    const [back, backCounts] = JSON.parse(
      JSON.stringify([encodeTensor('w', values), encodeTensor('n', counts)]),
    ).map(decodeTensor);
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.dataSync())).toEqual(Array.from(values.dataSync()));
    expect(backCounts.dtype).toBe('int32');
    expect(Array.from(backCounts.dataSync())).toEqual([3, 7]);
    tf.dispose([values, counts, back, backCounts]);
  });
});
