import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { cropWithMargin, type FaceBox } from './box-geometry.js';
import type { FaceDetectionOptions, FaceDetector } from './face-detector.js';
import { checkImage, rgb } from './image-tensor.js';
import { classNamesFor, type MaskLabel } from './labels.js';
import { loadModelWith } from './load-model.js';
import { MaskDetectorError } from './mask-detector-error.js';
import { outputToProbabilities } from './predict-batches.js';

/** What the detector says about one face. */
export interface MaskPrediction {
  /** The most likely class. */
  label: MaskLabel;
  /** Probability of `label`, in [0.5, 1] for two classes. */
  probability: number;
  /** Probability of every class, by name. */
  probabilities: Partial<Record<MaskLabel, number>>;
}

/** Options of {@link MaskDetector.load} and {@link MaskDetector.fromModel}. */
export interface MaskDetectorOptions {
  /** Context added around a box in {@link MaskDetector.classifyFaces}, as in training. Default 0.1. */
  margin?: number;
  /** The face detector {@link MaskDetector.detect} uses (the Node build loads the shipped one when absent). */
  faceDetector?: FaceDetector;
}

/** Options of {@link MaskDetector.load}: the detector's, and where the weights are. */
export interface MaskDetectorLoadOptions extends MaskDetectorOptions {
  /**
   * URL of the weights file when it is not beside `model.json` under the name the manifest
   * gives, as when a bundler renames assets (`weights.bin?url`). For models with one weights
   * file, such as the shipped one.
   */
  weightsUrl?: string | URL;
}

/** A face found in a photo by {@link MaskDetector.detect}, with the classifier's verdict on it. */
export interface DetectedFace {
  /** The face in photo pixels. */
  box: FaceBox;
  /** The face detector's score in [0, 1]. */
  score: number;
  /** The most likely class of the face crop. */
  label: MaskLabel;
  /** The classifier's probability of `label`. */
  confidence: number;
  /** The classifier's probability of every class, by name. */
  probabilities: Partial<Record<MaskLabel, number>>;
}

/** What the browser build's {@link MaskDetector.detect} takes: a tensor of 0–255 or anything `tf.browser.fromPixels` reads (image, canvas, video frame, ImageData, ImageBitmap). */
export type PhotoInput = tf.Tensor3D | Parameters<typeof tf.browser.fromPixels>[0];

/**
 * A face-mask classifier around a trained tfjs layers model (input `[n, size, size, 3]` in
 * [0, 1]; one sigmoid unit for with_mask / no_mask, or a 3-way softmax for the VOC classes).
 * Images are tensors of pixel values 0–255, `[height, width, 3]` (or 4 channels; alpha is
 * dropped), as `tf.browser.fromPixels` gives them.
 */
export class MaskDetector {
  /** The class names, in the model's output order. */
  readonly classNames: readonly MaskLabel[];
  /** Side of the square input in pixels. */
  readonly inputSize: number;
  readonly margin: number;
  protected faceDetector: FaceDetector | undefined;

  protected constructor(
    readonly model: tfl.LayersModel,
    options: MaskDetectorOptions = {},
  ) {
    const [, height, width, channels] = model.inputs[0]?.shape ?? [];
    const units = model.outputs[0]?.shape[1];
    if (
      height !== width ||
      typeof height !== 'number' ||
      channels !== 3 ||
      (units !== 1 && units !== 3)
    ) {
      throw new MaskDetectorError({
        code: 'MODEL_MISMATCH',
        message: `expected a model with input [null, s, s, 3] and 1 or 3 outputs, got input ${JSON.stringify(model.inputs[0]?.shape)} and ${String(units)} outputs`,
      });
    }
    this.inputSize = height;
    this.classNames = classNamesFor(units === 1 ? 2 : 3);
    this.margin = options.margin ?? 0.1;
    this.faceDetector = options.faceDetector;
  }

  /**
   * Loads a model from a URL of its `model.json` (fetched, as in a browser) or a tfjs IO handler.
   * The shipped weights are exported as `@actlab/mask-detector/models/mask-detector/model.json`
   * and `.../weights.bin`, so a bundler can give their URLs (Vite: `?url` imports; pass the
   * weights' one as `weightsUrl`, since the bundler renames the file).
   *
   * @throws {@link MaskDetectorError} `MODEL_UNREADABLE` or `MODEL_MISMATCH`
   */
  static async load(
    source: string | URL | tf.io.IOHandler,
    options: MaskDetectorLoadOptions = {},
  ): Promise<MaskDetector> {
    return new MaskDetector(await loadLayersModel(source, options.weightsUrl), options);
  }

  /** Wraps a model already in memory (for example one just trained). */
  static fromModel(model: tfl.LayersModel, options: MaskDetectorOptions = {}): MaskDetector {
    return new MaskDetector(model, options);
  }

  /**
   * Classifies one face crop (the whole image is the face).
   *
   * @param face - `[height, width, 3|4]` pixel values 0–255
   * @throws {@link MaskDetectorError} `BAD_IMAGE_TENSOR` for another shape
   */
  async classify(face: tf.Tensor3D): Promise<MaskPrediction> {
    checkImage(face, 'face');
    const input = tf.tidy(() =>
      tf.expandDims(
        tf.div(tf.image.resizeBilinear(rgb(face), [this.inputSize, this.inputSize]), 255),
        0,
      ),
    ) as tf.Tensor4D;
    const [prediction] = await this.predict(input);
    input.dispose();
    return prediction as MaskPrediction;
  }

  /**
   * Classifies every face box of a photo: each box is grown by the margin, cut to the photo,
   * and resized, as in training.
   *
   * @param photo - `[height, width, 3|4]` pixel values 0–255
   * @param boxes - faces in pixels
   * @returns one prediction per box, in order
   * @throws {@link MaskDetectorError} `BAD_IMAGE_TENSOR`, or `BAD_BOX` for a box with no pixel inside the photo
   */
  async classifyFaces(photo: tf.Tensor3D, boxes: readonly FaceBox[]): Promise<MaskPrediction[]> {
    checkImage(photo, 'photo');
    if (boxes.length === 0) return [];
    const [height, width] = photo.shape;
    const normalised = boxes.map((box, index) => {
      const valid =
        [box.x, box.y, box.width, box.height].every(Number.isFinite) &&
        box.width > 0 &&
        box.height > 0;
      if (
        !valid ||
        box.x >= width ||
        box.y >= height ||
        box.x + box.width <= 0 ||
        box.y + box.height <= 0
      ) {
        throw new MaskDetectorError({
          code: 'BAD_BOX',
          message: `box ${index} (${JSON.stringify(box)}) has no pixel inside the ${width}×${height} photo; boxes are {x, y, width, height} in pixels`,
        });
      }
      const x0 = Math.max(0, box.x);
      const y0 = Math.max(0, box.y);
      const clamped = {
        x: x0,
        y: y0,
        width: Math.min(width, box.x + box.width) - x0,
        height: Math.min(height, box.y + box.height) - y0,
      };
      const crop = cropWithMargin(clamped, this.margin, width, height);
      // cropAndResize samples pixel centres: corners of the crop are (x, y) and (x + w − 1, y + h − 1).
      return [
        crop.y / Math.max(1, height - 1),
        crop.x / Math.max(1, width - 1),
        (crop.y + crop.height - 1) / Math.max(1, height - 1),
        (crop.x + crop.width - 1) / Math.max(1, width - 1),
      ];
    });
    const input = tf.tidy(() =>
      tf.div(
        tf.image.cropAndResize(
          tf.expandDims(tf.cast(rgb(photo), 'float32'), 0) as tf.Tensor4D,
          tf.tensor2d(normalised.flat(), [boxes.length, 4]),
          tf.zeros([boxes.length], 'int32') as tf.Tensor1D,
          [this.inputSize, this.inputSize],
        ),
        255,
      ),
    ) as tf.Tensor4D;
    const predictions = await this.predict(input);
    input.dispose();
    return predictions;
  }

  /**
   * Finds the faces in a whole photo and classifies each: the face detector's boxes go through
   * {@link MaskDetector.classifyFaces}.
   *
   * @param photo - a `[height, width, 3|4]` tensor of 0–255, or an image, canvas or video frame
   * @param options - the face detector's settings (score threshold, tiling)
   * @returns one entry per face, best detector score first
   * @throws {@link MaskDetectorError} `NO_FACE_DETECTOR` when none was given, `BAD_IMAGE_TENSOR`
   */
  async detect(photo: PhotoInput, options: FaceDetectionOptions = {}): Promise<DetectedFace[]> {
    const faceDetector = await this.loadFaceDetector();
    const tensor = photo instanceof tf.Tensor ? photo : fromPixels(photo);
    try {
      const faces = await faceDetector.detect(tensor, options);
      const predictions = await this.classifyFaces(
        tensor,
        faces.map((face) => face.box),
      );
      return faces.map(({ box, score }, i) => {
        const { label, probability, probabilities } = predictions[i] as MaskPrediction;
        return { box, score, label, confidence: probability, probabilities };
      });
    } finally {
      if (tensor !== photo) tensor.dispose();
    }
  }

  /** Frees the model's weights and those of the face detector. */
  dispose(): void {
    this.model.dispose();
    this.faceDetector?.dispose();
  }

  /** The face detector of {@link MaskDetector.detect}. */
  protected async loadFaceDetector(): Promise<FaceDetector> {
    if (this.faceDetector) return this.faceDetector;
    throw new MaskDetectorError({
      code: 'NO_FACE_DETECTOR',
      message:
        'detect() needs a face detector: pass { faceDetector: await FaceDetector.load(url) } to MaskDetector.load (its model.json is in the package under models/face-detector/)',
    });
  }

  private async predict(input: tf.Tensor4D): Promise<MaskPrediction[]> {
    const probabilities = tf.tidy(() =>
      outputToProbabilities(this.model.predict(input) as tf.Tensor),
    );
    const rows = (await probabilities.array()) as number[][];
    probabilities.dispose();
    return rows.map((row) => {
      let best = 0;
      row.forEach((p, c) => {
        if (p > (row[best] as number)) best = c;
      });
      return {
        label: this.classNames[best] as MaskLabel,
        probability: row[best] as number,
        probabilities: Object.fromEntries(
          this.classNames.map((name, c) => [name, row[c] as number]),
        ),
      };
    });
  }
}

function fromPixels(photo: Exclude<PhotoInput, tf.Tensor3D>): tf.Tensor3D {
  try {
    return tf.browser.fromPixels(photo);
  } catch (cause) {
    throw new MaskDetectorError({
      code: 'BAD_IMAGE_TENSOR',
      message: `expected a [height, width, 3] tensor of 0–255 or an image, canvas, video frame or ImageData: ${(cause as Error).message}`,
      cause,
    });
  }
}

/**
 * Loads a layers model, turning any failure into a typed error; `weightsUrl` replaces the weights
 * file's URL (tfjs otherwise looks for it beside `model.json`), as when a bundler renamed it.
 */
export function loadLayersModel(
  source: string | URL | tf.io.IOHandler,
  weightsUrl?: string | URL,
): Promise<tfl.LayersModel> {
  return loadModelWith('the mask model', source, (resolved) =>
    tfl.loadLayersModel(
      typeof resolved === 'string' && weightsUrl !== undefined
        ? tf.io.http(resolved, { weightUrlConverter: async () => String(weightsUrl) })
        : resolved,
    ),
  );
}
