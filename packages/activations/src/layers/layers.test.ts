import { ActlabError } from '@actlab/errors';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActivationSpec } from '../activation-spec-schema.js';
import { activationNames, learnableActivationNames } from '../registry.js';
import { type ActivationLayerOptions, activationLayer } from './activation-layer.js';
import type { ActlabActivation } from './actlab-activation.js';
import { learnedParameters } from './learned-parameters.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function modelWith(spec: ActivationSpec, options: ActivationLayerOptions = {}): tfl.Sequential {
  const model = tfl.sequential();
  model.add(
    tfl.layers.dense({
      units: 5,
      inputShape: [3],
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(activationLayer(spec, { ...options, name: 'act' }));
  model.add(
    tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
  );
  return model;
}

/** A layer never called on a symbolic input cannot be disposed: free its weights instead. */
function disposeWeights(layer: tfl.layers.Layer): void {
  for (const weight of layer.weights) weight.dispose();
}

async function roundTrip(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tfl.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
}

const cases: [ActivationSpec, ActivationLayerOptions][] = [
  ...activationNames.map((name): [ActivationSpec, ActivationLayerOptions] => [name, {}]),
  [{ name: 'leakyRelu', alpha: 0.1 }, {}],
  ['elu', { alpha: 2 }],
  ['learnableLinear', {}],
  ['learnableLinear', { perUnit: true, k0: 0.2 }],
  ['prelu', {}],
  [{ name: 'prelu', alpha: 0.1 }, { shared: true }],
  ['learnableSwish', {}],
  ['learnableSwish', { perUnit: true }],
  ['rational', {}],
];
const caseLabel = ([spec, options]: [ActivationSpec, ActivationLayerOptions]) =>
  `${typeof spec === 'string' ? spec : JSON.stringify(spec)}${Object.keys(options).length > 0 ? ` ${JSON.stringify(options)}` : ''}`;

describe('activation layers', () => {
  it.each(cases.map((testCase) => [caseLabel(testCase), ...testCase] as const))(
    '%s survives model.save → tf.loadLayersModel with the same predictions',
    async (_, spec, options) => {
      const model = modelWith(spec, options);
      const input = tf.tensor2d([
        [-2, 0.5, 3],
        [1, -1, 0.25],
        [4, -3, -0.5],
      ]);
      const loaded = await roundTrip(model);
      const expected = (model.predict(input) as tf.Tensor).arraySync() as number[][];
      const actual = (loaded.predict(input) as tf.Tensor).arraySync() as number[][];
      expect(actual).toEqual(expected);
      expect(loaded.getLayer('act').getClassName()).toBe(model.getLayer('act').getClassName());
      tf.dispose([input]);
      model.dispose();
      loaded.dispose();
    },
  );

  it.each(['learnableLinear', 'prelu', 'learnableSwish', 'rational'])(
    '%s changes its parameters when trained on a toy problem',
    async (name) => {
      const model = modelWith(name);
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
      const before = learnedParameters(model)[0]?.values ?? {};
      const xs = tf.tensor2d(
        Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 7) - 3]),
      );
      const ys = tf.tensor2d(
        Array.from({ length: 64 }, (_, i) => [Math.abs(Math.sin(i)) * 2, i % 7 > 3 ? 1 : -1]),
      );
      await model.fit(xs, ys, { epochs: 20, batchSize: 16, shuffle: false, verbose: 0 });
      const after = learnedParameters(model)[0]?.values ?? {};
      expect(Object.keys(after).length).toBeGreaterThan(0);
      for (const [key, values] of Object.entries(after)) {
        const change = Math.max(
          ...values.map((value, i) => Math.abs(value - (before[key]?.[i] ?? 0))),
        );
        expect(change, `${name}.${key} moved`).toBeGreaterThan(1e-3);
      }
      tf.dispose([xs, ys]);
      model.dispose();
    },
  );

  it('reports learned k0 and k1 per layer, one pair per unit when asked', () => {
    const model = tfl.sequential();
    model.add(tfl.layers.dense({ units: 4, inputShape: [2] }));
    model.add(activationLayer('learnableLinear', { name: 'g1' }));
    model.add(tfl.layers.dense({ units: 3 }));
    model.add(activationLayer('learnableLinear', { name: 'g2', perUnit: true, k0: 0.1 }));
    model.build([null, 2]);
    expect(learnedParameters(model)).toEqual([
      { layer: 'g1', activation: 'learnableLinear', values: { k0: [0.5], k1: [1] } },
      {
        layer: 'g2',
        activation: 'learnableLinear',
        values: { k0: [0.1, 0.1, 0.1].map((v) => Math.fround(v)), k1: [1, 1, 1] },
      },
    ]);
    model.dispose();
  });

  it('starts the rational activation close to leaky ReLU', () => {
    const layer = activationLayer('rational');
    const x = tf.linspace(-3, 3, 61);
    const y = layer.apply(x) as tf.Tensor;
    const target = tf.leakyRelu(x, 0.01);
    expect(tf.max(tf.abs(tf.sub(y, target))).dataSync()[0]).toBeLessThan(0.035);
    tf.dispose([x, y, target]);
  });

  it('rejects an unknown activation name with the valid choices', () => {
    let error: unknown;
    try {
      activationLayer('swishh');
    } catch (caught) {
      error = caught;
    }
    expect(ActlabError.hasCode(error, 'UNKNOWN_ACTIVATION')).toBe(true);
    expect((error as Error).message).toContain('learnableSwish');
  });

  it('takes parameters from the spec or the options, and saves every one of them', () => {
    const fromOptions = activationLayer('leakyRelu', { alpha: 0.1 }) as ActlabActivation;
    expect(fromOptions.activation.parameters).toEqual({ alpha: 0.1 });
    expect(fromOptions.getConfig().activation).toEqual({ name: 'leakyRelu', alpha: 0.1 });
    // Defaults are written out too, so a saved model keeps its meaning if a default changes.
    expect(activationLayer('leakyRelu').getConfig().activation).toEqual({
      name: 'leakyRelu',
      alpha: 0.01,
    });
    expect(activationLayer('relu').getConfig().activation).toBe('relu');
    const prelu = activationLayer({ name: 'prelu', alpha: 0.1 }, { shared: true });
    prelu.build([null, 3]);
    expect(prelu.getWeights()[0]?.shape).toEqual([1]);
    expect(prelu.getWeights()[0]?.dataSync()[0]).toBeCloseTo(0.1, 7);
    disposeWeights(prelu);
  });

  it('keeps no intermediate tensor when a learnable layer is applied', () => {
    for (const name of learnableActivationNames) {
      const perUnit = name === 'learnableLinear' || name === 'learnableSwish';
      const layer = activationLayer(name, perUnit ? { perUnit } : {});
      const x = tf.tensor2d([
        [-1, 0.5, 2],
        [3, -2, 0],
      ]);
      layer.build(x.shape);
      const before = tf.memory().numTensors;
      const y = layer.apply(x) as tf.Tensor;
      expect(tf.memory().numTensors, name).toBe(before + 1);
      tf.dispose([x, y]);
      disposeWeights(layer);
    }
  });

  it.each([
    ['relu', { perUnit: true }, 'INVALID_PARAMETER', 'takes no parameters'],
    ['leakyRelu', { beta: 1 }, 'INVALID_PARAMETER', 'its parameters are: alpha'],
    ['learnableSwish', { beta: Number.NaN }, 'INVALID_PARAMETER', 'beta must be a finite number'],
    ['learnableLinear', { k0: '1' }, 'INVALID_PARAMETER', 'k0 must be a finite number'],
    ['learnableLinear', { shared: true }, 'INVALID_PARAMETER', 'its settings are: k0, k1, perUnit'],
    ['prelu', { shared: 1 }, 'INVALID_PARAMETER', 'shared must be true or false'],
    ['rational', { numerator: [1, 2] }, 'INVALID_PARAMETER', 'array of 6 finite numbers'],
    [{ name: 'elu', alpha: -1 }, {}, 'INVALID_PARAMETER', 'alpha must be > 0'],
  ] as const)(
    'rejects %j with options %j: %s naming what is allowed',
    (spec, options, code, text) => {
      let error: unknown;
      try {
        activationLayer(spec, options as ActivationLayerOptions);
      } catch (caught) {
        error = caught;
      }
      expect(ActlabError.hasCode(error, code)).toBe(true);
      expect((error as Error).message).toContain(text);
    },
  );

  it('rejects one weight per unit when the number of units is unknown', () => {
    const layer = activationLayer('learnableSwish', { perUnit: true });
    expect(() => layer.build([null, null])).toThrow(
      /last axis of its input must have a known size/,
    );
    try {
      layer.build([null, null]);
    } catch (error) {
      expect(ActlabError.hasCode(error, 'INVALID_INPUT_SHAPE')).toBe(true);
    }
  });
});
