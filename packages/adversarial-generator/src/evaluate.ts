import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { AttackResult } from './attacks.js';
import { AdversarialError } from './errors.js';

/** An attack as {@link evaluateAttack} calls it; the package's attacks fit after a small wrapper. */
export type Attack = (
  classifier: tfl.LayersModel,
  image: tf.Tensor,
  goal: { targetClass?: number; label: number; epsilon?: number },
) => AttackResult;

/** Options of {@link evaluateAttack}. */
export interface EvaluateOptions {
  /** One target class per image (targeted); omit for untargeted. */
  targets?: number[];
  /** Budgets to sweep; omit to run once with the attack's own default. */
  epsilons?: number[];
}

/** Figures of one ε of {@link evaluateAttack}. */
export interface EpsilonFigures {
  /** The budget, or null for the attack's default. */
  epsilon: number | null;
  /** Fraction of examples where the attack met its goal. */
  successRate: number;
  /** Fraction of adversarial examples still classified as their true label. */
  robustAccuracy: number;
  /** Mean count of changed pixel values (|δ| > 1e-6). */
  meanL0: number;
  meanL2: number;
  meanLinf: number;
  /** Mean softmax probability of the predicted class. */
  meanConfidence: number;
  /** Mean wall time per example, in milliseconds. */
  msPerExample: number;
}

/**
 * Runs an attack over images (and targets) for each ε and reports success rate, robust
 * accuracy, mean L0/L2/L∞ of the perturbation, mean confidence and time per example.
 *
 * @param images - [n, h, w, c] in [0, 1]
 * @param labels - n true labels
 * @throws {@link AdversarialError} `INVALID_OPTION` when labels or targets do not match the images
 */
export function evaluateAttack(
  classifier: tfl.LayersModel,
  attack: Attack,
  images: tf.Tensor,
  labels: ArrayLike<number>,
  options: EvaluateOptions = {},
): EpsilonFigures[] {
  const n = images.shape[0] as number;
  if (labels.length !== n || (options.targets && options.targets.length !== n)) {
    throw new AdversarialError({
      code: 'INVALID_OPTION',
      message: `evaluateAttack needs one label${options.targets ? ' and one target' : ''} per image: ${n} images, ${labels.length} labels${options.targets ? `, ${options.targets.length} targets` : ''}.`,
    });
  }
  const epsilons: (number | null)[] = options.epsilons ?? [null];
  return epsilons.map((epsilon) => {
    let success = 0;
    let robust = 0;
    let l0 = 0;
    let l2 = 0;
    let linf = 0;
    let confidence = 0;
    let ms = 0;
    for (let i = 0; i < n; i++) {
      const image = tf.tidy(() => tf.squeeze(tf.slice(images, i, 1), [0]));
      const label = labels[i] as number;
      const started = performance.now();
      const result = attack(classifier, image, {
        label,
        ...(options.targets ? { targetClass: options.targets[i] as number } : {}),
        ...(epsilon === null ? {} : { epsilon }),
      });
      ms += performance.now() - started;
      success += result.success ? 1 : 0;
      robust += result.predictedClass === label ? 1 : 0;
      l0 += tf.tidy(
        () =>
          tf
            .sum(tf.cast(tf.greater(tf.abs(result.perturbation), 1e-6), 'float32'))
            .dataSync()[0] as number,
      );
      l2 += result.l2;
      linf += result.linf;
      confidence += result.confidence;
      tf.dispose([image, result.adversarial, result.perturbation]);
    }
    return {
      epsilon,
      successRate: success / n,
      robustAccuracy: robust / n,
      meanL0: l0 / n,
      meanL2: l2 / n,
      meanLinf: linf / n,
      meanConfidence: confidence / n,
      msPerExample: ms / n,
    };
  });
}
