import { ActlabError } from '@actlab/errors';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientProbeCallback } from './gradient-recorder.js';
import { probeGradients } from './probe-gradients.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Dense(2, relu) → Dense(1) with known weights; the second hidden unit can never fire (bias −10). */
function knownNet(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 2, activation: 'relu', inputShape: [2], name: 'hidden' }));
  model.add(tfl.layers.dense({ units: 1, name: 'out' }));
  model.setWeights([
    tf.tensor2d([
      [1, -1],
      [2, 0.5],
    ]),
    tf.tensor1d([0, -10]),
    tf.tensor2d([[3], [4]]),
    tf.tensor1d([0.5]),
  ]);
  return model;
}
const xs = () =>
  tf.tensor2d([
    [1, 2],
    [0.5, -1],
  ]);
const ys = () => tf.tensor2d([[1], [0]]);

describe('probeGradients on a two-layer net with known weights', () => {
  it('matches gradients and statistics computed by hand', () => {
    const model = knownNet();
    const probe = probeGradients(model, xs(), ys(), {
      loss: 'meanSquaredError',
      learningRate: 0.01,
    });
    // Forward: h = [[5, 0], [0, 0]], out = [15.5, 0.5], MSE = (14.5² + 0.5²) / 2.
    expect(probe.objective).toBeCloseTo(105.25, 4);
    const [hidden, out] = probe.layers;
    // dW2 = hᵀ·dout = [[72.5], [0]], db2 = 15; dW1 = [[43.5, 0], [87, 0]], db1 = [43.5, 0].
    expect(out?.kernel?.maxAbs).toBeCloseTo(72.5, 4);
    expect(out?.bias?.maxAbs).toBeCloseTo(15, 4);
    expect(hidden?.kernel?.maxAbs).toBeCloseTo(87, 4);
    expect(hidden?.kernel?.meanAbs).toBeCloseTo(32.625, 4);
    expect(hidden?.kernel?.l2Norm).toBeCloseTo(Math.sqrt(43.5 ** 2 + 87 ** 2), 3);
    expect(hidden?.kernel?.zeroCount).toBe(2);
    expect(hidden?.bias?.l2Norm).toBeCloseTo(43.5, 4);
    // ‖W1‖ = 2.5, so log10(0.01 · 97.27 / 2.5).
    expect(hidden?.kernel?.updateRatioLog10).toBeCloseTo(
      Math.log10((0.01 * Math.sqrt(9461.25)) / 2.5),
      4,
    );
    expect(hidden?.activation).toMatchObject({
      activation: 'relu',
      deadFraction: 0.5,
      meanActivation: 1.25,
      saturatedFraction: null,
    });
    expect(out?.activation).toBeNull();
    model.dispose();
  });

  it('agrees with central finite differences of the loss', () => {
    const model = knownNet();
    const probe = probeGradients(model, xs(), ys(), { loss: 'meanSquaredError' });
    const lossWith = (w00: number) => {
      const [kernel, ...rest] = model.getWeights();
      const changed = (kernel as tf.Tensor).bufferSync();
      changed.set(w00, 0, 0);
      model.setWeights([changed.toTensor(), ...rest]);
      return tf.tidy(
        () =>
          tf
            .mean(tf.square(tf.sub(model.predict(xs()) as tf.Tensor, ys())))
            .dataSync()[0] as number,
      );
    };
    const h = 1e-2;
    const difference = (lossWith(1 + h) - lossWith(1 - h)) / (2 * h);
    expect(difference).toBeCloseTo(43.5, 2);
    expect(probe.layers[0]?.kernel?.logHistogram.reduce((a, b) => a + b, 0)).toBe(2);
    model.dispose();
  });

  it('leaves the weights untouched and frees every tensor', () => {
    const model = knownNet();
    const input = xs();
    const target = ys();
    probeGradients(model, input, target, { loss: 'meanSquaredError' });
    const before = tf.memory().numTensors;
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    probeGradients(model, input, target, { loss: 'meanSquaredError', inputGradients: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weights);
    model.dispose();
  });
});

describe('activation judgements', () => {
  it('counts saturated tanh and sigmoid units', () => {
    const model = tfl.sequential();
    model.add(
      tfl.layers.dense({
        units: 4,
        activation: 'tanh',
        inputShape: [3],
        kernelInitializer: 'ones',
      }),
    );
    model.add(
      tfl.layers.dense({
        units: 2,
        activation: 'sigmoid',
        kernelInitializer: tfl.initializers.constant({ value: 0.1 }),
      }),
    );
    const input = tf.tensor2d([
      [5, 5, 5],
      [0.01, 0, 0],
    ]);
    const probe = probeGradients(
      model,
      input,
      tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      { loss: 'binaryCrossentropy' },
    );
    // Sample 1 drives every tanh unit to tanh(15) ≈ 1, sample 2 to tanh(0.01): half the pairs.
    expect(probe.layers[0]?.activation).toMatchObject({
      activation: 'tanh',
      saturatedFraction: 0.5,
      saturatedUnitFraction: 0,
      deadFraction: null,
    });
    expect(probe.layers[1]?.activation?.saturatedFraction).toBe(0);
    model.dispose();
  });

  it('counts NaN and Inf in gradients and activations', () => {
    const model = knownNet();
    const probe = probeGradients(
      model,
      tf.tensor2d([
        [Number.NaN, 1],
        [1, 1],
      ]),
      ys(),
      { loss: 'meanSquaredError' },
    );
    expect(probe.layers[0]?.kernel?.nanCount).toBeGreaterThan(0);
    expect(probe.layers[0]?.activation?.nanCount).toBeGreaterThan(0);
    model.dispose();
  });

  it('works on a functional model with a branch and on the sum of the outputs', () => {
    const input = tfl.input({ shape: [3] });
    const a = tfl.layers
      .dense({ units: 4, activation: 'relu', name: 'a' })
      .apply(input) as tfl.SymbolicTensor;
    const b = tfl.layers
      .dense({ units: 4, activation: 'tanh', name: 'b' })
      .apply(input) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate().apply([a, b]) as tfl.SymbolicTensor;
    const output = tfl.layers
      .dense({ units: 2, activation: 'softmax', name: 'head' })
      .apply(joined) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const probe = probeGradients(model, tf.ones([5, 3]), null, {
      objective: 'outputSum',
      inputGradients: true,
    });
    expect(probe.layers.map((layer) => layer.layer)).toEqual(['a', 'b', 'head']);
    expect(probe.layers[2]?.inputGradient?.maxAbs).toBeLessThan(1e-5);
    expect(probe.layers[0]?.inputGradient?.maxAbs).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('gradientProbeCallback', () => {
  it('records one probe per epoch inside model.fit, or every n batches', async () => {
    const model = tfl.sequential();
    model.add(
      tfl.layers.dense({
        units: 3,
        activation: 'relu',
        inputShape: [2],
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
    );
    model.add(
      tfl.layers.dense({
        units: 2,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
    );
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const trainX = tf.randomUniform([40, 2], -1, 1, 'float32', 3);
    const trainY = tf.oneHot(tf.cast(tf.greater(tf.sum(trainX, 1), 0), 'int32'), 2);
    const perEpoch = gradientProbeCallback({
      xs: tf.slice(trainX, 0, 8),
      ys: tf.slice(trainY, 0, 8),
    });
    const perBatches = gradientProbeCallback({
      xs: tf.slice(trainX, 0, 8),
      ys: tf.slice(trainY, 0, 8),
      every: { batches: 2 },
    });
    await model.fit(trainX, trainY, {
      epochs: 3,
      batchSize: 10,
      shuffle: false,
      verbose: 0,
      callbacks: [perEpoch, perBatches],
    });
    expect(perEpoch.series.map((record) => record.epoch)).toEqual([0, 1, 2]);
    expect(perBatches.series).toHaveLength(6);
    const saved = JSON.parse(JSON.stringify(perEpoch));
    expect(saved.series[2].probe.layers[0].kernel.l2Norm).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('bad input', () => {
  const codeOf = (action: () => unknown) => {
    try {
      action();
    } catch (error) {
      return ActlabError.isInstance(error) ? error.code : String(error);
    }
    return 'no error';
  };

  it('names the problem: batch sizes, input shape, loss name', () => {
    const model = knownNet();
    expect(codeOf(() => probeGradients(model, xs(), tf.ones([3, 1])))).toBe('BATCH_MISMATCH');
    expect(codeOf(() => probeGradients(model, tf.ones([2, 3]), ys()))).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => probeGradients(model, xs(), ys(), { loss: 'hinge' as never }))).toBe(
      'UNKNOWN_LOSS',
    );
    expect(codeOf(() => probeGradients(model, xs(), null))).toBe('INVALID_OPTION');
    model.dispose();
  });
});

describe('a model with a single layer', () => {
  it('is probed like any other (softmax regression)', () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] }));
    const probe = probeGradients(
      model,
      tf.ones([2, 4]),
      tf.tensor2d([
        [1, 0, 0],
        [0, 1, 0],
      ]),
      { inputGradients: true },
    );
    expect(probe.layers).toHaveLength(1);
    expect(probe.layers[0]?.kernel?.l2Norm).toBeGreaterThan(0);
    model.dispose();
  });
});
