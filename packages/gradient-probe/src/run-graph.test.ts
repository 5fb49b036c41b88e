import '@tensorflow/tfjs-backend-cpu';
import { maxAbsDifference } from '@actlab/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LayerCall, leafLayers, runGraph } from './run-graph.js';
import { seededDense } from './test-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function sameAsPredict(model: tfl.LayersModel, inputs: tf.Tensor[]) {
  tf.tidy(() => {
    const expected = model.predict(inputs.length === 1 ? (inputs[0] as tf.Tensor) : inputs);
    const expectedList = Array.isArray(expected) ? expected : [expected];
    const actual = runGraph(model, inputs);
    expect(actual).toHaveLength(expectedList.length);
    actual.forEach((tensor, i) => {
      const want = expectedList[i] as tf.Tensor;
      expect(tensor.shape).toEqual(want.shape);
      expect(maxAbsDifference(tensor.dataSync(), want.dataSync())).toBeLessThan(1e-6);
    });
  });
}

describe('runGraph', () => {
  it('computes what model.predict computes, in inference mode (Dropout off, BatchNorm moving stats)', () => {
    const model = tfl.sequential({
      layers: [
        seededDense(6, 'relu', 1, { inputShape: [4] }),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.batchNormalization({
          movingMeanInitializer: tfl.initializers.constant({ value: 0.3 }),
          movingVarianceInitializer: tfl.initializers.constant({ value: 2 }),
        }),
        seededDense(3, 'softmax', 2),
      ],
    });
    sameAsPredict(model, [tf.randomNormal([5, 4], 0, 1, 'float32', 3)]);
    model.dispose();
  });

  it('runs functional models with branches, several inputs and several outputs', () => {
    const first = tfl.input({ shape: [3] });
    const second = tfl.input({ shape: [2] });
    const a = seededDense(4, 'tanh', 4).apply(first) as tfl.SymbolicTensor;
    const b = seededDense(4, 'relu', 5).apply(second) as tfl.SymbolicTensor;
    const sum = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
    const joined = tfl.layers.concatenate().apply([sum, a]) as tfl.SymbolicTensor;
    const outputs = [
      seededDense(2, 'sigmoid', 6).apply(joined) as tfl.SymbolicTensor,
      seededDense(1, 'linear', 7).apply(sum) as tfl.SymbolicTensor,
    ];
    const model = tfl.model({ inputs: [first, second], outputs });
    sameAsPredict(model, [
      tf.randomNormal([3, 3], 0, 1, 'float32', 8),
      tf.randomNormal([3, 2], 0, 1, 'float32', 9),
    ]);
    model.dispose();
  });

  it('reports the layers inside a nested Sequential with their scope, and matches predict', () => {
    const inner = tfl.sequential({
      name: 'inner',
      layers: [
        seededDense(3, 'tanh', 10, { inputShape: [2], name: 'in1' }),
        tfl.layers.activation({ activation: 'relu', name: 'in2' }),
      ],
    });
    const input = tfl.input({ shape: [2] });
    const output = seededDense(1, 'linear', 11, { name: 'top' }).apply(
      inner.apply(input) as tfl.SymbolicTensor,
    ) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const xs = tf.randomNormal([4, 2], 0, 1, 'float32', 12);
    sameAsPredict(model, [xs]);
    const calls: Pick<LayerCall, 'layer' | 'scope'>[] = [];
    tf.tidy(() => {
      runGraph(model, [xs], { onCall: ({ layer, scope }) => calls.push({ layer, scope }) });
    });
    expect(calls.map(({ layer, scope }) => [...scope, layer.name].join('/'))).toEqual([
      'inner/in1',
      'inner/in2',
      'top',
    ]);
    expect(leafLayers(model).map(({ layer, scope }) => [...scope, layer.name].join('/'))).toEqual([
      'inner/in1',
      'inner/in2',
      'top',
    ]);
    model.dispose();
  });

  it('carries masks from layer to layer as predict does (Embedding with maskZero, then an RNN)', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({
          inputDim: 10,
          outputDim: 3,
          inputLength: 4,
          maskZero: true,
          embeddingsInitializer: tfl.initializers.randomUniform({
            minval: -1,
            maxval: 1,
            seed: 16,
          }),
        }),
        tfl.layers.simpleRNN({
          units: 2,
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 17 }),
          recurrentInitializer: tfl.initializers.glorotUniform({ seed: 18 }),
        }),
      ],
    });
    // Trailing zeros are padding: with the mask the RNN stops early, without it the output changes.
    sameAsPredict(model, [
      tf.tensor2d(
        [
          [3, 1, 0, 0],
          [4, 5, 6, 0],
        ],
        undefined,
        'int32',
      ),
    ]);
    model.dispose();
  });

  it('calls a shared layer once per use', () => {
    const shared = seededDense(2, 'relu', 13, { name: 'shared' });
    const left = tfl.input({ shape: [2] });
    const right = tfl.input({ shape: [2] });
    const output = tfl.layers
      .concatenate()
      .apply([shared.apply(left), shared.apply(right)] as tfl.SymbolicTensor[]);
    const model = tfl.model({ inputs: [left, right], outputs: output as tfl.SymbolicTensor });
    const inputs = [tf.ones([2, 2]), tf.fill([2, 2], -1)];
    sameAsPredict(model, inputs);
    let sharedCalls = 0;
    tf.tidy(() => {
      runGraph(model, inputs, {
        onCall: ({ layer }) => {
          if (layer === shared) sharedCalls++;
        },
      });
    });
    expect(sharedCalls).toBe(2);
    model.dispose();
  });

  it('runs only the ancestors of the tensors it is asked to fetch', () => {
    const model = tfl.sequential({
      layers: [
        seededDense(3, 'relu', 14, { inputShape: [2], name: 'early' }),
        seededDense(2, 'tanh', 15, { name: 'late' }),
      ],
    });
    const called: string[] = [];
    const early = model.getLayer('early');
    tf.tidy(() => {
      runGraph(model, [tf.ones([1, 2])], {
        fetch: early.inboundNodes.flatMap((node) => node.outputTensors),
        onCall: ({ layer }) => called.push(layer.name),
      });
    });
    expect(called).toEqual(['early']);
    model.dispose();
  });
});
