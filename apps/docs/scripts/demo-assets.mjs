// Builds what the adversarial and mask-detector demos load, from this repository's own code and
// the data in ACTLAB_DATA_DIR (never downloaded; written under site/public, never committed):
// - models/mnist-demo/: a small MNIST classifier (Flatten → Dense(128, relu) → Dense(10)) trained
//   here on the 60 000 training images, with its measured test accuracy in metrics.json;
// - models/mask-detector/: the weights @actlab/mask-detector ships, copied;
// - data/faces/: face crops from the validation splits of both face-mask sets, as PNG, with
//   their true labels in faces.json.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { measureAccuracy } from '@actlab/adversarial-generator';
import { saveClassifier } from '@actlab/adversarial-generator/node';
import { selectBackend } from '@actlab/backend';
import { loadFaceMaskDataset, shippedModelPath } from '@actlab/mask-detector';
import { loadMnist, toTensors } from '@actlab/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import sharp from 'sharp';

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
