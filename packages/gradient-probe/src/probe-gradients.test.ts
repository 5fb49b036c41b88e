import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeGradients } from './probe-gradients.js';
import {
  addRow,
  columnSums,
  known,
  knownNet,
  matmul,
  seededDense,
  summary,
  tensorsLeftBy,
  transpose,
} from './test-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Forward and backward pass of the known net under MSE, in float64. */
function handComputed() {
  const { xs, ys, kernel1, bias1, kernel2, bias2 } = known;
  const z = addRow(matmul(xs, kernel1), bias1);
  const h = z.map((row) => row.map((value) => Math.max(0, value)));
  const out = addRow(matmul(h, kernel2), bias2);
  const count = out.length * (out[0] as number[]).length;
  const errors = out.map((row, n) => row.map((value, k) => value - (ys[n]?.[k] as number)));
  const loss = errors.flat().reduce((sum, e) => sum + e * e, 0) / count;
  const dOut = errors.map((row) => row.map((e) => (2 * e) / count));
  const dKernel2 = matmul(transpose(h), dOut);
  const dBias2 = columnSums(dOut);
  const dH = matmul(dOut, transpose(kernel2));
  const dZ = dH.map((row, n) => row.map((value, j) => ((z[n]?.[j] as number) > 0 ? value : 0)));
  const dKernel1 = matmul(transpose(xs), dZ);
  const dBias1 = columnSums(dZ);
  return { z, h, loss, dKernel1, dBias1, dKernel2, dBias2 };
}

describe('probeGradients on a two-layer net with known weights', () => {
  it('reports the gradient statistics computed by hand', () => {
    const model = knownNet();
    const expected = handComputed();
    const probe = probeGradients(model, tf.tensor2d(known.xs), tf.tensor2d(known.ys), {
      loss: 'meanSquaredError',
      learningRate: 0.05,
    });
    expect(probe.objectiveValue).toBeCloseTo(expected.loss, 4);
    expect(probe.layers.map((layer) => layer.layer)).toEqual(['hidden', 'out']);
    const [hidden, out] = probe.layers;
    const pairs = [
      [hidden?.kernel, expected.dKernel1, known.kernel1],
      [hidden?.bias, expected.dBias1, known.bias1],
      [out?.kernel, expected.dKernel2, known.kernel2],
      [out?.bias, expected.dBias2, known.bias2],
    ] as const;
    for (const [reported, gradient, weight] of pairs) {
      const want = summary(gradient);
      expect(reported?.maxAbs).toBeCloseTo(want.maxAbs, 3);
      expect(reported?.meanAbs).toBeCloseTo(want.meanAbs, 3);
      expect(reported?.l2Norm).toBeCloseTo(want.l2Norm, 3);
      const weightNorm = summary(weight).l2Norm;
      expect(reported?.weightNorm).toBeCloseTo(weightNorm, 5);
      expect(reported?.updateRatioLog10).toBeCloseTo(
        Math.log10((0.05 * want.l2Norm) / weightNorm),
        4,
      );
    }
    // The dead unit passes no gradient back: half of the hidden kernel's gradient is exactly 0.
    expect(hidden?.kernel?.zeroCount).toBe(2);
    expect(hidden?.kernel?.name).toBe('hidden/kernel');
    expect(hidden?.kernel?.shape).toEqual([2, 2]);
    expect(hidden?.kernel?.logHistogram.reduce((a, b) => a + b, 0)).toBe(2);
    expect(hidden?.activation).toMatchObject({
      activation: 'relu',
      units: 2,
      meanActivation: summary(expected.h).meanAbs,
      deadFraction: 0.5,
      inactiveFraction: 0.75,
      saturatedFraction: null,
    });
    expect(out?.activation).toBeNull();
    model.dispose();
  });

  it('agrees with central finite differences of the loss, weight by weight', () => {
    const model = tfl.sequential({
      layers: [seededDense(3, 'tanh', 11, { inputShape: [2] }), seededDense(2, 'softmax', 12)],
    });
    const xs = tf.tensor2d([
      [0.3, -0.8],
      [1.1, 0.4],
      [-0.5, 0.9],
    ]);
    const ys = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 0],
    ]);
    const probe = probeGradients(model, xs, ys, { loss: 'categoricalCrossentropy' });
    // getWeights returns the variables themselves: keep copies of the values to perturb.
    const original = model.getWeights().map((weight) => tf.clone(weight));
    const lossAt = (weights: tf.Tensor[]) => {
      model.setWeights(weights);
      return tf.tidy(() => {
        const prediction = model.predict(xs) as tf.Tensor;
        return tf.mean(tfl.metrics.categoricalCrossentropy(ys, prediction)).dataSync()[0] as number;
      });
    };
    const step = 1e-2;
    original.forEach((weight, w) => {
      const values = Array.from(weight.dataSync());
      const differences = values.map((value, i) => {
        const shifted = (delta: number) =>
          original.map((other, o) => {
            if (o !== w) return other;
            const changed = values.slice();
            changed[i] = value + delta;
            return tf.tensor(changed, weight.shape);
          });
        const plus = shifted(step);
        const minus = shifted(-step);
        const difference = (lossAt(plus) - lossAt(minus)) / (2 * step);
        tf.dispose([plus[w] as tf.Tensor, minus[w] as tf.Tensor]);
        return difference;
      });
      const layer = probe.layers[Math.floor(w / 2)];
      const reported = w % 2 === 0 ? layer?.kernel : layer?.bias;
      const want = summary(differences);
      expect(reported?.maxAbs).toBeCloseTo(want.maxAbs, 3);
      expect(reported?.meanAbs).toBeCloseTo(want.meanAbs, 3);
      expect(reported?.l2Norm).toBeCloseTo(want.l2Norm, 3);
    });
    tf.dispose(original);
    model.dispose();
  });

  it('gives max |∂(sum of a layer’s outputs)/∂x| for the input target, as computed by hand', () => {
    const model = knownNet();
    const { z } = handComputed();
    const active = z.map((row) => row.map((value) => (value > 0 ? 1 : 0)));
    // ∂Σh/∂x[n][i] = Σ_j W1[i][j]·active[n][j];  ∂Σout/∂x[n][i] = Σ_j W1[i][j]·active[n][j]·W2[j].
    const hiddenGradient = active.map((row) =>
      known.kernel1.map((weights) =>
        weights.reduce((sum, w, j) => sum + w * (row[j] as number), 0),
      ),
    );
    const outGradient = active.map((row) =>
      known.kernel1.map((weights) =>
        weights.reduce(
          (sum, w, j) => sum + w * (row[j] as number) * (known.kernel2[j]?.[0] ?? 0),
          0,
        ),
      ),
    );
    const probe = probeGradients(model, tf.tensor2d(known.xs), null, { target: 'input' });
    expect(probe.objective).toBeNull();
    expect(probe.layers[0]?.kernel).toBeNull();
    expect(probe.layers[0]?.inputGradient?.maxAbs).toBeCloseTo(summary(hiddenGradient).maxAbs, 5);
    expect(probe.layers[0]?.inputGradient?.l2Norm).toBeCloseTo(summary(hiddenGradient).l2Norm, 5);
    expect(probe.layers[1]?.inputGradient?.maxAbs).toBeCloseTo(summary(outGradient).maxAbs, 5);
    expect(probe.layers[0]?.activation?.deadFraction).toBe(0.5);
    model.dispose();
  });

  it('differentiates the sum of the outputs, label-free, for an untrained uncompiled model', () => {
    const model = knownNet();
    const { h } = handComputed();
    // Σ out = Σ_n h_n·W2 + n·b2: ∂/∂W2 = Σ_n h_n, ∂/∂b2 = n.
    const probe = probeGradients(model, tf.tensor2d(known.xs), null, { objective: 'outputSum' });
    expect(probe.objective).toBe('outputSum');
    expect(probe.layers[1]?.kernel?.l2Norm).toBeCloseTo(summary(columnSums(h)).l2Norm, 5);
    expect(probe.layers[1]?.bias?.maxAbs).toBeCloseTo(2, 6);
    model.dispose();
  });

  it('computes both targets in one call with target both', () => {
    const model = knownNet();
    const probe = probeGradients(model, tf.tensor2d(known.xs), tf.tensor2d(known.ys), {
      target: 'both',
      loss: 'meanSquaredError',
    });
    expect(probe.layers[0]?.kernel?.maxAbs).toBeGreaterThan(0);
    expect(probe.layers[0]?.inputGradient?.maxAbs).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('update-to-weight ratios', () => {
  it('measures the step actually taken: for SGD it equals the step the probe predicted', () => {
    const model = knownNet();
    const xs = tf.tensor2d(known.xs);
    const ys = tf.tensor2d(known.ys);
    const learningRate = 0.001;
    const before = probeGradients(model, xs, ys, { loss: 'meanSquaredError', learningRate });
    const previousWeights = model.trainableWeights.map((weight) => tf.clone(weight.read()));
    const optimizer = tf.train.sgd(learningRate);
    optimizer.minimize(() => tf.mean(tf.square(tf.sub(model.apply(xs) as tf.Tensor, ys))));
    const after = probeGradients(model, xs, ys, {
      loss: 'meanSquaredError',
      learningRate,
      previousWeights,
    });
    for (const [i, layer] of after.layers.entries()) {
      expect(layer.kernel?.appliedUpdateRatioLog10).toBeCloseTo(
        before.layers[i]?.kernel?.updateRatioLog10 as number,
        3,
      );
      expect(before.layers[i]?.kernel?.appliedUpdateRatioLog10).toBeNull();
    }
    tf.dispose(previousWeights);
    optimizer.dispose();
    model.dispose();
  });
});

describe('dead and saturated units', () => {
  it('counts ReLU units that a negative bias keeps off for every sample as dead', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 8,
          activation: 'relu',
          inputShape: [4],
          kernelInitializer: tfl.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }),
          // Inputs lie in [0, 1] and |w| ≤ 1, so a bias of −5 keeps a unit below 0 always.
          biasInitializer: tfl.initializers.constant({ value: 0 }),
        }),
      ],
    });
    const [kernel] = model.getWeights();
    model.setWeights([kernel as tf.Tensor, tf.tensor1d([0, -5, 0, -5, -5, 0, 0, 0])]);
    const xs = tf.randomUniform([64, 4], 0, 1, 'float32', 4);
    const probe = probeGradients(model, xs, null, { objective: 'outputSum' });
    const values = tf.tidy(() => (model.predict(xs) as tf.Tensor).arraySync() as number[][]);
    const neverOn = [0, 1, 2, 3, 4, 5, 6, 7].filter((unit) =>
      values.every((row) => row[unit] === 0),
    );
    expect(neverOn).toEqual(expect.arrayContaining([1, 3, 4]));
    expect(probe.layers[0]?.activation?.deadFraction).toBe(neverOn.length / 8);
    model.dispose();
  });

  it('counts saturated tanh and sigmoid outputs when the weights are large', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 4,
          activation: 'tanh',
          inputShape: [3],
          kernelInitializer: tfl.initializers.constant({ value: 5 }),
        }),
        tfl.layers.dense({
          units: 2,
          activation: 'sigmoid',
          kernelInitializer: tfl.initializers.constant({ value: 0.1 }),
        }),
      ],
    });
    // Sample 1 drives every tanh unit to tanh(15) > 0.99; sample 2 to tanh(0.05): half saturate.
    const xs = tf.tensor2d([
      [1, 1, 1],
      [0.01, 0, 0],
    ]);
    const probe = probeGradients(
      model,
      xs,
      tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      {
        loss: 'binaryCrossentropy',
      },
    );
    expect(probe.layers[0]?.activation).toMatchObject({
      activation: 'tanh',
      saturatedFraction: 0.5,
      saturatedUnitFraction: 0,
      deadFraction: null,
    });
    // sigmoid(0.4·tanh(·)) stays near 0.5: nothing saturates.
    expect(probe.layers[1]?.activation?.saturatedFraction).toBe(0);
    model.setWeights([tf.fill([3, 4], 5), tf.zeros([4]), tf.fill([4, 2], 10), tf.zeros([2])]);
    const saturated = probeGradients(
      model,
      xs,
      tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      {
        loss: 'binaryCrossentropy',
      },
    );
    // Sample 1: sigmoid(40) > 0.99 on both units; sample 2: sigmoid(10·4·tanh(0.05)) ≈ 0.88.
    expect(saturated.layers[1]?.activation?.saturatedFraction).toBe(0.5);
    model.dispose();
  });
});

describe('NaN and Inf', () => {
  it('counts them in outputs and gradients when the input holds Inf', () => {
    const model = knownNet();
    const probe = probeGradients(
      model,
      tf.tensor2d([
        [Number.POSITIVE_INFINITY, 1],
        [1, 1],
      ]),
      tf.tensor2d(known.ys),
      { loss: 'meanSquaredError' },
    );
    const [hidden, out] = probe.layers;
    expect(hidden?.outputInfCount).toBe(1);
    expect(hidden?.activation?.infCount).toBe(1);
    expect(out?.outputInfCount).toBe(1);
    expect(Number.isFinite(probe.objectiveValue)).toBe(false);
    const gradientProblems = (hidden?.kernel?.nanCount ?? 0) + (hidden?.kernel?.infCount ?? 0);
    expect(gradientProblems).toBeGreaterThan(0);
    model.dispose();
  });

  it('counts them in weights and gradients when a weight is NaN', () => {
    const model = knownNet();
    const weights = model.getWeights();
    model.setWeights([
      tf.tensor2d([
        [Number.NaN, -1],
        [2, 0.5],
      ]),
      ...weights.slice(1),
    ]);
    const probe = probeGradients(model, tf.tensor2d(known.xs), tf.tensor2d(known.ys), {
      loss: 'meanSquaredError',
    });
    expect(probe.layers[0]?.kernel?.nonFiniteWeights).toBe(1);
    expect(probe.layers[0]?.outputNanCount).toBeGreaterThan(0);
    expect(probe.layers[1]?.kernel?.nanCount).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('models of every shape', () => {
  it('probes a functional model with a branch; a softmax head passes no gradient to its input', () => {
    const input = tfl.input({ shape: [3] });
    const a = seededDense(4, 'relu', 1, { name: 'a' }).apply(input) as tfl.SymbolicTensor;
    const b = seededDense(4, 'tanh', 2, { name: 'b' }).apply(input) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate().apply([a, b]) as tfl.SymbolicTensor;
    const output = seededDense(2, 'softmax', 3, { name: 'head' }).apply(
      joined,
    ) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const xs = tf.randomNormal([5, 3], 0, 1, 'float32', 5);
    const probe = probeGradients(model, xs, null, { objective: 'outputSum', target: 'both' });
    expect(probe.layers.map((layer) => layer.layer)).toEqual(['a', 'b', 'head']);
    // Σ softmax = 1 for every sample: its sum does not depend on anything.
    expect(probe.layers[2]?.inputGradient?.maxAbs).toBeLessThan(1e-5);
    expect(probe.layers[2]?.kernel?.maxAbs).toBeLessThan(1e-5);
    expect(probe.layers[0]?.inputGradient?.maxAbs).toBeGreaterThan(0);
    expect(probe.layers[1]?.activation?.activation).toBe('tanh');
    expect(probe.layers[2]?.activation).toMatchObject({
      activation: 'softmax',
      deadFraction: null,
      saturatedFraction: null,
    });
    model.dispose();
  });

  it('looks inside a nested Sequential and reports what the flat model reports', () => {
    const inner = tfl.sequential({
      name: 'encoder',
      layers: [
        seededDense(5, 'tanh', 21, { inputShape: [4], name: 'enc1' }),
        seededDense(3, 'relu', 22, { name: 'enc2' }),
      ],
    });
    const input = tfl.input({ shape: [4] });
    const encoded = inner.apply(input) as tfl.SymbolicTensor;
    const output = seededDense(2, 'sigmoid', 23, { name: 'decision' }).apply(
      encoded,
    ) as tfl.SymbolicTensor;
    const nested = tfl.model({ inputs: input, outputs: output });
    const flat = tfl.sequential({
      layers: [
        seededDense(5, 'tanh', 21, { inputShape: [4] }),
        seededDense(3, 'relu', 22),
        seededDense(2, 'sigmoid', 23),
      ],
    });
    flat.setWeights(nested.getWeights());
    const xs = tf.randomNormal([6, 4], 0, 1, 'float32', 6);
    const ys = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0],
      [1, 0],
      [0, 1],
    ]);
    const options = { loss: 'binaryCrossentropy', target: 'both' } as const;
    const fromNested = probeGradients(nested, xs, ys, options);
    expect(tensorsLeftBy(() => probeGradients(nested, xs, ys, options))).toBe(0);
    const fromFlat = probeGradients(flat, xs, ys, options);
    expect(fromNested.layers.map((layer) => layer.path)).toEqual([
      'encoder/enc1',
      'encoder/enc2',
      'decision',
    ]);
    expect(fromNested.objectiveValue).toBeCloseTo(fromFlat.objectiveValue as number, 6);
    fromNested.layers.forEach((layer, i) => {
      const twin = fromFlat.layers[i];
      expect(layer.kernel?.l2Norm).toBeCloseTo(twin?.kernel?.l2Norm as number, 6);
      expect(layer.bias?.maxAbs).toBeCloseTo(twin?.bias?.maxAbs as number, 6);
      expect(layer.inputGradient?.maxAbs).toBeCloseTo(twin?.inputGradient?.maxAbs as number, 6);
      expect(layer.activation?.meanActivation).toBeCloseTo(
        twin?.activation?.meanActivation as number,
        6,
      );
    });
    nested.dispose();
    flat.dispose();
  });

  it('looks inside a Sequential added to a Sequential', () => {
    const inner = tfl.sequential({
      name: 'block',
      layers: [
        seededDense(4, 'relu', 24, { inputShape: [3], name: 'b1' }),
        seededDense(4, 'tanh', 25, { name: 'b2' }),
      ],
    });
    const outer = tfl.sequential({
      layers: [inner, seededDense(2, 'softmax', 26, { name: 'top' })],
    });
    const probe = probeGradients(outer, tf.randomNormal([5, 3], 0, 1, 'float32', 27), null, {
      objective: 'outputSum',
      target: 'both',
    });
    expect(probe.layers.map((layer) => layer.path)).toEqual(['block/b1', 'block/b2', 'top']);
    expect(
      probe.layers.every((layer) => layer.kernel !== null && layer.inputGradient !== null),
    ).toBe(true);
    outer.dispose();
  });

  it('probes a convolutional net: a filter is a unit, batch-norm scales are other weights', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          activation: 'relu',
          inputShape: [6, 6, 1],
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 28 }),
          name: 'conv',
        }),
        tfl.layers.batchNormalization({ name: 'norm' }),
        tfl.layers.flatten(),
        seededDense(2, 'softmax', 29),
      ],
    });
    const [kernel, , ...rest] = model.getWeights();
    // Filter 2 gets a bias no input in [0, 1] can overcome: it is dead at every position.
    model.setWeights([kernel as tf.Tensor, tf.tensor1d([0, 0, -100, 0]), ...rest]);
    const xs = tf.randomUniform([3, 6, 6, 1], 0, 1, 'float32', 30);
    const probe = probeGradients(model, xs, null, { objective: 'outputSum' });
    const [conv, norm] = probe.layers;
    expect(conv?.activation?.units).toBe(4);
    const outputs = tf.tidy(() => (model.getLayer('conv').apply(xs) as tf.Tensor).arraySync());
    const filterOn = [0, 1, 2, 3].map((filter) =>
      (outputs as number[][][][])
        .flat(3)
        .some((_, i, all) => i % 4 === filter && (all[i] as number) > 0),
    );
    expect(filterOn[2]).toBe(false);
    expect(conv?.activation?.deadFraction).toBe(filterOn.filter((on) => !on).length / 4);
    expect(norm?.kernel).toBeNull();
    expect(norm?.others.map((weight) => weight.name)).toEqual(['norm/gamma', 'norm/beta']);
    model.dispose();
  });

  it('pools a shared layer’s calls and sums its gradient over them', () => {
    const shared = tfl.layers.dense({
      units: 2,
      activation: 'relu',
      name: 'shared',
      kernelInitializer: 'ones',
      biasInitializer: tfl.initializers.constant({ value: -1 }),
    });
    const left = tfl.input({ shape: [1] });
    const right = tfl.input({ shape: [1] });
    const added = tfl.layers
      .add()
      .apply([shared.apply(left), shared.apply(right)] as tfl.SymbolicTensor[]);
    const model = tfl.model({ inputs: [left, right], outputs: added as tfl.SymbolicTensor });
    // Left inputs 0 keep the units at relu(−1) = 0; right inputs 3 give relu(2) = 2.
    const probe = probeGradients(model, [tf.zeros([3, 1]), tf.fill([3, 1], 3)], null, {
      objective: 'outputSum',
    });
    expect(probe.layers).toHaveLength(1);
    expect(probe.layers[0]?.activation).toMatchObject({ deadFraction: 0, inactiveFraction: 0.5 });
    // Σ out = Σ over the right calls of (3w − 1) per unit: ∂/∂w = 3 · 3 samples = 9.
    expect(probe.layers[0]?.kernel?.maxAbs).toBeCloseTo(9, 5);
    model.dispose();
  });

  it('sums the losses of a model with two inputs and two outputs', () => {
    const first = tfl.input({ shape: [2] });
    const second = tfl.input({ shape: [3] });
    const merged = tfl.layers.concatenate().apply([first, second]) as tfl.SymbolicTensor;
    const hidden = seededDense(4, 'tanh', 31).apply(merged) as tfl.SymbolicTensor;
    const regression = seededDense(1, 'linear', 32).apply(hidden) as tfl.SymbolicTensor;
    const classes = seededDense(3, 'softmax', 33).apply(hidden) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [first, second], outputs: [regression, classes] });
    const xs = [
      tf.randomNormal([4, 2], 0, 1, 'float32', 7),
      tf.randomNormal([4, 3], 0, 1, 'float32', 8),
    ];
    const ys = [
      tf.randomNormal([4, 1], 0, 1, 'float32', 9),
      tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3),
    ];
    const probe = probeGradients(model, xs, ys, {
      loss: ['meanSquaredError', 'categoricalCrossentropy'],
    });
    const expected = tf.tidy(() => {
      const [y1, y2] = model.predict(xs) as tf.Tensor[];
      const mse = tf.mean(tfl.metrics.meanSquaredError(ys[0] as tf.Tensor, y1 as tf.Tensor));
      const cce = tf.mean(tfl.metrics.categoricalCrossentropy(ys[1] as tf.Tensor, y2 as tf.Tensor));
      return tf.add(mse, cce).dataSync()[0] as number;
    });
    expect(probe.objectiveValue).toBeCloseTo(expected, 5);
    expect(probe.layers).toHaveLength(3);
    model.dispose();
  });

  it('probes a model with a single layer (softmax regression)', () => {
    const model = tfl.sequential({ layers: [seededDense(3, 'softmax', 41, { inputShape: [4] })] });
    const probe = probeGradients(
      model,
      tf.ones([2, 4]),
      tf.tensor2d([
        [1, 0, 0],
        [0, 1, 0],
      ]),
      { loss: 'categoricalCrossentropy', target: 'both' },
    );
    expect(probe.layers).toHaveLength(1);
    expect(probe.layers[0]?.kernel?.l2Norm).toBeGreaterThan(0);
    model.dispose();
  });

  it('uses the compiled loss when no loss is given', () => {
    const model = knownNet();
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xs = tf.tensor2d(known.xs);
    const ys = tf.tensor2d(known.ys);
    const compiled = probeGradients(model, xs, ys);
    expect(compiled.objectiveValue).toBeCloseTo(handComputed().loss, 4);
    const custom = probeGradients(model, xs, ys, {
      loss: (yTrue, yPred) => tf.sum(tf.abs(tf.sub(yTrue, yPred))),
    });
    expect(custom.objectiveValue).toBeCloseTo(14.5 + 0.5, 4);
    model.dispose();
  });
});

describe('memory and weights', () => {
  it('frees every tensor it makes and leaves the weights as they were', () => {
    const model = knownNet();
    const xs = tf.tensor2d(known.xs);
    const ys = tf.tensor2d(known.ys);
    const weights = model.getWeights().map((weight) => Array.from(weight.dataSync()));
    probeGradients(model, xs, ys, { loss: 'meanSquaredError' });
    const options = [
      { loss: 'meanSquaredError' },
      { loss: 'meanSquaredError', target: 'both' },
      { objective: 'outputSum' },
      { target: 'input' },
    ] as const;
    for (const option of options) {
      expect(tensorsLeftBy(() => probeGradients(model, xs, ys, option))).toBe(0);
    }
    expect(model.getWeights().map((weight) => Array.from(weight.dataSync()))).toEqual(weights);
    model.dispose();
  });

  it('frees every tensor when it rejects the batch', () => {
    const model = knownNet();
    const xs = tf.tensor2d(known.xs);
    const short = tf.ones([1, 1]);
    expect(
      tensorsLeftBy(() => probeGradients(model, xs, short, { loss: 'meanSquaredError' })),
    ).toBe(0);
    expect(tensorsLeftBy(() => probeGradients(model, short, null, { target: 'input' }))).toBe(0);
    model.dispose();
  });
});
