import * as tf from '@tensorflow/tfjs-core';
import { defineActivation } from '../activation.js';
import { interval } from '../interval.js';
import { maximize, minimize } from '../numeric.js';
import { logistic, normalCdf, normalPdf, sech2, softplusScalar } from '../scalar-math.js';

const sqrt2OverPi = Math.sqrt(2 / Math.PI);
const geluCubic = 0.044715;

function geluTanhInner(x: number): number {
  return sqrt2OverPi * (x + geluCubic * x ** 3);
}

const geluF = (x: number, approximate: number) =>
  approximate ? 0.5 * x * (1 + Math.tanh(geluTanhInner(x))) : x * normalCdf(x);
const geluDf = (x: number, approximate: number) => {
  if (!approximate) return normalCdf(x) + x * normalPdf(x);
  const inner = geluTanhInner(x);
  return (
    0.5 * (1 + Math.tanh(inner)) +
    0.5 * x * sech2(inner) * sqrt2OverPi * (1 + 3 * geluCubic * x * x)
  );
};

/**
 * x·Φ(x), the exact (erf) form; `approximate: 1` selects the tanh approximation
 * 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))).
 */
export const gelu = defineActivation({
  name: 'gelu',
  defaults: { approximate: 0 },
  validate: ({ approximate }) =>
    approximate === 0 || approximate === 1
      ? undefined
      : `approximate must be 0 (erf) or 1 (tanh), got ${approximate}`,
  formula: ({ approximate }) =>
    approximate
      ? '\\tfrac{x}{2}\\left(1 + \\tanh\\left(\\sqrt{2/\\pi}\\,(x + 0.044715\\,x^3)\\right)\\right)'
      : 'x\\,\\Phi(x) = \\tfrac{x}{2}\\left(1 + \\operatorname{erf}(x/\\sqrt{2})\\right)',
  fn: (x, { approximate }) => {
    if (approximate) {
      const inner = tf.mul(sqrt2OverPi, tf.add(x, tf.mul(geluCubic, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    }
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  },
  derivative: (x, { approximate }) => {
    if (approximate) {
      const inner = tf.mul(sqrt2OverPi, tf.add(x, tf.mul(geluCubic, tf.pow(x, 3))));
      const t = tf.tanh(inner);
      const innerSlope = tf.mul(sqrt2OverPi, tf.add(1, tf.mul(3 * geluCubic, tf.square(x))));
      return tf.add(
        tf.mul(0.5, tf.add(1, t)),
        tf.mul(tf.mul(0.5, x), tf.mul(tf.sub(1, tf.square(t)), innerSlope)),
      );
    }
    const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
    const pdf = tf.mul(1 / Math.sqrt(2 * Math.PI), tf.exp(tf.mul(-0.5, tf.square(x))));
    return tf.add(cdf, tf.mul(x, pdf));
  },
  f: (x, { approximate }) => geluF(x, approximate),
  df: (x, { approximate }) => geluDf(x, approximate),
  range: ({ approximate }) =>
    interval('[', minimize((x) => geluF(x, approximate), -3, 0)[1], Infinity, ')'),
  // For the erf form f″ = φ(x)(2 − x²), so the extremes of f′ are at ±√2 exactly.
  derivativeRange: ({ approximate }) =>
    approximate
      ? interval(
          '[',
          minimize((x) => geluDf(x, 1), -4, 0)[1],
          maximize((x) => geluDf(x, 1), 0, 4)[1],
          ']',
        )
      : interval('[', geluDf(-Math.SQRT2, 0), geluDf(Math.SQRT2, 0), ']'),
});

/** x·σ(βx) (SiLU for β = 1). */
export const swish = defineActivation({
  name: 'swish',
  defaults: { beta: 1 },
  validate: ({ beta }) => (beta > 0 ? undefined : `beta must be > 0, got ${beta}`),
  formula: ({ beta }) => (beta === 1 ? 'x\\,\\sigma(x)' : `x\\,\\sigma(${beta}\\,x)`),
  fn: (x, { beta }) => tf.mul(x, tf.sigmoid(tf.mul(beta, x))),
  derivative: (x, { beta }) => {
    const s = tf.sigmoid(tf.mul(beta, x));
    return tf.add(s, tf.mul(tf.mul(beta, x), tf.mul(s, tf.sub(1, s))));
  },
  f: (x, { beta }) => x * logistic(beta * x),
  df: (x, { beta }) => {
    const s = logistic(beta * x);
    return s + beta * x * s * (1 - s);
  },
  range: ({ beta }) =>
    interval('[', minimize((x) => x * logistic(beta * x), -10 / beta, 0)[1], Infinity, ')'),
  derivativeRange: ({ beta }) => {
    const df = (x: number) => logistic(beta * x) * (1 + beta * x * logistic(-beta * x));
    return interval('[', minimize(df, -10 / beta, 0)[1], maximize(df, 0, 10 / beta)[1], ']');
  },
  // f_β(x) = f_1(βx)/β: every feature of f′ stretches by 1/β.
  scale: ({ beta }) => 1 / beta,
});

const mishF = (x: number) => x * Math.tanh(softplusScalar(x));
const mishDf = (x: number) => {
  const sp = softplusScalar(x);
  return Math.tanh(sp) + x * sech2(sp) * logistic(x);
};

/** x·tanh(softplus(x)). */
export const mish = defineActivation({
  name: 'mish',
  defaults: {},
  formula: () => 'x\\,\\tanh\\left(\\ln(1 + e^{x})\\right)',
  fn: (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
  derivative: (x) => {
    const sp = tf.softplus(x);
    const t = tf.tanh(sp);
    return tf.add(t, tf.mul(x, tf.mul(tf.sub(1, tf.square(t)), tf.sigmoid(x))));
  },
  f: mishF,
  df: mishDf,
  range: () => interval('[', minimize(mishF, -5, 0)[1], Infinity, ')'),
  derivativeRange: () => interval('[', minimize(mishDf, -5, 0)[1], maximize(mishDf, 0, 5)[1], ']'),
});

/** ln(1 + eˣ). */
export const softplus = defineActivation({
  name: 'softplus',
  defaults: {},
  formula: () => '\\ln(1 + e^{x})',
  fn: (x) => tf.softplus(x),
  derivative: (x) => tf.sigmoid(x),
  f: softplusScalar,
  df: logistic,
  range: () => interval('(', 0, Infinity, ')'),
  derivativeRange: () => interval('(', 0, 1, ')'),
});

/** (x + √(x² + b)) / 2, a smooth ReLU made of a square root. */
export const squareplus = defineActivation({
  name: 'squareplus',
  defaults: { b: 4 },
  validate: ({ b }) => (b > 0 ? undefined : `b must be > 0, got ${b}`),
  formula: ({ b }) => `\\frac{x + \\sqrt{x^2 + ${b}}}{2}`,
  fn: (x, { b }) => tf.mul(0.5, tf.add(x, tf.sqrt(tf.add(tf.square(x), b)))),
  derivative: (x, { b }) => tf.mul(0.5, tf.add(1, tf.div(x, tf.sqrt(tf.add(tf.square(x), b))))),
  // The x < 0 branch is written as b / (√(x²+b) − x) to avoid cancellation.
  f: (x, { b }) =>
    x >= 0 ? 0.5 * (x + Math.sqrt(x * x + b)) : (0.5 * b) / (Math.sqrt(x * x + b) - x),
  df: (x, { b }) => {
    const root = Math.sqrt(x * x + b);
    return x >= 0 ? 0.5 * (1 + x / root) : (0.5 * b) / (root * (root - x));
  },
  range: () => interval('(', 0, Infinity, ')'),
  derivativeRange: () => interval('(', 0, 1, ')'),
  // f_b(x) = (√b/2)·f_4(2x/√b): the features stretch by √b/2.
  scale: ({ b }) => Math.sqrt(b) / 2,
});

/** x·relu6(x + 3)/6. */
export const hardSwish = defineActivation({
  name: 'hardSwish',
  defaults: {},
  formula: () => 'x\\,\\frac{\\min(\\max(0, x + 3), 6)}{6}',
  fn: (x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)),
  derivative: (x) =>
    tf.where(
      tf.less(x, -3),
      tf.zerosLike(x),
      tf.where(tf.lessEqual(x, 3), tf.add(tf.div(x, 3), 0.5), tf.onesLike(x)),
    ),
  f: (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
  df: (x) => (x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
  range: () => interval('[', -0.375, Infinity, ')'),
  derivativeRange: () => interval('[', -0.5, 1.5, ']'),
  kinks: () => [-3, 3],
});

/** eˣ. */
export const exponential = defineActivation({
  name: 'exponential',
  defaults: {},
  formula: () => 'e^{x}',
  fn: (x) => tf.exp(x),
  derivative: (x) => tf.exp(x),
  f: Math.exp,
  df: Math.exp,
  range: () => interval('(', 0, Infinity, ')'),
  derivativeRange: () => interval('(', 0, Infinity, ')'),
});

/** The identity. */
export const linear = defineActivation({
  name: 'linear',
  defaults: {},
  formula: () => 'x',
  fn: (x) => tf.clone(x),
  derivative: (x) => tf.onesLike(x),
  f: (x) => x,
  df: () => 1,
  range: () => interval('(', -Infinity, Infinity, ')'),
  derivativeRange: () => interval('[', 1, 1, ']'),
  pytorchGain: () => 1,
});

/** x − λ for x > λ, x + λ for x < −λ, 0 between. */
export const softShrink = defineActivation({
  name: 'softShrink',
  defaults: { lambda: 0.5 },
  validate: ({ lambda }) => (lambda >= 0 ? undefined : `lambda must be ≥ 0, got ${lambda}`),
  formula: ({ lambda }) =>
    `\\begin{cases} x - ${lambda} & x > ${lambda} \\\\ x + ${lambda} & x < -${lambda} \\\\ 0 & \\text{otherwise} \\end{cases}`,
  fn: (x, { lambda }) => tf.mul(tf.sign(x), tf.relu(tf.sub(tf.abs(x), lambda))),
  derivative: (x, { lambda }) => tf.cast(tf.greater(tf.abs(x), lambda), 'float32'),
  f: (x, { lambda }) => (x > lambda ? x - lambda : x < -lambda ? x + lambda : 0),
  df: (x, { lambda }) => (Math.abs(x) > lambda ? 1 : 0),
  range: () => interval('(', -Infinity, Infinity, ')'),
  derivativeRange: () => interval('[', 0, 1, ']'),
  kinks: ({ lambda }) => [-lambda, lambda],
});

/** x for |x| > λ, 0 otherwise. */
export const hardShrink = defineActivation({
  name: 'hardShrink',
  defaults: { lambda: 0.5 },
  validate: ({ lambda }) => (lambda >= 0 ? undefined : `lambda must be ≥ 0, got ${lambda}`),
  formula: ({ lambda }) =>
    `\\begin{cases} x & |x| > ${lambda} \\\\ 0 & \\text{otherwise} \\end{cases}`,
  fn: (x, { lambda }) => tf.mul(x, tf.step(tf.sub(tf.abs(x), lambda), 0)),
  derivative: (x, { lambda }) => tf.step(tf.sub(tf.abs(x), lambda), 0),
  f: (x, { lambda }) => (Math.abs(x) > lambda ? x : 0),
  df: (x, { lambda }) => (Math.abs(x) > lambda ? 1 : 0),
  // f jumps at ±λ; its values are (−∞, −λ) ∪ {0} ∪ (λ, ∞), whose hull is the real line.
  range: () => interval('(', -Infinity, Infinity, ')'),
  derivativeRange: () => interval('[', 0, 1, ']'),
  kinks: ({ lambda }) => [-lambda, lambda],
});
