import * as tf from '@tensorflow/tfjs-core';
import { defineActivation } from '../activation.js';
import { interval } from '../interval.js';

const seluLambda = 1.0507009873554805;
const seluAlpha = 1.6732632423543772;
// Masks come from tf.step, which has a (zero) gradient: comparisons have none, and tf.grad
// would fail on them when a user differentiates through the activation.
const positiveMask = (x: tf.Tensor) => tf.step(x, 0);
/** mask·a + (1 − mask)·b, a differentiable select. */
const blend = (mask: tf.Tensor, a: tf.Tensor, b: tf.Tensor) =>
  tf.add(tf.mul(mask, a), tf.mul(tf.sub(1, mask), b));
const expOfNegativePart = (x: tf.Tensor, scale = 1) => tf.exp(tf.div(tf.minimum(x, 0), scale));

/** max(0, x). */
export const relu = defineActivation({
  name: 'relu',
  defaults: {},
  formula: () => '\\max(0, x)',
  fn: (x) => tf.relu(x),
  derivative: (x) => tf.step(x, 0),
  f: (x) => Math.max(0, x),
  df: (x) => (x > 0 ? 1 : 0),
  range: () => interval('[', 0, Infinity, ')'),
  derivativeRange: () => interval('[', 0, 1, ']'),
  pytorchGain: () => Math.SQRT2,
  kinks: () => [0],
});

/** x for x > 0, αx otherwise. */
export const leakyRelu = defineActivation({
  name: 'leakyRelu',
  defaults: { alpha: 0.01 },
  validate: ({ alpha }) => (alpha >= 0 ? undefined : `alpha must be ≥ 0, got ${alpha}`),
  formula: ({ alpha }) => `\\begin{cases} x & x > 0 \\\\ ${alpha}\\,x & x \\le 0 \\end{cases}`,
  fn: (x, { alpha }) => tf.leakyRelu(x, alpha),
  derivative: (x, { alpha }) => tf.step(x, alpha),
  f: (x, { alpha }) => (x > 0 ? x : alpha * x),
  df: (x, { alpha }) => (x > 0 ? 1 : alpha),
  range: ({ alpha }) =>
    alpha > 0 ? interval('(', -Infinity, Infinity, ')') : interval('[', 0, Infinity, ')'),
  derivativeRange: ({ alpha }) => interval('[', Math.min(alpha, 1), Math.max(alpha, 1), ']'),
  pytorchGain: ({ alpha }) => Math.sqrt(2 / (1 + alpha * alpha)),
  kinks: () => [0],
});

/** min(max(0, x), 6). */
export const relu6 = defineActivation({
  name: 'relu6',
  defaults: {},
  formula: () => '\\min(\\max(0, x), 6)',
  fn: (x) => tf.relu6(x),
  derivative: (x) => tf.cast(tf.logicalAnd(tf.greater(x, 0), tf.less(x, 6)), 'float32'),
  f: (x) => Math.min(Math.max(0, x), 6),
  df: (x) => (x > 0 && x < 6 ? 1 : 0),
  range: () => interval('[', 0, 6, ']'),
  derivativeRange: () => interval('[', 0, 1, ']'),
  kinks: () => [0, 6],
});

/** x for x > 0, α(eˣ − 1) otherwise, for any α > 0 (tfjs-layers only allows α = 1). */
export const elu = defineActivation({
  name: 'elu',
  defaults: { alpha: 1 },
  validate: ({ alpha }) => (alpha > 0 ? undefined : `alpha must be > 0, got ${alpha}`),
  formula: ({ alpha }) =>
    `\\begin{cases} x & x > 0 \\\\ ${alpha}\\,(e^{x} - 1) & x \\le 0 \\end{cases}`,
  fn: (x, { alpha }) => blend(positiveMask(x), x, tf.mul(alpha, tf.sub(expOfNegativePart(x), 1))),
  derivative: (x, { alpha }) =>
    blend(positiveMask(x), tf.onesLike(x), tf.mul(alpha, expOfNegativePart(x))),
  f: (x, { alpha }) => (x > 0 ? x : alpha * Math.expm1(x)),
  df: (x, { alpha }) => (x > 0 ? 1 : alpha * Math.exp(x)),
  range: ({ alpha }) => interval('(', -alpha, Infinity, ')'),
  derivativeRange: ({ alpha }) => interval('(', 0, Math.max(1, alpha), ']'),
  kinks: ({ alpha }) => (alpha === 1 ? [] : [0]),
});

/** λ·elu_α(x) with the self-normalising constants λ ≈ 1.0507, α ≈ 1.6733. */
export const selu = defineActivation({
  name: 'selu',
  defaults: {},
  formula: () =>
    `${seluLambda}\\begin{cases} x & x > 0 \\\\ ${seluAlpha}\\,(e^{x} - 1) & x \\le 0 \\end{cases}`,
  fn: (x) =>
    tf.mul(
      seluLambda,
      blend(positiveMask(x), x, tf.mul(seluAlpha, tf.sub(expOfNegativePart(x), 1))),
    ),
  derivative: (x) =>
    tf.mul(
      seluLambda,
      blend(positiveMask(x), tf.onesLike(x), tf.mul(seluAlpha, expOfNegativePart(x))),
    ),
  f: (x) => seluLambda * (x > 0 ? x : seluAlpha * Math.expm1(x)),
  df: (x) => seluLambda * (x > 0 ? 1 : seluAlpha * Math.exp(x)),
  range: () => interval('(', -seluLambda * seluAlpha, Infinity, ')'),
  derivativeRange: () => interval('(', 0, seluLambda * seluAlpha, ']'),
  pytorchGain: () => 3 / 4,
  kinks: () => [0],
});

/** max(0, x) + min(0, α(e^{x/α} − 1)). */
export const celu = defineActivation({
  name: 'celu',
  defaults: { alpha: 1 },
  validate: ({ alpha }) => (alpha > 0 ? undefined : `alpha must be > 0, got ${alpha}`),
  formula: ({ alpha }) => `\\max(0, x) + \\min\\left(0, ${alpha}\\,(e^{x/${alpha}} - 1)\\right)`,
  fn: (x, { alpha }) =>
    blend(positiveMask(x), x, tf.mul(alpha, tf.sub(expOfNegativePart(x, alpha), 1))),
  derivative: (x, { alpha }) => blend(positiveMask(x), tf.onesLike(x), expOfNegativePart(x, alpha)),
  f: (x, { alpha }) => (x > 0 ? x : alpha * Math.expm1(x / alpha)),
  df: (x, { alpha }) => (x > 0 ? 1 : Math.exp(x / alpha)),
  range: ({ alpha }) => interval('(', -alpha, Infinity, ')'),
  derivativeRange: () => interval('(', 0, 1, ']'),
  // f′ = e^{x/α} on the left: its tail stretches by α.
  scale: ({ alpha }) => Math.max(1, alpha),
});

/** x for x > θ, 0 otherwise. */
export const thresholdedRelu = defineActivation({
  name: 'thresholdedRelu',
  defaults: { theta: 1 },
  validate: ({ theta }) => (theta >= 0 ? undefined : `theta must be ≥ 0, got ${theta}`),
  formula: ({ theta }) => `\\begin{cases} x & x > ${theta} \\\\ 0 & x \\le ${theta} \\end{cases}`,
  fn: (x, { theta }) => tf.mul(x, positiveMask(tf.sub(x, theta))),
  derivative: (x, { theta }) => positiveMask(tf.sub(x, theta)),
  f: (x, { theta }) => (x > theta ? x : 0),
  df: (x, { theta }) => (x > theta ? 1 : 0),
  // f takes the value 0 and every value above θ: the hull is [0, ∞).
  range: () => interval('[', 0, Infinity, ')'),
  derivativeRange: () => interval('[', 0, 1, ']'),
  kinks: ({ theta }) => [theta],
});
