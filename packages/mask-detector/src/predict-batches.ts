import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Predictions of a mask model for a set of samples. */
export interface BatchPredictions {
  /** Predicted label index per sample. */
  predicted: Int32Array;
  /** Probability of every class per sample, row-major `[n, classes]`. */
  probabilities: Float32Array;
  classes: number;
}

/** Turns the model output (one sigmoid unit, or a softmax) into class probabilities `[n, k]`. */
export function outputToProbabilities(output: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = tf.reshape(output, [output.shape[0] as number, -1]) as tf.Tensor2D;
    if (rows.shape[1] === 1) return tf.concat([tf.sub(1, rows), rows], 1) as tf.Tensor2D;
    return rows;
  });
}

/**
 * Runs the model in inference mode over `images[indices]` in batches, freeing every
 * intermediate tensor.
 */
export async function predictBatches(
  model: tfl.LayersModel,
  images: tf.Tensor4D,
  indices: readonly number[],
  batchSize = 128,
): Promise<BatchPredictions> {
  const probabilities: number[] = [];
  let classes = 2;
  for (let start = 0; start < indices.length; start += batchSize) {
    const batchIndices = indices.slice(start, start + batchSize);
    const probs = tf.tidy(() => {
      const x = tf.gather(images, tf.tensor1d(batchIndices, 'int32'));
      return outputToProbabilities(model.predict(x) as tf.Tensor);
    });
    classes = probs.shape[1];
    probabilities.push(...(await probs.data()));
    probs.dispose();
  }
  const predicted = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (
        (probabilities[i * classes + c] as number) > (probabilities[i * classes + best] as number)
      )
        best = c;
    }
    predicted[i] = best;
  }
  return { predicted, probabilities: Float32Array.from(probabilities), classes };
}
