import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LabelledImages } from './train-classifier.js';

/** One epoch of `model.fit` on the images in `order`; the mean loss. */
export async function fitEpoch(
  model: tfl.LayersModel,
  set: LabelledImages,
  order: Int32Array,
  batchSize: number,
): Promise<number> {
  const permutation = tf.tensor1d(order, 'int32');
  const xs = tf.gather(set.images, permutation);
  const ys = tf.gather(set.labels, permutation);
  permutation.dispose();
  try {
    const fitted = await model.fit(xs, ys, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
    return Number(fitted.history.loss?.[0]);
  } finally {
    tf.dispose([xs, ys]);
  }
}

/** One epoch batch by batch, each batch changed by `augment` first; the mean loss. */
export async function fitAugmentedEpoch(
  model: tfl.LayersModel,
  set: LabelledImages,
  order: Int32Array,
  batchSize: number,
  augment: (images: tf.Tensor4D, batch: number) => tf.Tensor4D,
): Promise<number> {
  let lossSum = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const indices = order.subarray(start, Math.min(start + batchSize, order.length));
    const [xs, ys] = tf.tidy(() => {
      const picked = tf.tensor1d(indices, 'int32');
      return [
        augment(tf.gather(set.images, picked), start / batchSize),
        tf.gather(set.labels, picked),
      ];
    });
    try {
      lossSum += Number(await model.trainOnBatch(xs, ys)) * indices.length;
    } finally {
      tf.dispose([xs, ys]);
    }
  }
  return lossSum / order.length;
}
