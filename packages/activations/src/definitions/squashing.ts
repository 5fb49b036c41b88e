import * as tf from '@tensorflow/tfjs-core';
import { defineActivation } from '../activation.js';
import { interval } from '../interval.js';
import { logistic, sech2, softplusScalar } from '../scalar-math.js';

const lecunScale = 1.7159;
const lecunSlope = 0.01;

/** The hyperbolic tangent. */
export const tanh = defineActivation({
  name: 'tanh',
  defaults: {},
  formula: () => '\\tanh(x)',
  fn: (x) => tf.tanh(x),
  derivative: (x) => tf.sub(1, tf.square(tf.tanh(x))),
  f: (x) => Math.tanh(x),
  df: (x) => sech2(x),
  range: () => interval('(', -1, 1, ')'),
  derivativeRange: () => interval('(', 0, 1, ']'),
  pytorchGain: () => 5 / 3,
});

/** The logistic sigmoid 1 / (1 + e^{−x}). */
export const sigmoid = defineActivation({
  name: 'sigmoid',
  defaults: {},
  formula: () => '\\frac{1}{1 + e^{-x}}',
  fn: (x) => tf.sigmoid(x),
  derivative: (x) => {
    const s = tf.sigmoid(x);
    return tf.mul(s, tf.sub(1, s));
  },
  f: (x) => logistic(x),
  df: (x) => logistic(x) * logistic(-x),
  range: () => interval('(', 0, 1, ')'),
  derivativeRange: () => interval('(', 0, 0.25, ']'),
  pytorchGain: () => 1,
});

/** LeCun's scaled tanh with a small linear term: 1.7159·tanh(2x/3) + 0.01x. */
export const lecunTanh = defineActivation({
  name: 'lecunTanh',
  defaults: {},
  formula: () => '1.7159\\,\\tanh\\left(\\tfrac{2x}{3}\\right) + 0.01\\,x',
  fn: (x) => tf.add(tf.mul(lecunScale, tf.tanh(tf.mul(x, 2 / 3))), tf.mul(lecunSlope, x)),
  derivative: (x) =>
    tf.add(
      tf.mul((lecunScale * 2) / 3, tf.sub(1, tf.square(tf.tanh(tf.mul(x, 2 / 3))))),
      lecunSlope,
    ),
  f: (x) => lecunScale * Math.tanh((2 * x) / 3) + lecunSlope * x,
  df: (x) => ((lecunScale * 2) / 3) * sech2((2 * x) / 3) + lecunSlope,
  range: () => interval('(', -Infinity, Infinity, ')'),
  derivativeRange: () => interval('(', lecunSlope, (lecunScale * 2) / 3 + lecunSlope, ']'),
});

/** x / (1 + |x|). */
export const softsign = defineActivation({
  name: 'softsign',
  defaults: {},
  formula: () => '\\frac{x}{1 + |x|}',
  fn: (x) => tf.div(x, tf.add(1, tf.abs(x))),
  derivative: (x) => tf.div(1, tf.square(tf.add(1, tf.abs(x)))),
  f: (x) => x / (1 + Math.abs(x)),
  df: (x) => 1 / (1 + Math.abs(x)) ** 2,
  range: () => interval('(', -1, 1, ')'),
  derivativeRange: () => interval('(', 0, 1, ']'),
});

/** Piecewise-linear sigmoid as Keras 3 and PyTorch define it: relu6(x + 3) / 6. */
export const hardSigmoid = defineActivation({
  name: 'hardSigmoid',
  defaults: {},
  formula: () => '\\frac{\\min(\\max(0, x + 3), 6)}{6}',
  fn: (x) => tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1),
  derivative: (x) => tf.mul(tf.cast(tf.less(tf.abs(x), 3), 'float32'), 1 / 6),
  f: (x) => Math.min(Math.max(x / 6 + 0.5, 0), 1),
  df: (x) => (Math.abs(x) < 3 ? 1 / 6 : 0),
  range: () => interval('[', 0, 1, ']'),
  derivativeRange: () => interval('[', 0, 1 / 6, ']'),
  kinks: () => [-3, 3],
});

/** Clipping to [min, max]. */
export const hardTanh = defineActivation({
  name: 'hardTanh',
  defaults: { min: -1, max: 1 },
  validate: ({ min, max }) =>
    min < max ? undefined : `min must be < max, got min=${min}, max=${max}`,
  formula: ({ min, max }) => `\\min(\\max(${min}, x), ${max})`,
  fn: (x, { min, max }) => tf.clipByValue(x, min, max),
  derivative: (x, { min, max }) =>
    tf.cast(tf.logicalAnd(tf.greater(x, min), tf.less(x, max)), 'float32'),
  f: (x, { min, max }) => Math.min(Math.max(min, x), max),
  df: (x, { min, max }) => (x > min && x < max ? 1 : 0),
  range: ({ min, max }) => interval('[', min, max, ']'),
  derivativeRange: () => interval('[', 0, 1, ']'),
  kinks: ({ min, max }) => [min, max],
});

/** log σ(x) = −softplus(−x). */
export const logSigmoid = defineActivation({
  name: 'logSigmoid',
  defaults: {},
  formula: () => '\\log \\frac{1}{1 + e^{-x}}',
  fn: (x) => tf.logSigmoid(x),
  derivative: (x) => tf.sigmoid(tf.neg(x)),
  f: (x) => -softplusScalar(-x),
  df: (x) => logistic(-x),
  range: () => interval('(', -Infinity, 0, ')'),
  derivativeRange: () => interval('(', 0, 1, ')'),
});

/** x − tanh(x). */
export const tanhShrink = defineActivation({
  name: 'tanhShrink',
  defaults: {},
  formula: () => 'x - \\tanh(x)',
  fn: (x) => tf.sub(x, tf.tanh(x)),
  derivative: (x) => tf.square(tf.tanh(x)),
  f: (x) => x - Math.tanh(x),
  df: (x) => Math.tanh(x) ** 2,
  range: () => interval('(', -Infinity, Infinity, ')'),
  derivativeRange: () => interval('[', 0, 1, ')'),
});
