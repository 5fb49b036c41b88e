import type * as tf from '@tensorflow/tfjs-core';
import { MaskDetectorError } from './mask-detector-error.js';

/**
 * Runs a tfjs loader on a URL, path string or IO handler, turning any failure into a typed error.
 *
 * @param what - how the message names the model ("the mask model", "the face detector")
 * @throws {@link MaskDetectorError} `MODEL_UNREADABLE`
 */
export async function loadModelWith<T>(
  what: string,
  source: string | URL | tf.io.IOHandler,
  load: (source: string | tf.io.IOHandler) => Promise<T>,
): Promise<T> {
  try {
    return await load(source instanceof URL ? source.href : source);
  } catch (cause) {
    const from =
      typeof source === 'object' && !(source instanceof URL)
        ? 'the given IO handler'
        : String(source);
    throw new MaskDetectorError({
      code: 'MODEL_UNREADABLE',
      message: `cannot load ${what} from ${from}: ${(cause as Error).message}`,
      cause,
    });
  }
}
