import { ActlabError } from '@actlab/errors';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ActivationSpec, activationNames } from '../registry.js';
import { activationLayer } from './activation-layer.js';
import { learnedParameters } from './learned-parameters.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function modelWith(spec: ActivationSpec): tfl.Sequential {
  const model = tfl.sequential();
  model.add(
    tfl.layers.dense({
      units: 5,
      inputShape: [3],
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(activationLayer(spec, { name: 'act' }));
  model.add(
    tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
  );
  return model;
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

const specs: ActivationSpec[] = [
  ...activationNames,
  { name: 'leakyRelu', alpha: 0.1 },
  { name: 'elu', alpha: 2 },
  'learnableLinear',
  'prelu',
  'learnableSwish',
  'rational',
];

describe('activation layers', () => {
  it.each(specs.map((spec) => [typeof spec === 'string' ? spec : JSON.stringify(spec), spec]))(
    '%s survives model.save → tf.loadLayersModel with the same predictions',
    async (_, spec) => {
      const model = modelWith(spec as ActivationSpec);
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
});
