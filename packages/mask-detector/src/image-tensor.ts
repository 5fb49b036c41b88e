import * as tf from '@tensorflow/tfjs-core';
import { MaskDetectorError } from './mask-detector-error.js';

/**
 * Checks that an image is a `[height, width, 3|4]` tensor with at least one pixel.
 *
 * @param what - how the message names the image ("face", "photo")
 * @throws {@link MaskDetectorError} `BAD_IMAGE_TENSOR`
 */
export function checkImage(image: unknown, what: string): asserts image is tf.Tensor3D {
  if (
    !(image instanceof tf.Tensor) ||
    image.rank !== 3 ||
    (image.shape[2] !== 3 && image.shape[2] !== 4) ||
    image.size === 0
  ) {
    throw new MaskDetectorError({
      code: 'BAD_IMAGE_TENSOR',
      message: `expected the ${what} as a tensor of shape [height, width, 3] (or 4 channels) with values 0–255, got ${image instanceof tf.Tensor ? `shape [${image.shape.join(', ')}]` : typeof image}`,
    });
  }
}

/** The first three channels as float32 (alpha dropped). */
export function rgb(image: tf.Tensor3D): tf.Tensor3D {
  const float = tf.cast(image, 'float32');
  return image.shape[2] === 4 ? tf.slice(float, [0, 0, 0], [-1, -1, 3]) : float;
}
