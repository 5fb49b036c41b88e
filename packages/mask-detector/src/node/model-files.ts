import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { MaskDetectorError } from '../mask-detector-error.js';

const weightsFile = 'weights.bin';

/**
 * Saves a model as `model.json` plus `weights.bin` in a folder (tfjs layers format, loadable with
 * `tf.loadLayersModel(url)` in a browser). Files are written to a temporary name and renamed.
 */
export async function saveModelFiles(model: tfl.LayersModel, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData as ArrayBuffer);
      const modelJson = {
        format: 'layers-model',
        generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
      };
      const jsonPath = join(folder, 'model.json');
      const binPath = join(folder, weightsFile);
      await writeFile(`${binPath}.tmp`, new Uint8Array(weightData));
      await rename(`${binPath}.tmp`, binPath);
      await writeFile(`${jsonPath}.tmp`, `${JSON.stringify(modelJson)}\n`);
      await rename(`${jsonPath}.tmp`, jsonPath);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/**
 * The path of weights file `file` named by a model.json in `folder`; refused when it would lie
 * outside that folder (`../../etc/passwd`, an absolute path), so a model.json from elsewhere
 * cannot make us read any file on the machine.
 */
function weightsFilePath(folder: string, file: string): string {
  const resolved = resolve(folder, file);
  const inside = relative(resolve(folder), resolved);
  if (isAbsolute(file) || inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new Error(
      `model.json names the weights file "${file}", which is outside the model's folder ${folder}; weights must sit in the model's folder (paths relative to model.json, without ..)`,
    );
  }
  return resolved;
}

/**
 * Reads `model.json` and its weight files from disk into tfjs model artifacts.
 *
 * @throws {@link MaskDetectorError} `MODEL_UNREADABLE` when a file is missing, not a layers
 *   model, or a weights path of its manifest leaves the model's folder
 */
export async function readModelFiles(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  try {
    const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
    if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
      throw new Error('model.json has no modelTopology or weightsManifest');
    }
    const weightSpecs: tf.io.WeightsManifestEntry[] = [];
    const buffers: Uint8Array[] = [];
    for (const group of json.weightsManifest as tf.io.WeightsManifestConfig) {
      weightSpecs.push(...group.weights);
      for (const path of group.paths) {
        buffers.push(await readFile(weightsFilePath(dirname(modelJsonPath), path)));
      }
    }
    const total = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
    const weightData = new Uint8Array(total);
    let offset = 0;
    for (const buffer of buffers) {
      weightData.set(buffer, offset);
      offset += buffer.byteLength;
    }
    return { modelTopology: json.modelTopology, weightSpecs, weightData: weightData.buffer };
  } catch (cause) {
    throw new MaskDetectorError({
      code: 'MODEL_UNREADABLE',
      message: `cannot read the model at ${modelJsonPath}: ${(cause as Error).message}. Pass the path of a tfjs model.json (its weight files beside it).`,
      cause,
    });
  }
}

/**
 * What tfjs's loaders take for a model source in Node: a `model.json` path, the folder holding it,
 * or a `file:` URL is read from disk into memory (tfjs-core has no file system loader); an
 * `http(s)` URL or an IO handler passes through.
 *
 * @throws {@link MaskDetectorError} `MODEL_UNREADABLE` when a local file is missing or unreadable
 */
export async function nodeModelSource(
  source: string | URL | tf.io.IOHandler,
): Promise<string | URL | tf.io.IOHandler> {
  if (typeof source === 'object' && !(source instanceof URL)) return source;
  const isRemote =
    (typeof source === 'string' && /^https?:\/\//i.test(source)) ||
    (source instanceof URL && source.protocol !== 'file:');
  if (isRemote) return source;
  const path = source instanceof URL ? fileURLToPath(source) : source;
  const isFolder = (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
  return tf.io.fromMemory(await readModelFiles(isFolder ? join(path, 'model.json') : path));
}
