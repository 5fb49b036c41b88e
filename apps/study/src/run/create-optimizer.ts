import * as tf from '@tensorflow/tfjs-core';
import type { TrialSettings } from '../study/study-schema.js';

/** A fresh tfjs optimizer for a trial (never shared between trials). */
export function createOptimizer(spec: TrialSettings['optimizer']): tf.Optimizer {
  const { learningRate } = spec;
  switch (spec.name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, spec.momentum ?? 0.9);
    case 'adam':
      return tf.train.adam(
        learningRate,
        spec.beta1 ?? 0.9,
        spec.beta2 ?? 0.999,
        spec.epsilon ?? 1e-7,
      );
    case 'adagrad':
      return tf.train.adagrad(learningRate);
    case 'adadelta':
      return tf.train.adadelta(learningRate, spec.rho ?? 0.95, spec.epsilon ?? 1e-7);
    case 'rmsprop':
      return tf.train.rmsprop(
        learningRate,
        spec.rho ?? 0.9,
        spec.momentum ?? 0,
        spec.epsilon ?? 1e-7,
      );
  }
}
