import * as tfc from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { blazeFaceAnchors, decodeBlazeFace } from './blazeface-decode.js';
import { clampBox } from './box-geometry.js';
import { calibrateFaceBox, type FaceKeypoints } from './face-box-calibration.js';
import {
  type DetectorView,
  planViews,
  touchesInnerTileEdge,
  viewBoxToPhoto,
  viewPointToPhoto,
} from './face-views.js';
import { checkImage, rgb } from './image-tensor.js';
import { loadModelWith } from './load-model.js';
import { MaskDetectorError } from './mask-detector-error.js';
import { blendOverlaps, type ScoredBox, suppressOverlaps } from './suppress-overlaps.js';
import { vocFaceBoxCalibration } from './voc-face-box-calibration.js';

/** Options of {@link FaceDetector.detect}. */
export interface FaceDetectionOptions {
  /** Faces scored below this are dropped. Default 0.4. */
  minScore?: number;
  /**
   * Boxes scored at least this (and below `minScore`) are no faces themselves but still vote on
   * the edges of the face they overlap, and suppress weaker boxes; so a face's box does not
   * depend on `minScore` as long as both are ≥ this. Default 0.3.
   */
  voteScore?: number;
  /** Of two faces overlapping by more than this IoU, the lower-scored one is dropped. Default 0.3. */
  iouThreshold?: number;
  /** At most this many faces. Default 200. */
  maxFaces?: number;
  /**
   * Grid levels the photo is cut into, each tile enlarged to the detector's 256 px input: `[1]`
   * runs once on the whole photo; `[1, 2]` adds 2 × 2 overlapping tiles, which finds smaller
   * faces at up to 5 runs. Default `[1, 2]`.
   */
  grids?: readonly number[];
  /** Overlap of neighbouring tiles, as a fraction of the grid step. Default 0.25. */
  tileOverlap?: number;
}

/** Defaults of {@link FaceDetectionOptions}, measured by `scripts/measure-face-detection.mjs`. */
export const defaultFaceDetectionOptions: Required<FaceDetectionOptions> = {
  minScore: 0.4,
  voteScore: 0.3,
  iouThreshold: 0.3,
  maxFaces: 200,
  grids: [1, 2],
  tileOverlap: 0.25,
};

/** One box of one view, as BlazeFace gives it, in photo pixels. */
export interface FaceCandidate extends ScoredBox {
  /** The six keypoints (eyes, nose tip, mouth, ear tragions), in photo pixels. */
  keypoints: FaceKeypoints;
  /** Grid level of the view that found it (1: the whole photo). */
  grid: number;
}

/**
 * MediaPipe's BlazeFace "back" face detector (a tfjs graph model with a 256 × 256 input, for
 * faces far from the camera), run on the whole photo and on enlarged tiles of it; each box is
 * moved to where the VOC annotators draw a face ({@link vocFaceBoxCalibration}, from its
 * keypoints), and the boxes of all views are merged by non-maximum suppression and blended.
 */
export class FaceDetector {
  /** Side of the model's square input in pixels. */
  readonly inputSize: number;
  private readonly anchors: tf.Tensor2D;

  protected constructor(readonly model: tfc.GraphModel) {
    const [batch, height, width, channels] = model.inputs[0]?.shape ?? [];
    if (
      batch !== 1 ||
      height !== width ||
      typeof height !== 'number' ||
      channels !== 3 ||
      model.outputs.length !== 4
    ) {
      throw new MaskDetectorError({
        code: 'MODEL_MISMATCH',
        message: `expected a BlazeFace graph model with input [1, s, s, 3] and 4 outputs, got input ${JSON.stringify(model.inputs[0]?.shape)} and ${model.outputs.length} outputs`,
      });
    }
    this.inputSize = height;
    this.anchors = tf.tensor2d(blazeFaceAnchors(height));
  }

  /**
   * Loads a BlazeFace graph model from a URL of its `model.json` (fetched, as in a browser) or a
   * tfjs IO handler.
   *
   * @throws {@link MaskDetectorError} `MODEL_UNREADABLE` or `MODEL_MISMATCH`
   */
  static async load(source: string | URL | tf.io.IOHandler): Promise<FaceDetector> {
    return new FaceDetector(await loadGraphModel(source));
  }

  /** Wraps a graph model already in memory. */
  static fromModel(model: tfc.GraphModel): FaceDetector {
    return new FaceDetector(model);
  }

  /**
   * Finds the faces in a photo.
   *
   * @param photo - `[height, width, 3|4]` pixel values 0–255
   * @returns boxes in photo pixels (cut to the photo) with the detector's score, best first
   * @throws {@link MaskDetectorError} `BAD_IMAGE_TENSOR`, or `INVALID_OPTION` for grids that are not
   *   whole numbers ≥ 1, a score outside [0, 1] or a negative overlap
   */
  async detect(photo: tf.Tensor3D, options: FaceDetectionOptions = {}): Promise<ScoredBox[]> {
    const settings = { ...defaultFaceDetectionOptions, ...options };
    const candidates = await this.detectCandidates(photo, settings);
    const [height, width] = photo.shape;
    const inside = candidates.flatMap(({ box, keypoints, score }) => {
      const calibrated = calibrateFaceBox(box, keypoints, vocFaceBoxCalibration);
      const clamped = clampBox(calibrated, width, height).box;
      return clamped ? [{ box: clamped, score }] : [];
    });
    const kept = await suppressOverlaps(inside, settings.iouThreshold, settings.maxFaces);
    return blendOverlaps(kept, inside, settings.iouThreshold).filter(
      (face) => face.score >= settings.minScore,
    );
  }

  /**
   * Every box of every view scored at least `min(minScore, voteScore)`, as BlazeFace gives it
   * (before calibration, suppression and blending; boxes cut by a tile's inner edge left out),
   * with its keypoints: what {@link FaceDetector.detect} merges, and what a calibration is fitted on.
   *
   * @throws {@link MaskDetectorError} as {@link FaceDetector.detect}
   */
  async detectCandidates(
    photo: tf.Tensor3D,
    options: FaceDetectionOptions = {},
  ): Promise<FaceCandidate[]> {
    checkImage(photo, 'photo');
    const settings = { ...defaultFaceDetectionOptions, ...options };
    checkOptions(settings);
    const [height, width] = photo.shape;
    const floor = Math.min(settings.minScore, settings.voteScore);
    // The model takes values in [−1, 1].
    const normalised = tf.tidy(() =>
      tf.expandDims(tf.sub(tf.div(rgb(photo), 127.5), 1), 0),
    ) as tf.Tensor4D;
    const candidates: FaceCandidate[] = [];
    try {
      for (const view of planViews(width, height, settings.grids, settings.tileOverlap)) {
        for (const found of await this.detectInView(normalised, view, floor)) {
          // A face cut by a tile's inner edge is seen whole by a neighbour or a coarser level.
          if (!touchesInnerTileEdge(found.box, view, width, height, 2)) candidates.push(found);
        }
      }
    } finally {
      normalised.dispose();
    }
    return candidates;
  }

  /** Frees the model's weights. */
  dispose(): void {
    this.model.dispose();
    this.anchors.dispose();
  }

  private async detectInView(
    photo: tf.Tensor4D,
    view: DetectorView,
    minScore: number,
  ): Promise<FaceCandidate[]> {
    const [, height = 1, width = 1] = photo.shape;
    const size = this.inputSize;
    const { boxes, scores, keypoints } = tf.tidy(() => {
      // cropAndResize samples pixel centres; the part of the view past the photo is black (−1).
      const corners = [
        view.y / Math.max(1, height - 1),
        view.x / Math.max(1, width - 1),
        (view.y + view.side - 1) / Math.max(1, height - 1),
        (view.x + view.side - 1) / Math.max(1, width - 1),
      ];
      const input = tf.image.cropAndResize(photo, [corners], [0], [size, size], 'bilinear', -1);
      // Four outputs, told apart by size: logits and regressors of the 16 px and the 32 px grids.
      const [logits32, logits16, regressors32, regressors16] = (
        this.model.execute(input) as tf.Tensor[]
      ).sort((a, b) => a.size - b.size) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const logits = tf.concat([tf.reshape(logits16, [-1]), tf.reshape(logits32, [-1])]);
      const regressors = tf.concat([tf.squeeze(regressors16, [0]), tf.squeeze(regressors32, [0])]);
      return decodeBlazeFace(logits, regressors as tf.Tensor2D, this.anchors);
    });
    const corners = await boxes.array();
    const points = await keypoints.array();
    const probabilities = await scores.data();
    tf.dispose([boxes, scores, keypoints]);
    const found: FaceCandidate[] = [];
    probabilities.forEach((score, i) => {
      const [y1 = 0, x1 = 0, y2 = 0, x2 = 0] = corners[i] ?? [];
      // A box of no size is no face (and has no shape to calibrate).
      if (score < minScore || !(x2 > x1) || !(y2 > y1)) return;
      found.push({
        box: viewBoxToPhoto({ x1, y1, x2, y2 }, view, size),
        score,
        keypoints: (points[i] ?? []).map(([x = 0, y = 0]) => viewPointToPhoto([x, y], view, size)),
        grid: view.grid,
      });
    });
    return found;
  }
}

function checkOptions(settings: Required<FaceDetectionOptions>): void {
  const problems = [
    settings.grids.length > 0 && settings.grids.every((g) => Number.isInteger(g) && g >= 1)
      ? ''
      : `grids must be whole numbers ≥ 1, e.g. [1, 2], got ${JSON.stringify(settings.grids)}`,
    settings.minScore >= 0 && settings.minScore <= 1
      ? ''
      : `minScore must be in [0, 1], got ${settings.minScore}`,
    settings.voteScore >= 0 && settings.voteScore <= 1
      ? ''
      : `voteScore must be in [0, 1], got ${settings.voteScore}`,
    settings.tileOverlap >= 0 ? '' : `tileOverlap must be ≥ 0, got ${settings.tileOverlap}`,
    settings.maxFaces >= 1 ? '' : `maxFaces must be ≥ 1, got ${settings.maxFaces}`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new MaskDetectorError({ code: 'INVALID_OPTION', message: `${problems.join('; ')}.` });
  }
}

/** Loads a graph model, turning any failure into a typed error. */
export function loadGraphModel(source: string | URL | tf.io.IOHandler): Promise<tfc.GraphModel> {
  return loadModelWith('the face detector', source, (resolved) => tfc.loadGraphModel(resolved));
}
