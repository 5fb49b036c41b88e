import '@tensorflow/tfjs-backend-cpu';
import { ActlabError } from '@actlab/errors';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeGradients } from './probe-gradients.js';
import { known, knownNet } from './test-fixtures.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const codeOf = (action: () => unknown) => {
  try {
    action();
  } catch (error) {
    return ActlabError.isInstance(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return 'no error';
};

describe('the loss option', () => {
  const model = knownNet();
  const xs = tf.tensor2d(known.xs);
  const ys = tf.tensor2d(known.ys);

  it('rejects an unknown loss name and says what to do instead', () => {
    const result = codeOf(() => probeGradients(model, xs, ys, { loss: 'hinge' as never }));
    expect(result).toMatch(/^UNKNOWN_LOSS: unknown loss "hinge"/);
    expect(result).toContain('compile the model with it');
  });

  it('asks for a loss when the model is not compiled', () => {
    expect(codeOf(() => probeGradients(model, xs, ys))).toMatch(/^MISSING_LOSS/);
  });

  it('needs one loss per output when given a list', () => {
    const result = codeOf(() =>
      probeGradients(model, xs, ys, { loss: ['meanSquaredError', 'meanAbsoluteError'] }),
    );
    expect(result).toMatch(/^INVALID_OPTION: loss lists 2 losses but the model has 1 outputs/);
  });

  it('averages a per-sample loss function as model.fit does', () => {
    const perSample = probeGradients(model, xs, ys, {
      loss: (yTrue, yPred) => tf.sum(tf.square(tf.sub(yTrue, yPred)), -1),
    });
    const named = probeGradients(model, xs, ys, { loss: 'meanSquaredError' });
    expect(perSample.objectiveValue).toBeCloseTo(named.objectiveValue as number, 5);
    expect(perSample.layers[0]?.kernel?.l2Norm).toBeCloseTo(
      named.layers[0]?.kernel?.l2Norm as number,
      4,
    );
  });
});
