import { describe, expect, it } from 'vitest';
import type { FaceBox } from './box-geometry.js';
import {
  type CalibrationSample,
  calibrateFaceBox,
  calibrationFeatureCount,
  calibrationFeatures,
  type FaceKeypoints,
  fitFaceBoxCalibration,
  identityCalibration,
} from './face-box-calibration.js';
import { vocFaceBoxCalibration } from './voc-face-box-calibration.js';

/** A frontal face's keypoints placed in a box: eyes, nose, mouth, ears (fractions of the box). */
function frontalKeypoints(box: FaceBox, noseShift = 0): FaceKeypoints {
  const at = (fx: number, fy: number): [number, number] => [
    box.x + fx * box.width,
    box.y + fy * box.height,
  ];
  return [
    at(0.33, 0.38),
    at(0.67, 0.38),
    at(0.5 + noseShift, 0.58),
    at(0.5 + noseShift / 2, 0.76),
    at(0.08, 0.45),
    at(0.92, 0.45),
  ];
}

/** Deterministic pseudo-random numbers in [0, 1). */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('calibrationFeatures', () => {
  it('gives 1, keypoint offsets from the centre in box widths, log aspect, 1 / width and log width', () => {
    const box = { x: 10, y: 20, width: 20, height: 40 };
    const keypoints: FaceKeypoints = [
      [20, 40],
      [30, 40],
      [20, 50],
      [10, 30],
      [0, 40],
      [40, 40],
    ];
    const features = calibrationFeatures(box, keypoints);
    expect(features).toHaveLength(calibrationFeatureCount);
    expect(features.slice(0, 7)).toEqual([1, 0, 0, 0.5, 0, 0, 0.5]);
    expect(features.slice(7, 13)).toEqual([-0.5, -0.5, -1, 0, 1, 0]);
    expect(features[13]).toBeCloseTo(Math.log(2), 12);
    expect(features[14]).toBe(1 / 20);
    expect(features[15]).toBeCloseTo(Math.log(20), 12);
  });

  it('throws a typed error for an empty box or keypoints that are not six', () => {
    const box = { x: 0, y: 0, width: 10, height: 10 };
    expect(() => calibrationFeatures({ ...box, width: 0 }, frontalKeypoints(box))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => calibrationFeatures(box, frontalKeypoints(box).slice(0, 5))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

describe('calibrateFaceBox', () => {
  it('leaves a box as it is under the identity calibration, square or not', () => {
    for (const box of [
      { x: 5, y: 7, width: 30, height: 30 },
      { x: -3, y: 100, width: 12, height: 20 },
    ]) {
      const moved = calibrateFaceBox(box, frontalKeypoints(box), identityCalibration);
      expect(moved.x).toBeCloseTo(box.x, 10);
      expect(moved.y).toBeCloseTo(box.y, 10);
      expect(moved.width).toBeCloseTo(box.width, 10);
      expect(moved.height).toBeCloseTo(box.height, 10);
    }
  });

  it('is shift-invariant and scales with the face, apart from its size terms', () => {
    const box = { x: 40, y: 60, width: 50, height: 50 };
    const moved = calibrateFaceBox(box, frontalKeypoints(box), vocFaceBoxCalibration);
    const shiftedBox = { ...box, x: 140, y: 10 };
    const shifted = calibrateFaceBox(
      shiftedBox,
      frontalKeypoints(shiftedBox),
      vocFaceBoxCalibration,
    );
    expect(shifted.x - moved.x).toBeCloseTo(100, 10);
    expect(shifted.y - moved.y).toBeCloseTo(-50, 10);
    expect(shifted.width).toBeCloseTo(moved.width, 10);
  });

  it('moves a frontal BlazeFace box the way the VOC annotators draw: lower and taller, about as wide', () => {
    for (const side of [16, 40, 120]) {
      const box = { x: 100, y: 100, width: side, height: side };
      const moved = calibrateFaceBox(box, frontalKeypoints(box), vocFaceBoxCalibration);
      expect(moved.y + moved.height / 2, `side ${side}`).toBeGreaterThan(100 + side / 2);
      expect(moved.height / side, `side ${side}`).toBeGreaterThan(1);
      expect(moved.height / side, `side ${side}`).toBeLessThan(1.25);
      expect(Math.abs(moved.width / side - 1), `side ${side}`).toBeLessThan(0.1);
      expect(Math.abs(moved.x + moved.width / 2 - (100 + side / 2)) / side).toBeLessThan(0.1);
    }
  });

  it('throws a typed error for a calibration of the wrong shape', () => {
    const box = { x: 0, y: 0, width: 10, height: 10 };
    expect(() =>
      calibrateFaceBox(box, frontalKeypoints(box), { coefficients: [[1, 2, 3]] }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

describe('fitFaceBoxCalibration', () => {
  it('recovers a known box rule from samples: centre follows the nose, 10 % wider, 20 % taller', () => {
    const random = sequence(7);
    const rule = (box: FaceBox, keypoints: FaceKeypoints): FaceBox => {
      const [noseX = 0] = keypoints[2] ?? [];
      const centreX = box.x + box.width / 2 + 0.5 * (noseX - box.x - box.width / 2);
      const centreY = box.y + box.height / 2 + 0.05 * box.width;
      const width = box.width * 1.1;
      const height = box.height * 1.2;
      return { x: centreX - width / 2, y: centreY - height / 2, width, height };
    };
    const samples: CalibrationSample[] = Array.from({ length: 200 }, () => {
      const side = 10 + 100 * random();
      const box = { x: 400 * random(), y: 300 * random(), width: side, height: side };
      const keypoints = frontalKeypoints(box, 0.3 * (random() - 0.5));
      return { box, keypoints, annotated: rule(box, keypoints) };
    });
    const calibration = fitFaceBoxCalibration(samples, 1e-9);
    for (const { box, keypoints, annotated } of samples.slice(0, 20)) {
      const moved = calibrateFaceBox(box, keypoints, calibration);
      expect(moved.x).toBeCloseTo(annotated.x, 3);
      expect(moved.y).toBeCloseTo(annotated.y, 3);
      expect(moved.width).toBeCloseTo(annotated.width, 3);
      expect(moved.height).toBeCloseTo(annotated.height, 3);
    }
  });

  it('throws a typed error with fewer samples than features', () => {
    const box = { x: 0, y: 0, width: 10, height: 10 };
    const sample = { box, keypoints: frontalKeypoints(box), annotated: box };
    expect(() => fitFaceBoxCalibration([sample])).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
