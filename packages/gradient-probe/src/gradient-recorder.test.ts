import '@tensorflow/tfjs-backend-cpu';
import { ActlabError } from '@actlab/errors';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientProbeCallback } from './gradient-probe-callback.js';
import { createGradientRecorder, type GradientSeries } from './gradient-recorder.js';
import { probeGradients } from './probe-gradients.js';
import { known, knownNet, seededDense } from './test-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function classifier() {
  const model = tfl.sequential({
    layers: [seededDense(3, 'relu', 1, { inputShape: [2] }), seededDense(2, 'softmax', 2)],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  const xs = tf.randomUniform([40, 2], -1, 1, 'float32', 3);
  const ys = tf.tidy(() => tf.oneHot(tf.cast(tf.greater(tf.sum(xs, 1), 0), 'int32'), 2));
  return { model, xs, ys, probeXs: tf.slice(xs, 0, 8), probeYs: tf.slice(ys, 0, 8) };
}

describe('gradientProbeCallback inside model.fit', () => {
  it('records one probe per epoch, and one every n batches counted across epochs', async () => {
    const { model, xs, ys, probeXs, probeYs } = classifier();
    const perEpoch = gradientProbeCallback({ xs: probeXs, ys: probeYs });
    const perThreeBatches = gradientProbeCallback({
      xs: probeXs,
      ys: probeYs,
      every: { batches: 3 },
    });
    // 40 samples in batches of 10: 4 steps per epoch, 12 in all.
    await model.fit(xs, ys, {
      epochs: 3,
      batchSize: 10,
      shuffle: false,
      verbose: 0,
      callbacks: [perEpoch, perThreeBatches],
    });
    expect(perEpoch.series.map(({ epoch, batch, step }) => [epoch, batch, step])).toEqual([
      [0, null, 4],
      [1, null, 8],
      [2, null, 12],
    ]);
    expect(perThreeBatches.series.map(({ epoch, batch, step }) => [epoch, batch, step])).toEqual([
      [0, 2, 3],
      [1, 1, 6],
      [2, 0, 9],
      [2, 3, 12],
    ]);
    // The callback's last probe is the model as fit left it.
    const direct = probeGradients(model, probeXs, probeYs);
    expect(perEpoch.series[2]?.probe.layers[0]?.kernel?.l2Norm).toBeCloseTo(
      direct.layers[0]?.kernel?.l2Norm as number,
      6,
    );
    model.dispose();
  });

  it('measures the step fit actually took, and it matches the SGD step the probe predicts', async () => {
    const { model, probeXs, probeYs } = classifier();
    const callback = gradientProbeCallback({ xs: probeXs, ys: probeYs, learningRate: 0.1 });
    // One full batch per epoch, the probe batch itself: the step taken is −0.1·g(probe batch).
    const before = probeGradients(model, probeXs, probeYs, { learningRate: 0.1 });
    await model.fit(probeXs, probeYs, {
      epochs: 1,
      batchSize: 8,
      shuffle: false,
      verbose: 0,
      callbacks: [callback],
    });
    const applied = callback.series[0]?.probe.layers.map(
      (layer) => layer.kernel?.appliedUpdateRatioLog10,
    );
    const predicted = before.layers.map((layer) => layer.kernel?.updateRatioLog10);
    expect(applied).toHaveLength(2);
    applied?.forEach((value, i) => {
      expect(value).toBeCloseTo(predicted[i] as number, 3);
    });
    model.dispose();
  });

  it('saves as plain JSON with the histogram edges and the schedule', async () => {
    const { model, xs, ys, probeXs, probeYs } = classifier();
    const callback = gradientProbeCallback({ xs: probeXs, ys: probeYs, every: { batches: 2 } });
    await model.fit(xs, ys, { epochs: 1, batchSize: 20, verbose: 0, callbacks: [callback] });
    const saved = JSON.parse(JSON.stringify(callback)) as GradientSeries;
    expect(saved).toMatchObject({
      format: 'actlab-gradient-probe-series',
      version: 1,
      every: { batches: 2 },
    });
    expect(saved.activationBins).toHaveLength(101);
    expect(saved.logBins).toHaveLength(33);
    expect(saved.series).toHaveLength(1);
    expect(saved.series[0]?.probe.layers[0]?.activation?.histogram).toHaveLength(102);
    expect(saved.series[0]?.probe.layers[0]?.kernel?.l2Norm).toBeGreaterThan(0);
    model.dispose();
  });

  it('leaves no tensors behind once training ends', async () => {
    const { model, xs, ys, probeXs, probeYs } = classifier();
    await model.fit(xs, ys, { epochs: 1, batchSize: 10, verbose: 0 });
    const before = tf.memory().numTensors;
    await model.fit(xs, ys, { epochs: 2, batchSize: 10, verbose: 0 });
    const plainGrowth = tf.memory().numTensors - before;
    const callback = gradientProbeCallback({ xs: probeXs, ys: probeYs, every: { batches: 3 } });
    const start = tf.memory().numTensors;
    await model.fit(xs, ys, { epochs: 2, batchSize: 10, verbose: 0, callbacks: [callback] });
    expect(tf.memory().numTensors - start).toBe(plainGrowth);
    expect(callback.series.length).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('createGradientRecorder in a custom loop', () => {
  it('probes on its schedule and records the real step of any optimizer', () => {
    const model = knownNet();
    const xs = tf.tensor2d(known.xs);
    const ys = tf.tensor2d(known.ys);
    const recorder = createGradientRecorder({
      xs,
      ys,
      loss: 'meanSquaredError',
      every: { batches: 2 },
    });
    const optimizer = tf.train.adam(0.01);
    const recorded = [];
    for (let batch = 0; batch < 4; batch++) {
      recorder.beforeBatch(model);
      optimizer.minimize(() => tf.mean(tf.square(tf.sub(model.apply(xs) as tf.Tensor, ys))));
      recorded.push(recorder.afterBatch(model, { epoch: 0, batch }));
    }
    expect(recorder.afterEpoch(model, { epoch: 0 })).toBeNull();
    expect(recorded.map((entry) => entry?.step ?? null)).toEqual([null, 2, null, 4]);
    // Adam's early steps move every weight with a steady gradient by about the learning rate.
    // W1 has two such entries (the dead unit's column gets no gradient) and ‖W1‖ = 2.5, so
    // ‖Δw‖/‖w‖ ≈ 0.01·√2 / 2.5, where plain SGD(0.01) would take a step over 10 times larger.
    const kernel = recorder.series[0]?.probe.layers[0]?.kernel;
    const applied = kernel?.appliedUpdateRatioLog10 as number;
    expect(10 ** applied).toBeCloseTo((0.01 * Math.SQRT2) / 2.5, 3);
    expect((kernel?.updateRatioLog10 as number) - applied).toBeGreaterThan(1);
    const onDemand = recorder.record(model, { epoch: 0 });
    expect(onDemand.probe.layers[0]?.kernel?.appliedUpdateRatioLog10).toBeNull();
    recorder.dispose();
    optimizer.dispose();
    model.dispose();
  });

  it('rejects a schedule that is neither epoch nor a whole number of batches', () => {
    const xs = tf.tensor2d(known.xs);
    for (const every of [{ batches: 0 }, { batches: 1.5 }, 'step']) {
      try {
        createGradientRecorder({ xs, every: every as never });
        expect.unreachable();
      } catch (error) {
        expect(ActlabError.hasCode(error, 'INVALID_OPTION')).toBe(true);
      }
    }
  });
});
