import type { FaceBox } from './box-geometry.js';
import { MaskDetectorError } from './mask-detector-error.js';

/**
 * BlazeFace's six keypoints of one face, `(x, y)` in the same pixels as its box: right eye,
 * left eye, nose tip, mouth centre, right ear tragion, left ear tragion.
 */
export type FaceKeypoints = readonly (readonly [number, number])[];

/**
 * A linear map from a detector box and its keypoints to the box annotators draw. Each row
 * predicts one of: the annotated centre's x offset and y offset from the box centre (in box
 * widths), log(annotated width / box width) and log(annotated height / box width), as the dot
 * product of the row with {@link calibrationFeatures}.
 */
export interface FaceBoxCalibration {
  /** Four rows of {@link calibrationFeatureCount} numbers. */
  coefficients: readonly (readonly number[])[];
}

/** Number of features {@link calibrationFeatures} gives for six keypoints. */
export const calibrationFeatureCount = 16;

/**
 * The features a {@link FaceBoxCalibration} weighs, all free of the photo's position: 1, each
 * keypoint's offset from the box centre in box widths (x then y), log(height / width), and
 * 1 / width and log(width) in pixels (small faces are drawn differently, and one pixel more or
 * less weighs more on them).
 */
export function calibrationFeatures(box: FaceBox, keypoints: FaceKeypoints): number[] {
  if (keypoints.length !== 6 || !(box.width > 0) || !(box.height > 0)) {
    throw new MaskDetectorError({
      code: 'INVALID_OPTION',
      message: `calibration needs a box of positive size and 6 keypoints, got ${box.width} × ${box.height} and ${keypoints.length}`,
    });
  }
  const centreX = box.x + box.width / 2;
  const centreY = box.y + box.height / 2;
  const offsets = keypoints.flatMap(([x, y]) => [
    (x - centreX) / box.width,
    (y - centreY) / box.width,
  ]);
  return [1, ...offsets, Math.log(box.height / box.width), 1 / box.width, Math.log(box.width)];
}

/** The calibration that leaves every box as it is. */
export const identityCalibration: FaceBoxCalibration = {
  coefficients: [0, 1, 2, 3].map((row) =>
    Array.from({ length: calibrationFeatureCount }, (_, i) => (row === 3 && i === 13 ? 1 : 0)),
  ),
};

/**
 * Moves a detector box to where annotators would draw the face.
 *
 * @param box - the detector's box, in pixels
 * @param keypoints - its six keypoints, in the same pixels
 * @throws {@link MaskDetectorError} `INVALID_OPTION` for an empty box, keypoints that are not six,
 *   or a calibration whose rows are not 4 × {@link calibrationFeatureCount}
 */
export function calibrateFaceBox(
  box: FaceBox,
  keypoints: FaceKeypoints,
  calibration: FaceBoxCalibration,
): FaceBox {
  checkCalibration(calibration);
  const features = calibrationFeatures(box, keypoints);
  const [dx = 0, dy = 0, logWidth = 0, logHeight = 0] = calibration.coefficients.map((row) =>
    row.reduce((sum, weight, i) => sum + weight * (features[i] ?? 0), 0),
  );
  const width = Math.exp(logWidth) * box.width;
  const height = Math.exp(logHeight) * box.width;
  const centreX = box.x + box.width / 2 + dx * box.width;
  const centreY = box.y + box.height / 2 + dy * box.width;
  return { x: centreX - width / 2, y: centreY - height / 2, width, height };
}

/** A detector box with its keypoints and the annotated box it should become. */
export interface CalibrationSample {
  box: FaceBox;
  keypoints: FaceKeypoints;
  annotated: FaceBox;
}

/**
 * Fits a {@link FaceBoxCalibration} by ridge-regularised least squares (the ridge is
 * `ridge × samples` on every coefficient), one row per predicted quantity.
 *
 * @throws {@link MaskDetectorError} `INVALID_OPTION` with fewer samples than features
 */
export function fitFaceBoxCalibration(
  samples: readonly CalibrationSample[],
  ridge = 1e-3,
): FaceBoxCalibration {
  const n = calibrationFeatureCount;
  if (samples.length < n) {
    throw new MaskDetectorError({
      code: 'INVALID_OPTION',
      message: `fitting a calibration needs at least ${n} samples, got ${samples.length}`,
    });
  }
  const gram = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? ridge * samples.length : 0)),
  );
  const moments = [0, 1, 2, 3].map(() => new Array<number>(n).fill(0));
  for (const { box, keypoints, annotated } of samples) {
    const features = calibrationFeatures(box, keypoints);
    const targets = [
      (annotated.x + annotated.width / 2 - box.x - box.width / 2) / box.width,
      (annotated.y + annotated.height / 2 - box.y - box.height / 2) / box.width,
      Math.log(annotated.width / box.width),
      Math.log(annotated.height / box.width),
    ];
    features.forEach((fi, i) => {
      const row = gram[i] as number[];
      features.forEach((fj, j) => {
        row[j] = (row[j] ?? 0) + fi * fj;
      });
      targets.forEach((target, t) => {
        const moment = moments[t] as number[];
        moment[i] = (moment[i] ?? 0) + fi * target;
      });
    });
  }
  return { coefficients: moments.map((moment) => solveLinear(gram, moment)) };
}

/** Solves `a x = b` by Gaussian elimination with partial pivoting (`a` symmetric positive definite here). */
function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const rows = a.map((row, i) => [...row, b[i] ?? 0]);
  const n = rows.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(rows[r]?.[col] ?? 0) > Math.abs(rows[pivot]?.[col] ?? 0)) pivot = r;
    }
    [rows[col], rows[pivot]] = [rows[pivot] as number[], rows[col] as number[]];
    const top = rows[col] as number[];
    for (let r = 0; r < n; r++) {
      const row = rows[r] as number[];
      if (r === col || row[col] === 0) continue;
      const factor = (row[col] ?? 0) / (top[col] ?? 1);
      for (let k = col; k <= n; k++) row[k] = (row[k] ?? 0) - factor * (top[k] ?? 0);
    }
  }
  return rows.map((row, i) => (row[n] ?? 0) / (row[i] ?? 1));
}

function checkCalibration(calibration: FaceBoxCalibration): void {
  const rows = calibration.coefficients;
  if (rows.length !== 4 || rows.some((row) => row.length !== calibrationFeatureCount)) {
    throw new MaskDetectorError({
      code: 'INVALID_OPTION',
      message: `a calibration has 4 rows of ${calibrationFeatureCount} coefficients, got ${rows.map((row) => row.length).join(', ')}`,
    });
  }
}
