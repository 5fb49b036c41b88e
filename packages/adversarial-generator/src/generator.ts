import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type AttackResult, finishResult } from './attacks.js';
import { AdversarialError } from './errors.js';
import { asBatch, checkNumber, checkTarget, classCountOf } from './validate.js';

/** Options of {@link generatorAttack}. */
export interface GeneratorAttackOptions {
  /** Class the adversarial image should be classified as. */
  targetClass: number;
  /** Hidden layer widths of the generator. Default [256] (the seed notebook); [256, 256] is the write-up's variant. */
  hiddenUnits?: number[];
  /**
   * 'alternate' (the seed): `attackSteps` rounds of one reconstruction step then one attack step.
   * 'stagewise': `reconstructSteps` reconstruction steps, then `attackSteps` attack steps.
   * Default 'alternate'.
   */
  schedule?: 'alternate' | 'stagewise';
  /** Reconstruction-only steps before the attack stage. Default 0 (alternate) / 800 (stagewise). */
  reconstructSteps?: number;
  /** Attack steps (rounds for 'alternate'). Default 800. */
  attackSteps?: number;
  /** Adam learning rate of both steps. Default 0.001. */
  learningRate?: number;
  /** Stop once the target's probability reaches this. Default 1 (never stops early, like the seed). */
  confidence?: number;
  /** Weight of the MSE to the source inside the attack step. Default 0 (the seed's plain cross-entropy). */
  closenessWeight?: number;
  /** Seed of the generator's initial weights. Default 0. */
  seed?: number;
  /** The generator's constant input. Default 1. */
  input?: number;
}

/** Result of {@link generatorAttack}: an {@link AttackResult} plus the reconstruction error. */
export interface GeneratorAttackResult extends AttackResult {
  /** MSE between the generator's output and the source right before the first attack step. */
  reconstructionMse: number;
}

interface Dense {
  kernel: tf.Variable;
  bias: tf.Variable;
}

function glorot(fanIn: number, fanOut: number, seed: number): tf.Tensor {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', seed);
}

/** Dense layers fanIn → hidden… → fanOut with seeded Glorot-uniform kernels and zero biases. */
export function denseStack(sizes: number[], seed: number): Dense[] {
  const layers: Dense[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const fanIn = sizes[i] as number;
    const fanOut = sizes[i + 1] as number;
    layers.push({
      kernel: tf.tidy(() => tf.variable(glorot(fanIn, fanOut, seed * 1000 + i))),
      bias: tf.tidy(() => tf.variable(tf.zeros([fanOut]))),
    });
  }
  return layers;
}

/** Runs a dense stack: ReLU between layers, `last` on the output. */
export function runStack(
  layers: Dense[],
  x: tf.Tensor,
  last: (t: tf.Tensor) => tf.Tensor,
): tf.Tensor {
  let h = x;
  layers.forEach((layer, i) => {
    const z = tf.add(tf.matMul(h as tf.Tensor2D, layer.kernel as tf.Tensor2D), layer.bias);
    h = i === layers.length - 1 ? last(z) : tf.relu(z);
  });
  return h;
}

/**
 * The seed's generator-network attack. A small generator f (constant input → Dense hidden
 * layers → Dense(pixels, sigmoid) → the image shape) is trained, with the classifier C frozen,
 * by Adam steps toward the source image under MSE and Adam steps of C∘f toward one-hot(target)
 * under cross-entropy. The adversarial image is f's output after the last step. Any image shape
 * the classifier takes works (28×28×1, 32×32×3, …). The classifier runs in inference mode.
 *
 * @throws {@link AdversarialError} `SHAPE_MISMATCH`, `NON_FINITE_INPUT`, `TARGET_OUT_OF_RANGE`,
 *   `INVALID_OPTION`
 */
export function generatorAttack(
  classifier: tfl.LayersModel,
  image: tf.Tensor,
  options: GeneratorAttackOptions,
): GeneratorAttackResult {
  const {
    targetClass,
    hiddenUnits = [256],
    schedule = 'alternate',
    attackSteps = 800,
    learningRate = 0.001,
    confidence = 1,
    closenessWeight = 0,
    seed = 0,
    input = 1,
  } = options;
  const reconstructSteps = options.reconstructSteps ?? (schedule === 'stagewise' ? 800 : 0);
  const classes = classCountOf(classifier);
  checkTarget(targetClass, classes);
  checkNumber('reconstructSteps', reconstructSteps);
  checkNumber('attackSteps', attackSteps);
  checkNumber('learningRate', learningRate);
  checkNumber('closenessWeight', closenessWeight);
  for (const units of hiddenUnits) checkNumber('hiddenUnits[]', units, 1);
  const x = asBatch(classifier, image);
  if (x.shape[0] !== 1) {
    x.dispose();
    throw new AdversarialError({
      code: 'SHAPE_MISMATCH',
      message: `generatorAttack takes one image, got a batch of ${x.shape[0]}; call it once per image.`,
    });
  }
  const pixels = x.size;
  const layers = denseStack([1, ...hiddenUnits, pixels], seed);
  const variables = layers.flatMap((l) => [l.kernel, l.bias]);
  const constant = tf.tensor2d([[input]]);
  const oneHot = tf.tidy(() =>
    tf.cast(tf.oneHot(tf.tensor1d([targetClass], 'int32'), classes), 'float32'),
  );
  const generate = () => tf.reshape(runStack(layers, constant, tf.sigmoid), x.shape);
  const reconstructOptimizer = tf.train.adam(learningRate);
  const attackOptimizer = tf.train.adam(learningRate);
  const reconstruct = () =>
    reconstructOptimizer.minimize(
      () => tf.losses.meanSquaredError(x, generate()) as tf.Scalar,
      false,
      variables,
    );
  const attack = () =>
    attackOptimizer.minimize(
      () => {
        const out = generate();
        const p = classifier.predict(out) as tf.Tensor;
        const ce = tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.add(p, 1e-7)))));
        return (
          closenessWeight > 0
            ? tf.add(ce, tf.mul(closenessWeight, tf.losses.meanSquaredError(x, out)))
            : ce
        ) as tf.Scalar;
      },
      false,
      variables,
    );
  const targetProbability = () =>
    tf.tidy(() => (classifier.predict(generate()) as tf.Tensor).dataSync()[targetClass] as number);
  const mse = () =>
    tf.tidy(() => tf.losses.meanSquaredError(x, generate()).dataSync()[0] as number);

  for (let i = 0; i < reconstructSteps; i++) reconstruct();
  const reconstructionMse = mse();
  let steps = 0;
  for (; steps < attackSteps; steps++) {
    if (schedule === 'alternate') reconstruct();
    attack();
    if (confidence < 1 && targetProbability() >= confidence) {
      steps++;
      break;
    }
  }
  const adv = tf.tidy(generate) as tf.Tensor4D;
  const result = finishResult(classifier, x, adv, steps, targetClass, undefined);
  reconstructOptimizer.dispose();
  attackOptimizer.dispose();
  tf.dispose([x, adv, constant, oneHot, ...variables]);
  return { ...result, reconstructionMse };
}
