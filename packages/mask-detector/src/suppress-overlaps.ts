import * as tf from '@tensorflow/tfjs-core';
import { boxIoU, type FaceBox } from './box-geometry.js';

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

/**
 * Replaces each kept box by the score-weighted mean of every candidate overlapping it by at least
 * `iouThreshold` (itself included), as MediaPipe's "weighted" suppression does: views and anchors
 * that saw one face vote on its edges, which fits the face better than the single best box.
 *
 * @param kept - the boxes {@link suppressOverlaps} kept
 * @param candidates - all boxes before suppression
 */
export function blendOverlaps<T extends ScoredBox>(
  kept: readonly T[],
  candidates: readonly ScoredBox[],
  iouThreshold: number,
): T[] {
  return kept.map((face) => {
    let weight = 0;
    let x0 = 0;
    let y0 = 0;
    let x1 = 0;
    let y1 = 0;
    for (const { box, score } of candidates) {
      if (boxIoU(box, face.box) < iouThreshold) continue;
      weight += score;
      x0 += score * box.x;
      y0 += score * box.y;
      x1 += score * (box.x + box.width);
      y1 += score * (box.y + box.height);
    }
    if (weight === 0) return face;
    const box = {
      x: x0 / weight,
      y: y0 / weight,
      width: (x1 - x0) / weight,
      height: (y1 - y0) / weight,
    };
    return { ...face, box };
  });
}
