import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { AdversarialError } from './errors.js';

/** The classifier's image shape [h, w, c] (without the batch dimension). */
export function inputShapeOf(classifier: tfl.LayersModel): number[] {
  return (classifier.inputs[0]?.shape ?? []).slice(1) as number[];
}

/** The classifier's number of classes. */
export function classCountOf(classifier: tfl.LayersModel): number {
  const shape = classifier.outputs[0]?.shape ?? [];
  return Number(shape[shape.length - 1]);
}

/**
 * Checks an image (one [h, w, c] or a batch [n, h, w, c]) against the classifier and returns it
 * as a batch [n, h, w, c] (a new tensor the caller disposes).
 *
 * @throws {@link AdversarialError} `SHAPE_MISMATCH`, `NON_FINITE_INPUT`
 */
export function asBatch(classifier: tfl.LayersModel, image: tf.Tensor): tf.Tensor4D {
  const want = inputShapeOf(classifier);
  const shape = image.shape;
  const single = shape.length === want.length && shape.every((d, i) => d === want[i]);
  const batch = shape.length === want.length + 1 && shape.slice(1).every((d, i) => d === want[i]);
  if (!single && !batch) {
    throw new AdversarialError({
      code: 'SHAPE_MISMATCH',
      message: `Image of shape [${shape.join(', ')}] does not fit the classifier, which takes [${want.join(', ')}] (or a batch [n, ${want.join(', ')}]). Reshape the image, e.g. tf.reshape(x, [${want.join(', ')}]).`,
    });
  }
  const finite = tf.tidy(() => tf.all(tf.isFinite(image)).dataSync()[0]);
  if (!finite) {
    throw new AdversarialError({
      code: 'NON_FINITE_INPUT',
      message: 'The image holds NaN or Infinity pixels; pass pixels in [0, 1].',
    });
  }
  return tf.tidy(() => tf.cast(single ? tf.expandDims(image, 0) : image, 'float32')) as tf.Tensor4D;
}

/**
 * @throws {@link AdversarialError} `TARGET_OUT_OF_RANGE` unless `target` is an integer in [0, classes)
 */
export function checkTarget(target: number, classes: number): void {
  if (!Number.isInteger(target) || target < 0 || target >= classes) {
    throw new AdversarialError({
      code: 'TARGET_OUT_OF_RANGE',
      message: `Target class ${target} is out of range: the classifier has ${classes} classes (0 to ${classes - 1}).`,
    });
  }
}

/** @throws {@link AdversarialError} `INVALID_OPTION` unless `value` is a finite number ≥ `min` */
export function checkNumber(name: string, value: number, min = 0): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new AdversarialError({
      code: 'INVALID_OPTION',
      message: `${name} must be a finite number ≥ ${min}, got ${String(value)}.`,
    });
  }
}
