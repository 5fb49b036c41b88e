import { seededRandom } from '@actlab/seeded-random';
import * as tf from '@tensorflow/tfjs-core';
import { AdversarialError } from './errors.js';

/** Turns a batch of images [n, h, w, c] into a new, randomly changed batch; seeded. */
export type Augmentation = (images: tf.Tensor4D, seed: number) => tf.Tensor4D;

/** Options of {@link imageAugmentation}, named as Keras' `ImageDataGenerator` names them. */
export interface AugmentationOptions {
  /** Mirror each image left–right with probability 1/2. Default true. */
  horizontalFlip?: boolean;
  /** Largest horizontal shift as a fraction of the width, drawn uniformly in ±. Default 0.1. */
  widthShiftRange?: number;
  /** Largest vertical shift as a fraction of the height. Default 0.1. */
  heightShiftRange?: number;
}

/**
 * Random horizontal flips and width/height shifts, as Keras' `ImageDataGenerator(
 * horizontal_flip=True, width_shift_range=0.1, height_shift_range=0.1)`: each image gets its
 * own flip and sub-pixel shift (bilinear, edges repeated like `fill_mode='nearest'`), drawn from
 * mulberry32 seeded by `seed`, so a seed gives the same batch on every machine.
 *
 * @throws {@link AdversarialError} `INVALID_OPTION` for a shift range outside [0, 1)
 */
export function imageAugmentation(options: AugmentationOptions = {}): Augmentation {
  const { horizontalFlip = true, widthShiftRange = 0.1, heightShiftRange = 0.1 } = options;
  for (const [name, value] of [
    ['widthShiftRange', widthShiftRange],
    ['heightShiftRange', heightShiftRange],
  ] as const) {
    if (!(value >= 0 && value < 1)) {
      throw new AdversarialError({
        code: 'INVALID_OPTION',
        message: `${name} must be in [0, 1) (a fraction of the image size), got ${String(value)}.`,
      });
    }
  }
  return (images, seed) => {
    const [count, height, width] = images.shape;
    const random = seededRandom(seed);
    // Row i maps output (x, y) to input (a0·x + a1·y + a2, b0·x + b1·y + b2).
    const transforms = new Float32Array(count * 8);
    for (let i = 0; i < count; i++) {
      const flip = horizontalFlip && random() < 0.5;
      const dx = (random() * 2 - 1) * widthShiftRange * width;
      const dy = (random() * 2 - 1) * heightShiftRange * height;
      transforms.set(
        flip ? [-1, 0, width - 1 + dx, 0, 1, dy, 0, 0] : [1, 0, dx, 0, 1, dy, 0, 0],
        i * 8,
      );
    }
    // One image per call: tfjs-backend-cpu 4.22's Transform kernel returns zeros for every image
    // after the first of a batch (the wasm kernel does not); per image, both agree.
    return tf.tidy(() =>
      tf.concat(
        tf
          .split<tf.Tensor4D>(images, count)
          .map((image, i) =>
            tf.image.transform(
              image,
              tf.tensor2d(transforms.subarray(i * 8, i * 8 + 8), [1, 8]),
              'bilinear',
              'nearest',
            ),
          ),
        0,
      ),
    );
  };
}
