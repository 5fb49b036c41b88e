import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { AdversarialError } from '../errors.js';

/**
 * Saves a model as `model.json` + `weights.bin` in a folder (the layout of `model.save('file://…')`,
 * which needs tfjs-node; this works with any backend).
 */
export async function saveClassifier(model: tfl.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { weightData, weightSpecs, modelTopology } = artifacts;
      const bytes = new Uint8Array(
        tf.io.concatenateArrayBuffers([weightData as ArrayBuffer].flat()),
      );
      await writeFile(path.join(dir, 'weights.bin'), bytes);
      const json = {
        modelTopology,
        format: 'layers-model',
        generatedBy: 'TensorFlow.js tfjs-layers',
        weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
      };
      await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/**
 * Loads a model saved by {@link saveClassifier} (or by `model.save('file://…')`) from a folder.
 *
 * @throws {@link AdversarialError} `MODEL_NOT_FOUND` when the folder has no readable model
 */
export async function loadClassifier(dir: string): Promise<tfl.LayersModel> {
  let json: {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  let weights: Uint8Array;
  try {
    json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    const group = json.weightsManifest[0];
    if (!group) throw new Error('model.json has no weightsManifest');
    weights = await readFile(path.join(dir, group.paths[0] ?? 'weights.bin'));
  } catch (cause) {
    throw new AdversarialError({
      code: 'MODEL_NOT_FOUND',
      message: `No saved model in ${dir} (expected model.json and weights.bin): ${(cause as Error).message}. Train one with scripts/train-classifier.mjs or pass another folder.`,
      cause,
    });
  }
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: buffer as ArrayBuffer,
    }),
  );
}

/** Folder of the MNIST CNN shipped with this package (`models/mnist-cnn`). */
export function shippedModelDir(): string {
  // dist/node.js in the package, src/node/classifier-files.ts in tests: both two levels below.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.basename(here) === 'node' ? path.join(here, '..', '..') : path.join(here, '..');
  return path.join(root, 'models', 'mnist-cnn');
}

/**
 * Loads the MNIST CNN trained by `scripts/train-classifier.mjs` and shipped in this package;
 * `models/mnist-cnn/metrics.json` holds its measured test accuracy.
 */
export async function loadMnistClassifier(): Promise<tfl.LayersModel> {
  return loadClassifier(shippedModelDir());
}
