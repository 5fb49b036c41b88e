import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AdversarialError } from './errors.js';

/** Options of {@link buildMnistClassifier}. */
export interface ClassifierOptions {
  /** Seed of the weight initialisers. Default 1. */
  seed?: number;
  /** Image shape [height, width, channels]. Default [28, 28, 1]. */
  inputShape?: [number, number, number];
  /** Number of classes. Default 10. */
  classes?: number;
}

/**
 * The seed's CNN: [Conv 5×5, 32, same, ReLU → BatchNorm → MaxPool 2] × 2 → Flatten →
 * Dense(128, ReLU) → BatchNorm → Dense(classes, softmax). Not compiled.
 */
export function buildMnistClassifier(options: ClassifierOptions = {}): tfl.Sequential {
  const { seed = 1, inputShape = [28, 28, 1], classes = 10 } = options;
  const init = (offset: number) => tfl.initializers.glorotUniform({ seed: seed + offset });
  const model = tfl.sequential();
  for (let block = 0; block < 2; block++) {
    model.add(
      tfl.layers.conv2d({
        ...(block === 0 ? { inputShape } : {}),
        filters: 32,
        kernelSize: 5,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(block),
      }),
    );
    model.add(tfl.layers.batchNormalization());
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  }
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(10) }));
  model.add(tfl.layers.batchNormalization());
  model.add(
    tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(11) }),
  );
  return model;
}

/** Options of {@link loadClassifierFromUrl}. */
export interface LoadFromUrlOptions {
  /**
   * URL of the weights file when it is not beside `model.json` under the name the manifest gives,
   * as when a bundler renames assets (`weights.bin?url`). For models with one weights file.
   */
  weightsUrl?: string | URL;
}

/**
 * Loads a classifier saved as `model.json` + `weights.bin` over HTTP, in a page or in Node.
 * The shipped MNIST CNN is exported as `@actlab/adversarial-generator/models/mnist-cnn/model.json`
 * and `.../weights.bin`, so a bundler can give their URLs (Vite: `?url` imports).
 *
 * @param modelUrl - URL of `model.json`; a relative one is read against the page's address
 * @param options - `weightsUrl` when the weights are not beside `model.json`
 * @throws {@link AdversarialError} `MODEL_NOT_FOUND` when the files cannot be fetched or read
 */
export async function loadClassifierFromUrl(
  modelUrl: string | URL,
  options: LoadFromUrlOptions = {},
): Promise<tfl.LayersModel> {
  const { weightsUrl } = options;
  try {
    return await tfl.loadLayersModel(
      tf.io.http(String(modelUrl), {
        ...(weightsUrl === undefined ? {} : { weightUrlConverter: async () => String(weightsUrl) }),
      }),
    );
  } catch (cause) {
    throw new AdversarialError({
      code: 'MODEL_NOT_FOUND',
      message: `No model at ${String(modelUrl)}${weightsUrl === undefined ? '' : ` with weights at ${String(weightsUrl)}`}: ${(cause as Error).message}. Serve model.json and weights.bin (a bundler renames weights.bin: pass its URL as weightsUrl).`,
      cause,
    });
  }
}
