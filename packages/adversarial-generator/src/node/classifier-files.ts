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

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

function unreadable(dir: string, problem: string, cause?: unknown): AdversarialError {
  return new AdversarialError({
    code: 'MODEL_UNREADABLE',
    message: `The model in ${dir} cannot be loaded: ${problem}. Save it again with saveClassifier (or model.save), or pass another folder.`,
    cause,
  });
}

/** The weight groups of a parsed `model.json`, checked to be what tfjs's loader expects. */
function weightsGroups(json: unknown, dir: string): WeightsGroup[] {
  const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  const topology = (json as { modelTopology?: unknown } | null)?.modelTopology;
  if (topology === null || typeof topology !== 'object') {
    throw unreadable(dir, 'model.json has no modelTopology object');
  }
  const isGroup = (group: unknown): group is WeightsGroup =>
    typeof group === 'object' &&
    group !== null &&
    Array.isArray((group as WeightsGroup).paths) &&
    (group as WeightsGroup).paths.every((p) => typeof p === 'string' && p !== '') &&
    Array.isArray((group as WeightsGroup).weights);
  if (!Array.isArray(manifest) || manifest.length === 0 || !manifest.every(isGroup)) {
    throw unreadable(
      dir,
      'model.json has no weightsManifest of the form [{paths: [file names], weights: [specs]}]',
    );
  }
  return manifest;
}

/**
 * The path of weights file `file` named by the manifest of the model in `dir`; refused when it
 * would lie outside that folder (`../../etc/passwd`, an absolute path), so a model.json from
 * elsewhere cannot make us read any file on the machine.
 */
function weightsFilePath(dir: string, file: string): string {
  const folder = path.resolve(dir);
  const resolved = path.resolve(folder, file);
  const inside = path.relative(folder, resolved);
  if (
    path.isAbsolute(file) ||
    inside === '' ||
    inside.startsWith('..') ||
    path.isAbsolute(inside)
  ) {
    throw unreadable(
      dir,
      `model.json names the weights file "${file}", which is outside the model's folder; weights must sit in the model's folder (paths relative to model.json, without ..)`,
    );
  }
  return resolved;
}

/**
 * Loads a model saved by {@link saveClassifier} (or by `model.save('file://…')`) from a folder;
 * weights split over several files (as tfjs's converter shards them) are read in manifest order.
 *
 * @throws {@link AdversarialError} `MODEL_NOT_FOUND` when `model.json` or a weights file it names
 *   cannot be read; `MODEL_UNREADABLE` when `model.json` is not JSON, lacks a topology or weights
 *   manifest, names a weights file outside `dir`, or tfjs cannot build the model from it
 *   (unknown layer, wrong weight shapes or count, weights file of the wrong size)
 */
export async function loadClassifier(dir: string): Promise<tfl.LayersModel> {
  const read = async <T>(file: string, as: (bytes: Buffer) => T): Promise<T> => {
    const filePath = weightsFilePath(dir, file);
    try {
      return as(await readFile(filePath));
    } catch (cause) {
      throw new AdversarialError({
        code: 'MODEL_NOT_FOUND',
        message: `No saved model in ${dir} (expected model.json and the weights files it names): cannot read ${file} (${(cause as Error).message}). Train one with scripts/train-classifier.mjs or pass another folder.`,
        cause,
      });
    }
  };
  const text = await read('model.json', (bytes) => bytes.toString('utf8'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw unreadable(dir, `model.json is not JSON (${(cause as Error).message})`, cause);
  }
  const groups = weightsGroups(json, dir);
  const files: Uint8Array[] = [];
  for (const file of groups.flatMap((group) => group.paths)) {
    files.push(await read(file, (bytes) => new Uint8Array(bytes)));
  }
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: (json as { modelTopology: object }).modelTopology,
        weightSpecs: groups.flatMap((group) => group.weights),
        weightData: tf.io.concatenateArrayBuffers(
          files.map((bytes) => bytes.slice().buffer as ArrayBuffer),
        ),
      }),
    );
  } catch (cause) {
    throw unreadable(dir, `tfjs could not build it (${(cause as Error).message})`, cause);
  }
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
