import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { FaceBox } from './box-geometry.js';
import type { FaceDetectionOptions } from './face-detector.js';
import {
  MaskDetector as BrowserMaskDetector,
  type DetectedFace,
  loadLayersModel,
  type MaskDetectorLoadOptions,
  type MaskDetectorOptions,
  type MaskPrediction,
  type PhotoInput,
} from './mask-detector.js';
import { MaskDetectorError } from './mask-detector-error.js';
import { maxImagePixels, maxImagePixelsText } from './node/max-image-pixels.js';
import { nodeModelSource } from './node/model-files.js';
import { loadSharp } from './node/optional-dependency.js';
import { FaceDetector } from './node-face-detector.js';

/** Path of the shipped weights' `model.json` (trained by `scripts/train-shipped-model.mjs`). */
export const shippedModelPath = fileURLToPath(
  new URL('../models/mask-detector/model.json', import.meta.url),
);

/** An image the Node detector accepts: a tensor of pixel values 0–255, a file path, or file bytes. */
export type ImageInput = tf.Tensor3D | string | Uint8Array;

/**
 * Decodes a PNG or JPEG (path or bytes) with sharp into a `[height, width, 3]` int32 tensor of
 * values 0–255 (alpha dropped).
 *
 * @throws {@link MaskDetectorError} `IMAGE_UNREADABLE` for a missing, truncated or unsupported file
 *   or one of more than 8192 × 8192 pixels;
 *   `MISSING_DEPENDENCY` when sharp is not installed
 */
export async function decodeImage(image: string | Uint8Array): Promise<tf.Tensor3D> {
  const sharp = loadSharp('decodeImage (PNG/JPEG files)');
  try {
    const { data, info } = await sharp(image, {
      failOn: 'truncated',
      limitInputPixels: maxImagePixels,
    })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return tf.tensor3d(new Int32Array(data), [info.height, info.width, 3], 'int32');
  } catch (cause) {
    throw new MaskDetectorError({
      code: 'IMAGE_UNREADABLE',
      message: `cannot decode ${typeof image === 'string' ? image : 'the image bytes'} as PNG or JPEG: ${(cause as Error).message} (images may have ${maxImagePixelsText}; resize larger ones)`,
      cause,
    });
  }
}

async function withTensor<T>(
  image: ImageInput,
  use: (tensor: tf.Tensor3D) => Promise<T>,
): Promise<T> {
  if (image instanceof tf.Tensor) return use(image);
  const tensor = await decodeImage(image);
  try {
    return await use(tensor);
  } finally {
    tensor.dispose();
  }
}

/**
 * The mask detector for Node: loads the shipped weights by default or a model from a path or URL,
 * and also takes PNG/JPEG files (path or bytes) wherever the browser build takes tensors.
 */
export class MaskDetector extends BrowserMaskDetector {
  /**
   * Loads a model.
   *
   * @param source - nothing for the shipped weights; a file path of a `model.json`; an
   *   `http(s)://` URL; or a tfjs IO handler
   * @throws {@link MaskDetectorError} `MODEL_UNREADABLE` or `MODEL_MISMATCH`
   */
  static override async load(
    source: string | URL | tf.io.IOHandler = shippedModelPath,
    options: MaskDetectorLoadOptions = {},
  ): Promise<MaskDetector> {
    return new MaskDetector(
      await loadLayersModel(await nodeModelSource(source), options.weightsUrl),
      options,
    );
  }

  /** Wraps a model already in memory (for example one just trained). */
  static override fromModel(
    model: tfl.LayersModel,
    options: MaskDetectorOptions = {},
  ): MaskDetector {
    return new MaskDetector(model, options);
  }

  /** Classifies one face crop: a tensor of values 0–255, or a PNG/JPEG path or bytes. */
  override async classify(face: ImageInput): Promise<MaskPrediction> {
    return withTensor(face, (tensor) => super.classify(tensor));
  }

  /** Classifies every box of a photo: a tensor of values 0–255, or a PNG/JPEG path or bytes. */
  override async classifyFaces(
    photo: ImageInput,
    boxes: readonly FaceBox[],
  ): Promise<MaskPrediction[]> {
    return withTensor(photo, (tensor) => super.classifyFaces(tensor, boxes));
  }

  /**
   * Finds the faces in a whole photo (a tensor of 0–255, or a PNG/JPEG path or bytes) and
   * classifies each; loads the shipped face detector on first use unless one was given.
   *
   * @throws {@link MaskDetectorError} `IMAGE_UNREADABLE`, `BAD_IMAGE_TENSOR`
   */
  override async detect(
    photo: ImageInput | PhotoInput,
    options: FaceDetectionOptions = {},
  ): Promise<DetectedFace[]> {
    if (typeof photo !== 'string' && !(photo instanceof Uint8Array)) {
      return super.detect(photo, options);
    }
    return withTensor(photo, (tensor) => super.detect(tensor, options));
  }

  protected override async loadFaceDetector(): Promise<FaceDetector> {
    this.faceDetector ??= await FaceDetector.load();
    return this.faceDetector;
  }
}
