import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type AttackResult, finishResult } from './attacks.js';
import { denseStack, runStack } from './generator.js';
import { asBatch, checkNumber, checkTarget, classCountOf } from './validate.js';

/** Options of {@link trainAmortisedGenerator}. */
export interface AmortisedOptions {
  /** Hidden widths. Default [256]. */
  hiddenUnits?: number[];
  /** L∞ bound of the perturbation (tanh-scaled output). Default 0.3. */
  epsilon?: number;
  /** Training steps (random batches of sources × targets). Default 300. */
  steps?: number;
  /** Batch size. Default 64. */
  batchSize?: number;
  /** Adam learning rate. Default 0.001. */
  learningRate?: number;
  /** Weight of the mean squared perturbation in the loss. Default 1. */
  closenessWeight?: number;
  /** Seed of weights and batches. Default 0. */
  seed?: number;
}

/** A trained amortised generator: one forward pass per adversarial example. */
export interface AmortisedGenerator {
  /** Adversarial example for one image and target: same result shape as the other attacks. */
  attack(image: tf.Tensor, options: { targetClass: number }): AttackResult;
  /** Final training loss. */
  loss: number;
  /** Frees the generator's weights. */
  dispose(): void;
}

/**
 * An amortised generator in the spirit of AdvGAN (Xiao et al. 2018): a network g(x, one-hot(t))
 * → perturbation δ with ‖δ‖∞ ≤ ε is trained once over many source images and random targets
 * (cross-entropy of C(clip(x + δ)) toward t plus `closenessWeight`·mean δ²), so each new
 * adversarial example costs one forward pass.
 *
 * @param images - a batch [n, h, w, c] of source images in [0, 1]
 * @throws {@link AdversarialError} for shapes that do not fit the classifier, non-finite pixels or bad options
 */
export function trainAmortisedGenerator(
  classifier: tfl.LayersModel,
  images: tf.Tensor,
  options: AmortisedOptions = {},
): AmortisedGenerator {
  const {
    hiddenUnits = [256],
    epsilon = 0.3,
    steps = 300,
    batchSize = 64,
    learningRate = 0.001,
    closenessWeight = 1,
    seed = 0,
  } = options;
  checkNumber('epsilon', epsilon);
  checkNumber('steps', steps);
  checkNumber('batchSize', batchSize, 1);
  const classes = classCountOf(classifier);
  const xs = asBatch(classifier, images);
  const n = xs.shape[0];
  const pixels = xs.size / n;
  const layers = denseStack([pixels + classes, ...hiddenUnits, pixels], seed + 7919);
  const variables = layers.flatMap((l) => [l.kernel, l.bias]);
  const perturb = (x: tf.Tensor, targets: tf.Tensor) =>
    tf.tidy(() => {
      const flat = tf.reshape(x, [x.shape[0] as number, pixels]);
      const input = tf.concat(
        [flat, tf.cast(tf.oneHot(targets as tf.Tensor1D, classes), 'float32')],
        1,
      );
      const delta = tf.mul(runStack(layers, input, tf.tanh), epsilon);
      return tf.reshape(tf.clipByValue(tf.add(flat, delta), 0, 1), x.shape);
    });
  const optimizer = tf.train.adam(learningRate);
  let random = seed * 2654435761 + 1;
  const next = () => {
    random = (random * 1103515245 + 12345) % 2147483648;
    return random / 2147483648;
  };
  let loss = Number.NaN;
  for (let step = 0; step < steps; step++) {
    const picks = Array.from({ length: batchSize }, () => Math.floor(next() * n));
    const targetList = Array.from({ length: batchSize }, () => Math.floor(next() * classes));
    const value = tf.tidy(() => {
      const x = tf.gather(xs, tf.tensor1d(picks, 'int32'));
      const t = tf.tensor1d(targetList, 'int32');
      const oneHot = tf.cast(tf.oneHot(t, classes), 'float32');
      return optimizer.minimize(
        () => {
          const adv = perturb(x, t);
          const p = classifier.predict(adv) as tf.Tensor;
          const ce = tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.add(p, 1e-7))), 1)));
          return tf.add(
            ce,
            tf.mul(closenessWeight, tf.mean(tf.square(tf.sub(adv, x)))),
          ) as tf.Scalar;
        },
        true,
        variables,
      ) as tf.Scalar;
    });
    loss = value.dataSync()[0] as number;
    value.dispose();
  }
  optimizer.dispose();
  xs.dispose();
  return {
    loss,
    attack(image, { targetClass }) {
      checkTarget(targetClass, classes);
      const x = asBatch(classifier, image);
      const t = tf.tensor1d([targetClass], 'int32');
      const adv = perturb(x, t) as tf.Tensor4D;
      const result = finishResult(classifier, x, adv, 0, targetClass, undefined);
      tf.dispose([x, t, adv]);
      return result;
    },
    dispose() {
      tf.dispose(variables);
    },
  };
}
