import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { boxIoU } from './box-geometry.js';
import { blendOverlaps, suppressOverlaps } from './suppress-overlaps.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('boxIoU', () => {
  it('is 1 for equal boxes, 0 apart, and intersection over union otherwise', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    expect(boxIoU(a, a)).toBe(1);
    expect(boxIoU(a, { x: 10, y: 0, width: 10, height: 10 })).toBe(0);
    expect(boxIoU(a, { x: 5, y: 0, width: 10, height: 10 })).toBeCloseTo(50 / 150, 12);
  });
});

describe('suppressOverlaps', () => {
  it('keeps the best of overlapping boxes and every box apart from them, best first, leaking no tensor', async () => {
    const face = (x: number, score: number, name: string) => ({
      box: { x, y: 10, width: 20, height: 20 },
      score,
      name,
    });
    const before = tf.memory().numTensors;
    const kept = await suppressOverlaps(
      [face(0, 0.6, 'a'), face(2, 0.9, 'b'), face(50, 0.7, 'c'), face(14, 0.8, 'd')],
      0.3,
      10,
    );
    // b and a overlap by 0.82: a goes; d overlaps b by 0.25 (under 0.3): d stays.
    expect(kept.map((k) => k.name)).toEqual(['b', 'd', 'c']);
    expect(await suppressOverlaps([face(0, 0.6, 'a'), face(50, 0.7, 'c')], 0.3, 1)).toHaveLength(1);
    expect(await suppressOverlaps([], 0.3, 10)).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('blendOverlaps', () => {
  it('moves each kept box to the score-weighted mean of the boxes overlapping it, ignoring the others', () => {
    const kept = { box: { x: 10, y: 10, width: 20, height: 20 }, score: 0.75, name: 'kept' };
    const near = { box: { x: 12, y: 10, width: 20, height: 24 }, score: 0.25 };
    const far = { box: { x: 100, y: 10, width: 20, height: 20 }, score: 0.9 };
    const [blended] = blendOverlaps([kept], [kept, near, far], 0.3);
    expect(blended?.name).toBe('kept');
    expect(blended?.score).toBe(0.75);
    expect(blended?.box.x).toBeCloseTo(10.5, 12);
    expect(blended?.box.y).toBeCloseTo(10, 12);
    expect(blended?.box.width).toBeCloseTo(20, 12);
    expect(blended?.box.height).toBeCloseTo(21, 12);
  });
});
