import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { blazeFaceAnchors, decodeBlazeFace } from './blazeface-decode.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('blazeFaceAnchors', () => {
  it('lays 2 anchors per 16 px cell, then 6 per 32 px cell, at cell centres (896 at 256 px)', () => {
    const anchors = blazeFaceAnchors(256);
    expect(anchors).toHaveLength(16 * 16 * 2 + 8 * 8 * 6);
    expect(anchors.slice(0, 3)).toEqual([
      [8, 8],
      [8, 8],
      [24, 8],
    ]);
    expect(anchors[511]).toEqual([248, 248]);
    expect(anchors.slice(512, 519)).toEqual([...Array(6).fill([16, 16]), [48, 16]]);
    expect(anchors.at(-1)).toEqual([240, 240]);
  });
});

describe('decodeBlazeFace', () => {
  it('turns centre offsets and sizes around each anchor into (y1, x1, y2, x2) boxes, sigmoid scores and keypoints', async () => {
    const anchors = tf.tensor2d([
      [8, 8],
      [100, 50],
    ]);
    // dx, dy, width, height, then keypoints as offsets from the anchor.
    const regressors = tf.tensor2d([
      [2, -1, 10, 20, 7, 7, -1, 3],
      [0, 0, 40, 30, 7, 7, 0, -5],
    ]);
    const logits = tf.tensor2d([[0], [1e6]]);
    const before = tf.memory().numTensors;
    const { boxes, scores, keypoints } = decodeBlazeFace(logits, regressors, anchors);
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(await boxes.array()).toEqual([
      [-3, 5, 17, 15],
      [35, 80, 65, 120],
    ]);
    const [half, clipped] = Array.from(await scores.data());
    expect(half).toBeCloseTo(0.5, 6);
    // Logits are clipped to ±100, so a huge one gives 1, not NaN.
    expect(clipped).toBeCloseTo(1, 6);
    expect(await keypoints.array()).toEqual([
      [
        [15, 15],
        [7, 11],
      ],
      [
        [107, 57],
        [100, 45],
      ],
    ]);
    tf.dispose([anchors, regressors, logits, boxes, scores, keypoints]);
  });
});
