import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { asBatch, checkNumber, checkTarget, classCountOf } from './validate.js';

/** Result of one attack on one image. */
export interface AttackResult {
  /** The adversarial image, same shape as the input, pixels in [0, 1]. Caller disposes. */
  adversarial: tf.Tensor;
  /** adversarial − original. Caller disposes. */
  perturbation: tf.Tensor;
  /** Class the classifier predicts for `adversarial`. */
  predictedClass: number;
  /** Softmax probability of `predictedClass`. */
  confidence: number;
  /** Targeted: predictedClass === target; untargeted: predictedClass !== true label. */
  success: boolean;
  /** Gradient steps taken. */
  steps: number;
  /** L2 norm of the perturbation. */
  l2: number;
  /** L∞ norm of the perturbation. */
  linf: number;
}

/** Options shared by the gradient attacks. */
export interface GradientAttackOptions {
  /** Targeted attack toward this class; omit for untargeted (then `label` is needed). */
  targetClass?: number;
  /** True class of the image, for untargeted attacks. */
  label?: number;
  /** Perturbation budget (L∞ for FGSM and PGD-L∞, L2 for PGD-L2). Default 0.3 (L∞) / 3 (L2). */
  epsilon?: number;
}

/** Options of {@link pgd}. */
export interface PgdOptions extends GradientAttackOptions {
  /** 'linf' (default) or 'l2'. */
  norm?: 'linf' | 'l2';
  /** Step size. Default epsilon / 4 (L∞) or epsilon / 5 (L2). */
  stepSize?: number;
  /** Iterations. Default 40. */
  steps?: number;
  /** Start at a uniform random point of the ε-ball. Default true. */
  randomStart?: boolean;
  /** Seed of the random start. Default 0. */
  seed?: number;
}

/** Builds an {@link AttackResult} from original and adversarial batches of one image. */
export function finishResult(
  classifier: tfl.LayersModel,
  original: tf.Tensor4D,
  adversarial: tf.Tensor4D,
  steps: number,
  targetClass: number | undefined,
  label: number | undefined,
): AttackResult {
  const [predictedClass, confidence, l2, linf] = tf.tidy(() => {
    const p = classifier.predict(adversarial) as tf.Tensor;
    const cls = tf.argMax(p, 1).dataSync()[0] as number;
    const conf = tf.max(p).dataSync()[0] as number;
    const d = tf.sub(adversarial, original);
    return [
      cls,
      conf,
      tf.norm(d).dataSync()[0] as number,
      tf.max(tf.abs(d)).dataSync()[0] as number,
    ];
  });
  const shape = original.shape.slice(1);
  const adv = tf.reshape(adversarial, shape);
  const perturbation = tf.tidy(() => tf.reshape(tf.sub(adversarial, original), shape));
  const success =
    targetClass !== undefined ? predictedClass === targetClass : predictedClass !== label;
  return { adversarial: adv, perturbation, predictedClass, confidence, success, steps, l2, linf };
}

function resolveGoal(classifier: tfl.LayersModel, options: GradientAttackOptions) {
  const classes = classCountOf(classifier);
  if (options.targetClass !== undefined) checkTarget(options.targetClass, classes);
  if (options.targetClass === undefined) checkTarget(options.label ?? Number.NaN, classes);
  const goal = (options.targetClass ?? options.label) as number;
  const oneHot = tf.tidy(() =>
    tf.cast(tf.oneHot(tf.tensor1d([goal], 'int32'), classes), 'float32'),
  );
  // Targeted: descend the loss toward the target; untargeted: ascend the loss of the label.
  const direction = options.targetClass !== undefined ? -1 : 1;
  return { oneHot, direction };
}

function lossGradient(classifier: tfl.LayersModel, oneHot: tf.Tensor, x: tf.Tensor4D): tf.Tensor4D {
  return tf.grad((input: tf.Tensor) =>
    tf.losses.softmaxCrossEntropy(
      oneHot,
      tf.log(tf.add(classifier.predict(input) as tf.Tensor, 1e-12)),
    ),
  )(x) as tf.Tensor4D;
}

/**
 * Fast gradient sign method (Goodfellow et al. 2015): one step of size ε along the sign of the
 * loss gradient, clipped to [0, 1].
 *
 * @throws {@link AdversarialError} for a wrong shape, non-finite pixels or a class out of range
 */
export function fgsm(
  classifier: tfl.LayersModel,
  image: tf.Tensor,
  options: GradientAttackOptions,
): AttackResult {
  const { epsilon = 0.3 } = options;
  checkNumber('epsilon', epsilon);
  const x = asBatch(classifier, image);
  const { oneHot, direction } = resolveGoal(classifier, options);
  const adv = tf.tidy(() =>
    tf.clipByValue(
      tf.add(x, tf.mul(tf.sign(lossGradient(classifier, oneHot, x)), direction * epsilon)),
      0,
      1,
    ),
  ) as tf.Tensor4D;
  const result = finishResult(classifier, x, adv, 1, options.targetClass, options.label);
  tf.dispose([x, adv, oneHot]);
  return result;
}

/** Seeded uniform noise in [-1, 1]. */
function uniform(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

function projectL2(delta: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.tidy(() => {
    const n = tf.norm(delta);
    return tf.mul(delta, tf.minimum(1, tf.div(epsilon, tf.add(n, 1e-12))));
  });
}

/**
 * Projected gradient descent (Madry et al. 2018), i.e. iterative FGSM with projection onto the
 * L∞ or L2 ε-ball around the image and onto [0, 1], optionally from a random start.
 *
 * @throws {@link AdversarialError} for a wrong shape, non-finite pixels, a class out of range or
 *   a negative option
 */
export function pgd(
  classifier: tfl.LayersModel,
  image: tf.Tensor,
  options: PgdOptions,
): AttackResult {
  const norm = options.norm ?? 'linf';
  const epsilon = options.epsilon ?? (norm === 'linf' ? 0.3 : 3);
  const stepSize = options.stepSize ?? (norm === 'linf' ? epsilon / 4 : epsilon / 5);
  const { steps = 40, randomStart = true, seed = 0 } = options;
  checkNumber('epsilon', epsilon);
  checkNumber('stepSize', stepSize);
  checkNumber('steps', steps, 1);
  const x = asBatch(classifier, image);
  const { oneHot, direction } = resolveGoal(classifier, options);
  const project = (candidate: tf.Tensor): tf.Tensor4D =>
    tf.tidy(() => {
      const delta = tf.sub(candidate, x);
      const bounded =
        norm === 'linf' ? tf.clipByValue(delta, -epsilon, epsilon) : projectL2(delta, epsilon);
      return tf.clipByValue(tf.add(x, bounded), 0, 1);
    }) as tf.Tensor4D;
  let adv: tf.Tensor4D = randomStart
    ? tf.tidy(() =>
        project(
          tf.add(
            x,
            tf.mul(uniform(x.shape, seed), norm === 'linf' ? epsilon : epsilon / Math.sqrt(x.size)),
          ),
        ),
      )
    : tf.clone(x);
  let taken = 0;
  for (let i = 0; i < steps; i++) {
    const next = tf.tidy(() => {
      const g = lossGradient(classifier, oneHot, adv);
      const step = norm === 'linf' ? tf.sign(g) : tf.div(g, tf.add(tf.norm(g), 1e-12));
      return project(tf.add(adv, tf.mul(step, direction * stepSize)));
    });
    tf.dispose(adv);
    adv = next;
    taken++;
    if (options.targetClass !== undefined) {
      const hit = tf.tidy(() => tf.argMax(classifier.predict(adv) as tf.Tensor, 1).dataSync()[0]);
      if (hit === options.targetClass) break;
    }
  }
  const result = finishResult(classifier, x, adv, taken, options.targetClass, options.label);
  tf.dispose([x, adv, oneHot]);
  return result;
}

/** Options of {@link deepFool}. */
export interface DeepFoolOptions {
  /** True class of the image (DeepFool is untargeted). */
  label: number;
  /** Iterations. Default 50. */
  steps?: number;
  /** Overshoot. Default 0.02. */
  overshoot?: number;
}

/**
 * DeepFool (Moosavi-Dezfooli et al. 2016): the smallest L2 step across the nearest linearised
 * decision boundary, repeated until the label changes; untargeted, clipped to [0, 1].
 */
export function deepFool(
  classifier: tfl.LayersModel,
  image: tf.Tensor,
  options: DeepFoolOptions,
): AttackResult {
  const { label, steps = 50, overshoot = 0.02 } = options;
  const classes = classCountOf(classifier);
  checkTarget(label, classes);
  const x = asBatch(classifier, image);
  let r: tf.Tensor = tf.zerosLike(x);
  let taken = 0;
  for (; taken < steps; taken++) {
    const current = tf.tidy(() => tf.clipByValue(tf.add(x, tf.mul(r, 1 + overshoot)), 0, 1));
    const logitsOf = (k: number) => (input: tf.Tensor) =>
      tf.squeeze(
        tf.slice(tf.log(tf.add(classifier.predict(input) as tf.Tensor, 1e-12)), [0, k], [1, 1]),
      );
    const probs = tf.tidy(() =>
      tf.log(tf.add(classifier.predict(current) as tf.Tensor, 1e-12)).dataSync(),
    );
    let top = 0;
    for (let k = 1; k < classes; k++) if ((probs[k] as number) > (probs[top] as number)) top = k;
    if (top !== label) {
      tf.dispose(current);
      break;
    }
    const gLabel = tf.grad(logitsOf(label))(current);
    let best: tf.Tensor | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let k = 0; k < classes; k++) {
      if (k === label) continue;
      const w = tf.tidy(() => tf.sub(tf.grad(logitsOf(k))(current), gLabel));
      const f = (probs[k] as number) - (probs[label] as number);
      const wNorm = tf.tidy(() => tf.norm(w).dataSync()[0] as number) + 1e-8;
      const distance = Math.abs(f) / wNorm;
      if (distance < bestDistance) {
        bestDistance = distance;
        tf.dispose(best);
        best = tf.tidy(() => tf.mul(w, (Math.abs(f) + 1e-4) / (wNorm * wNorm)));
      }
      tf.dispose(w);
    }
    const nextR = tf.add(r, best as tf.Tensor);
    tf.dispose([r, best as tf.Tensor, gLabel, current]);
    r = nextR;
  }
  const adv = tf.tidy(() =>
    tf.clipByValue(tf.add(x, tf.mul(r, 1 + overshoot)), 0, 1),
  ) as tf.Tensor4D;
  const result = finishResult(classifier, x, adv, taken, undefined, label);
  tf.dispose([x, adv, r]);
  return result;
}

/** Options of {@link carliniWagnerL2}. */
export interface CarliniWagnerOptions extends GradientAttackOptions {
  /** Weight c of the classification term. Default 1. */
  c?: number;
  /** Margin κ on the logit gap. Default 0. */
  kappa?: number;
  /** Adam steps. Default 200. */
  steps?: number;
  /** Adam learning rate. Default 0.05. */
  learningRate?: number;
}

/**
 * Carlini–Wagner L2 (2017) with one fixed constant c: Adam on w with x' = (tanh(w) + 1) / 2,
 * minimising ‖x' − x‖² + c · max(maxₖ≠ₜ zₖ − zₜ, −κ), with log-probabilities standing in for
 * logits. Stops once the goal is met.
 */
export function carliniWagnerL2(
  classifier: tfl.LayersModel,
  image: tf.Tensor,
  options: CarliniWagnerOptions,
): AttackResult {
  const { c = 1, kappa = 0, steps = 200, learningRate = 0.05 } = options;
  checkNumber('c', c);
  checkNumber('steps', steps, 1);
  const x = asBatch(classifier, image);
  const { oneHot, direction } = resolveGoal(classifier, options);
  const targeted = direction < 0;
  const w = tf.tidy(() =>
    tf.variable(tf.atanh(tf.clipByValue(tf.sub(tf.mul(x, 2), 1), -0.999999, 0.999999))),
  );
  const optimizer = tf.train.adam(learningRate);
  const image01 = () => tf.div(tf.add(tf.tanh(w), 1), 2);
  let taken = 0;
  for (; taken < steps; taken++) {
    optimizer.minimize(() => {
      const adv = image01();
      const z = tf.log(tf.add(classifier.predict(adv) as tf.Tensor, 1e-12));
      const goal = tf.sum(tf.mul(z, oneHot));
      const other = tf.max(tf.sub(z, tf.mul(oneHot, 1e9)));
      const gap = targeted ? tf.sub(other, goal) : tf.sub(goal, other);
      return tf.add(
        tf.sum(tf.square(tf.sub(adv, x))),
        tf.mul(c, tf.maximum(gap, -kappa)),
      ) as tf.Scalar;
    });
    const cls = tf.tidy(
      () => tf.argMax(classifier.predict(image01()) as tf.Tensor, 1).dataSync()[0],
    );
    const goalClass = options.targetClass ?? options.label;
    if (targeted ? cls === goalClass : cls !== goalClass) {
      taken++;
      break;
    }
  }
  const adv = tf.tidy(() => tf.clipByValue(image01(), 0, 1)) as tf.Tensor4D;
  const result = finishResult(classifier, x, adv, taken, options.targetClass, options.label);
  optimizer.dispose();
  tf.dispose([x, adv, oneHot, w]);
  return result;
}
