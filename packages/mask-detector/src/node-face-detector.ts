import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import { FaceDetector as BrowserFaceDetector, loadGraphModel } from './face-detector.js';
import { nodeModelSource } from './node/model-files.js';

/**
 * Path of the shipped face detector's `model.json`: MediaPipe's BlazeFace "back" model
 * (Apache-2.0) as converted in `@vladmandic/human` 3.3.6; licence and attribution beside it.
 */
export const shippedFaceDetectorPath = fileURLToPath(
  new URL('../models/face-detector/blazeface.json', import.meta.url),
);

/** The face detector for Node: loads the shipped BlazeFace weights by default. */
export class FaceDetector extends BrowserFaceDetector {
  /**
   * Loads a BlazeFace graph model.
   *
   * @param source - nothing for the shipped weights; a `model.json` path; an `http(s)://` URL; or a tfjs IO handler
   * @throws {@link MaskDetectorError} `MODEL_UNREADABLE` or `MODEL_MISMATCH`
   */
  static override async load(
    source: string | URL | tf.io.IOHandler = shippedFaceDetectorPath,
  ): Promise<FaceDetector> {
    return new FaceDetector(await loadGraphModel(await nodeModelSource(source)));
  }
}
