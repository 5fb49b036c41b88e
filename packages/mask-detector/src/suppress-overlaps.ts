import * as tf from '@tensorflow/tfjs-core';
import type { FaceBox } from './box-geometry.js';

/** A scored box. */
export interface ScoredBox {
  box: FaceBox;
  /** The detector's face probability in [0, 1]. */
  score: number;
}

/**
 * Non-maximum suppression (`tf.image.nonMaxSuppressionAsync`): keeps the best-scored box, drops
 * every box overlapping it by more than `iouThreshold`, and so on.
 *
 * @param boxes - candidates in any order
 * @param iouThreshold - overlap (IoU) above which the lower-scored box is dropped
 * @param maxBoxes - keep at most this many
 * @returns the kept boxes, best score first
 */
export async function suppressOverlaps<T extends ScoredBox>(
  boxes: readonly T[],
  iouThreshold: number,
  maxBoxes: number,
): Promise<T[]> {
  if (boxes.length === 0) return [];
  const corners = tf.tensor2d(
    boxes.flatMap(({ box }) => [box.y, box.x, box.y + box.height, box.x + box.width]),
    [boxes.length, 4],
  );
  const scores = tf.tensor1d(boxes.map((candidate) => candidate.score));
  const kept = await tf.image.nonMaxSuppressionAsync(corners, scores, maxBoxes, iouThreshold);
  const indices = Array.from(await kept.data());
  tf.dispose([corners, scores, kept]);
  return indices.map((index) => boxes[index] as T);
}
