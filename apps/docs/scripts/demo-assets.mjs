// Builds what the demos load, from this repository's own code and the datasets in
// ACTLAB_DATA_DIR (never downloaded; written under site/public, never committed):
// - data/mnist-subset.bin: 2 048 training and 512 test MNIST images (seeded `subset`) for the
//   gradient-flow and adversarial demos;
// - models/mnist-demo/: a small MNIST classifier (Flatten → Dense(128, relu) → Dense(10)) trained
//   here on the 60 000 training images, with its measured test accuracy in metrics.json;
// - models/mask-detector/: the weights @actlab/mask-detector ships, copied;
// - data/faces/: face crops from the validation splits of both face-mask sets, as PNG, with
//   their true labels in faces.json.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { measureAccuracy } from '@actlab/adversarial-generator';
import { saveClassifier } from '@actlab/adversarial-generator/node';
import { selectBackend } from '@actlab/backend';
import { loadFaceMaskDataset, shippedModelPath } from '@actlab/mask-detector';
import { loadMnist, subset, toTensors } from '@actlab/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';

/** The dataset folders (under ACTLAB_DATA_DIR) the demo assets are made from, and what for. */
export const requiredData = [
  { folder: 'mnist', what: 'the four MNIST .gz files: demo subset and demo classifier' },
  { folder: 'face-mask-voc', what: 'the Pascal VOC face-mask photos: sample face crops' },
  { folder: 'face-mask', what: 'the with_mask/without_mask folders: sample face crops' },
];

/** The files under site/public that the demos fetch. */
const assetFiles = [
  'data/mnist-subset.bin',
  'data/faces/faces.json',
  'models/mnist-demo/model.json',
  'models/mask-detector',
];

/** The demo assets not yet built under `siteDir/public`. */
export function missingAssets(siteDir) {
  return assetFiles.filter((file) => !existsSync(join(siteDir, 'public', file)));
}

/**
 * Why the assets cannot be built from `dataDir` (unset, or without a dataset folder), as one
 * message that names what is needed; `undefined` when everything is there.
 */
export function missingDataMessage(dataDir) {
  const needs = requiredData.map(({ folder, what }) => `  ${folder}/  ${what}`).join('\n');
  if (!dataDir) {
    return `ACTLAB_DATA_DIR is not set. The docs demos' assets are made from these dataset folders in it:\n${needs}\nSet it (in this repository: ACTLAB_DATA_DIR=../shared/data) and run again.`;
  }
  const absent = requiredData.filter(({ folder }) => !existsSync(join(dataDir, folder)));
  if (absent.length === 0) return undefined;
  return `ACTLAB_DATA_DIR (${dataDir}) has no ${absent.map(({ folder }) => `${folder}/`).join(', ')}. The docs demos' assets are made from:\n${needs}`;
}

/** Writes the seeded MNIST subset the gradient-flow and adversarial demos load. */
async function mnistSubset(dataDir, publicDir) {
  const { train, test } = await loadMnist({ dataset: 'mnist', dataDir, download: false });
  const a = subset(train, { size: 2048, seed: 1 });
  const b = subset(test, { size: 512, seed: 2 });
  // Layout: uint32 trainCount, uint32 testCount, then train images, train labels, test images,
  // test labels (uint8, 28×28 row-major).
  const pixels = 28 * 28;
  const bytes = new Uint8Array(8 + (a.count + b.count) * (pixels + 1));
  new DataView(bytes.buffer).setUint32(0, a.count, true);
  new DataView(bytes.buffer).setUint32(4, b.count, true);
  let offset = 8;
  for (const part of [a.images, a.labels, b.images, b.labels]) {
    bytes.set(part, offset);
    offset += part.length;
  }
  mkdirSync(join(publicDir, 'data'), { recursive: true });
  writeFileSync(join(publicDir, 'data', 'mnist-subset.bin'), bytes);
}

/** Trains the demo's classifier; returns its accuracy on the 10 000 test images. */
async function mnistDemoClassifier(dataDir, publicDir) {
  const { train, test } = await loadMnist({ dataset: 'mnist', dataDir, download: false });
  const trainSet = toTensors(train);
  const testSet = toTensors(test);
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [28, 28, 1] }),
      tfl.layers.dense({
        units: 128,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  await model.fit(trainSet.xs, trainSet.ys, {
    epochs: 3,
    batchSize: 128,
    shuffle: false,
    verbose: 0,
  });
  const accuracy = measureAccuracy(model, testSet.xs, testSet.ys);
  const out = join(publicDir, 'models', 'mnist-demo');
  await saveClassifier(model, out);
  writeFileSync(
    join(out, 'metrics.json'),
    `${JSON.stringify({ testAccuracy: accuracy, testImages: test.count, trainedOn: train.count, epochs: 3, date: new Date().toISOString() })}\n`,
  );
  tf.dispose([trainSet.xs, trainSet.ys, testSet.xs, testSet.ys]);
  model.dispose();
  return accuracy;
}

/** Writes `perClass` validation crops of each class of one face-mask set as 96×96 PNGs. */
async function faceCrops(set, options, perClass, outDir) {
  const data = await loadFaceMaskDataset(set.dir, { size: 96, seed: 0, ...options });
  const pixels = await data.images.data();
  const picked = [];
  for (const label of [0, 1]) {
    const candidates = data.split.validation.filter((i) => data.labelIndices[i] === label);
    const step = Math.max(1, Math.floor(candidates.length / perClass));
    for (const index of candidates.filter((_, k) => k % step === 0).slice(0, perClass)) {
      const size = 96 * 96 * 3;
      const rgb = Uint8Array.from(pixels.subarray(index * size, (index + 1) * size), (v) =>
        Math.round(v * 255),
      );
      const name = `${set.name}-${index}.png`;
      await sharp(rgb, { raw: { width: 96, height: 96, channels: 3 } })
        .png()
        .toFile(join(outDir, name));
      picked.push({ file: name, label: data.classNames[label], set: set.name });
    }
  }
  data.images.dispose();
  data.labels.dispose();
  return picked;
}

/** Builds every demo asset; returns a one-line summary. */
export async function demoAssets(dataDir, siteDir) {
  const publicDir = join(siteDir, 'public');
  await mnistSubset(dataDir, publicDir);
  await selectBackend('wasm');
  const accuracy = await mnistDemoClassifier(dataDir, publicDir);
  cpSync(dirname(shippedModelPath), join(publicDir, 'models', 'mask-detector'), {
    recursive: true,
  });
  const facesDir = join(publicDir, 'data', 'faces');
  mkdirSync(facesDir, { recursive: true });
  const faces = [
    ...(await faceCrops(
      { name: 'voc', dir: join(dataDir, 'face-mask-voc') },
      { format: 'voc', classes: 2, margin: 0.1, minBoxSize: 24, limit: 120 },
      3,
      facesDir,
    )),
    ...(await faceCrops(
      { name: 'folders', dir: join(dataDir, 'face-mask') },
      { format: 'folders', limit: 60 },
      2,
      facesDir,
    )),
  ];
  writeFileSync(join(facesDir, 'faces.json'), `${JSON.stringify(faces, null, 2)}\n`);
  return `demo classifier test accuracy ${accuracy.toFixed(4)}, ${faces.length} face crops`;
}
