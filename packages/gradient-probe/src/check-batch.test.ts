import '@tensorflow/tfjs-backend-cpu';
import { ActlabError } from '@actlab/errors';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { GradientProbeError } from './probe-error.js';
import { probeGradients } from './probe-gradients.js';
import { known, knownNet, seededDense } from './test-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function failure(action: () => unknown): { code: string; message: string; name: string } {
  try {
    action();
  } catch (error) {
    if (ActlabError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a GradientProbeError, nothing was thrown');
}

describe('bad probe batches', () => {
  const model = knownNet();
  const xs = tf.tensor2d(known.xs);
  const ys = tf.tensor2d(known.ys);

  it('names batch sizes that differ between xs and ys', () => {
    const error = failure(() =>
      probeGradients(model, xs, tf.ones([3, 1]), { loss: 'meanSquaredError' }),
    );
    expect(error).toBeInstanceOf(GradientProbeError);
    expect(error.name).toBe('GradientProbeError');
    expect(error.code).toBe('BATCH_MISMATCH');
    expect(error.message).toContain('xs has 2 samples but ys has 3');
  });

  it('names an input shape that does not fit and suggests the reshape when the sizes agree', () => {
    const flatModel = tfl.sequential({
      layers: [seededDense(2, 'relu', 1, { inputShape: [784] })],
    });
    const images = tf.zeros([3, 28, 28]);
    const error = failure(() => probeGradients(flatModel, images, null, { target: 'input' }));
    expect(error.code).toBe('SHAPE_MISMATCH');
    expect(error.message).toContain('expects inputs of shape [n, 784], got [3, 28, 28]');
    expect(error.message).toContain('tf.reshape(xs, [-1, 784])');
    expect(failure(() => probeGradients(model, tf.ones([2, 3]), ys)).code).toBe('SHAPE_MISMATCH');
    flatModel.dispose();
  });

  it('names targets shaped unlike the output instead of broadcasting them', () => {
    const error = failure(() =>
      probeGradients(model, xs, tf.tensor1d([1, 0]), { loss: 'meanSquaredError' }),
    );
    expect(error.code).toBe('TARGET_SHAPE_MISMATCH');
    const classes = tfl.sequential({ layers: [seededDense(3, 'softmax', 2, { inputShape: [2] })] });
    const labels = tf.tensor1d([0, 2]);
    const oneHotHint = failure(() =>
      probeGradients(classes, xs, labels, { loss: 'categoricalCrossentropy' }),
    );
    expect(oneHotHint.message).toContain('tf.oneHot(labels, 3)');
    const sparse = probeGradients(classes, xs, labels, { loss: 'sparseCategoricalCrossentropy' });
    const oneHot = probeGradients(classes, xs, tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3), {
      loss: 'categoricalCrossentropy',
    });
    expect(sparse.objectiveValue).toBeCloseTo(oneHot.objectiveValue as number, 6);
    classes.dispose();
  });

  it('names a wrong number of input tensors, non-tensors, disposed and empty batches', () => {
    expect(failure(() => probeGradients(model, [xs, xs], ys)).code).toBe('INPUT_COUNT_MISMATCH');
    expect(failure(() => probeGradients(model, [[1, 2]] as never, ys)).code).toBe('INVALID_INPUT');
    const gone = tf.ones([2, 2]);
    gone.dispose();
    expect(failure(() => probeGradients(model, gone, ys)).message).toContain('disposed');
    expect(
      failure(() => probeGradients(model, tf.zeros([0, 2]), null, { target: 'input' })).code,
    ).toBe('INVALID_INPUT');
  });

  it('names a model it cannot probe: not a tfjs-layers model, or an empty Sequential', () => {
    expect(failure(() => probeGradients({ inputs: [] } as never, xs, null)).code).toBe(
      'INVALID_INPUT',
    );
    const unbuilt = tfl.sequential();
    const error = failure(() => probeGradients(unbuilt, xs, null, { target: 'input' }));
    expect(error.code).toBe('MODEL_NOT_BUILT');
    expect(error.message).toContain('inputShape');
  });

  it('asks for targets when the loss needs them', () => {
    const error = failure(() => probeGradients(model, xs, null, { loss: 'meanSquaredError' }));
    expect(error.code).toBe('MISSING_TARGETS');
    expect(error.message).toContain("objective: 'outputSum'");
  });

  it('rejects options it does not know', () => {
    expect(failure(() => probeGradients(model, xs, ys, { target: 'bias' as never })).code).toBe(
      'INVALID_OPTION',
    );
    expect(
      failure(() => probeGradients(model, xs, ys, { loss: 'meanSquaredError', learningRate: 0 }))
        .code,
    ).toBe('INVALID_OPTION');
    expect(
      failure(() =>
        probeGradients(model, xs, ys, { loss: 'meanSquaredError', previousWeights: [xs] }),
      ).message,
    ).toContain('previousWeights must hold 4');
  });
});
