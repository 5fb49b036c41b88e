import * as tf from '@tensorflow/tfjs-core';

/**
 * BlazeFace's anchor centres for a square input: a 16-pixel grid with 2 anchors per cell, then a
 * 32-pixel grid with 6 per cell (512 + 384 anchors at 256 px), each at its cell's centre, in the
 * order the model's outputs are concatenated (grid row, grid column, anchor).
 *
 * @param inputSize - side of the model's input in pixels (256 for the "back" model)
 * @returns `[n, 2]` anchor centres `(x, y)` in input pixels
 */
export function blazeFaceAnchors(inputSize: number): [number, number][] {
  const layers = [
    { stride: inputSize / 16, perCell: 2 },
    { stride: inputSize / 8, perCell: 6 },
  ];
  const anchors: [number, number][] = [];
  for (const { stride, perCell } of layers) {
    const cells = Math.ceil(inputSize / stride);
    for (let row = 0; row < cells; row++) {
      for (let column = 0; column < cells; column++) {
        for (let k = 0; k < perCell; k++) {
          anchors.push([stride * (column + 0.5), stride * (row + 0.5)]);
        }
      }
    }
  }
  return anchors;
}

/** BlazeFace's boxes and scores, one row per anchor. */
export type DecodedFaces = {
  /** `[n, 4]` boxes `(y1, x1, y2, x2)` in input pixels (the order `tf.image.nonMaxSuppression` takes). */
  boxes: tf.Tensor2D;
  /** `[n]` face probabilities in [0, 1]. */
  scores: tf.Tensor1D;
  /** `[n, k, 2]` keypoints `(x, y)` in input pixels (k = 6 for BlazeFace: eyes, nose, mouth, ears). */
  keypoints: tf.Tensor3D;
};

/**
 * Turns BlazeFace's raw outputs into boxes: the first four regressors of an anchor are the offset
 * of the face centre from the anchor and the face's width and height, in input pixels; the other
 * twelve are six keypoints, each an offset from the anchor; the score is the sigmoid of the logit, clipped to ±100
 * as MediaPipe does.
 *
 * @param logits - `[n]` or `[n, 1]` score logits
 * @param regressors - `[n, 4 + 2k]`
 * @param anchors - `[n, 2]` anchor centres `(x, y)` from {@link blazeFaceAnchors}
 */
export function decodeBlazeFace(
  logits: tf.Tensor,
  regressors: tf.Tensor2D,
  anchors: tf.Tensor2D,
): DecodedFaces {
  return tf.tidy(() => {
    const centres = tf.add(tf.slice(regressors, [0, 0], [-1, 2]), anchors);
    const halfSizes = tf.div(tf.slice(regressors, [0, 2], [-1, 2]), 2);
    const starts = tf.sub(centres, halfSizes);
    const ends = tf.add(centres, halfSizes);
    // (x, y) pairs to (y1, x1, y2, x2).
    const boxes = tf.gather(tf.concat([starts, ends], 1), [1, 0, 3, 2], 1) as tf.Tensor2D;
    const scores = tf.sigmoid(tf.clipByValue(tf.reshape(logits, [-1]), -100, 100)) as tf.Tensor1D;
    const [count = 0, columns = 4] = regressors.shape;
    const points = Math.floor((columns - 4) / 2);
    const keypoints = tf.add(
      tf.reshape(tf.slice(regressors, [0, 4], [-1, 2 * points]), [count, points, 2]),
      tf.expandDims(anchors, 1),
    ) as tf.Tensor3D;
    return { boxes, scores, keypoints };
  });
}
